// Marks drawn over the bytes besides the selection, heat and pending edits: search matches
// (the current one distinct), differences against a snapshot, bookmark tints, and the fields
// of C type overlays (two alternating tints, padding, the field under the mouse). Before each
// paint the ranges touching the rows on screen are turned into one flag per byte, so the
// per-cell lookup is an array read and a table lookup (no string building per cell).

import type { Bookmark, BookmarkColor } from '../../protocol/webview';
import { RangeSet, type Span } from '../util/rangeSet';

export const BOOKMARK_COLORS: readonly BookmarkColor[] = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'];

const MATCH = 1;
const CURRENT = 2;
const DIFF = 4;
const COLOR_SHIFT = 3;
const COLOR_MASK = 7 << COLOR_SHIFT;
const FIELD_SHIFT = 6;
const FIELD_MASK = 3 << FIELD_SHIFT;
const HOVER = 1 << 8;
const HOVER_START = 1 << 9;
const HOVER_END = 1 << 10;
const FLAG_COMBINATIONS = 1 << 11;

/** How an overlay's field tints a byte: 1 and 2 alternate between consecutive fields, 3 is padding. */
export type FieldTint = 1 | 2 | 3;
const FIELD_CLASS = ['', ' field field-a', ' field field-b', ' field-pad'];

/** The fields of the overlays shown, as spans with their tint. */
export interface FieldMarks {
  /** Calls back for spans meeting [start, end) (overlapping spans: the later call wins). */
  forEachIn(start: number, end: number, cb: (from: number, to: number, tint: FieldTint) => void): void;
}

/** Class suffix for each flag combination (computed once). */
const SUFFIX: string[] = [];
for (let f = 0; f < FLAG_COMBINATIONS; f++) {
  let s = FIELD_CLASS[(f & FIELD_MASK) >> FIELD_SHIFT];
  const color = (f & COLOR_MASK) >> COLOR_SHIFT;
  if (color > 0 && color <= BOOKMARK_COLORS.length) s += ` bm bm-${BOOKMARK_COLORS[color - 1]}`;
  if (f & DIFF) s += ' diff';
  if (f & MATCH) s += ' match';
  if (f & CURRENT) s += ' match-current';
  if (f & HOVER) s += ' field-hover';
  if (f & HOVER_START) s += ' field-hover-start';
  if (f & HOVER_END) s += ' field-hover-end';
  SUFFIX.push(s);
}

export class Overlays {
  private matches = new RangeSet<Span>([]);
  private current: Span | null = null;
  private diff = new RangeSet<Span>([]);
  private bookmarks = new RangeSet<Bookmark>([]);
  private fields: FieldMarks | null = null;
  private hover: Span | null = null;
  private flags = new Uint16Array(0);
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

  setFields(fields: FieldMarks | null): void {
    this.fields = fields;
  }

  /** The field under the mouse in the overlay panel (outlined), or null. */
  setHover(span: Span | null): void {
    this.hover = span && span.length > 0 ? span : null;
  }

  /** Get ready to answer classAt for offsets in [start, end). */
  prepare(start: number, end: number): void {
    this.start = start;
    this.length = Math.max(0, end - start);
    this.any = false;
    if (this.length === 0) return;
    const touched = this.matches.size + this.diff.size + this.bookmarks.size > 0 || this.current !== null || this.fields !== null || this.hover !== null;
    if (!touched) return;
    if (this.flags.length < this.length) this.flags = new Uint16Array(this.length);
    const flags = this.flags;
    flags.fill(0, 0, this.length);
    const or = (bits: number) => (from: number, to: number) => {
      for (let o = from; o < to; o++) flags[o - start] |= bits;
      this.any = true;
    };
    this.fields?.forEachIn(start, end, (from, to, tint) => {
      const bits = tint << FIELD_SHIFT;
      for (let o = Math.max(from, start); o < Math.min(to, end); o++) flags[o - start] = (flags[o - start] & ~FIELD_MASK) | bits;
      this.any = true;
    });
    this.bookmarks.forEachIn(start, end, (from, to, b) => {
      const bits = (BOOKMARK_COLORS.indexOf(b.color) + 1) << COLOR_SHIFT;
      for (let o = from; o < to; o++) flags[o - start] = (flags[o - start] & ~COLOR_MASK) | bits;
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
    const h = this.hover;
    if (h) {
      const from = Math.max(start, h.offset);
      const to = Math.min(end, h.offset + h.length);
      if (from < to) {
        or(HOVER)(from, to);
        if (from === h.offset) flags[from - start] |= HOVER_START;
        if (to === h.offset + h.length) flags[to - 1 - start] |= HOVER_END;
      }
    }
  }

  /** Extra classes for the byte at offset ('' for none); valid after prepare(). */
  classAt(offset: number): string {
    if (!this.any) return '';
    const i = offset - this.start;
    return i >= 0 && i < this.length ? SUFFIX[this.flags[i]] : '';
  }
}
