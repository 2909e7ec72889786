// A recording opened as a timeline (issue 12): RecordingSource's bytes at each moment, its moves
// (by index, time, step; previous/next change of a range, across keyframes), Find, export,
// snapshot and compare on the moment shown, and the handlers' validation of timeline requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BackupSource } from '../../src/extension/hexEditor/backupSource';
import { hasSegmentOffsets, partialRecordingReason } from '../../src/extension/hexEditor/byteSource';
import { HexDocument } from '../../src/extension/hexEditor/document';
import { createHandlers } from '../../src/extension/hexEditor/handlers';
import { RecordingSource } from '../../src/extension/hexEditor/recordingSource';
import { Viewport } from '../../src/extension/hexEditor/viewport';
import { MAX_STRIP_BINS, type TimelinePosition, stripBins } from '../../src/protocol/timeline';
import { decodeViewData } from '../../src/protocol/viewData';
import type { ViewUpdate } from '../../src/protocol/webview';
import { Recorder, Recording } from '../../src/timeline/recording';
import { testTmpDir, waitFor } from './helpers';

const SIZE = 64;

/**
 * Frame f at f*10 ms. Byte 0x10 counts up at frames 1..9; bytes 0x20..0x23 hold 0xaabbccdd from
 * frame 4 on and 0x11223344 from frame 8 on; frame 6 changes nothing. A keyframe every 3 frames,
 * so frames 3, 6 and 9 carry no spans (their changes are found by comparing bytes).
 */
function build(opts: { offset?: number; length?: number } = {}): Recording {
  const length = opts.length ?? SIZE;
  const rec = new Recorder({ segment: { id: 5, key: 0x1234, size: SIZE }, offset: opts.offset ?? 0, length, hz: 100, startWallMs: 1_000_000, startMonoNs: '0' }, { keyframeEvery: 3 });
  const image = Buffer.alloc(length, 0x5a);
  rec.add(0, 0n, [{ offset: 0, bytes: Buffer.from(image) }], length);
  for (let f = 1; f < 12; f++) {
    const spans: { offset: number; bytes: Uint8Array }[] = [];
    if (f <= 9 && f !== 6) { image[0x10] = f; spans.push({ offset: 0x10, bytes: Uint8Array.of(f) }); }
    if (f === 4) { image.writeUInt32BE(0xaabbccdd, 0x20); spans.push({ offset: 0x20, bytes: Uint8Array.from(image.subarray(0x20, 0x24)) }); }
    if (f === 8) { image.writeUInt32BE(0x11223344, 0x20); spans.push({ offset: 0x20, bytes: Uint8Array.from(image.subarray(0x20, 0x24)) }); }
    rec.add(f, BigInt(f * 10_000_000), spans, spans.reduce((n, s) => n + s.bytes.length, 0));
  }
  rec.end({ reason: 'stopped' });
  return Recording.fromBuffer(rec.toBuffer(), 'test.shmrec');
}

const at = (p: TimelinePosition | null) => p && [p.index, p.t];

test('RecordingSource: the bytes of the moment shown, moves by index, time and step (clamped)', async () => {
  const src = new RecordingSource(build());
  const moves: number[] = [];
  src.onDidMove((p) => moves.push(p.index));
  assert.deepEqual([src.size, src.info.readOnly, src.info.id, src.info.keyHex], [SIZE, true, 5, '0x00001234']);
  assert.deepEqual(Array.from(await src.read(0x10, 1)), [0x5a]);
  assert.deepEqual(at(src.seek({ index: 4 })), [4, 40]);
  assert.deepEqual(Array.from(await src.read(0x10, 1)), [4]);
  assert.equal(Buffer.from(await src.read(0x20, 4)).readUInt32BE(0), 0xaabbccdd);
  assert.deepEqual(at(src.seek({ ms: 75.5 })), [7, 70], 'the last frame at or before the time');
  assert.deepEqual(at(src.seek({ ms: 0 })), [0, 0]);
  assert.deepEqual(at(src.seek({ step: -3 })), [0, 0], 'clamped at the first frame, no move');
  assert.deepEqual(at(src.seek({ step: 100 })), [11, 110], 'clamped at the last');
  assert.deepEqual(at(src.seek({ ms: 1e9 })), [11, 110]);
  assert.throws(() => src.seek({ index: 12 }), /no frame index 12: the recording has frames 0 to 11/);
  assert.deepEqual(moves, [4, 7, 0, 11], 'one event per real move');
  await assert.rejects(src.write(), /read-only/);
  await assert.rejects(src.read(60, 8), /past the end of the recorded 64 bytes/);
});

test('RecordingSource: previous and next change of a range, through deltas and keyframes', () => {
  const src = new RecordingSource(build());
  const word = { offset: 0x20, length: 4 };
  assert.deepEqual(at(src.findChange(word, 1)), [4, 40]);
  assert.deepEqual(at(src.findChange(word, 1)), [8, 80]);
  assert.equal(src.findChange(word, 1), null, 'no later change');
  assert.equal(src.position.index, 8, 'stays where it was');
  assert.deepEqual(at(src.findChange(word, -1)), [4, 40]);
  assert.equal(src.findChange(word, -1), null);
  // Byte 0x10 changes at every frame 1..9 but 6; 3 and 9 are keyframes (no spans).
  src.seek({ index: 0 });
  const seen: number[] = [];
  for (let p = src.findChange({ offset: 0x10, length: 1 }, 1); p; p = src.findChange({ offset: 0x10, length: 1 }, 1)) seen.push(p.index);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 7, 8, 9]);
  // A range next to the changed bytes never changes; one that covers two of them does.
  src.seek({ index: 0 });
  assert.equal(src.findChange({ offset: 0x11, length: 0xf }, 1), null);
  assert.deepEqual(at(src.findChange({ offset: 0x0f, length: 0x12 }, 1)), [1, 10]);
});

test('RecordingSource: Find, export, snapshot and compare work on the moment shown', async () => {
  const src = new RecordingSource(build());
  const needle = { pattern: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd), from: 0, max: 10 };
  assert.deepEqual(await src.search(needle), { offsets: [], truncated: false }, 'not there at frame 0');
  src.seek({ index: 5 });
  assert.deepEqual(await src.search(needle), { offsets: [0x20], truncated: false });
  const dir = fs.mkdtempSync(path.join(testTmpDir(), 'timeline-'));
  const whole = path.join(dir, 'whole.bin');
  fs.writeFileSync(whole, 'an older file, replaced whole');
  await src.dumpTo(whole, undefined);
  assert.ok(fs.readFileSync(whole).equals(Buffer.from(await src.read(0, SIZE))));
  const part = path.join(dir, 'part.bin');
  await src.dumpTo(part, { offset: 0x20, length: 4 });
  assert.deepEqual(Array.from(fs.readFileSync(part)), [0xaa, 0xbb, 0xcc, 0xdd]);
  src.seek({ index: 9 });
  const diff = await src.diffWith(whole);
  assert.deepEqual(diff, { ranges: [{ offset: 0x10, length: 1 }, { offset: 0x20, length: 4 }], bytes: 5, truncated: false, sizes: [SIZE, SIZE] });
  // A recording of part of the segment is no snapshot of it: export bytes instead.
  const ranged = new RecordingSource(build({ offset: 16, length: 48 }));
  await assert.rejects(ranged.dumpTo(path.join(dir, 'x.bin'), undefined), /holds bytes 16\+48 of the segment, not all of it/);
  assert.equal(ranged.view().overview.segmentOffset, 16);
  // Compared with a snapshot of the whole segment: the snapshot's bytes of the recorded range.
  ranged.seek({ index: 5 });
  const snapshot = Buffer.alloc(SIZE, 0xee);
  snapshot.set(await ranged.read(0, 48), 16); // the segment as the range was at frame 5
  snapshot[16 + 0x21] ^= 1;
  const snapFile = path.join(dir, 'segment.bin');
  fs.writeFileSync(snapFile, snapshot);
  const diffRanged = await ranged.diffWith(snapFile);
  assert.deepEqual([diffRanged.ranges, diffRanged.bytes], [[{ offset: 0x21, length: 1 }], 1], 'the range against the same bytes of the segment, in range offsets');
  // Per-segment things (overlays, bookmarks) are in segment offsets: not for a part of it.
  assert.equal(hasSegmentOffsets(src), true);
  assert.equal(hasSegmentOffsets(ranged), false);
  assert.match(partialRecordingReason(ranged, 'C types') ?? '', /^C types work in segment offsets: this recording holds bytes 0x10\+48 of the segment only/);
  assert.equal(partialRecordingReason(src, 'C types'), undefined);
});

test('RecordingSource: the overview bins every frame once, at most MAX_STRIP_BINS of them', () => {
  const v = new RecordingSource(build()).view();
  assert.deepEqual([v.overview.frames, v.overview.firstMs, v.overview.lastMs, v.overview.hz, v.overview.startWallMs, v.overview.ended], [12, 0, 110, 100, 1_000_000, 'stopped']);
  assert.equal(v.overview.counts.reduce((a, b) => a + b, 0), 12);
  assert.equal(v.overview.changed[0], SIZE, 'the first frame counts all its bytes');
  const many = stripBins(Array.from({ length: 5000 }, (_, i) => i), Array.from({ length: 5000 }, (_, i) => (i === 4321 ? 99 : 1)));
  assert.equal(many.changed.length, MAX_STRIP_BINS);
  assert.equal(many.counts.reduce((a, b) => a + b, 0), 5000);
  assert.equal(Math.max(...many.changed), 99, 'a bin shows the most any of its frames changed');
  assert.deepEqual(stripBins([7], [3]), { binMs: 1, changed: [3], counts: [1] }, 'one frame: one bin');
});

test('timeline requests: validated, refused for a live segment, and a move is pushed to the window with heat', async () => {
  const src = new RecordingSource(build());
  const doc = new HexDocument(src, { uri: { toString: () => 'file:///test.shmrec' } as never, prompts: { conflict: () => Promise.resolve(undefined), saveGone: () => Promise.resolve() }, writeThrough: () => false });
  const deps = {
    settings: () => ({ bytesPerRow: 16, grouping: 1, liveRefreshMs: 0, inspector: 'side', littleEndian: true }) as const,
    copy: () => Promise.resolve(),
    inspect: { initial: () => ({ bookmarks: [], diff: null }) } as never,
    overlays: { initial: () => Promise.resolve([]) } as never,
    watchValue: () => Promise.resolve(false),
  };
  const h = createHandlers(doc, deps);
  const ctx = { progress: () => undefined, signal: new AbortController().signal };
  const ready = await h.ready({}, ctx);
  assert.equal(ready.timeline?.overview.frames, 12);
  assert.deepEqual(ready.timeline.position, { index: 0, frame: 0, t: 0, changed: SIZE });
  const rejects = (f: () => unknown, re: RegExp) => assert.rejects(Promise.resolve().then(f), re);
  await rejects(() => h.timelineSeek({} as never, ctx), /exactly one of index, ms or step/);
  await rejects(() => h.timelineSeek({ index: 1, ms: 2 }, ctx), /exactly one/);
  await rejects(() => h.timelineSeek({ ms: -1 }, ctx), /ms must be a time >= 0/);
  await rejects(() => h.timelineSeek({ ms: Number.NaN }, ctx), /ms must be a time >= 0/);
  await rejects(() => h.timelineSeek({ step: 0.5 }, ctx), /step must be a whole number/);
  await rejects(() => h.timelineSeek({ index: 99 }, ctx), /no frame index 99/);
  await rejects(() => h.timelineChange({ offset: 60, length: 8, direction: 1 }, ctx), /past the end/);
  await rejects(() => h.timelineChange({ offset: 0, length: 0, direction: 1 }, ctx), /at least 1/);
  await rejects(() => h.timelineChange({ offset: 0, length: 1, direction: 2 as never }, ctx), /direction must be -1 or 1/);
  await rejects(() => h.edit({ offset: 0, data: Uint8Array.of(1) }, ctx), /read-only/);
  assert.equal(src.position.index, 0, 'nothing invalid moved it');
  const live = new HexDocument(new BackupSource({ id: 5, key: 1, size: SIZE, cpid: 1, ctime: 1 }, 'gone'), { uri: { toString: () => 'shm:/5' } as never, prompts: { conflict: () => Promise.resolve(undefined), saveGone: () => Promise.resolve() }, writeThrough: () => false });
  const liveHandlers = createHandlers(live, deps);
  assert.equal((await liveHandlers.ready({}, ctx)).timeline, null);
  await rejects(() => liveHandlers.timelineSeek({ index: 0 }, ctx), /this editor shows a live segment, not a recording/);
  live.dispose();

  // The viewport (as the WebviewHost wires it): a move pushes the changed bytes with cause 'frame'.
  const pushes: ViewUpdate[] = [];
  const viewport = new Viewport({ source: doc, push: (u) => pushes.push(u), active: () => false });
  src.onDidMove(() => viewport.moved());
  viewport.watch({ offset: 0, length: SIZE, live: false });
  await waitFor(() => pushes.length === 1, 'the window');
  assert.deepEqual(await h.timelineChange({ offset: 0x20, length: 4, direction: 1 }, ctx), { index: 4, frame: 4, t: 40, changed: 5 });
  await waitFor(() => pushes.length === 2, 'the push after the move');
  const u = pushes[1];
  assert.ok('data' in u && u.cause === 'frame', JSON.stringify(u));
  assert.equal(u.offset, 0x10, 'from the first changed byte');
  assert.deepEqual(Array.from(decodeViewData(u.data)).slice(-4), [0xaa, 0xbb, 0xcc, 0xdd], 'to the last');
  assert.deepEqual(await h.timelineSeek({ step: 1 }, ctx), { index: 5, frame: 5, t: 50, changed: 1 });
  viewport.dispose();
  doc.dispose();
});
