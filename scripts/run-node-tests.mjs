#!/usr/bin/env node
// Runs every *.test.js under a directory with `node --test --test-concurrency=1`, then checks
// that the run left no System V shared-memory segment behind.
//
//   node scripts/run-node-tests.mjs out/test/unit [more dirs or files...] [-- extra node --test args]
//
// Exit code: node's (non-zero if any test failed), or 3 if the run leaked segments.
//
// Which segments are "ours"? Other engineers (and other test runs) create segments on the same
// host at the same time, so "new since the start" is not enough. A new segment is attributed to
// this run when ANY of these holds:
//   1. its id is in the registry file named by $SHM_TEST_REGISTRY (a fresh temp dir per run);
//      test/unit/helpers.ts appends every id a test creates, in-process or in a child;
//   2. its creator pid (cpid) is a process of this run: a poll (every 50 ms) notes every process
//      that is a descendant of this runner or whose environment carries this run's token
//      ($SHM_TEST_RUN, inherited by every descendant, incl. children started as another user),
//      so even a creator that exited before the end is recognised (only a process that lived
//      less than one poll interval and did not use the registry can slip through).
// Segments that are new but not ours are listed as a note and left alone (someone else's).
// Ours that survive the run fail it and are removed (IPC_RMID via `ipcrm -m`); any still
// attached by a lingering process of this run (found by token) get that process killed.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PROC_SHM = '/proc/sysvipc/shm';
const POLL_MS = 50;

function usage(msg) {
  if (msg) process.stderr.write(`run-node-tests: ${msg}\n`);
  process.stderr.write('usage: node scripts/run-node-tests.mjs <dir|file>... [-- node test args]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const targets = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
const extra = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
if (targets.length === 0) usage('no test directory given');

function findTests(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    usage(`${p} does not exist (compile first: npx tsc -p tsconfig.json)`);
  }
  if (st.isFile()) return [path.resolve(p)];
  const out = [];
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    const full = path.join(p, e.name);
    if (e.isDirectory()) out.push(...findTests(full));
    else if (e.isFile() && e.name.endsWith('.test.js')) out.push(path.resolve(full));
  }
  return out.sort();
}

const files = targets.flatMap(findTests);
if (files.length === 0) usage(`no *.test.js under ${targets.join(', ')}`);

// --- segments --------------------------------------------------------------------------------

/** id -> {key, cpid, nattch, line} from /proc/sysvipc/shm (empty map where it is missing). */
function readSegments() {
  const map = new Map();
  let text;
  try {
    text = fs.readFileSync(PROC_SHM, 'latin1');
  } catch {
    return map;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    const id = Number(f[1]);
    map.set(id, { id, key: Number(f[0]) >>> 0, size: Number(f[3]), cpid: Number(f[4]), nattch: Number(f[6]), perms: f[2] });
  }
  return map;
}

const token = randomBytes(8).toString('hex');
const tokenVar = `SHM_TEST_RUN=${token}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-tests-'));
fs.chmodSync(tmp, 0o755);
const registry = path.join(tmp, 'created-ids');
fs.writeFileSync(registry, '');
fs.chmodSync(registry, 0o666); // children running as another user (nobody) record their ids too

function ppidOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // pid (comm) state ppid ...; comm may contain spaces or parens: split after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

function hasToken(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(tokenVar);
  } catch {
    return false;
  }
}

function isOurs(pid) {
  if (!(pid > 0)) return false;
  if (hasToken(pid)) return true;
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    if (p === process.pid) return true;
    p = ppidOf(p);
  }
  return false;
}

const before = readSegments();
const seenOurs = new Set(); // ids attributed to this run by the poll
const ourPids = new Set([process.pid]); // every process of this run the poll has seen
const checkedPids = new Set();

/** Note every new process of this run (token in its environment, or a child of one of ours). */
function scanProcesses() {
  let names;
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return;
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (checkedPids.has(pid)) continue;
    checkedPids.add(pid);
    if (ourPids.has(ppidOf(pid)) || hasToken(pid)) ourPids.add(pid);
  }
}

function poll() {
  scanProcesses();
  for (const [id, s] of readSegments()) {
    if (before.has(id) || seenOurs.has(id)) continue;
    if (ourPids.has(s.cpid) || isOurs(s.cpid)) seenOurs.add(id);
  }
}

function registered() {
  const ids = new Set();
  try {
    for (const l of fs.readFileSync(registry, 'latin1').split('\n')) if (/^\d+$/.test(l.trim())) ids.add(Number(l.trim()));
  } catch { /* none */ }
  return ids;
}

// --- run -------------------------------------------------------------------------------------

const nodeArgs = ['--test', '--test-concurrency=1', ...extra, ...files];
const hasReporter = extra.some((a) => a.startsWith('--test-reporter'));
if (!hasReporter) nodeArgs.unshift('--test-reporter=spec');

const started = Date.now();
process.stdout.write(`run-node-tests: ${files.length} file(s) under ${targets.join(', ')}; ${before.size} segment(s) existed before\n`);
const timer = setInterval(poll, POLL_MS);

const child = spawn(process.execPath, nodeArgs, {
  stdio: 'inherit',
  env: { ...process.env, SHM_TEST_RUN: token, SHM_TEST_REGISTRY: registry, SHM_TEST_TMP: tmp },
});
// Forward ^C / termination to the run, then still check for leftovers.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));

const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));
clearInterval(timer);
poll();

const elapsed = ((Date.now() - started) / 1000).toFixed(1);
process.stdout.write(`\nrun-node-tests: node --test ${signal ? `killed by ${signal}` : `exited with ${code}`} after ${elapsed} s\n`);

// --- leftovers -------------------------------------------------------------------------------

const reg = registered();
const after = readSegments();
const leaked = [];
const foreign = [];
for (const [id, s] of after) {
  if (before.has(id)) continue;
  if (reg.has(id) || seenOurs.has(id) || ourPids.has(s.cpid)) leaked.push(s);
  else foreign.push(s);
}

const fmt = (s) => `  shmid ${s.id}  key 0x${s.key.toString(16).padStart(8, '0')}  ${s.size} bytes  perms ${s.perms}  cpid ${s.cpid}  nattch ${s.nattch}`;

if (foreign.length) {
  process.stdout.write(`run-node-tests: note: ${foreign.length} new segment(s) not created by this run (concurrent work?), left alone:\n${foreign.map(fmt).join('\n')}\n`);
}

function attachedPids(id) {
  const pids = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const maps = fs.readFileSync(`/proc/${name}/maps`, 'latin1');
      if (maps.split('\n').some((l) => { const f = l.split(/\s+/); return f[5]?.startsWith('/SYSV') && Number(f[4]) === id; })) pids.push(Number(name));
    } catch { /* gone or unreadable */ }
  }
  return pids;
}

let exitCode = signal ? 1 : (code ?? 1);
if (leaked.length) {
  exitCode = exitCode || 3;
  process.stderr.write(`\nrun-node-tests: FAIL: the tests left ${leaked.length} shared-memory segment(s) behind:\n${leaked.map(fmt).join('\n')}\n`);
  for (const s of leaked) {
    for (const pid of attachedPids(s.id)) {
      if (pid !== process.pid && hasToken(pid)) {
        process.stderr.write(`run-node-tests: killing leftover test process ${pid} (attached to ${s.id})\n`);
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
    try {
      execFileSync('ipcrm', ['-m', String(s.id)], { stdio: 'pipe' });
    } catch (err) {
      process.stderr.write(`run-node-tests: could not remove ${s.id}: ${String(err.stderr || err.message).trim()}\n`);
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  const still = [...readSegments().keys()].filter((id) => leaked.some((s) => s.id === id));
  process.stderr.write(still.length
    ? `run-node-tests: still present (attached by someone else?): ${still.join(', ')}\n`
    : 'run-node-tests: removed them; the host is clean again.\n');
} else {
  process.stdout.write('run-node-tests: no segment left behind.\n');
}

fs.rmSync(tmp, { recursive: true, force: true });
process.exit(exitCode);
