// Marks drawn over the bytes besides the selection, heat and pending edits: search matches
// (the current one distinct), differences against a snapshot and bookmark tints. Before each
// paint the ranges touching the rows on screen are turned into one flag per byte, so the
// per-cell lookup is an array read and a table lookup (no string building per cell).

import type { Bookmark, BookmarkColor } from '../../protocol/webview';
import { RangeSet, type Span } from '../util/rangeSet';

export const BOOKMARK_COLORS: readonly BookmarkColor[] = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'];

const MATCH = 1;
const CURRENT = 2;
const DIFF = 4;
const COLOR_SHIFT = 3;

/** Class suffix for each flag combination (computed once). */
const SUFFIX: string[] = [];
for (let f = 0; f < 64; f++) {
  let s = '';
  const color = f >> COLOR_SHIFT;
  if (color > 0 && color <= BOOKMARK_COLORS.length) s += ` bm bm-${BOOKMARK_COLORS[color - 1]}`;
  if (f & DIFF) s += ' diff';
  if (f & MATCH) s += ' match';
  if (f & CURRENT) s += ' match-current';
  SUFFIX.push(s);
}

export class Overlays {
  private matches = new RangeSet<Span>([]);
  private current: Span | null = null;
  private diff = new RangeSet<Span>([]);
  private bookmarks = new RangeSet<Bookmark>([]);
  private flags = new Uint8Array(0);
  private start = 0;
  private length = 0;
  private any = false;

  setMatches(matches: RangeSet, current: Span | null): void {
    this.matches = matches;
    this.current = current;
  }

  setDiff(diff: RangeSet): void {
    this.diff = diff;
  }

  setBookmarks(bookmarks: RangeSet<Bookmark>): void {
    this.bookmarks = bookmarks;
  }

  /** Get ready to answer classAt for offsets in [start, end). */
  prepare(start: number, end: number): void {
    this.start = start;
    this.length = Math.max(0, end - start);
    this.any = false;
    if (this.length === 0) return;
    const touched = this.matches.size + this.diff.size + this.bookmarks.size > 0 || this.current !== null;
    if (!touched) return;
    if (this.flags.length < this.length) this.flags = new Uint8Array(this.length);
    const flags = this.flags;
    flags.fill(0, 0, this.length);
    const or = (bits: number) => (from: number, to: number) => {
      for (let o = from; o < to; o++) flags[o - start] |= bits;
      this.any = true;
    };
    this.bookmarks.forEachIn(start, end, (from, to, b) => {
      const bits = (BOOKMARK_COLORS.indexOf(b.color) + 1) << COLOR_SHIFT;
      for (let o = from; o < to; o++) flags[o - start] = (flags[o - start] & ~(7 << COLOR_SHIFT)) | bits;
      this.any = true;
    });
    this.diff.forEachIn(start, end, or(DIFF));
    this.matches.forEachIn(start, end, or(MATCH));
    const c = this.current;
    if (c) {
      const from = Math.max(start, c.offset);
      const to = Math.min(end, c.offset + c.length);
      if (from < to) or(CURRENT | MATCH)(from, to);
    }
  }

  /** Extra classes for the byte at offset ('' for none); valid after prepare(). */
  classAt(offset: number): string {
    if (!this.any) return '';
    const i = offset - this.start;
    return i >= 0 && i < this.length ? SUFFIX[this.flags[i]] : '';
  }
}
