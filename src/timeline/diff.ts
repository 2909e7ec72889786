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

/**
 * The ranges where cur differs from prev (same length), in order, adjacent differing bytes
 * merged. Calls found(offset, length) for each; returns the number of differing bytes.
 */
export function diffRanges(prev: Buffer, cur: Buffer, found: (offset: number, length: number) => void): number {
  const n = cur.length;
  if (prev.length !== n) throw new RangeError(`diff: samples of ${prev.length} and ${n} bytes`);
  let changed = 0;
  let runStart = -1; // an open run may continue across a block boundary
  for (let block = 0; block < n; block += DIFF_BLOCK) {
    const end = Math.min(n, block + DIFF_BLOCK);
    if (Buffer.compare(prev.subarray(block, end), cur.subarray(block, end)) === 0) {
      if (runStart >= 0) {
        found(runStart, block - runStart);
        changed += block - runStart;
        runStart = -1;
      }
      continue;
    }
    for (let i = block; i < end; i++) {
      if (prev[i] !== cur[i]) {
        if (runStart < 0) runStart = i;
      } else if (runStart >= 0) {
        found(runStart, i - runStart);
        changed += i - runStart;
        runStart = -1;
      }
    }
  }
  if (runStart >= 0) {
    found(runStart, n - runStart);
    changed += n - runStart;
  }
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
