// `npm run soak`: the host pieces (AgentClient, SegmentSource, HexDocument: what the editor
// runs, without VS Code) against real segments for N minutes, with everything going wrong at
// once: random reads, edits, saves, reverts, direct writes, closes and re-opens, destroys and
// creates, a writer process changing a region of each segment of its own, and the agent
// killed (SIGKILL, SIGSEGV) every few seconds. A model says what each segment must hold; every
// read is checked against it, and every save is checked from the writer process (not through
// the agent). Prints operations by kind and the figures that must be 0; exits 1 if one is not.
// Removes every segment it made, also on Ctrl+C and on failure. Not part of `npm test`.
//
//   node out/bench/soak.js [--minutes N] [--seed N]      (or SHM_SOAK_MINUTES=N)
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient } from '../src/extension/agent/client';
import { TEST_HOOKS_ENV } from '../src/protocol/testHooks';
import { statSegment } from '../src/core';
import { IPC_RMID } from '../src/core/layout';
import { shmctlTry } from '../src/core/libc';
import { HexDocument, type DocumentPrompts } from '../src/extension/hexEditor/document';
import { SegmentSource } from '../src/extension/hexEditor/source';
import { type SegmentIdentity, identityOf, sameSegment } from '../src/protocol/segment';
import { AGENT_JS } from './agent';
import { SegmentModel } from './soakModel';
import { machine } from './util';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const MINUTES = Number(opt('--minutes') ?? process.env.SHM_SOAK_MINUTES ?? 2);
let seed = Number(opt('--seed') ?? Date.now() % 1_000_000);
if (!(MINUTES > 0) || !Number.isFinite(seed)) {
  process.stderr.write('soak: usage: node out/bench/soak.js [--minutes N (> 0)] [--seed N]\n');
  process.exit(2);
}
const log = (s: string) => process.stdout.write(s + '\n');

/** Keys of soak segments: "SO" in the high 16 bits. */
const KEY_BASE = 0x534f0000;
const MAX_SEGMENTS = 6;
const MIN_SEGMENTS = 2;
const WORKERS = 3;
/** At most one kill per 5 s: the client allows 3 crashes in 10 s before it stops restarting. */
const KILL_EVERY_MS = [5000, 7000];
/** A failure within this long after a kill is the kill's doing. */
const KILL_SHADOW_MS = 3000;

// ---- a seeded PRNG (mulberry32): a failing run can be repeated with --seed -------------------

const runSeed = seed;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(0, 255));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- figures -----------------------------------------------------------------------------------

const ops = new Map<string, number>();
const failures = new Map<string, number>();
let problems = 0;
const figures = { wrongBytes: 0, lostEdits: 0, leakedAttachments: 0, hostExceptions: 0, unexplainedFailures: 0, otherProblems: 0, agentRestarts: 0, userRestarts: 0, sweptSegments: 0 };
const kills = { SIGKILL: 0, SIGSEGV: 0 };
const killTimes: number[] = [];
/** The agent serves testCrash (SHM_INSPECTOR_TEST_HOOKS=1). */
let hooks = false;
const exits: string[] = [];
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const problem = (what: string) => {
  problems++;
  log(`  ! ${what}`);
};
/** Something wrong that no other figure counts (an unexpected conflict, status, deferred destroy, writer error). */
const otherProblem = (what: string) => {
  figures.otherProblems++;
  problem(what);
};

process.on('unhandledRejection', (err) => { figures.hostExceptions++; problem(`unhandled rejection: ${(err instanceof Error ? err.stack : undefined) ?? String(err)}`); });
process.on('uncaughtException', (err) => { figures.hostExceptions++; problem(`uncaught exception: ${err.stack ?? err.message}`); });

// ---- segments we made: always removed ------------------------------------------------------

const made = new Map<number, SegmentIdentity>();
const agentPids = new Set<number>();

/** IPC_RMID of a segment we made, if its id still names it. Synchronous (runs on exit). */
function removeIfOurs(identity: SegmentIdentity): void {
  try {
    if (sameSegment(statSegment(identity.id), identity)) shmctlTry(identity.id, IPC_RMID, null);
  } catch { /* gone already */ }
  made.delete(identity.id);
}

/** Segments with a soak key created by one of our agents that we lost track of (a create the agent died in). */
function sweep(): number {
  let n = 0;
  for (const line of fs.readFileSync('/proc/sysvipc/shm', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    const [key, id, cpid] = [Number(f[0]) >>> 0, Number(f[1]), Number(f[4])];
    if ((key & 0xffff0000) >>> 0 === KEY_BASE && agentPids.has(cpid)) {
      if (shmctlTry(id, IPC_RMID, null) >= 0) n++;
    }
  }
  return n;
}

let writer: ChildProcess | undefined;
let client: AgentClient | undefined;
/** The agent client; main() starts it before anything else runs. */
function agent(): AgentClient {
  if (!client) throw new Error('soak: the agent client is not started yet');
  return client;
}
/** A rejection's message, whatever was thrown. */
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
function emergencyCleanup(): void {
  for (const identity of [...made.values()]) removeIfOurs(identity);
  if (client?.agentPid) agentPids.add(client.agentPid);
  try { client?.dispose(); } catch { /* exiting */ }
  try { writer?.kill('SIGKILL'); } catch { /* exiting */ }
  sweep();
}
process.on('exit', emergencyCleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    const n = made.size;
    emergencyCleanup();
    process.stderr.write(`\nsoak: ${sig}: removed ${n} segment(s), stopping\n`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

// ---- the writer process --------------------------------------------------------------------

let writerSeq = 0;
const writerWaiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

function startWriter(): ChildProcess {
  const child = fork(path.join(__dirname, 'soakWriter.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  child.on('message', (m: { seq: number; result?: unknown; error?: string }) => {
    const w = writerWaiting.get(m.seq);
    writerWaiting.delete(m.seq);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.result);
  });
  child.on('exit', (code, signal) => {
    for (const w of writerWaiting.values()) w.reject(new Error(`the writer process exited (${signal ?? code})`));
    writerWaiting.clear();
  });
  return child;
}

function ask<T>(req: Record<string, unknown>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const seq = ++writerSeq;
    if (!writer) { reject(new Error('soak: the writer is not started yet')); return; }
    writerWaiting.set(seq, { resolve, reject });
    writer.send({ seq, req });
  });
}

// ---- the soak's segments -----------------------------------------------------------------------

interface Seg {
  identity: SegmentIdentity;
  model: SegmentModel;
  doc?: HexDocument;
  /** The writer process is attached (and may be writing). */
  writerAttached: boolean;
  writing?: Promise<void>;
  lock: Promise<unknown>;
  gone: boolean;
}

const segs = new Map<number, Seg>();

/** Run fn on seg after every operation queued on it before (one user per document). */
function locked<T>(seg: Seg, fn: () => Promise<T>): Promise<T> {
  const run = seg.lock.then(fn, fn);
  seg.lock = run.catch(() => undefined);
  return run;
}

const prompts: DocumentPrompts = {
  conflict(doc, conflicts) {
    otherProblem(`save of ${doc.info.id} found ${conflicts.length} conflict(s): nobody else writes those bytes`);
    return Promise.resolve(undefined); // cancel: nothing written, nothing lost
  },
  saveGone(doc, message) {
    otherProblem(`save of ${doc.info.id}: ${message}`);
    return Promise.resolve();
  },
};

async function openDoc(seg: Seg): Promise<HexDocument> {
  const src = await SegmentSource.open(agent(), { id: seg.identity.id, expect: seg.identity, readOnly: false });
  seg.doc = new HexDocument(src, { uri: { toString: () => `shm:/${seg.identity.id}` } as never, prompts, writeThrough: () => false });
  return seg.doc;
}

/** Close the document the way the editor does (its source detaches), then check nattch. */
async function closeDoc(seg: Seg): Promise<void> {
  const doc = seg.doc;
  if (!doc) throw new Error(`soak: segment ${seg.identity.id} has no document to close`);
  seg.doc = undefined;
  seg.model.reverted(); // pending edits of a closed document are gone, by the user's choice
  await doc.source.close();
  doc.dispose();
  await checkAttachments(seg, true);
}

/**
 * nattch against what we hold: the document (1) and the writer (1); exact: nothing else may be
 * attached. A killed agent's attachments go when it has exited, so a surplus is looked at again
 * for up to 2 s before it counts.
 */
async function checkAttachments(seg: Seg, exact: boolean): Promise<void> {
  const expected = (seg.doc ? 1 : 0) + (seg.writerAttached ? 1 : 0);
  let nattch = -1;
  for (let i = 0; i < 20; i++) {
    try {
      nattch = statSegment(seg.identity.id).nattch;
    } catch (err) {
      otherProblem(`stat ${seg.identity.id}: ${(err as Error).message}`);
      return;
    }
    if (exact ? nattch === expected : nattch <= expected) return;
    await sleep(100);
  }
  figures.leakedAttachments += Math.abs(nattch - expected);
  problem(`segment ${seg.identity.id}: nattch ${nattch}, expected ${exact ? '' : 'at most '}${expected} (document ${seg.doc ? 'open' : 'closed'}, writer ${seg.writerAttached ? 'attached' : 'detached'}; attached: ${holders(seg.identity.id)})`);
}

/** Who has the segment mapped, from /proc/PID/maps: "agent 123 x2, writer 456". */
function holders(id: number): string {
  const names = new Map<number, string>([[process.pid, 'soak'], [writer?.pid ?? -1, 'writer'], [client?.agentPid ?? -1, 'agent']]);
  const out: string[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    let maps = '';
    try { maps = fs.readFileSync(`/proc/${p}/maps`, 'utf8'); } catch { continue; }
    const n = maps.split('\n').filter((l) => /\/SYSV[0-9a-f]{8}/.test(l) && l.trim().split(/\s+/)[4] === String(id)).length;
    if (n) out.push(`${names.get(Number(p)) ?? 'pid'} ${p}${n > 1 ? ` x${n}` : ''}`);
  }
  return out.join(', ') || 'nobody';
}

/** Read back through the writer process (not the agent) and check against the model; returns the wrong offsets. */
async function checkRaw(seg: Seg, offset: number, length: number): Promise<number[]> {
  const gen = seg.model.writerGen;
  const got = await ask<Uint8Array>({ op: 'read', id: seg.identity.id, offset, length });
  return seg.model.check(offset, got, { raw: true, fromGen: gen });
}

async function createSeg(): Promise<void> {
  const size = pick([4096, 8192, 65536, 200_000, 1 << 20, (2 << 20) + 4096]);
  let info;
  for (let i = 0; ; i++) {
    try {
      info = await agent().request('create', { size, key: (KEY_BASE | int(1, 0xffff)) >>> 0, exclusive: true, perms: 0o600 });
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST' || i > 16) throw err;
    }
  }
  const identity = identityOf(info);
  made.set(identity.id, identity);
  const writerLen = Math.min(4096, size >> 2);
  const seg: Seg = { identity, model: new SegmentModel(size, size - writerLen), writerAttached: false, lock: Promise.resolve(), gone: false };
  await ask({ op: 'attach', id: identity.id });
  seg.writerAttached = true;
  try {
    await openDoc(seg);
  } finally {
    segs.set(identity.id, seg); // only now do the other loops see it
  }
}

async function destroySeg(seg: Seg): Promise<void> {
  if (!segs.has(seg.identity.id)) return; // another worker destroyed it first
  seg.gone = true; // no new operations, no new writes
  await seg.writing;
  if (seg.doc) await closeDoc(seg);
  if (seg.writerAttached) {
    await ask({ op: 'detach', id: seg.identity.id });
    seg.writerAttached = false;
  }
  await checkAttachments(seg, true);
  try {
    const r = await agent().request('destroy', { expect: seg.identity });
    if (r.deferred) otherProblem(`destroy ${seg.identity.id} was deferred: something is still attached`);
  } catch (err) {
    // The agent may have died after IPC_RMID: look.
    let still = true;
    try { still = sameSegment(statSegment(seg.identity.id), seg.identity); } catch { still = false; }
    if (still) { seg.gone = false; throw err; }
  }
  segs.delete(seg.identity.id);
  made.delete(seg.identity.id);
}

// ---- one random operation -----------------------------------------------------------------------

async function operation(): Promise<void> {
  const live = [...segs.values()].filter((s) => !s.gone);
  const r = rand();
  if ((live.length < MIN_SEGMENTS || (r < 0.03 && live.length < MAX_SEGMENTS))) return op('create', createSeg);
  if (r < 0.06 && live.length > MIN_SEGMENTS) {
    const seg = pick(live);
    return op('destroy', () => locked(seg, () => destroySeg(seg)));
  }
  const seg = pick(live);
  return op(kindFor(rand()), (kind) => locked(seg, () => (seg.gone ? Promise.resolve() : onDoc(seg, kind))));
}

function kindFor(r: number): string {
  if (r < 0.35) return 'read';
  if (r < 0.60) return 'edit';
  if (r < 0.72) return 'save';
  if (r < 0.82) return 'write';
  if (r < 0.86) return 'revert';
  if (r < 0.92) return 'status';
  return 'close';
}

async function onDoc(seg: Seg, kind: string): Promise<void> {
  const m = seg.model;
  let doc = seg.doc;
  if (!doc) {
    doc = await openDoc(seg);
    bump(ops, 'open');
    await checkAttachments(seg, false);
    if (kind === 'close') return;
  }
  switch (kind) {
    case 'read': {
      const offset = int(0, seg.identity.size - 1);
      const length = Math.min(int(1, 65536), seg.identity.size - offset);
      const gen = m.writerGen;
      const got = await doc.read(offset, length);
      countWrong(seg, m.check(offset, got, { fromGen: gen }), 'read');
      return;
    }
    case 'edit': {
      const length = int(1, 256);
      const offset = int(0, m.writerOffset - length);
      const data = bytes(length);
      await doc.edit(offset, data);
      m.edited(offset, data);
      return;
    }
    case 'save': {
      await doc.save().catch((err: unknown) => { m.saveFailed(); throw err; });
      const saved = new Set(m.savedAll());
      // Everything below the writer's region, read by another process.
      const wrong = await checkRaw(seg, 0, m.writerOffset);
      const lost = wrong.filter((o) => saved.has(o));
      figures.lostEdits += lost.length;
      if (lost.length) problem(`segment ${seg.identity.id}: ${lost.length} saved byte(s) not in the segment, first at ${lost[0]}`);
      countWrong(seg, wrong.filter((o) => !saved.has(o)), 'read back after save');
      return;
    }
    case 'write': {
      const length = int(1, 512);
      const offset = int(0, m.writerOffset - length);
      if (!m.clearOfPending(offset, length)) return; // would be a conflict at the next save
      const data = bytes(length);
      try {
        await doc.source.write(offset, data);
      } catch (err) {
        m.wrote(offset, data, false); // the answer may be lost after the write happened
        throw err;
      }
      m.wrote(offset, data, true);
      return;
    }
    case 'revert':
      await doc.revert();
      m.reverted();
      return;
    case 'status': {
      const st = await doc.refreshStatus();
      if (st.gone || st.dest) otherProblem(`segment ${seg.identity.id}: status says ${st.gone ? 'gone' : 'destroyed'}: ${st.message}`);
      return;
    }
    case 'close':
      if (doc.hasPendingEdits) await doc.save().then(() => { m.savedAll(); }, (err: unknown) => { m.saveFailed(); throw err; });
      await closeDoc(seg);
      return;
  }
}

function countWrong(seg: Seg, wrong: number[], what: string): void {
  if (!wrong.length) return;
  figures.wrongBytes += wrong.length;
  problem(`segment ${seg.identity.id}: ${wrong.length} wrong byte(s) in a ${what}, first at ${wrong[0]}`);
}

/** Run one operation, counting it; a failure is explained if an agent kill fell in its time. */
async function op(kind: string, fn: (kind: string) => Promise<void>): Promise<void> {
  const start = Date.now();
  try {
    await fn(kind);
    bump(ops, kind);
  } catch (err) {
    const end = Date.now();
    const byKill = killTimes.some((t) => t >= start - KILL_SHADOW_MS && t <= end) || (err as { code?: string }).code === 'EAGENT';
    bump(failures, `${kind}${byKill ? ' (agent killed)' : ''}`);
    if (!byKill) {
      figures.unexplainedFailures++;
      problem(`${kind} failed: ${(err as Error).message}`);
    }
  } finally {
    if (client?.agentPid) agentPids.add(client.agentPid);
  }
}

// ---- the loops -----------------------------------------------------------------------------------

let running = true;

async function worker(): Promise<void> {
  while (running) {
    await operation();
    await sleep(int(0, 5));
  }
}

async function writerLoop(): Promise<void> {
  while (running) {
    const ready = [...segs.values()].filter((s) => s.writerAttached && !s.gone && !s.writing);
    if (!ready.length) { await sleep(20); continue; }
    const seg = pick(ready);
    const m = seg.model;
    const gen = m.writerGen + 1;
    m.writerNext = gen;
    seg.writing = ask({ op: 'write', id: seg.identity.id, offset: m.writerOffset, length: m.writerLength, gen })
      .then(() => { m.writerGen = gen; bump(ops, 'writer write'); }, (err: unknown) => { otherProblem(`writer: ${messageOf(err)}`); })
      .finally(() => { m.writerNext = null; seg.writing = undefined; });
    await seg.writing;
    await sleep(int(1, 8));
  }
}

/**
 * Every 5-7 s the agent dies: SIGKILL from outside, or SIGSEGV inside it (the agent's test hook
 * testCrash; a signal sent from outside where the agent has no hooks). If the client stopped
 * restarting (crash limit), Restart Agent, as the user would.
 */
async function killLoop(): Promise<void> {
  let n = 0;
  while (running) {
    await sleep(int(KILL_EVERY_MS[0], KILL_EVERY_MS[1]));
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- main() clears running while this loop sleeps
    if (!running) break;
    const c = agent();
    if (c.state === 'stopped') {
      figures.userRestarts++;
      await c.restart().catch((err: unknown) => { otherProblem(`Restart Agent: ${messageOf(err)}`); });
      continue;
    }
    const pid = c.agentPid;
    if (!pid) continue;
    const sig = n++ % 2 === 0 ? 'SIGKILL' : 'SIGSEGV';
    agentPids.add(pid);
    killTimes.push(Date.now());
    kills[sig]++;
    if (sig === 'SIGSEGV' && hooks) {
      void c.request('testCrash', { signal: 'SIGSEGV' }).then(
        () => { otherProblem('testCrash returned: the agent did not die'); },
        (err: unknown) => { if ((err as { code?: string }).code !== 'EAGENT') otherProblem(`testCrash: ${messageOf(err)}`); },
      );
    } else {
      try { process.kill(pid, sig); } catch { /* already gone */ }
    }
  }
}

/** Every 10 s, between operations: nothing attached beyond what we hold. */
async function attachmentLoop(): Promise<void> {
  while (running) {
    await sleep(10_000);
    for (const seg of [...segs.values()]) {
      if (!seg.gone) await locked(seg, async () => { if (!seg.gone) await checkAttachments(seg, false); });
    }
  }
}

// ---- main --------------------------------------------------------------------------------------

async function finish(): Promise<void> {
  log('\nfinishing: save and verify every segment, close, detach, destroy');
  for (const seg of [...segs.values()]) {
    await locked(seg, async () => {
      await seg.writing;
      const doc = seg.doc ?? await openDoc(seg);
      for (let i = 0; doc.hasPendingEdits; i++) {
        try {
          await doc.save();
          seg.model.savedAll();
        } catch (err) {
          seg.model.saveFailed();
          if (i >= 2) { otherProblem(`final save of ${seg.identity.id}: ${messageOf(err)}`); break; }
        }
      }
      const got = await doc.read(0, seg.identity.size);
      countWrong(seg, seg.model.check(0, got, { fromGen: seg.model.writerGen }), 'final read through the document');
      const lost = await checkRaw(seg, 0, seg.identity.size);
      figures.lostEdits += lost.length;
      if (lost.length) problem(`segment ${seg.identity.id}: ${lost.length} byte(s) differ from the model in the final raw read, first at ${lost[0]}`);
      await destroySeg(seg);
    });
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(AGENT_JS)) throw new Error(`${AGENT_JS} is missing: build it first (npm run build)`);
  log(`SHM Inspector soak: ${MINUTES} min, seed ${runSeed} (repeat with --seed ${runSeed}); ${machine()}`);
  client = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 15_000, env: { [TEST_HOOKS_ENV]: '1' } });
  client.onDidExit((e) => { exits.push(`${e.signal ?? `code ${e.code}`}${e.stopped ? ' (crash limit: stopped)' : ''}`); });
  writer = startWriter();
  await client.request('ping', {});
  if (client.agentPid) agentPids.add(client.agentPid);
  hooks = await client.request('testCrash', { signal: 'nothing' as never }).then(() => true, (err: unknown) => (err as { code?: string }).code !== 'ENOSYS');
  log(`SIGSEGV: ${hooks ? 'inside the agent (test hook testCrash)' : 'sent from outside (this agent has no test hooks)'}`);
  for (let i = 0; i < 3; i++) await op('create', createSeg);

  const until = Date.now() + MINUTES * 60_000;
  const loops = [...Array.from({ length: WORKERS }, worker), writerLoop(), killLoop(), attachmentLoop()];
  const progress = setInterval(() => {
    const total = [...ops.values()].reduce((a, b) => a + b, 0);
    log(`  ${Math.round((until - Date.now()) / 1000)} s left: ${total} operations, ${segs.size} segments, ${agent().generation - 1} agent restarts, ${problems} problem(s)`);
  }, 15_000);
  await sleep(until - Date.now());
  running = false;
  clearInterval(progress);
  await Promise.race([Promise.all(loops), sleep(30_000)]);
  // Let a restart after the last kill settle before the final checks.
  await client.request('ping', {}).catch(() => agent().request('ping', {}));
  await finish();
  if (client.agentPid) agentPids.add(client.agentPid);
  figures.agentRestarts = client.generation - 1;
  client.dispose();
  writer.disconnect();
  figures.sweptSegments = sweep();
}

function report(): number {
  log('\noperations:');
  for (const [k, n] of [...ops].sort((a, b) => b[1] - a[1])) log(`  ${k.padEnd(24)} ${n}`);
  if (failures.size) {
    log('failed operations:');
    for (const [k, n] of [...failures].sort((a, b) => b[1] - a[1])) log(`  ${k.padEnd(24)} ${n}`);
  }
  log(`agent kills: ${kills.SIGKILL} SIGKILL, ${kills.SIGSEGV} SIGSEGV; agent exits seen: ${exits.length} (${[...new Set(exits)].map((s) => `${s} ${exits.filter((x) => x === s).length}`).join(', ')})`);
  log(`agent restarts: ${figures.agentRestarts} (after a crash: ${figures.agentRestarts - figures.userRestarts}; Restart Agent after the crash limit: ${figures.userRestarts})`);
  const mustBeZero: [string, number][] = [
    ['wrong bytes', figures.wrongBytes],
    ['lost edits (saved bytes not in the segment)', figures.lostEdits],
    ['leaked attachments', figures.leakedAttachments],
    ['host exceptions (unhandled rejections, uncaught exceptions)', figures.hostExceptions],
    ['failed operations not explained by an agent kill', figures.unexplainedFailures],
    ['other problems (unexpected conflicts, status, deferred destroys, writer errors)', figures.otherProblems],
    ['segments we lost track of (removed by the final sweep)', figures.sweptSegments],
  ];
  for (const [k, n] of mustBeZero) log(`${k}: ${n}${n ? '   <-- must be 0' : ''}`);
  return mustBeZero.some(([, n]) => n !== 0) ? 1 : 0;
}

main().then(
  () => { process.exitCode = report(); },
  (err: unknown) => {
    log(`soak: ${(err instanceof Error ? err.stack : undefined) ?? String(err)}`);
    report();
    process.exitCode = 1;
  },
);
