// src/timeline against real segments: the sampler reads what another process writes at known
// times, the recording holds every value in order with its time, replay gives the bytes of each
// moment, torn (seqlock) samples are retried and never recorded, the budget holds, and broken or
// hostile files are refused with one clear error. Every segment is removed in a finally.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DIFF_BLOCK, type Span, applySpans, diffRanges, diffSpans } from '../../src/timeline/diff';
import { RECORD_HEADER, Recorder, Recording, RecordingError, type RecordingHeader } from '../../src/timeline/recording';
import { type Sample, Sampler, type SamplerOptions } from '../../src/timeline/sampler';
import { decodeScalar, formatScalar, parseScalarType } from '../../src/timeline/scalar';
import { WatchSet, coveringRange } from '../../src/timeline/watch';
import { createSegment, disposeSegment, installCleanup, seededRng, sleep, testTmpDir } from './helpers';
import { COUNTER_AT, SEQ_AT, SequenceWriter, WRITTEN_END, type Written, writtenFor } from './timelineHelpers';

installCleanup();

const meta = (length: number, hz = 100): RecordingHeader => ({
  segment: { id: 1, key: 0x5348abcd, size: length }, offset: 0, length, hz, startWallMs: 1_700_000_000_000, startMonoNs: '1000000',
});

/** Runs a sampler over seg's first `length` bytes into a Recorder until stop() is called. */
function startRecording(read: SamplerOptions['read'], length: number, hz: number, extra: Partial<SamplerOptions> = {}) {
  let recorder: Recorder | undefined;
  const samples: Sample[] = [];
  const sampler = new Sampler({
    read, offset: 0, length, hz,
    onBatch: (batch) => {
      const { monoNs, wallMs } = sampler.started;
      recorder ??= new Recorder({ ...meta(length, hz), startMonoNs: monoNs.toString(), startWallMs: wallMs });
      for (const s of batch) {
        recorder.add(s.frame, s.monoNs, s.spans, s.changed);
        samples.push(s);
      }
    },
    ...extra,
  });
  sampler.start();
  return {
    sampler, samples,
    finish(): Recording {
      sampler.stop();
      assert.ok(recorder, 'no batch arrived');
      recorder.end({ reason: 'stopped' });
      return Recording.fromBuffer(recorder.toBuffer());
    },
  };
}

describe('diff', () => {
  test('diffRanges finds exactly the differing bytes, runs merged, across 1 KiB, 4 KiB and 64 KiB chunks, aligned or not', () => {
    const rng = seededRng(7);
    for (const size of [1, 15, 1023, 1025, DIFF_BLOCK - 1, DIFF_BLOCK, DIFF_BLOCK + 1, 3 * DIFF_BLOCK + 17, 17 * DIFF_BLOCK + 5]) {
      for (let round = 0; round < 20; round++) {
        // Odd rounds: both samples start at an odd address (no 32-bit words; bytes only).
        const unaligned = (x: Uint8Array) => { const c = Buffer.alloc(x.length + 1); c.set(x, 1); return c.subarray(1); };
        const a = round % 2 ? unaligned(rng.bytes(size)) : Buffer.from(rng.bytes(size));
        const b = round % 2 ? unaligned(a) : Buffer.from(a);
        const flips = rng.int(0, 6);
        for (let i = 0; i < flips; i++) {
          const at = rng.int(0, size - 1);
          const n = rng.int(1, Math.min(40, size - at));
          for (let j = at; j < at + n; j++) b[j] ^= rng.int(1, 255);
        }
        // A run that straddles a block boundary stays one range.
        if (size > DIFF_BLOCK + 2 && round === 0) { b[DIFF_BLOCK - 1] ^= 1; b[DIFF_BLOCK] ^= 1; }
        // A run that ends exactly where an equal chunk begins ends there.
        if (size > 1030 && round === 1) { b[1021] = a[1021] ^ 1; b[1022] = a[1022] ^ 1; b[1023] = a[1023] ^ 1; }
        const expected: [number, number][] = [];
        for (let i = 0; i < size;) {
          if (a[i] === b[i]) { i++; continue; }
          const s = i;
          while (i < size && a[i] !== b[i]) i++;
          expected.push([s, i - s]);
        }
        const got: [number, number][] = [];
        const n = diffRanges(a, b, (o, l) => got.push([o, l]));
        assert.deepEqual(got, expected);
        assert.equal(n, expected.reduce((x, [, l]) => x + l, 0));
        const image = Buffer.from(a);
        applySpans(image, diffSpans(a, b).spans);
        assert.ok(image.equals(b));
      }
    }
  });
});

describe('scalar types and watches', () => {
  test('the inspector types by both spellings, big-endian by suffix', () => {
    const b = Buffer.from('0102030405060708', 'hex');
    const v = new DataView(b.buffer, b.byteOffset, 8);
    const val = (name: string) => {
      const t = parseScalarType(name);
      assert.ok(t, name);
      return formatScalar(t, decodeScalar(t, v, 0));
    };
    assert.equal(val('u8'), '1');
    assert.equal(val('uint16'), String(0x0201));
    assert.equal(val('u16be'), String(0x0102));
    assert.equal(val('i32'), String(0x04030201));
    assert.equal(val('uint64'), (0x0807060504030201n).toString());
    assert.equal(val('u64be'), (0x0102030405060708n).toString());
    b.writeFloatLE(0.1, 0);
    assert.equal(val('f32'), '0.1');
    b.writeDoubleBE(-2.5, 0);
    assert.equal(val('float64be'), '-2.5');
    for (const bad of ['u7', 'f8', 'int', 'x32', '']) assert.equal(parseScalarType(bad), undefined, bad);
  });

  test('a WatchSet reports a change only when a watched value changes', () => {
    const u32 = parseScalarType('u32');
    assert.ok(u32);
    const watches = [16, 40].map((offset) => ({ name: `w${offset}`, offset, size: 4, format: (view: DataView, at: number) => formatScalar(u32, decodeScalar(u32, view, at)) }));
    const range = coveringRange(watches);
    assert.deepEqual(range, { offset: 16, length: 28 });
    const set = new WatchSet(watches, range.offset, range.length);
    assert.equal(set.update([{ offset: 0, bytes: new Uint8Array(28) }]), true);
    assert.deepEqual(set.values, ['0', '0']);
    assert.equal(set.update([{ offset: 8, bytes: Uint8Array.of(9) }]), false); // between the watches
    assert.equal(set.update([{ offset: 24, bytes: Uint8Array.of(5) }]), true);
    assert.deepEqual(set.values, ['0', '5']);
    assert.equal(set.update([]), false);
  });
});

describe('sampler and recording against a writer process', () => {
  test('every value held for 10 periods is recorded in order, with its time; replay gives the bytes of each moment', async () => {
    const hz = 50;
    const periodNs = 1e9 / hz;
    const seg = createSegment(4096);
    let writer: SequenceWriter | undefined;
    try {
      seg.attach({ readOnly: true });
      writer = await SequenceWriter.start(seg.id);
      const run = startRecording((off, len, into) => { seg.readInto(into, off, len); }, 4096, hz, { seq: { offset: SEQ_AT, size: 4 } });
      await sleep(100);
      const values = [1, 2, 3, 4, 5, 6];
      const written = await writer.write(values, 10 * 1000 / hz);
      await sleep(60);
      const rec = run.finish();
      const startNs = BigInt(rec.header.startMonoNs);
      assert.equal(rec.end.reason, 'stopped');
      assert.equal(rec.frameCount, run.samples.length);

      // The values seen, frame by frame: 0 (before the writer), then each value, in order.
      const seen: { frame: number; tNs: bigint; v: number }[] = [];
      for (const f of rec.frames()) {
        const bytes = rec.at(f.frame);
        const v = bytes.readUInt32LE(COUNTER_AT);
        // Every frame is a consistent moment: the bytes of exactly one value, seq even.
        assert.equal(bytes.readUInt32LE(SEQ_AT) % 2, 0, `frame ${f.frame}: seq odd`);
        const expected = Buffer.alloc(4096);
        expected.writeUInt32LE(bytes.readUInt32LE(SEQ_AT), SEQ_AT);
        if (v !== 0) writtenFor(v).copy(expected, COUNTER_AT);
        assert.ok(bytes.equals(expected), `frame ${f.frame}: bytes are not those of value ${v}`);
        seen.push({ frame: f.frame, tNs: startNs + BigInt(Math.round(f.t * 1e6)), v });
      }
      const order = seen.map((s) => s.v).filter((v, i, a) => i === 0 || a[i - 1] !== v);
      assert.deepEqual(order, [0, ...values], 'values out of order or missing');

      const byV = new Map<number, Written>(written.map((w) => [w.v, w]));
      for (const s of seen) {
        // A frame shows v only after v's write began, and before the next write had finished.
        const w = byV.get(s.v);
        if (w) assert.ok(s.tNs + 1_000_000n >= w.startNs, `frame ${s.frame} shows ${s.v} before it was written`);
        const next = byV.get(s.v === 0 ? values[0] : s.v + 1);
        if (next) assert.ok(s.tNs <= next.endNs, `frame ${s.frame} still shows ${s.v} after ${next.v} was written`);
      }
      for (const w of written) {
        const frames = seen.filter((s) => s.v === w.v);
        assert.ok(frames.length >= 3, `value ${w.v} held 10 periods is in ${frames.length} frames`);
        // The first frame showing it is within a period of the write (guard: 10 periods).
        const lag = Number(frames[0].tNs - w.endNs);
        assert.ok(lag <= 10 * periodNs, `value ${w.v} first seen ${lag / 1e6} ms after it was written`);
      }
      // At each moment a value was seen (its first and last frames' times, and halfway between:
      // values come in order, so every frame there shows it), replay by time gives its bytes. Moments come
      // from the frames, not from the writer's clock: a sampler late under load is not an error
      // (the lag guard above bounds it).
      for (const w of written) {
        const frames = seen.filter((s) => s.v === w.v);
        const first = Number(frames[0].tNs - startNs) / 1e6;
        const last = Number(frames[frames.length - 1].tNs - startNs) / 1e6;
        for (const ms of [first, (first + last) / 2, last]) {
          const f = rec.frameAt(ms);
          assert.ok(f !== undefined);
          const bytes = rec.at(f);
          assert.equal(bytes.readUInt32LE(COUNTER_AT), w.v, `at ${ms} ms: replay shows another value than ${w.v}`);
          assert.ok(bytes.subarray(COUNTER_AT, WRITTEN_END).equals(writtenFor(w.v)));
        }
      }
      assert.equal(run.sampler.stats.giveUps, 0);
    } finally {
      await writer?.stop();
      disposeSegment(seg);
    }
  });

  test('torn samples (seq odd or changed) are retried, given up, and never recorded', async () => {
    const seg = createSegment(4096);
    let writer: SequenceWriter | undefined;
    try {
      seg.attach({ readOnly: true });
      writer = await SequenceWriter.start(seg.id);
      const run = startRecording((off, len, into) => { seg.readInto(into, off, len); }, 4096, 50, { seq: { offset: SEQ_AT, size: 4 }, maxRetries: 3 });
      // The writer holds seq odd for 300 ms with garbage (0xee) in place, twice.
      await writer.write([1, 2], 100, 300);
      const rec = run.finish();
      const stats = run.sampler.stats;
      assert.ok(stats.giveUps > 0, JSON.stringify(stats));
      assert.ok(stats.retries >= stats.giveUps * 3, JSON.stringify(stats));
      for (const f of rec.frames()) {
        const bytes = rec.at(f.frame);
        assert.notEqual(bytes[COUNTER_AT], 0xee, `frame ${f.frame} holds a torn sample`);
        assert.equal(bytes.readUInt32LE(SEQ_AT) % 2, 0);
      }
      assert.deepEqual([...new Set([...rec.frames()].map((f) => rec.at(f.frame).readUInt32LE(COUNTER_AT)))], [0, 1, 2]);
    } finally {
      await writer?.stop();
      disposeSegment(seg);
    }
  });

  test('a late timer skips ticks and counts them instead of piling samples up', async () => {
    let blocked = false;
    const hz = 100;
    const started = process.hrtime.bigint();
    const sampler = new Sampler({
      read: (_o, _l, into) => { into.fill(1); }, offset: 0, length: 16, hz, batchMs: 10,
      onBatch: () => {
        if (blocked) return;
        blocked = true;
        const until = Date.now() + 200;
        while (Date.now() < until) { /* the event loop is busy for 20 periods */ }
      },
    });
    sampler.start();
    await sleep(400);
    sampler.stop();
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    const s = sampler.stats;
    assert.ok(s.lateTicks >= 10, JSON.stringify(s));
    assert.ok(s.samples <= Math.ceil(elapsedMs * hz / 1000) + 1, `${s.samples} samples in ${elapsedMs} ms at ${hz} Hz`);
  });

  test('batches keep to the planned ticks, not to timer lateness: a batch interval of one period hands out every sample, of three periods every third', async () => {
    // Live refresh samples at 1000/period Hz with batches one period apart: a batch skipped
    // because this tick's timer fired less late than the last made the editor update every other
    // period (and its heat and "Live: N bytes changed" cool down in between).
    const run = async (batchMs: number) => {
      const sizes: number[] = [];
      const sampler = new Sampler({ read: (_o, _l, into) => { into.fill(1); }, offset: 0, length: 8, hz: 100, batchMs, onBatch: (b) => { sizes.push(b.length); } });
      sampler.start();
      await sleep(400);
      sampler.stop();
      return { sizes, stats: sampler.stats };
    };
    const one = await run(10);
    assert.ok(one.stats.samples >= 10, JSON.stringify(one.stats));
    assert.deepEqual(one.sizes.filter((n) => n !== 1), [], `every batch one sample: ${one.sizes.join(' ')}`);
    const three = await run(30);
    // The first sample goes alone at once; the last batch is what stop() found pending.
    // Ticks skipped by a late timer (a loaded machine) leave their batch short, never long.
    const odd = three.sizes.slice(1, -1).filter((n) => three.stats.lateTicks > 0 ? n < 1 || n > 3 : n !== 3);
    assert.deepEqual(odd, [], `batches of three samples: ${three.sizes.join(' ')} (${three.stats.lateTicks} late ticks)`);
  });

  test('a read error stops the sampler and is reported once', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const sampler = new Sampler({
      read: () => { if (++calls > 3) throw new Error('EIO'); }, offset: 0, length: 8, hz: 200,
      onBatch: () => { /* nothing */ }, onError: (e) => errors.push(e),
    });
    sampler.start();
    await sleep(100);
    assert.equal(sampler.running, false);
    assert.equal(errors.length, 1);
    assert.throws(() => new Sampler({ read: () => { /* */ }, offset: 0, length: 8, hz: 5000, onBatch: () => { /* */ } }), /1 to 1000 Hz/);
  });
});

/** A synthetic recording: `frames` frames of `length` bytes, `per` random bytes changed per frame. */
function synthetic(length: number, frames: number, per: number, opts: { budget?: number; keyframeEvery?: number; seed?: number } = {}) {
  const rng = seededRng(opts.seed ?? 1);
  const rec = new Recorder(meta(length), { budget: opts.budget, keyframeEvery: opts.keyframeEvery });
  const image = Buffer.from(rng.bytes(length));
  const images = new Map<number, Buffer>();
  rec.add(0, 1_000_000n, [{ offset: 0, bytes: new Uint8Array(image) }], length);
  images.set(0, Buffer.from(image));
  for (let f = 1; f < frames; f++) {
    const spans: Span[] = [];
    const prev = Buffer.from(image);
    for (let i = 0; i < per; i++) image[rng.int(0, length - 1)] = rng.int(0, 255);
    const changed = diffRanges(prev, image, (o, l) => spans.push({ offset: o, bytes: new Uint8Array(image.subarray(o, o + l)) }));
    rec.add(f, 1_000_000n + BigInt(f) * 10_000_000n, spans, changed);
    images.set(f, Buffer.from(image));
  }
  return { rec, images };
}

describe('recording format', () => {
  test('round trip: every frame, frameAt, diff', () => {
    const { rec, images } = synthetic(10_000, 300, 20, { keyframeEvery: 50 });
    rec.end({ reason: 'duration' });
    const r = Recording.fromBuffer(rec.toBuffer());
    assert.equal(r.frameCount, 300);
    assert.equal(r.end.reason, 'duration');
    for (const f of [0, 1, 49, 50, 51, 137, 299, 5, 4]) assert.ok(r.at(f).equals(images.get(f) ?? Buffer.alloc(0)), `frame ${f}`);
    assert.equal(r.frameAt(0), 0);
    assert.equal(r.frameAt(15), 1); // frames every 10 ms
    assert.equal(r.frameAt(1e9), 299);
    assert.equal(r.frameAt(-1), undefined);
    // A frame's own time (ms, a float) finds that frame, whatever its ns: 520128214 ns is 520.128214 ms,
    // and 520.128214 * 1e6 is 520128213.99999994 in floating point.
    const odd = new Recorder({ segment: { id: 1, key: 2, size: 8 }, offset: 0, length: 8, hz: 1000, startWallMs: 0, startMonoNs: '0' });
    const oddNs = [0n, 1n, 520128214n, 520128215n, 999999999n, 1000000001n];
    oddNs.forEach((t, f) => odd.add(f, t, [{ offset: 0, bytes: Uint8Array.of(f) }], 1));
    odd.end({ reason: 'stopped' });
    const o = Recording.fromBuffer(odd.toBuffer());
    for (let i = 0; i < oddNs.length; i++) {
      assert.equal(o.frameAt(o.info(i).t), i, `frame ${i} at ${o.info(i).t} ms`);
      assert.equal(o.indexAt(o.info(i).t), i);
    }
    const d = r.diff(3, 7);
    let n = 0;
    const a = images.get(3) ?? Buffer.alloc(0);
    const b = images.get(7) ?? Buffer.alloc(0);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
    assert.equal(d.changed, n);
    assert.deepEqual(d.spans.map((s) => [s.offset, s.length]).slice(0, 3), (() => {
      const out: [number, number][] = [];
      diffRanges(a, b, (o, l) => out.push([o, l]));
      return out.slice(0, 3);
    })());
    // Keyframes at most 50 frames apart (sooner when the deltas add up to half the range).
    const keys = [...r.frames()].filter((f) => f.keyframe).map((f) => f.frame);
    assert.equal(keys[0], 0);
    assert.ok(keys.length > 300 / 50 && keys.every((k, i) => i === 0 || k - keys[i - 1] <= 50), keys.join(' '));
  });

  test('eviction keeps the budget; what is kept stays readable from a keyframe', () => {
    const budget = 256 * 1024;
    const { rec, images } = synthetic(32 * 1024, 400, 2000, { budget, keyframeEvery: 20, seed: 3 });
    rec.end({ reason: 'stopped' });
    const buf = rec.toBuffer();
    assert.ok(buf.length <= budget, `${buf.length} bytes > budget ${budget}`);
    assert.equal(rec.stats.bytes, buf.length);
    assert.ok(rec.stats.evictedFrames > 0);
    const r = Recording.fromBuffer(buf);
    assert.ok(r.firstFrame > 0);
    assert.equal(r.lastFrame, 399);
    assert.ok(r.info(0).keyframe);
    for (const f of r.frames()) assert.ok(r.at(f.frame).equals(images.get(f.frame) ?? Buffer.alloc(0)), `frame ${f.frame}`);
    assert.throws(() => r.at(0), /no frame 0/);
  });

  test('writeFile: 0600, whole (temp + rename), replaces an existing file', () => {
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'rec-'));
    const file = path.join(dir, 'r.shmrec');
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    const { rec } = synthetic(1000, 10, 5);
    rec.end({ reason: 'duration' });
    const size = rec.writeFile(file);
    assert.equal(fs.statSync(file).size, size);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['r.shmrec']);
    assert.equal(Recording.open(file).frameCount, 10);
  });

  test('truncated files: a clear RecordingError at every length', () => {
    const { rec } = synthetic(300, 12, 4, { keyframeEvery: 5 });
    rec.end({ reason: 'stopped' });
    const buf = rec.toBuffer();
    for (let n = 0; n < buf.length; n++) {
      assert.throws(() => Recording.fromBuffer(buf.subarray(0, n), 'cut'), (err: unknown) => {
        assert.ok(err instanceof RecordingError, `length ${n}: ${String(err)}`);
        assert.match(err.message, /^cut: /);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    }
  });

  test('hostile files: errors, never a crash or a huge allocation', () => {
    const { rec } = synthetic(300, 12, 4, { keyframeEvery: 5 });
    rec.end({ reason: 'stopped' });
    const good = rec.toBuffer();
    const hlen = good.readUInt32LE(12);
    const first = 16 + hlen;
    const withHeader = (h: unknown) => {
      const json = Buffer.from(JSON.stringify(h));
      const head = Buffer.alloc(16);
      good.copy(head, 0, 0, 12);
      head.writeUInt32LE(json.length, 12);
      return Buffer.concat([head, json, good.subarray(first)]);
    };
    const cases: [string, Buffer, RegExp][] = [
      ['not a recording', Buffer.from('hello world, this is text'), /not a recording/],
      ['another version', (() => { const b = Buffer.from(good); b.writeUInt32LE(2, 8); return b; })(), /version 2 is not supported/],
      ['a header length of 4 GiB', (() => { const b = Buffer.from(good); b.writeUInt32LE(0xffffffff, 12); return b; })(), /header of \d+ bytes is larger/],
      ['a header that is not JSON', (() => { const b = Buffer.from(good); b.write('{{{{', 16); return b; })(), /not valid JSON/],
      ['a range of 2^40 bytes', withHeader({ ...meta(300), length: 2 ** 40, segment: { id: 1, key: 0, size: 2 ** 41 } }), /length must be/],
      ['a 1 GiB range from a small keyframe', withHeader({ ...meta(300), length: 1 << 30, segment: { id: 1, key: 0, size: 1 << 30 } }), /cannot hold/],
      ['a rate of 0', withHeader({ ...meta(300), hz: 0 }), /rate/],
      ['no segment', withHeader({ ...meta(300), segment: null }), /segment/],
      ['an unknown record type', (() => { const b = Buffer.from(good); b[first] = 9; return b; })(), /unknown record type 9/],
      ['non-zero reserved bytes', (() => { const b = Buffer.from(good); b[first + 2] = 1; return b; })(), /reserved/],
      ['a payload longer than the file', (() => { const b = Buffer.from(good); b.writeUInt32LE(0x7fffffff, first + 20); return b; })(), /truncated/],
      ['bytes after the end record', Buffer.concat([good, Buffer.alloc(30)]), /after the end record/],
      ['a delta first', (() => {
        // Drop the first keyframe record: the next record (a delta) comes first.
        const klen = RECORD_HEADER + good.readUInt32LE(first + 20);
        return Buffer.concat([good.subarray(0, first), good.subarray(first + klen)]);
      })(), /first frame is not a keyframe/],
    ];
    // A delta whose span points past the range, and one whose frame number goes back.
    const klen = RECORD_HEADER + good.readUInt32LE(first + 20);
    const delta = first + klen;
    assert.equal(good[delta], 2);
    cases.push(['a span past the range', (() => { const b = Buffer.from(good); b.writeUInt32LE(299, delta + RECORD_HEADER + 4); return b; })(), /outside the 300-byte range/]);
    cases.push(['frame numbers going back', (() => { const b = Buffer.from(good); b.writeUInt32LE(0, delta + 4); return b; })(), /frame numbers go back/]);
    cases.push(['a span count of 2^32-1', (() => { const b = Buffer.from(good); b.writeUInt32LE(0xffffffff, delta + RECORD_HEADER); return b; })(), /cut short|needs/]);
    for (const [what, buf, re] of cases) {
      assert.throws(() => Recording.fromBuffer(buf, 'bad'), (err: unknown) => err instanceof RecordingError && re.test(err.message), what);
    }
    // A keyframe whose deflated bytes are damaged: opening works (framing is fine), reading it is an error.
    const b = Buffer.from(good);
    b.fill(0xaa, first + RECORD_HEADER + 2, first + RECORD_HEADER + 12);
    const damaged = Recording.fromBuffer(b, 'damaged');
    assert.throws(() => damaged.at(0), (err: unknown) => err instanceof RecordingError && /keyframe of frame 0 is corrupt/.test(err.message));
    // A keyframe that inflates to more than the range: refused, not allocated.
    const big = zlib.deflateSync(Buffer.alloc(100_000));
    const kf = Buffer.alloc(RECORD_HEADER);
    good.copy(kf, 0, first, first + 20);
    kf.writeUInt32LE(big.length, 20);
    const bomb = Recording.fromBuffer(Buffer.concat([good.subarray(0, first), kf, big, good.subarray(first + klen)]), 'bomb');
    assert.throws(() => bomb.at(0), (err: unknown) => err instanceof RecordingError);
  });

  test('random damage: a RecordingError or a readable recording, nothing else', () => {
    const { rec } = synthetic(500, 30, 6, { keyframeEvery: 8 });
    rec.end({ reason: 'stopped' });
    const good = rec.toBuffer();
    const rng = seededRng(11);
    for (let i = 0; i < 400; i++) {
      const b = Buffer.from(good);
      for (let k = rng.int(1, 4); k > 0; k--) b[rng.int(0, b.length - 1)] = rng.int(0, 255);
      try {
        const r = Recording.fromBuffer(b);
        for (const f of r.frames()) r.at(f.frame);
      } catch (err) {
        assert.ok(err instanceof RecordingError, `mutation ${i}: ${String(err)}`);
      }
    }
  });
});
