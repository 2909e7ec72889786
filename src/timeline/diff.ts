// Changed spans between two samples of the same range. Fast path: compare chunks natively
// (Buffer#compare with ranges: memcmp), narrowing down only where they differ.

/** A run of changed bytes: offset from the range's start, and its bytes in the newer sample. */
export interface Span {
  offset: number;
  bytes: Uint8Array;
}

/** Where bytes differ, without the bytes: [offset, offset + length). */
export interface SpanRange {
  offset: number;
  length: number;
}

export const DIFF_BLOCK = 4096;

/**
 * Chunk sizes compared with one memcmp each, largest first: an equal chunk is passed over whole,
 * a differing one is compared again in chunks of the next size, and the last size is scanned a
 * 32-bit word at a time. A byte changed in a 4 KiB block then costs 4 memcmps of 1 KiB and a
 * scan of 256 words, not of the block's 1,024 (a ranged memcmp costs about 100 words' scan).
 */
const CHUNKS = [16 * DIFF_BLOCK, DIFF_BLOCK, 1024];

/** 32-bit words over a buffer's bytes, when they are aligned (Buffers of 4 KiB and more are). */
function words(b: Buffer): Int32Array | undefined {
  return b.byteOffset % 4 === 0 ? new Int32Array(b.buffer, b.byteOffset, b.length >> 2) : undefined;
}

/**
 * The ranges where cur differs from prev (same length), in order, adjacent differing bytes
 * merged. Calls found(offset, length) for each; returns the number of differing bytes.
 * Equal stretches cost one memcmp each (Buffer#compare with ranges: no views made), at the
 * sizes of CHUNKS; within a differing 1 KiB chunk, a word at a time, bytes only inside a
 * differing word.
 */
export function diffRanges(prev: Buffer, cur: Buffer, found: (offset: number, length: number) => void): number {
  const n = cur.length;
  if (prev.length !== n) throw new RangeError(`diff: samples of ${prev.length} and ${n} bytes`);
  const wp = words(prev);
  const wc = words(cur);
  let changed = 0;
  let runStart = -1; // an open run may continue across words and chunks
  const close = (at: number): void => {
    if (runStart < 0) return;
    found(runStart, at - runStart);
    changed += at - runStart;
    runStart = -1;
  };
  const bytes = (from: number, to: number): void => {
    for (let b = from; b < to; b++) {
      if (prev[b] !== cur[b]) { if (runStart < 0) runStart = b; } else close(b);
    }
  };
  const scan = (from: number, to: number, level: number): void => {
    const size = CHUNKS[level];
    for (let at = from; at < to; at += size) {
      const end = Math.min(to, at + size);
      if (cur.compare(prev, at, end, at, end) === 0) { close(at); continue; }
      if (level + 1 < CHUNKS.length) { scan(at, end, level + 1); continue; }
      // Whole aligned words, then the bytes left at the very end (or all bytes, unaligned).
      let i = at;
      if (wp && wc && at % 4 === 0) {
        const last = end >> 2;
        for (let w = at >> 2; w < last; w++) {
          if (wp[w] !== wc[w]) bytes(w << 2, (w << 2) + 4);
          else if (runStart >= 0) close(w << 2);
        }
        i = last << 2;
      }
      bytes(i, end);
    }
  };
  scan(0, n, 0);
  close(n);
  return changed;
}

/** The changed spans with copies of their bytes in cur (the caller may reuse cur). */
export function diffSpans(prev: Buffer, cur: Buffer): { spans: Span[]; changed: number } {
  const spans: Span[] = [];
  const changed = diffRanges(prev, cur, (offset, length) => {
    spans.push({ offset, bytes: new Uint8Array(cur.subarray(offset, offset + length)) });
  });
  return { spans, changed };
}

/** Apply spans to an image of the range (in place). */
export function applySpans(image: Uint8Array, spans: readonly Span[]): void {
  for (const s of spans) image.set(s.bytes, s.offset);
}
