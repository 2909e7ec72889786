// Live refresh, webview side. The host polls the range this side `watch`es (the rows in
// view; nothing while paused, hidden or off) and pushes the bytes that changed. Here they go
// into the cache, and each changed byte gets a "heat" level 3 that cools by one per period,
// so recent changes stand out and fade. Cooling runs on a local timer only while something
// is hot: a quiet segment costs no message and no repaint.

import type { LiveUpdate } from '../protocol/webview';
import { plural } from './format';
import type { PageCache } from './pageCache';

export const MAX_HEAT = 3;
/** Above this many hot bytes the heat map is reset (a segment rewritten wholesale). */
const MAX_HOT_BYTES = 1 << 18;
/** The first cooling step waits this many periods: the next push is due after one. */
const FIRST_COOL_PERIODS = 1.5;

export interface LiveHost {
  cache: PageCache;
  /** Bytes in view: [start, end). */
  visibleRange(): { start: number; end: number };
  /** Ask the host to poll [offset, offset+length) (length 0: stop) and push all of it next. */
  watch(offset: number, length: number): void;
  /** False while pushed bytes must not be applied (an edit is on its way to the host). */
  canApply(): boolean;
  /** New bytes or heat levels: paint again. */
  refreshed(): void;
  error(message: string): void;
}

export class LiveRefresh {
  private periodMs = 0;
  private coolTimer: ReturnType<typeof setTimeout> | undefined;
  private lastError = '';
  private heat = new Map<number, number>();
  private watched = { offset: 0, length: 0 };
  /** The bytes we hold may be older than what the host last pushed: ask for all of them. */
  private resyncWanted = false;
  paused = false;
  /** Bytes that changed in the last period. */
  lastChanged = 0;
  /** Pushes applied (diagnostics and tests). */
  refreshes = 0;

  constructor(private readonly host: LiveHost) {}

  get enabled(): boolean {
    return this.periodMs > 0;
  }

  setPeriod(ms: number): void {
    this.periodMs = Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
    if (!this.enabled) this.stopCooling();
    this.sync();
  }

  /** Paused: the picture (heat included) stays as it is. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) this.stopCooling();
    else this.armCooling(1);
    this.sync();
  }

  /** 0 (not recently changed) .. MAX_HEAT (changed in the last period). */
  heatOf(offset: number): number {
    return this.heat.size === 0 ? 0 : this.heat.get(offset) ?? 0;
  }

  statusText(): string {
    if (!this.enabled) return '';
    if (this.paused) return 'Live refresh paused';
    return `Live: ${plural(this.lastChanged, 'byte')} changed`;
  }

  /**
   * Tell the host what to poll if that changed (call after each paint, and when the page is
   * hidden or shown). A wanted resync waits until the rows in view are loaded.
   */
  sync(): void {
    let offset = 0;
    let length = 0;
    if (this.enabled && !this.paused && !document.hidden) {
      const r = this.host.visibleRange();
      if (r.end > r.start) {
        offset = r.start;
        length = r.end - r.start;
      }
    }
    const moved = offset !== this.watched.offset || length !== this.watched.length;
    const resync = this.resyncWanted && length > 0 && this.host.canApply() && this.host.cache.isFresh(offset, offset + length);
    if (!moved && !resync) return;
    this.resyncWanted = false;
    this.watched = { offset, length };
    this.host.watch(offset, length);
  }

  /** Pages were (re)loaded: their bytes may predate the host's last push. */
  pagesLoaded(): void {
    if (this.watched.length > 0) this.resyncWanted = true;
  }

  /** A push from the host. */
  onUpdate(update: LiveUpdate): void {
    if ('error' in update) {
      if (update.error !== this.lastError) this.host.error(`Live refresh failed: ${update.error}`);
      this.lastError = update.error;
      return;
    }
    this.lastError = '';
    if (!this.enabled || this.paused || this.watched.length === 0) return; // sent before we stopped watching
    if (!this.host.canApply()) {
      this.resyncWanted = true;
      return;
    }
    const { changed, skipped } = this.host.cache.applyFresh(update.offset, update.data);
    if (skipped) this.resyncWanted = true;
    this.cool();
    if (this.heat.size + changed.length > MAX_HOT_BYTES) this.heat.clear();
    for (const o of changed) this.heat.set(o, MAX_HEAT);
    this.lastChanged = changed.length;
    this.refreshes++;
    this.armCooling(FIRST_COOL_PERIODS);
    this.host.refreshed();
  }

  dispose(): void {
    this.periodMs = 0;
    this.stopCooling();
  }

  /** No push for a period means nothing changed in it: cool one step (until nothing is hot). */
  private armCooling(periods: number): void {
    this.stopCooling();
    if (!this.enabled || this.paused || (this.heat.size === 0 && this.lastChanged === 0)) return;
    this.coolTimer = setTimeout(() => {
      this.coolTimer = undefined;
      this.cool();
      this.lastChanged = 0;
      this.host.refreshed();
      this.armCooling(1);
    }, this.periodMs * periods);
  }

  private stopCooling(): void {
    if (this.coolTimer) clearTimeout(this.coolTimer);
    this.coolTimer = undefined;
  }

  private cool(): void {
    for (const [o, h] of this.heat) {
      if (h <= 1) this.heat.delete(o);
      else this.heat.set(o, h - 1);
    }
  }
}
