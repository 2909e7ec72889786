// The CLI's watch, record and replay, run as a program (dist/cli.js) against real segments with a
// writer process: output contracts, Ctrl+C, a segment destroyed mid-recording, errors. Every
// segment is removed in a finally.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hexdumpC } from '../../src/cli/hexdump';
import { Recording } from '../../src/timeline/recording';
import { REPO, createSegment, disposeSegment, freshBundle, installCleanup, procRow, sleep, testTmpDir, trackChild, waitFor } from './helpers';
import { COUNTER_AT, SequenceWriter, writtenFor } from './timelineHelpers';

installCleanup();

let CLI = '';
before(() => { CLI = freshBundle('cli'); });

interface Run { code: number | null; stdout: string; stderr: string; out: Buffer }

function cli(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, timeout: 60_000, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), out: r.stdout };
}

/** Runs the CLI without waiting (for writers alongside, Ctrl+C). */
function cliAsync(args: string[]): { child: ChildProcess; done: Promise<Run>; stdout: () => string } {
  const child = trackChild(spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] }));
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const done = new Promise<Run>((resolve) => child.once('close', (code) => {
    const b = Buffer.concat(out);
    resolve({ code, stdout: b.toString('utf8'), stderr: err, out: b });
  }));
  return { child, done, stdout: () => Buffer.concat(out).toString('utf8') };
}

/** Until `n` processes have the segment attached (the CLI has started sampling when it attaches). */
async function attachedBy(id: number, n: number): Promise<void> {
  await waitFor(() => (procRow(id)?.nattch ?? 0) >= n, `${n} attachments of segment ${id}`, 15_000);
  await sleep(100);
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, `exit ${r.code}; stderr: ${r.stderr}`);
  return r;
}

function fails(r: Run, code: 1 | 2, re: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}; stdout: ${r.stdout} stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^shm-inspector: /);
  assert.match(lines[0], re);
}

describe('cli watch', () => {
  test('--csv --duration: a header, then one row per change with the values the writer wrote, in order', async () => {
    const seg = createSegment(4096);
    let writer: SequenceWriter | undefined;
    try {
      writer = await SequenceWriter.start(seg.id);
      const w = cliAsync(['watch', String(seg.id), '--offset', String(COUNTER_AT), '--as', 'u32', '--offset', '0x18', '--as', 'f64', '--hz', '50', '--duration', '2', '--csv']);
      await waitFor(() => w.stdout().includes('\n0') || w.stdout().split('\n').length > 2, 'first row', 10_000);
      await writer.write([1, 2, 3], 200);
      const r = ok(await w.done);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines[0], 't_ms,0x8:u32,0x18:f64');
      const rows = lines.slice(1).map((l) => l.split(','));
      assert.deepEqual(rows.map((x) => x[1]), ['0', '1', '2', '3']);
      assert.deepEqual(rows.map((x) => x[2]), ['0', '1.5', '3', '4.5']);
      const t = rows.map((x) => Number(x[0]));
      assert.ok(t.every((v, i) => Number.isFinite(v) && (i === 0 || v > t[i - 1])), lines.join('\n'));
      assert.match(r.stderr, /^shm-inspector: watch: \d+ samples.*\(duration reached\)\n$/);
    } finally {
      await writer?.stop();
      disposeSegment(seg);
    }
  });

  test('--every prints every sample; text lines name each watch; a C field by its path', () => {
    const seg = createSegment(4096);
    try {
      seg.attach();
      seg.writeChunk(writtenFor(7), COUNTER_AT);
      const every = ok(cli(['watch', String(seg.id), '-o', '8', '--as', 'u32', '--hz', '20', '--duration', '0.5', '--every']));
      const lines = every.stdout.trim().split('\n');
      assert.ok(lines.length >= 5, every.stdout); // ~10 samples in 0.5 s; 5 even when loaded
      for (const l of lines) assert.match(l, /^\s*\d+\.\d{3} {2}0x8:u32=7$/);
      const changed = ok(cli(['watch', String(seg.id), '-o', '8', '--as', 'u32', '--hz', '20', '--duration', '0.3']));
      assert.equal(changed.stdout.trim().split('\n').length, 1, 'nothing changed: only the first line');
      const h = path.join(testTmpDir(), 'w.h');
      fs.writeFileSync(h, 'struct rec { unsigned counter; unsigned pad; struct { unsigned id; unsigned pad2; double value; char name[8]; } s; };\n');
      const typed = ok(cli(['watch', String(seg.id), '--header', h, '--type', 'struct rec', '--at', '8', '--field', 's.value', '--field', 's.name', '--field', 'counter', '--duration', '0.2']));
      assert.match(typed.stdout, /s\.value=10\.5 {2}s\.name="v7" {2}counter=7\n$/);
    } finally {
      disposeSegment(seg);
    }
  });

  test('Ctrl+C ends it cleanly: exit 0 and a summary on stderr', async () => {
    const seg = createSegment(64);
    try {
      const w = cliAsync(['watch', String(seg.id), '--offset', '0', '--as', 'u8', '--hz', '100']);
      await waitFor(() => w.stdout().length > 0, 'first line', 10_000);
      w.child.kill('SIGINT');
      const r = await w.done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^shm-inspector: watch: \d+ samples?.*\(stopped\)\n$/);
    } finally {
      disposeSegment(seg);
    }
  });

  test('usage errors: one line, exit 2; a watch past the end: exit 1', () => {
    const seg = createSegment(64);
    try {
      const id = String(seg.id);
      fails(cli(['watch', id, '--offset', '0']), 2, /one --as TYPE for each --offset/);
      fails(cli(['watch', id, '--offset', '0', '--as', 'u12']), 2, /'u12' is not a type/);
      fails(cli(['watch', id]), 2, /nothing to watch/);
      fails(cli(['watch', id, '-o', '0', '--as', 'u8', '--hz', '5000']), 2, /out of range/);
      fails(cli(['watch', id, '-o', '0', '--as', 'u8', '--duration', 'soon']), 2, /not a duration/);
      fails(cli(['watch', id, '--field', 'x']), 2, /--field needs --header/);
      fails(cli(['watch', id, '-o', '62', '--as', 'u32', '--duration', '1']), 1, /past the end of segment/);
    } finally {
      disposeSegment(seg);
    }
  });
});

describe('cli record and replay', () => {
  test('record a writer, then replay --list/--json, --at, --frame, --raw, --json, --diff', async () => {
    const seg = createSegment(4096);
    const file = path.join(testTmpDir(), 'a.shmrec');
    let writer: SequenceWriter | undefined;
    try {
      writer = await SequenceWriter.start(seg.id);
      const rec = cliAsync(['record', String(seg.id), '--hz', '50', '--duration', '2.5', '-o', file]);
      await attachedBy(seg.id, 2);
      const written = await writer.write([1, 2, 3], 200);
      const r = ok(await rec.done);
      assert.match(r.stdout, /^recorded \d+ frames \(1 keyframe\), \d+ changed bytes, .* to .*a\.shmrec\n$/);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);

      const list = JSON.parse(ok(cli(['replay', file, '--list', '--json'])).stdout) as { frame: number; t: number; changed: number }[];
      assert.ok(list.length >= 30, `${list.length} frames`);
      assert.deepEqual(Object.keys(list[0]), ['frame', 't', 'changed']);
      assert.equal(list[0].frame, 0);
      assert.equal(list[0].changed, 4096);
      const changedFrames = list.filter((f) => f.frame > 0 && f.changed > 0);
      assert.ok(changedFrames.length >= 3, JSON.stringify(changedFrames)); // 3 values (seq + data)
      const text = ok(cli(['replay', file, '--list'])).stdout.split('\n');
      assert.match(text[0], /^recording of segment \d+ .* 50 Hz, \d+ frames .*ended: duration$/);

      // --frame of the last frame: value 3's bytes, as a hexdump like read prints.
      const last = list[list.length - 1];
      const now = ok(cli(['read', String(seg.id)]));
      assert.equal(ok(cli(['replay', file, '--frame', String(last.frame)])).stdout, now.stdout);
      const raw = ok(cli(['replay', file, '--frame', String(last.frame), '--raw', '--offset', '8', '--length', '32'])).out;
      assert.ok(raw.equals(writtenFor(3)));
      assert.equal(ok(cli(['replay', file, '--frame', String(last.frame), '--offset', '8', '--length', '32'])).stdout, hexdumpC(writtenFor(3), 8));

      // --at: the last frame at or before each moment; --json's shape.
      const recording = Recording.open(file);
      const start = BigInt(recording.header.startMonoNs);
      for (const w of written) {
        const ms = Number(w.endNs - start) / 1e6 + 20;
        const j = JSON.parse(ok(cli(['replay', file, '--at', ms.toFixed(3), '--json', '--offset', '8', '--length', '4'])).stdout) as { frame: number; t: number; offset: number; hex: string };
        assert.deepEqual(Object.keys(j), ['frame', 't', 'offset', 'hex']);
        assert.ok(j.t <= ms);
        assert.equal(j.offset, 8);
        const v = Buffer.from(j.hex, 'hex').readUInt32LE(0);
        assert.ok(v === w.v || v === w.v + 1, `at ${ms} ms: ${v}, expected ${w.v}`);
      }

      // --diff between the first and last frames: the seq and the written bytes.
      const d = JSON.parse(ok(cli(['replay', file, '--diff', '0', String(last.frame), '--json'])).stdout) as { a: number; b: number; changed: number; spans: { offset: number; length: number; a: string; b: string }[] };
      assert.equal(d.a, 0);
      assert.equal(d.b, last.frame);
      assert.ok(d.spans.every((s) => s.offset + s.length <= 40), JSON.stringify(d.spans));
      assert.ok(d.spans.some((s) => s.offset <= COUNTER_AT && s.offset + s.length > COUNTER_AT));
      const dt = ok(cli(['replay', file, '--diff', '0ms', `${last.t}ms`])).stdout;
      assert.match(dt, new RegExp(`^frames 0 and ${last.frame}: ${d.changed} bytes differ in ${d.spans.length} ranges\n`));

      fails(cli(['replay', file]), 2, /give --list, --at MS, --frame N or --diff A B/);
      fails(cli(['replay', file, '--frame', '999999']), 1, /no frame 999999/);
      fails(cli(['replay', file, '--diff', '0']), 2, /two moments/);
      fails(cli(['replay', file, '--at', '1', '--offset', '5000']), 1, /outside the recorded bytes/);
      fails(cli(['replay', file, '--list', '--raw']), 2, /go with --at or --frame/);
      fails(cli(['replay', path.join(testTmpDir(), 'none.shmrec'), '--list']), 1, /cannot open \(ENOENT\)/);
      const junk = path.join(testTmpDir(), 'junk.shmrec');
      fs.writeFileSync(junk, Buffer.concat([fs.readFileSync(file).subarray(0, 100)]));
      fails(cli(['replay', junk, '--list']), 1, /truncated/);
    } finally {
      await writer?.stop();
      disposeSegment(seg);
    }
  });

  test('a segment destroyed mid-recording ends it cleanly; the file says so and stays readable', async () => {
    const seg = createSegment(8192);
    const file = path.join(testTmpDir(), 'gone.shmrec');
    try {
      seg.attach();
      seg.writeChunk(Buffer.from('before'), 0);
      const rec = cliAsync(['record', String(seg.id), '--hz', '50', '-o', file]);
      await attachedBy(seg.id, 2);
      seg.writeChunk(Buffer.from('after!'), 0);
      await sleep(200);
      seg.detach();
      seg.destroy();
      const r = await rec.done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^recorded \d+ frames/);
      assert.match(r.stderr, /record: .*\(segment \d+ was destroyed\)/);
      const recording = Recording.open(file);
      assert.equal(recording.end.reason, 'destroyed');
      assert.equal(recording.at(recording.lastFrame).toString('latin1', 0, 6), 'after!');
      assert.equal(recording.at(recording.firstFrame).toString('latin1', 0, 6), 'before');
      assert.match(ok(cli(['replay', file, '--list'])).stdout, /ended: the segment was destroyed/);
    } finally {
      disposeSegment(seg);
    }
  });

  test('record: --budget keeps the file within it; Ctrl+C stops and writes; errors', async () => {
    const seg = createSegment(64 * 1024);
    const file = path.join(testTmpDir(), 'b.shmrec');
    try {
      seg.attach();
      const stop = { now: false };
      const churn = (async () => {
        // Incompressible bytes changing all the time: keyframes are big, eviction must run.
        for (let i = 0; !stop.now; i++) {
          seg.writeChunk(randomBytes(32 * 1024), (i % 2) * 32 * 1024);
          await sleep(5);
        }
      })();
      const rec = cliAsync(['record', String(seg.id), '--hz', '100', '--budget', '256K', '-o', file]);
      await attachedBy(seg.id, 2);
      await sleep(1500);
      rec.child.kill('SIGINT');
      const r = await rec.done;
      stop.now = true;
      await churn;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /oldest dropped for the budget/);
      assert.ok(fs.statSync(file).size <= 256 * 1024, `${fs.statSync(file).size} bytes`);
      const recording = Recording.open(file);
      assert.equal(recording.end.reason, 'stopped');
      assert.ok(recording.firstFrame > 0);
      recording.at(recording.lastFrame);

      const id = String(seg.id);
      fails(cli(['record', id, '--duration', '1']), 2, /missing -o FILE/);
      fails(cli(['record', id, '-o', path.join(testTmpDir(), 'no', 'dir', 'x')]), 1, /no such directory/);
      fails(cli(['record', id, '--offset', '70000', '-o', file]), 1, /past the end of segment/);
      fails(cli(['record', id, '--budget', '1K', '-o', file]), 2, /too small/);
    } finally {
      disposeSegment(seg);
    }
  });
});
