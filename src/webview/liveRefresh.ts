// Live refresh: every N ms re-read the visible rows (not while the webview is hidden or
// paused), store them in the cache and give bytes that changed a "heat" level 3 that
// cools by one per refresh, so recent changes stand out and fade.

import { plural } from './format';
import type { PageCache } from './pageCache';

export const MAX_HEAT = 3;
/** Above this many hot bytes the heat map is reset (a segment rewritten wholesale). */
const MAX_HOT_BYTES = 1 << 18;

export interface LiveHost {
  cache: PageCache;
  /** Bytes in view: [start, end). */
  visibleRange(): { start: number; end: number };
  /** False while refreshing makes no sense (segment gone, no document). */
  canRefresh(): boolean;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** New bytes or heat levels: paint again. */
  refreshed(): void;
  error(message: string): void;
}

export class LiveRefresh {
  private periodMs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private lastError = '';
  private heat = new Map<number, number>();
  paused = false;
  /** Bytes that changed in the last refresh. */
  lastChanged = 0;
  refreshes = 0;

  constructor(private readonly host: LiveHost) {}

  get enabled(): boolean {
    return this.periodMs > 0;
  }

  setPeriod(ms: number): void {
    const period = Number.isFinite(ms) && ms > 0 ? Math.max(50, Math.floor(ms)) : 0;
    if (period === this.periodMs) return;
    this.periodMs = period;
    this.reschedule();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.reschedule();
  }

  /** 0 (not recently changed) .. MAX_HEAT (changed in the last refresh). */
  heatOf(offset: number): number {
    return this.heat.size === 0 ? 0 : this.heat.get(offset) ?? 0;
  }

  statusText(): string {
    if (!this.enabled) return '';
    if (this.paused) return 'Live refresh paused';
    return `Live: ${plural(this.lastChanged, 'byte')} changed`;
  }

  dispose(): void {
    this.periodMs = 0;
    this.reschedule();
  }

  private reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.periodMs > 0 && !this.paused && !this.running) {
      this.timer = setTimeout(() => void this.tick(), this.periodMs);
    }
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (document.hidden || !this.host.canRefresh()) {
      this.reschedule();
      return;
    }
    const { start, end } = this.host.visibleRange();
    if (end <= start) {
      this.reschedule();
      return;
    }
    this.running = true;
    const epochs = this.host.cache.epochs(start, end);
    try {
      const data = await this.host.read(start, end - start);
      const changed = this.host.cache.applyFresh(start, data, epochs);
      this.cool();
      if (this.heat.size + changed.length > MAX_HOT_BYTES) this.heat.clear();
      for (const o of changed) this.heat.set(o, MAX_HEAT);
      this.lastChanged = changed.length;
      this.refreshes++;
      this.lastError = '';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.host.error(`Live refresh failed: ${message}`);
      this.lastError = message;
    } finally {
      this.running = false;
    }
    this.host.refreshed();
    this.reschedule();
  }

  private cool(): void {
    for (const [o, h] of this.heat) {
      if (h <= 1) this.heat.delete(o);
      else this.heat.set(o, h - 1);
    }
  }
}
