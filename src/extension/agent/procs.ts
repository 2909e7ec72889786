// What /proc says about the agent process, for the host: which process really is the agent when a
// command prefix forks (`timeout 1d`, `unshare --pid --fork`, `sudo -n`: the child we started is
// the prefix), and whether an address in it still maps a given segment. Plain fs reads, no koffi.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sysvMappingsIn } from '../../protocol/segment';

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** The parent pid from /proc/<pid>/stat (after the command, which may hold spaces and parens). */
export function parentPid(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** True when `pid` is `root` or one of its descendants (following parents up to init). */
export function isSelfOrDescendant(pid: number, root: number): boolean {
  for (let p: number | undefined = pid, hops = 0; p && p > 0 && hops < 64; p = parentPid(p), hops++) {
    if (p === root) return true;
  }
  return false;
}

/** The process's pid in its own (innermost) PID namespace, as its getpid() says. */
export function innermostPid(pid: number): number | undefined {
  const status = readProc(pid, 'status');
  if (status === undefined) return undefined;
  const ns = /^NSpid:\s+([\d\s]+)$/m.exec(status);
  if (!ns) return pid; // a kernel without NSpid has no nested view to tell apart
  const ids = ns[1].trim().split(/\s+/).map(Number);
  return ids[ids.length - 1];
}

/** True when the process's command line runs `script` (our dist/agent.js). */
export function runsScript(pid: number, script: string): boolean {
  const cmdline = readProc(pid, 'cmdline');
  if (!cmdline) return false;
  const want = path.resolve(script);
  return cmdline.split('\0').some((arg) => arg && path.resolve(arg) === want);
}

/** Every process whose parent chain leads to `root` (one scan of /proc). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = parentPid(pid);
    if (ppid === undefined) continue;
    let list = children.get(ppid);
    if (!list) children.set(ppid, (list = []));
    list.push(pid);
  }
  const out: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const next = children.get(pid) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

/**
 * Among the child we started (`root`) and its descendants, the process that runs `script` and
 * calls itself `ownPid` (the pid its ping reported: inside `unshare --pid` that is 1). Its pid as
 * this process sees it, or undefined when there is none (then nothing may read its memory).
 */
export function findAgentPid(root: number, ownPid: number, script: string): number | undefined {
  const fits = (pid: number) => innermostPid(pid) === ownPid && runsScript(pid, script);
  if (fits(root)) return root;
  return descendants(root).find(fits);
}

/** True when `pid` is still the agent we started under `root`: a descendant running `script`. */
export function isOurAgent(pid: number, root: number, script: string): boolean {
  return isSelfOrDescendant(pid, root) && runsScript(pid, script);
}

/**
 * True when /proc/<pid>/maps has a System V mapping (`/SYSV%08x`) of segment `shmid` (its inode
 * column) that starts at `address`: the address still shows that segment in that process.
 */
export function mapsShowSegment(pid: number, address: number | bigint, shmid: number): boolean {
  const maps = readProc(pid, 'maps');
  const want = BigInt(address);
  return maps !== undefined && sysvMappingsIn(maps, shmid).some((start) => BigInt(start) === want);
}
