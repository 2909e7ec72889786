// Sorted byte ranges with the queries the grid marks need: which ranges touch the rows on
// screen, and which range comes next/previous from an offset (binary search). Ranges may
// overlap (search matches of a pattern like "aa"); they are sorted by offset. Pure: no DOM.

export interface Span {
  offset: number;
  length: number;
}

export class RangeSet<T extends Span = Span> {
  readonly items: readonly T[];
  /** maxEnd[i] = the largest end (offset + length) of items[0..i]: monotone, so searchable. */
  private readonly maxEnd: Float64Array;

  constructor(items: readonly T[]) {
    const sorted = items.every((r, i) => i === 0 || items[i - 1].offset <= r.offset)
      ? items
      : [...items].sort((a, b) => a.offset - b.offset);
    this.items = sorted;
    this.maxEnd = new Float64Array(sorted.length);
    let m = -Infinity;
    sorted.forEach((r, i) => {
      m = Math.max(m, r.offset + r.length);
      this.maxEnd[i] = m;
    });
  }

  get size(): number {
    return this.items.length;
  }

  /** Call fn for every item that overlaps [start, end), with the overlap. */
  forEachIn(start: number, end: number, fn: (from: number, to: number, item: T, index: number) => void): void {
    const items = this.items;
    // First index whose maxEnd > start: nothing before it reaches start.
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.maxEnd[mid] > start) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < items.length && items[i].offset < end; i++) {
      const r = items[i];
      const from = Math.max(start, r.offset);
      const to = Math.min(end, r.offset + r.length);
      if (from < to) fn(from, to, r, i);
    }
  }

  /** Index of the first item with offset > at, or -1. */
  indexAfter(at: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].offset > at) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.items.length ? lo : -1;
  }

  /** Index of the last item with offset < at, or -1. */
  indexBefore(at: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].offset < at) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Index of an item that starts exactly at offset, or -1. */
  indexAt(offset: number): number {
    const i = this.indexBefore(offset + 1);
    return i >= 0 && this.items[i].offset === offset ? i : -1;
  }
}

/**
 * The next (or previous) range from `at`, wrapping around at the ends.
 * Next: the first range starting after `at`. Previous: the last range starting before `at`.
 */
export function stepRange<T extends Span>(set: RangeSet<T>, at: number, direction: 1 | -1): { index: number; wrapped: boolean } | null {
  if (set.size === 0) return null;
  const i = direction > 0 ? set.indexAfter(at) : set.indexBefore(at);
  if (i >= 0) return { index: i, wrapped: false };
  return { index: direction > 0 ? 0 : set.size - 1, wrapped: true };
}
