// Changed spans between two samples of the same range. Fast path: compare 4 KiB blocks natively
// (Buffer.compare on views: memcmp); only a block that differs is scanned byte by byte.

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

/** Equal 64 KiB stretches are passed over in one memcmp before any 4 KiB block is looked at. */
const SUPER_BLOCK = 16 * DIFF_BLOCK;

/** 32-bit words over a buffer's bytes, when they are aligned (Buffers of 4 KiB and more are). */
function words(b: Buffer): Int32Array | undefined {
  return b.byteOffset % 4 === 0 ? new Int32Array(b.buffer, b.byteOffset, b.length >> 2) : undefined;
}

/**
 * The ranges where cur differs from prev (same length), in order, adjacent differing bytes
 * merged. Calls found(offset, length) for each; returns the number of differing bytes.
 * Equal stretches cost one memcmp each (Buffer#compare with ranges: no views made), first per
 * 64 KiB, then per 4 KiB block; a differing block is scanned a 32-bit word at a time, bytes only
 * inside a differing word.
 */
export function diffRanges(prev: Buffer, cur: Buffer, found: (offset: number, length: number) => void): number {
  const n = cur.length;
  if (prev.length !== n) throw new RangeError(`diff: samples of ${prev.length} and ${n} bytes`);
  const wp = words(prev);
  const wc = words(cur);
  let changed = 0;
  let runStart = -1; // an open run may continue across words and blocks
  for (let sup = 0; sup < n; sup += SUPER_BLOCK) {
    const supEnd = Math.min(n, sup + SUPER_BLOCK);
    const step = cur.compare(prev, sup, supEnd, sup, supEnd) === 0 ? SUPER_BLOCK : DIFF_BLOCK;
    for (let block = sup; block < supEnd; block += step) {
      const end = Math.min(supEnd, block + step);
      if (step === SUPER_BLOCK || cur.compare(prev, block, end, block, end) === 0) {
        if (runStart >= 0) { found(runStart, block - runStart); changed += block - runStart; runStart = -1; }
        continue;
      }
      // Whole aligned words, then the bytes left at the very end (or all bytes, unaligned).
      let i = block;
      if (wp && wc) {
        const last = end >> 2;
        for (let w = block >> 2; w < last; w++) {
          if (wp[w] === wc[w]) {
            if (runStart >= 0) { const at = w << 2; found(runStart, at - runStart); changed += at - runStart; runStart = -1; }
            continue;
          }
          for (let b = w << 2, e = b + 4; b < e; b++) {
            if (prev[b] !== cur[b]) { if (runStart < 0) runStart = b; } else if (runStart >= 0) { found(runStart, b - runStart); changed += b - runStart; runStart = -1; }
          }
        }
        i = last << 2;
      }
      for (; i < end; i++) {
        if (prev[i] !== cur[i]) { if (runStart < 0) runStart = i; } else if (runStart >= 0) { found(runStart, i - runStart); changed += i - runStart; runStart = -1; }
      }
    }
  }
  if (runStart >= 0) { found(runStart, n - runStart); changed += n - runStart; }
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
