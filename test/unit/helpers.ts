// Shared test helpers: segments that are always destroyed, unique test keys, child processes
// (as root or as `nobody`) that are always killed, a seeded PRNG, small polling utilities.
//
// Every segment a test creates is recorded in $SHM_TEST_REGISTRY (set by
// scripts/run-node-tests.mjs) so the runner can tell our leftovers from concurrent work.
import { type ChildProcess, type SpawnOptions, execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Segment, ShmError, destroySegment, statSegment } from '../../src/core';
import type { CreateOptions, SegmentIdentity, SegmentInfo } from '../../src/protocol/segment';
import type { AgentClient } from '../../src/extension/agent/client';
import { identityOf } from '../../src/protocol/segment';

/** Repository root (this file runs as out/test/unit/helpers.js). */
export const REPO = path.resolve(__dirname, '../../..');
/** The compiled core, for child processes (`require(CORE_JS)`). */
export const CORE_JS = path.join(REPO, 'out', 'src', 'core', 'index.js');
/** The bundled agent. */
export const AGENT_JS = path.join(REPO, 'dist', 'agent.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * dist/<name>.js as `npm run build` makes it (esbuild.mjs --only=<name>: same options, so the
 * tests run what ships), rebuilt when anything under src/ is newer. Built under another name and
 * renamed: a test still running the old bundle keeps its file.
 */
export function freshBundle(name: 'agent' | 'cli'): string {
  const out = path.join(REPO, 'dist', `${name}.js`);
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= newestSource(path.join(REPO, 'src'))) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync(process.execPath, ['esbuild.mjs', `--only=${name}`, `--outfile=${tmp}`], { cwd: REPO, stdio: 'pipe' });
  fs.renameSync(tmp, out);
  return out;
}
export const NOBODY = { uid: 65534, gid: 65534 } as const;

// --- keys and the registry ----------------------------------------------------------------

/** "SH" in the high 16 bits: every key a test makes is 0x5348xxxx. */
export const TEST_KEY_BASE = 0x53480000;

export function randomKey(): number {
  return (TEST_KEY_BASE | randomInt(1, 0x10000)) >>> 0;
}

/** Tell the runner (and this file's after-hook) about a segment a test created. */
/**
 * Record a segment for cleanup. An identity without ctime (from a child's `emit`) is completed
 * from the kernel now, while the id still names the segment the test made.
 */
export function track(idOrSeg: number | Segment, identity?: Omit<SegmentIdentity, 'ctime'> & { ctime?: number }): void {
  const id = typeof idOrSeg === 'number' ? idOrSeg : idOrSeg.id;
  const reg = process.env.SHM_TEST_REGISTRY;
  if (reg) {
    try { fs.appendFileSync(reg, `${id}\n`); } catch { /* runner gone: nothing to tell */ }
  }
  if (typeof idOrSeg !== 'number') created.set(id, idOrSeg.identity());
  else if (identity) created.set(id, { ...identity, ctime: identity.ctime ?? ctimeOf(id) });
  else if (!created.has(id)) created.set(id, null);
}

function ctimeOf(id: number): number {
  try { return statSegment(id).ctime; } catch { return -1; }
}

// --- segments ------------------------------------------------------------------------------

export interface TestCreateOptions extends Omit<CreateOptions, 'size' | 'key'> {
  /** A number, 'random' for a fresh 0x5348xxxx key (retried on EEXIST), or omitted = private. */
  key?: number | 'random';
}

const created = new Map<number, SegmentIdentity | null>();
const opened = new Set<Segment>();

/** Segment.create, tracked; with key 'random', exclusive with a fresh key until one is free. */
export function createSegment(size: number, options: TestCreateOptions = {}): Segment {
  const { key, ...rest } = options;
  if (key === 'random') {
    for (let i = 0; i < 64; i++) {
      try {
        return remember(Segment.create(size, { ...rest, key: randomKey(), exclusive: true }));
      } catch (err) {
        if ((err as ShmError).code !== 'EEXIST') throw err;
      }
    }
    throw new Error('createSegment: no free test key after 64 tries');
  }
  return remember(Segment.create(size, { ...rest, key }));
}

function remember(seg: Segment): Segment {
  track(seg);
  opened.add(seg);
  return seg;
}

/** Segment.open, remembered so the after-hook detaches it even if a test forgot. */
export function openSegment(id: number): Segment {
  const seg = Segment.open(id);
  opened.add(seg);
  return seg;
}

const gone = (err: unknown) => ['EINVAL', 'EIDRM', 'ENOENT'].includes((err as ShmError).code);

/** Detach (if attached) and IPC_RMID; "already gone" is fine, other errors are thrown. */
export function disposeSegment(seg: Segment): void {
  try {
    seg.detach();
  } finally {
    opened.delete(seg);
    try {
      seg.destroy();
    } catch (err) {
      if (!gone(err)) throw err;
    }
    created.delete(seg.id);
  }
}

/** Create a segment, run fn, and always detach and destroy it. */
export async function withSegment<T>(size: number, options: TestCreateOptions, fn: (seg: Segment) => T | Promise<T>): Promise<T> {
  const seg = createSegment(size, options);
  try {
    return await fn(seg);
  } finally {
    disposeSegment(seg);
  }
}

/** True if the id still exists (in /proc/sysvipc/shm). */
export function segmentExists(id: number): boolean {
  return procShm().some((r) => r.id === id);
}

/** Destroy by id, only if it is still the segment we made (never someone else's reused id). */
export function destroyTracked(id: number, identity: SegmentIdentity | null): void {
  try {
    if (identity) destroySegment(id, identity);
    else destroySegment(id);
  } catch { /* gone, or not ours any more */ }
  created.delete(id);
}

/** Detach everything this process attached, destroy every tracked segment still there. */
export function cleanupSegments(): void {
  for (const seg of opened) {
    try { seg.detach(); } catch { /* best effort */ }
  }
  opened.clear();
  for (const [id, identity] of [...created]) destroyTracked(id, identity);
}

/** Register the standard after-hook of a test file: kill children, then remove segments. */
export function installCleanup(): void {
  after(async () => {
    await killAllChildren();
    cleanupSegments();
  });
}

// --- /proc/sysvipc/shm, independently of core's parser -----------------------------------

export interface ProcRow {
  key: number;
  id: number;
  mode: number;
  size: number;
  cpid: number;
  lpid: number;
  nattch: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  rss: number;
  swap: number;
}

export function procShm(): ProcRow[] {
  const rows: ProcRow[] = [];
  const lines = fs.readFileSync('/proc/sysvipc/shm', 'latin1').split('\n');
  const head = lines[0].trim().split(/\s+/);
  const col = (name: string) => head.indexOf(name);
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < head.length) continue;
    const n = (name: string) => Number(f[col(name)]);
    rows.push({
      key: Number(BigInt.asUintN(32, BigInt(f[col('key')]))),
      id: n('shmid'),
      mode: parseInt(f[col('perms')], 8),
      size: n('size'),
      cpid: n('cpid'),
      lpid: n('lpid'),
      nattch: n('nattch'),
      uid: n('uid'),
      gid: n('gid'),
      cuid: n('cuid'),
      cgid: n('cgid'),
      rss: col('rss') >= 0 ? n('rss') : 0,
      swap: col('swap') >= 0 ? n('swap') : 0,
    });
  }
  return rows;
}

export function procRow(id: number): ProcRow | undefined {
  return procShm().find((r) => r.id === id);
}

// --- assertions ------------------------------------------------------------------------------

/** v itself, failing the test by name when it is missing (where `!` would fail later, with a TypeError). */
export function present<T>(v: T | null | undefined, what: string): T {
  assert.ok(v !== undefined && v !== null, `${what} is missing`);
  return v;
}

/** assert.throws for a ShmError with this code (and optionally a message pattern). */
export function throwsShm(fn: () => unknown, code: string, message?: RegExp): ShmError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected ShmError ${code}, nothing was thrown`);
  assert.ok(caught instanceof ShmError, `expected ShmError ${code}, got ${inspect(caught)}`);
  assert.equal(caught.code, code, `expected code ${code}, got ${caught.code}: ${caught.message}`);
  if (message) assert.match(caught.message, message);
  return caught;
}

/** Await a promise that must reject with an error carrying this code. */
export async function rejectsCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<Error & { code?: string; op?: string }> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected a rejection with ${code}, it resolved`);
  const e = caught as Error & { code?: string; op?: string };
  assert.equal(e.code, code, `expected code ${code}, got ${String(e.code)}: ${e.message}`);
  if (message) assert.match(e.message, message);
  return e;
}

// --- time ---------------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll until pred() is truthy; throws with `what` after timeoutMs. */
export async function waitFor<T>(pred: () => T | Promise<T>, what: string, timeoutMs = 5000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// --- seeded PRNG (mulberry32) -------------------------------------------------------------------

export interface Rng {
  seed: number;
  /** [0, 1) */
  next(): number;
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number;
  bytes(n: number): Buffer;
  pick<T>(xs: readonly T[]): T;
}

export function seededRng(seed = randomInt(1, 0x7fffffff)): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    bytes: (n) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}

// --- child processes ----------------------------------------------------------------------------

const children = new Set<ChildProcess>();

function register(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kill (SIGKILL) every child a helper started and still running; wait until they are gone. */
export async function killAllChildren(): Promise<void> {
  const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(alive.map((c) => new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    try { c.kill('SIGKILL'); } catch { resolve(); }
  })));
  children.clear();
}

// Backstop if the test process dies before the after-hook ran.
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
});

/** spawn() of any command, killed by killAllChildren() (after-hooks) like every other child. */
export function spawnTracked(cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return register(spawn(cmd, args, options));
}

/** Register a child started elsewhere so the after-hook kills it too. */
export function trackChild(child: ChildProcess): ChildProcess {
  return register(child);
}

export interface ChildOptions {
  /** Run as this user (uid/gid), e.g. NOBODY. Default: as we are. */
  user?: { uid: number; gid: number };
  /** JSON-able parameters, visible in the script as P. */
  params?: unknown;
  timeoutMs?: number;
}

/** What the prelude's errData(e) emits for an error caught in a child. */
export interface ErrData { name?: string; code?: string; message?: string; op?: string }
/** What a child emits for a segment it created (for track()). */
export interface CreatedInChild { id: number; key: number; cpid: number }

/**
 * Prelude of every child script: `core` (the compiled src/core), `P` (params), `emit(v)` (one JSON
 * line on stdout), `track(id)` (record a created segment for the runner), `errData(e)`.
 */
function prelude(): string {
  return `
const core = require(${JSON.stringify(CORE_JS)});
const fs = require('fs');
const P = JSON.parse(process.env.SHM_CHILD_PARAMS || 'null');
const emit = (v) => process.stdout.write(JSON.stringify(v) + '\\n');
const track = (id) => { const r = process.env.SHM_TEST_REGISTRY; if (r) { try { fs.appendFileSync(r, id + '\\n'); } catch {} } };
const errData = (e) => ({ name: e && e.name, code: e && e.code, message: e && e.message, op: e && e.op });
`;
}

function spawnNode(body: string, opts: ChildOptions): ChildProcess {
  const child = spawn(process.execPath, ['-e', prelude() + body], {
    cwd: '/',
    env: { ...process.env, SHM_CHILD_PARAMS: JSON.stringify(opts.params ?? null) },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
  });
  return register(child);
}

export interface ChildExit { code: number | null; signal: NodeJS.Signals | null }

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every stdout line parsed as JSON (the caller knows its script's shape: `as` to it). */
  lines: unknown[];
  /** The last JSON line (what the script emitted last). */
  result: unknown;
}

/** A child's stdio pipe; spawnNode always asks for pipes, so a missing one is a bug here. */
function pipe<T>(stream: T | null, name: string): T {
  if (stream === null) throw new Error(`child has no ${name} pipe`);
  return stream;
}

/** Run a node script to completion (killed after timeoutMs). */
export function runNode(body: string, opts: ChildOptions = {}): Promise<ChildResult> {
  const child = spawnNode(body, opts);
  pipe(child.stdin, 'stdin').end();
  let stdout = '';
  let stderr = '';
  pipe(child.stdout, 'stdout').setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  pipe(child.stderr, 'stderr').setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const timer = setTimeout(() => { child.kill('SIGKILL'); }, opts.timeoutMs ?? 30000);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const lines: unknown[] = [];
      for (const l of stdout.split('\n')) {
        if (!l.trim()) continue;
        try { lines.push(JSON.parse(l)); } catch { /* not ours */ }
      }
      resolve({ code, signal, stdout, stderr, lines, result: lines.at(-1) });
    });
  });
}

/** A long-lived child speaking JSON lines: send(cmd) writes a line, next() awaits the next one. */
export class LineChild {
  readonly child: ChildProcess;
  private readonly queue: unknown[] = [];
  /** Gets the next line, or `exit` when the child exits while next() waits. */
  private waiter: ((v: { line: unknown } | { exit: ChildExit }) => void) | undefined;
  private stderrText = '';
  private exited: Promise<ChildExit>;

  constructor(body: string, opts: ChildOptions = {}) {
    this.child = spawnNode(body, opts);
    let partial = '';
    pipe(this.child.stdout, 'stdout').setEncoding('utf8').on('data', (d: string) => {
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        let v: unknown;
        try { v = JSON.parse(line); } catch { continue; }
        if (this.waiter) { const w = this.waiter; this.waiter = undefined; w({ line: v }); } else this.queue.push(v);
      }
    });
    pipe(this.child.stderr, 'stderr').setEncoding('utf8').on('data', (d: string) => { this.stderrText += d; });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      resolve({ code, signal });
      if (this.waiter) { const w = this.waiter; this.waiter = undefined; w({ exit: { code, signal } }); }
    }));
  }

  get pid(): number {
    // undefined only when the spawn failed, and then next() reports the exit.
    return this.child.pid ?? -1;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The next JSON line (the caller knows its script's shape: `as` to it); rejects on timeout or if the child exits first. */
  async next(timeoutMs = 15000): Promise<unknown> {
    if (this.queue.length) return this.queue.shift();
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      throw new Error(`child ${this.pid} exited (${String(this.child.exitCode ?? this.child.signalCode)}): ${this.stderrText.trim()}`);
    }
    const v = await new Promise<{ line: unknown } | { exit: ChildExit }>((resolve, reject) => {
      const t = setTimeout(() => { this.waiter = undefined; reject(new Error(`child ${this.pid}: no answer in ${timeoutMs} ms; stderr: ${this.stderrText.trim()}`)); }, timeoutMs);
      this.waiter = (x) => { clearTimeout(t); resolve(x); };
    });
    if ('exit' in v) throw new Error(`child ${this.pid} exited (${String(v.exit.code ?? v.exit.signal)}): ${this.stderrText.trim()}`);
    return v.line;
  }

  send(cmd: unknown): void {
    pipe(this.child.stdin, 'stdin').write(JSON.stringify(cmd) + '\n');
  }

  async request(cmd: unknown, timeoutMs?: number): Promise<unknown> {
    this.send(cmd);
    return this.next(timeoutMs);
  }

  /** Close stdin (the polite "exit") and wait. */
  async end(): Promise<ChildExit> {
    pipe(this.child.stdin, 'stdin').end();
    return this.exited;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
    }
    await this.exited;
  }

  waitExit(): Promise<ChildExit> {
    return this.exited;
  }
}

/**
 * A child that attaches segment `id` (read-only or read-write) and stays attached until its
 * stdin closes (end()) or it is killed. Answers {op:'read',offset,length} -> {hex} and
 * {op:'write',offset,hex} -> {written}, so tests can see the same bytes from another process.
 */
export async function spawnAttacher(id: number, opts: { readOnly?: boolean; user?: { uid: number; gid: number } } = {}): Promise<LineChild & { address: string }> {
  const body = `
let seg;
try {
  seg = core.Segment.open(P.id).attach({ readOnly: P.readOnly });
  emit({ ready: true, pid: process.pid, address: seg.attachAddress.toString(16) });
} catch (e) { emit({ error: errData(e) }); process.exit(1); }
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const cmd = JSON.parse(buf.slice(0, nl)); buf = buf.slice(nl + 1);
    try {
      if (cmd.op === 'read') emit({ hex: seg.readChunk(cmd.length, cmd.offset).toString('hex') });
      else if (cmd.op === 'write') emit({ written: seg.writeChunk(Buffer.from(cmd.hex, 'hex'), cmd.offset) });
      else emit({ error: { message: 'unknown op ' + cmd.op } });
    } catch (e) { emit({ error: errData(e) }); }
  }
});
process.stdin.on('end', () => { try { seg.detach(); } catch {} process.exit(0); });
`;
  const c = new LineChild(body, { user: opts.user, params: { id, readOnly: !!opts.readOnly } }) as LineChild & { address: string };
  const first = await c.next() as { ready?: true; address: string; error?: ErrData };
  if (!first.ready) {
    await c.kill();
    const e = new Error(`attacher: ${first.error?.message ?? JSON.stringify(first)}`) as Error & { code?: string };
    e.code = first.error?.code;
    throw e;
  }
  c.address = first.address;
  return c;
}

/** Can node run as `nobody` and load the compiled core (koffi included)? Else why not. */
let nobodyProbe: Promise<string | null> | undefined;
export function nobodyUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return Promise.resolve('not running as root: cannot start children as another user');
  nobodyProbe ??= runNode(`emit({ uid: process.getuid(), ok: typeof core.Segment === 'function' });`, { user: NOBODY, timeoutMs: 20000 })
    .then((r) => {
      const probe = r.result as { uid: number; ok: boolean } | undefined;
      return probe?.ok && probe.uid === NOBODY.uid ? null : `node cannot run as nobody and load ${CORE_JS}: ${r.stderr.trim().split('\n')[0] || String(r.code)}`;
    })
    .catch((err: unknown) => `cannot spawn as nobody: ${err instanceof Error ? err.message : String(err)}`);
  return nobodyProbe;
}

// --- C helpers ------------------------------------------------------------------------------

let tmpDir: string | undefined;
/** A temp dir for this test file, removed at exit. */
export function testTmpDir(): string {
  if (!tmpDir) {
    tmpDir = fs.mkdtempSync(path.join(process.env.SHM_TEST_TMP ?? os.tmpdir(), 'unit-'));
    const dir = tmpDir;
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return tmpDir;
}

export function haveCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Compile a C source with gcc into the temp dir; null if gcc is missing. Throws on compile errors. */
export function compileC(name: string, source: string): string | null {
  if (!haveCommand('gcc')) return null;
  const dir = testTmpDir();
  const src = path.join(dir, `${name}.c`);
  const exe = path.join(dir, name);
  fs.writeFileSync(src, source);
  execFileSync('gcc', ['-O0', '-Wall', '-o', exe, src], { stdio: 'pipe' });
  return exe;
}

/** Create through an agent with a fresh test key (exclusive, retried on EEXIST), tracked for cleanup. */
export async function createViaAgent(c: AgentClient, size: number, extra: { noReserve?: boolean; perms?: number } = {}): Promise<SegmentInfo> {
  for (let i = 0; i < 64; i++) {
    try {
      const info = await c.request('create', { size, key: randomKey(), exclusive: true, ...extra });
      track(info.id, identityOf(info));
      return info;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
  }
  throw new Error('no free key');
}
