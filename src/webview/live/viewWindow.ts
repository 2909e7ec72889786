// The viewport subscription, webview side: the window of the segment this webview watches
// (the rows in view plus a margin) and the bytes the host pushed for it (`view`), with which
// of them hold pending edits. The host owns those bytes: it pushes all of the window after each
// `watch`, then what changes in it (edits, undo, save, live polls, a timeline's moves). Nothing
// here reads; bytes outside the window are read on demand by whoever needs them (copy, inspector
// far away).

import type { ByteRange, ViewUpdate, WatchParams } from '../../protocol/webview';
import { decodeViewData } from '../../protocol/viewData';

export const UNLOADED = -1;
export const UNREADABLE = -2;

/** Rows kept on each side of the rows in view, at least this many bytes. */
const MIN_MARGIN = 4096;
/** Longest window (the host refuses more: validate.ts MAX_WATCH). */
const MAX_WINDOW = 256 << 10;

export interface Applied {
  /** Offsets whose byte changed (empty for a whole-window push). */
  changed: number[];
  /** The bytes differ from before (the inspector's copies are out of date). */
  bytesChanged: boolean;
  /** Which bytes hold pending edits changed (always for a whole-window push). */
  pendingChanged: boolean;
  cause: 'all' | 'edit' | 'poll' | 'frame' | 'error';
}

export class ViewWindow {
  private watched: WatchParams = { offset: 0, length: 0, live: false };
  private data: Uint8Array | null = null;
  private error: string | null = null;
  private pendingMask: Uint8Array | null = null;
  /** The pending ranges the mask was made from. */
  private pending: readonly ByteRange[] = [];

  constructor(private readonly size: number) {}

  /** The window watched now. */
  get range(): ByteRange {
    return { offset: this.watched.offset, length: this.watched.length };
  }

  /** Bytes held (diagnostics and tests: stays bounded however far one scrolls). */
  get heldBytes(): number {
    return this.data?.length ?? 0;
  }

  /**
   * The watch to send so that [start, end) is covered and polled as `live` says, or null if the
   * current one does. A new window reaches a margin beyond the rows in view on each side, so
   * scrolling within it needs no message.
   */
  want(start: number, end: number, live: boolean): WatchParams | null {
    const w = this.watched;
    if (end <= start || this.size <= 0) {
      return w.length === 0 ? null : this.setWatch({ offset: 0, length: 0, live: false });
    }
    const covered = start >= w.offset && end <= w.offset + w.length;
    if (covered && live === w.live) return null;
    if (covered) return this.setWatch({ ...w, live }, true);
    const margin = Math.min(Math.max(MIN_MARGIN, end - start), Math.floor((MAX_WINDOW - (end - start)) / 2));
    const offset = Math.max(0, start - Math.max(0, margin));
    const to = Math.min(this.size, end + Math.max(0, margin));
    return this.setWatch({ offset, length: to - offset, live });
  }

  /** A push from the host; null if it belongs to an earlier window (a newer push is coming). */
  apply(u: ViewUpdate): Applied | null {
    const w = this.watched;
    if (u.window.offset !== w.offset || u.window.length !== w.length) return null;
    if ('error' in u) {
      this.error = u.error;
      return { changed: [], bytesChanged: true, pendingChanged: true, cause: 'error' };
    }
    // A part pushed before the host saw our latest watch: the whole window follows.
    const held = this.data;
    if (u.cause !== 'all' && !held) return null;
    this.error = null;
    const data = decodeViewData(u.data);
    const changed: number[] = [];
    let bytesChanged = false;
    if (u.cause === 'all' || !held) {
      this.data = data.slice(0, w.length);
      bytesChanged = true;
    } else {
      const d = held;
      for (let i = 0; i < data.length; i++) {
        const at = u.offset - w.offset + i;
        if (at < 0 || at >= d.length || d[at] === data[i]) continue;
        d[at] = data[i];
        changed.push(u.offset + i);
      }
      bytesChanged = changed.length > 0;
    }
    const pendingChanged = u.cause === 'all' || !sameRanges(u.pending, this.pending);
    if (!pendingChanged) return { changed, bytesChanged, pendingChanged, cause: u.cause };
    this.pending = u.pending;
    this.pendingMask = null;
    for (const r of u.pending) {
      const from = Math.max(r.offset, w.offset) - w.offset;
      const to = Math.min(r.offset + r.length, w.offset + w.length) - w.offset;
      if (from >= to) continue;
      this.pendingMask ??= new Uint8Array(w.length);
      this.pendingMask.fill(1, from, to);
    }
    return { changed, bytesChanged, pendingChanged, cause: u.cause };
  }

  /** The byte at offset, or UNLOADED (outside the window, or not pushed yet) / UNREADABLE. */
  byteAt(offset: number): number {
    const i = offset - this.watched.offset;
    if (i < 0 || i >= this.watched.length) return UNLOADED;
    if (this.error) return UNREADABLE;
    return this.data ? this.data[i] : UNLOADED;
  }

  /** Why the window could not be read, if it could not. */
  get readError(): string | null {
    return this.error;
  }

  /** The byte at offset holds an edit not saved yet. */
  isPending(offset: number): boolean {
    const i = offset - this.watched.offset;
    return !!this.pendingMask && i >= 0 && i < this.pendingMask.length && this.pendingMask[i] === 1;
  }

  /** Every byte of [start, end) is here. */
  hasRange(start: number, end: number): boolean {
    if (end <= start) return true;
    return !!this.data && !this.error && start >= this.watched.offset && end <= this.watched.offset + this.watched.length;
  }

  /** No byte of [start, end) is still waiting for its push (pushed or failed). */
  isSettled(start: number, end: number): boolean {
    if (end <= start) return true;
    return (!!this.data || !!this.error) && start >= this.watched.offset && end <= this.watched.offset + this.watched.length;
  }

  /** A copy of [start, end); empty unless hasRange(). */
  slice(start: number, end: number): Uint8Array {
    if (!this.data || !this.hasRange(start, end)) return new Uint8Array(0);
    return this.data.slice(start - this.watched.offset, end - this.watched.offset);
  }

  private setWatch(w: WatchParams, keepBytes = false): WatchParams {
    this.watched = w;
    if (!keepBytes) {
      this.data = null;
      this.pendingMask = null;
      this.pending = [];
    }
    this.error = null;
    return w;
  }
}

function sameRanges(a: readonly ByteRange[], b: readonly ByteRange[]): boolean {
  return a.length === b.length && a.every((r, i) => r.offset === b[i].offset && r.length === b[i].length);
}
