// Snapshot comparison: live segment vs file and file vs file, in chunks, on real segments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Segment, diffChunks, fileReader, segmentReader } from '../../src/core';

function run<T>(it: Generator<unknown, T>): T {
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

test('diff finds changed ranges between a snapshot and the live segment, across chunk boundaries', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-diff-'));
  const seg = Segment.create(64 * 1024);
  try {
    seg.attach();
    const original = Buffer.alloc(seg.size);
    for (let i = 0; i < original.length; i++) original[i] = (i * 7) & 0xff;
    seg.writeChunk(original, 0);
    const snap = path.join(dir, 'snap.bin');
    fs.writeFileSync(snap, original);

    // Changes: one byte, a run crossing the 4096 chunk boundary, the last byte.
    seg.writeChunk(Buffer.from([0xaa]), 10);
    seg.writeChunk(Buffer.alloc(6, 0xbb), 4093);
    seg.writeChunk(Buffer.from([(original[seg.size - 1] + 1) & 0xff]), seg.size - 1);
    const fd = fs.openSync(snap, 'r');
    try {
      const r = run(diffChunks(fileReader(fd), segmentReader(seg), seg.size, { chunkSize: 4096 }));
      // 0xbb may equal the original at some offsets in 4093..4098: compute the truth from bytes.
      const expected: { offset: number; length: number }[] = [];
      const live = seg.readChunk(seg.size, 0);
      for (let i = 0; i < live.length; i++) {
        if (live[i] === original[i]) continue;
        const last = expected.at(-1);
        if (last && last.offset + last.length === i) last.length++;
        else expected.push({ offset: i, length: 1 });
      }
      assert.deepEqual(r.ranges, expected);
      assert.equal(r.bytes, expected.reduce((n, x) => n + x.length, 0));
      assert.equal(r.truncated, false);
      assert.ok(r.ranges.some((x) => x.offset <= 4095 && x.offset + x.length > 4096), 'a range spans the chunk boundary');

      const capped = run(diffChunks(fileReader(fd), segmentReader(seg), seg.size, { chunkSize: 4096, maxRanges: 1 }));
      assert.equal(capped.ranges.length, 1);
      assert.equal(capped.truncated, true);
      assert.equal(capped.bytes, r.bytes);
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    try { seg.detach(); } finally { seg.destroy(); }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('diff of two identical files is empty; a short file is reported, not misread', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-diff-'));
  try {
    const a = path.join(dir, 'a'), b = path.join(dir, 'b');
    fs.writeFileSync(a, Buffer.alloc(10000, 1));
    fs.writeFileSync(b, Buffer.alloc(10000, 1));
    const fa = fs.openSync(a, 'r'), fb = fs.openSync(b, 'r');
    try {
      assert.deepEqual(run(diffChunks(fileReader(fa), fileReader(fb), 10000, { chunkSize: 1000 })), { ranges: [], bytes: 0, truncated: false });
      assert.throws(() => run(diffChunks(fileReader(fa), fileReader(fb), 20000)), /shorter/);
    } finally {
      fs.closeSync(fa); fs.closeSync(fb);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
