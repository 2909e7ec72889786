// /proc readers for the measure UI tests: which processes make up the running workbench
// (extension host, our agent, VS Code's server, the Chromium of this run), their CPU time
// (utime+stime) and their resident memory split into anonymous and shared pages.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** Clock ticks per second of /proc/PID/stat's utime/stime (getconf CLK_TCK, 100 on Linux). */
export const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Fields of /proc/PID/stat: {pid, comm, ppid, utime, stime, starttime} (times in ticks), or null
 * when the process is gone. comm may contain spaces and parentheses: split after the last ')'.
 */
export function procStat(pid) {
  const s = readText(`/proc/${pid}/stat`);
  if (!s) return null;
  const close = s.lastIndexOf(')');
  const comm = s.slice(s.indexOf('(') + 1, close);
  const f = s.slice(close + 2).split(' '); // f[0] is field 3 (state)
  return {
    pid: Number(pid),
    comm,
    ppid: Number(f[1]),
    utime: Number(f[11]),
    stime: Number(f[12]),
    starttime: Number(f[19]),
  };
}

export function cmdline(pid) {
  const s = readText(`/proc/${pid}/cmdline`);
  return s ? s.split('\0').filter(Boolean).join(' ') : '';
}

/** Every process: [{pid, ppid, comm, cmd, utime, stime}]. */
export function listProcs() {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(d);
    if (!st) continue;
    out.push({ ...st, cmd: cmdline(d) });
  }
  return out;
}

/** Processes below rootPid (not rootPid itself). */
export function descendants(rootPid, procs = listProcs()) {
  const children = new Map();
  for (const p of procs) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p);
  }
  const out = [];
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length) {
    const p = stack.pop();
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/** True if PID has segment shmid attached (a /SYSV<key> line of its maps whose inode is shmid). */
export function hasAttached(pid, shmid) {
  const maps = readText(`/proc/${pid}/maps`);
  if (!maps) return false;
  for (const line of maps.split('\n')) {
    if (!line.includes('/SYSV')) continue;
    const cols = line.trim().split(/\s+/);
    if (Number(cols[4]) === shmid) return true;
  }
  return false;
}

/**
 * The processes of the workbench this UI test drives: our agent (a `dist/agent.js` process
 * with segment shmid attached, i.e. serving the open editor), its parent the extension host
 * (`--type=extensionHost`), VS Code's server (`server-main.js`) and every Chromium process of
 * this run's browser (descendants of the runner). Throws if the agent or host is not found.
 */
export function workbenchProcesses(shmid) {
  const procs = listProcs();
  const mine = descendants(process.pid, procs);
  const agents = mine.filter((p) => /dist\/agent\.js/.test(p.cmd));
  const agent = agents.find((p) => hasAttached(p.pid, shmid));
  if (!agent) {
    throw new Error(
      `no agent process (dist/agent.js) below pid ${process.pid} has segment ${shmid} attached; agents: ${agents.map((a) => a.pid).join(', ') || 'none'}`,
    );
  }
  const host = procs.find((p) => p.pid === agent.ppid);
  if (!host || !/extensionHost/.test(host.cmd)) {
    throw new Error(`the agent's parent ${agent.ppid} is not an extension host: ${host?.cmd ?? 'gone'}`);
  }
  const server = mine.find((p) => /server-main\.js/.test(p.cmd)) ?? null;
  const chromium = mine.filter(isChromium);
  return { agent, host, server, chromium };
}

/** CPU ticks (utime+stime) of pid, 0 if gone. */
export function cpuTicks(pid) {
  const st = procStat(pid);
  return st ? st.utime + st.stime : 0;
}

const isChromium = (p) => /chrom(e|ium)$/.test(p.cmd.split(' ')[0]);

/** Current Chromium processes of this run (they may come and go: renderers for new frames). */
export function chromiumProcesses() {
  return descendants(process.pid).filter(isChromium);
}

/**
 * Snapshot of CPU ticks per pid for the given pids plus every Chromium process of the run.
 * Compare two snapshots with cpuDelta().
 */
export function cpuSnapshot(pids) {
  const at = process.hrtime.bigint();
  const ticks = new Map();
  for (const pid of pids) ticks.set(pid, cpuTicks(pid));
  const chromium = new Map();
  for (const p of chromiumProcesses()) chromium.set(p.pid, { ticks: p.utime + p.stime, type: /--type=(\S+)/.exec(p.cmd)?.[1] ?? 'browser' });
  return { at, ticks, chromium };
}

/**
 * CPU used between two snapshots, as % of one core: {seconds, byPid: Map(pid → %),
 * chromium: total %, chromiumByType: {renderer: %, gpu-process: %, …}}. Chromium processes
 * that started during the window count from 0; those that exited are lost (rare).
 */
export function cpuDelta(a, b) {
  const seconds = Number(b.at - a.at) / 1e9;
  const pct = (ticks) => (ticks / CLK_TCK / seconds) * 100;
  const byPid = new Map();
  for (const [pid, t] of b.ticks) byPid.set(pid, pct(Math.max(0, t - (a.ticks.get(pid) ?? 0))));
  let chromium = 0;
  const chromiumByType = {};
  for (const [pid, { ticks, type }] of b.chromium) {
    const d = pct(Math.max(0, ticks - (a.chromium.get(pid)?.ticks ?? 0)));
    chromium += d;
    chromiumByType[type] = (chromiumByType[type] ?? 0) + d;
  }
  return { seconds, byPid, chromium, chromiumByType };
}

/** Resident memory of pid from /proc/PID/status, in bytes: {rss, anon, shmem, file}. */
export function memory(pid) {
  const s = readText(`/proc/${pid}/status`);
  if (!s) throw new Error(`process ${pid} is gone`);
  const kb = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(s);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), shmem: kb('RssShmem'), file: kb('RssFile') };
}

export const MiB = 1024 * 1024;
export const mib = (bytes) => (bytes / MiB).toFixed(1);
