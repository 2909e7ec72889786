// A bounded LRU cache of fixed-size pages of the segment, filled by `read` requests.
// The webview never holds the whole segment: only the pages around the visible rows.
// Missing neighbouring pages are fetched with one coalesced read; reads for pages that
// scrolled out of view are cancelled; results that raced with an edit or a `changed`
// notification are dropped (each page has an epoch) and fetched again.

export const UNLOADED = -1;
export const UNREADABLE = -2;

export interface PageCacheOptions {
  size: number;
  pageSize: number;
  maxPages: number;
  /** Most pages fetched by one read request. */
  maxRunPages: number;
  read(offset: number, length: number, signal: AbortSignal): Promise<Uint8Array>;
  /** Called after pages got data or failed (schedule a render). */
  onUpdate(): void;
  /** A read failed (not called for cancelled reads). */
  onError(message: string): void;
}

interface Page {
  data: Uint8Array | null;
  /** Data shown but a newer version exists on the host (after `changed`). */
  stale: boolean;
  /** Bumped by edits and invalidation; a read issued at an older epoch is dropped. */
  epoch: number;
  /** Epoch a read is in flight for, or -1. */
  loadingEpoch: number;
  error: string | null;
  errorAt: number;
}

/** Its bytes are the host's latest: loaded, not stale, no read in flight. */
function isCurrent(p: Page): p is Page & { data: Uint8Array } {
  return p.data !== null && !p.stale && p.loadingEpoch !== p.epoch;
}

interface Run {
  first: number;
  last: number;
  controller: AbortController;
}

const RETRY_AFTER_MS = 2000;

export class PageCache {
  private readonly pages = new Map<number, Page>();
  private readonly runs = new Set<Run>();
  private pinFirst = 0;
  private lastIndex = -1;
  private lastPage: Page | undefined;
  private pinLast = -1;
  /** Read requests issued and bytes asked for (diagnostics). */
  readonly stats = { reads: 0, bytes: 0 };

  constructor(private readonly o: PageCacheOptions) {}

  get pageCount(): number {
    return this.pages.size;
  }

  get pageSize(): number {
    return this.o.pageSize;
  }

  /** The byte at offset, or UNLOADED / UNREADABLE. (Called for every cell on screen: the last page is remembered.) */
  byteAt(offset: number): number {
    const index = Math.floor(offset / this.o.pageSize);
    let p: Page | undefined;
    if (index === this.lastIndex) p = this.lastPage;
    else {
      p = this.pages.get(index);
      this.lastIndex = index;
      this.lastPage = p;
    }
    if (!p) return UNLOADED;
    if (p.data) {
      const i = offset % this.o.pageSize;
      return i < p.data.length ? p.data[i] : UNREADABLE;
    }
    return p.error ? UNREADABLE : UNLOADED;
  }

  /** The read error for the page holding offset, if any. */
  errorAt(offset: number): string | null {
    return this.pages.get(Math.floor(offset / this.o.pageSize))?.error ?? null;
  }

  /** True if every byte of [start, end) is loaded. */
  hasRange(start: number, end: number): boolean {
    if (end <= start) return true;
    for (let i = this.pageOf(start); i <= this.pageOf(end - 1); i++) {
      if (!this.pages.get(i)?.data) return false;
    }
    return true;
  }

  /** True if no byte of [start, end) is still waiting for its first read (loaded or failed). */
  isSettled(start: number, end: number): boolean {
    if (end <= start) return true;
    for (let i = this.pageOf(start); i <= this.pageOf(end - 1); i++) {
      const p = this.pages.get(i);
      if (!p || (!p.data && !p.error)) return false;
    }
    return true;
  }

  /** Copy [start, end) out of the cache; only valid if hasRange(). */
  slice(start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start);
    for (let o = start; o < end; o++) out[o - start] = Math.max(0, this.byteAt(o));
    return out;
  }

  /**
   * Make [start, end) the range in view: keep its pages, fetch the missing or stale ones,
   * cancel reads for pages far from it, evict the least recently used pages beyond the bound.
   */
  ensure(start: number, end: number): void {
    if (end <= start || this.o.size <= 0) return;
    const first = this.pageOf(start);
    const last = this.pageOf(Math.min(end, this.o.size) - 1);
    this.pinFirst = first;
    this.pinLast = last;
    for (const run of [...this.runs]) {
      if (run.last < first - 1 || run.first > last + 1) {
        this.runs.delete(run);
        run.controller.abort();
      }
    }
    const now = Date.now();
    let runStart = -1;
    for (let i = first; i <= last + 1; i++) {
      let need = false;
      if (i <= last) {
        let p = this.pages.get(i);
        if (p) {
          this.pages.delete(i); // re-insert: most recently used
          this.pages.set(i, p);
        } else {
          p = { data: null, stale: false, epoch: 0, loadingEpoch: -1, error: null, errorAt: 0 };
          this.pages.set(i, p);
          if (i === this.lastIndex) this.lastIndex = -1;
        }
        need = (!p.data || p.stale) && p.loadingEpoch !== p.epoch && (!p.error || now - p.errorAt > RETRY_AFTER_MS);
      }
      if (need && runStart < 0) runStart = i;
      if ((!need || i - runStart + 1 > this.o.maxRunPages) && runStart >= 0) {
        this.fetch(runStart, i - 1);
        runStart = need ? i : -1;
      }
    }
    this.evict();
  }

  /** Overwrite bytes locally (an edit the host is recording). */
  write(offset: number, data: Uint8Array): void {
    this.forPages(offset, offset + data.length, (p, pageStart) => {
      if (p.data) {
        for (let o = Math.max(offset, pageStart); o < Math.min(offset + data.length, pageStart + p.data.length); o++) {
          p.data[o - pageStart] = data[o - offset];
        }
      }
      p.epoch++; // a read in flight predates this edit
    });
  }

  /** These ranges changed on the host: keep showing the old bytes, fetch them again. */
  invalidate(ranges: ReadonlyArray<{ offset: number; length: number }> | 'all'): void {
    for (const [index, p] of this.pages) {
      const ps = index * this.o.pageSize;
      const pe = ps + this.o.pageSize;
      if (ranges === 'all' || ranges.some((r) => r.offset < pe && r.offset + r.length > ps)) {
        p.epoch++;
        p.stale = true;
        p.error = null;
      }
    }
  }

  /** True if every page of [start, end) is cached and current (see isCurrent). */
  isFresh(start: number, end: number): boolean {
    if (end <= start) return true;
    for (let i = this.pageOf(start); i <= this.pageOf(end - 1); i++) {
      const p = this.pages.get(i);
      if (!p || !isCurrent(p)) return false;
    }
    return true;
  }

  /**
   * Store bytes pushed by live refresh over the cached pages that are current (see isCurrent).
   * Returns the offsets whose value changed, and whether some cached page was skipped
   * (its coming read may be older than these bytes).
   */
  applyFresh(offset: number, data: Uint8Array): { changed: number[]; skipped: boolean } {
    const changed: number[] = [];
    let skipped = false;
    this.forPages(offset, offset + data.length, (p, pageStart) => {
      if (!isCurrent(p)) {
        skipped = true;
        return;
      }
      const end = Math.min(offset + data.length, pageStart + p.data.length);
      for (let o = Math.max(offset, pageStart); o < end; o++) {
        const v = data[o - offset];
        if (p.data[o - pageStart] !== v) {
          p.data[o - pageStart] = v;
          changed.push(o);
        }
      }
    });
    return { changed, skipped };
  }

  private pageOf(offset: number): number {
    return Math.floor(Math.max(0, offset) / this.o.pageSize);
  }

  private forPages(start: number, end: number, fn: (p: Page, pageStart: number, index: number) => void): void {
    if (end <= start) return;
    for (let i = this.pageOf(start); i <= this.pageOf(end - 1); i++) {
      const p = this.pages.get(i);
      if (p) fn(p, i * this.o.pageSize, i);
    }
  }

  private fetch(first: number, last: number): void {
    const offset = first * this.o.pageSize;
    const length = Math.min((last - first + 1) * this.o.pageSize, this.o.size - offset);
    const issued = new Map<number, number>();
    for (let i = first; i <= last; i++) {
      const p = this.pages.get(i)!;
      p.loadingEpoch = p.epoch;
      issued.set(i, p.epoch);
    }
    const run: Run = { first, last, controller: new AbortController() };
    this.runs.add(run);
    this.stats.reads++;
    this.stats.bytes += length;
    const settle = (fn: (p: Page, index: number) => void) => {
      this.runs.delete(run);
      for (const [i, epoch] of issued) {
        const p = this.pages.get(i);
        if (!p || p.loadingEpoch !== epoch) continue;
        p.loadingEpoch = -1;
        fn(p, i);
      }
      this.o.onUpdate();
    };
    this.o.read(offset, length, run.controller.signal).then(
      (data) => settle((p, i) => {
        if (p.epoch !== issued.get(i)) return; // edited or invalidated meanwhile: fetch again
        const from = (i - first) * this.o.pageSize;
        const want = Math.min(this.o.pageSize, this.o.size - i * this.o.pageSize);
        p.data = data.slice(from, Math.min(from + want, data.length));
        p.stale = false;
        p.error = data.length < from + want ? 'short read' : null;
        p.errorAt = Date.now();
      }),
      (err: unknown) => {
        if (run.controller.signal.aborted) {
          settle(() => undefined);
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        settle((p) => {
          p.error = message;
          p.errorAt = Date.now();
        });
        this.o.onError(message);
      },
    );
  }

  private evict(): void {
    if (this.pages.size <= this.o.maxPages) return;
    for (const index of this.pages.keys()) {
      if (this.pages.size <= this.o.maxPages) break;
      if (index >= this.pinFirst && index <= this.pinLast) continue;
      this.pages.delete(index);
      if (index === this.lastIndex) this.lastIndex = -1;
    }
  }
}
