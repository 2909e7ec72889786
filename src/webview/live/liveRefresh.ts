// Live refresh, webview side. The host polls the window this side watches (only while live
// refresh is on, not paused and the page is shown) and pushes what changed (viewWindow.ts).
// Here each byte a poll changed gets a "heat" level 3 that cools by one per period, so recent
// changes stand out and fade. Cooling runs on a local timer only while something is hot: a
// quiet segment costs no message and no repaint. Each step tells the editor which bytes' heat
// changed, so it repaints those cells only (a push repainting the whole grid cost more than
// the rest of the webview's work). A timeline (a recording) is never polled: its pushes heat the
// bytes a move changed, and heat cools one step per move instead of per period.

import { plural } from '../util/format';

export const MAX_HEAT = 3;
/** Above this many hot bytes the heat map is reset (a segment rewritten wholesale). */
const MAX_HOT_BYTES = 1 << 18;
/** The first cooling step waits this many periods: the next push is due after one. */
const FIRST_COOL_PERIODS = 1.5;

export interface LiveHost {
  /** The bytes or heat levels of these offsets changed (null: of any byte): paint again. */
  refreshed(cells: readonly number[] | null): void;
}

export class LiveRefresh {
  private periodMs = 0;
  private coolTimer: ReturnType<typeof setTimeout> | undefined;
  private heat = new Map<number, number>();
  paused = false;
  /** Bytes that changed in the last period. */
  lastChanged = 0;
  /** Pushes applied (diagnostics and tests). */
  refreshes = 0;
  /**
   * Cooling steps so far: a byte heated at step s shows MAX_HEAT - (steps - s), so anything
   * that changed with the bytes (an overlay's field) can show the same heat without a timer.
   */
  steps = 0;

  constructor(private readonly host: LiveHost) {}

  get enabled(): boolean {
    return this.periodMs > 0;
  }

  setPeriod(ms: number): void {
    this.periodMs = Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
    if (!this.enabled) this.stopCooling();
  }

  /** The host should poll now (on, not paused, the page shown). */
  get polling(): boolean {
    return this.enabled && !this.paused && !document.hidden;
  }

  /** Paused: the picture (heat included) stays as it is. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) this.stopCooling();
    else this.armCooling(1);
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

  /** A poll found these bytes changed (another process wrote them). */
  polled(changed: readonly number[]): void {
    if (!this.enabled || this.paused) return; // sent before we stopped watching
    this.heatUp(changed, this.cool());
    this.armCooling(FIRST_COOL_PERIODS);
  }

  /** A timeline moved to another moment: what was hot cools one step (its push heats what the move changed). */
  moved(): void {
    const cells = this.cool();
    if (cells.length > 0) this.host.refreshed(cells);
  }

  /** A timeline's push: these bytes differ from the moment shown before. No timer: moves cool them. */
  framed(changed: readonly number[]): void {
    this.heatUp(changed, []);
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
      const cells = this.cool();
      this.lastChanged = 0;
      this.host.refreshed(cells);
      this.armCooling(1);
    }, this.periodMs * periods);
  }

  private stopCooling(): void {
    if (this.coolTimer) clearTimeout(this.coolTimer);
    this.coolTimer = undefined;
  }

  /** Heat these bytes to MAX_HEAT and repaint them with `cells` (a rewrite too large: everything). */
  private heatUp(changed: readonly number[], cells: number[]): void {
    let repaint: number[] | null = cells;
    if (this.heat.size + changed.length > MAX_HOT_BYTES) {
      this.heat.clear();
      repaint = null;
    }
    for (const o of changed) {
      this.heat.set(o, MAX_HEAT);
      repaint?.push(o); // its byte changed too
    }
    this.lastChanged = changed.length;
    this.refreshes++;
    this.host.refreshed(repaint);
  }

  /** One step cooler; returns the offsets whose level changed (all that were hot). */
  private cool(): number[] {
    this.steps++;
    const cooled: number[] = [];
    for (const [o, h] of this.heat) {
      if (h <= 1) this.heat.delete(o);
      else this.heat.set(o, h - 1);
      cooled.push(o);
    }
    return cooled;
  }
}
