// The timeline strip's picture: one bar per bin of the overview (the most bytes a frame of the
// bin changed) on a log scale, so a 1-byte change stays visible next to a 1 MiB one, a faint
// tick where a bin holds frames that changed nothing, and the cursor at the moment shown.
// Also the strip's geometry (x <-> time, bin under x), shared with the pointer handling.

import type { TimelineOverview } from '../../protocol/timeline';

export interface StripStyle {
  bar: string;
  /** Bins with frames but no change. */
  quiet: string;
  cursor: string;
}

/** Space kept above the tallest bar, CSS px. */
const TOP_PAD = 2;
/** Shortest bar of a bin that changed anything, CSS px (taller than a quiet bin's tick). */
const MIN_BAR = 3;
/** Height of the tick of a bin whose frames changed nothing, CSS px. */
const QUIET_TICK = 1.5;

/** The time range the strip spans: its bins, or the frames if they reach further. */
export function stripSpan(ov: TimelineOverview): { t0: number; span: number } {
  const span = Math.max(ov.changed.length * ov.binMs, ov.lastMs - ov.firstMs);
  return { t0: ov.firstMs, span: span > 0 ? span : 1 };
}

/** The time at x (CSS px) in a strip `width` wide, within the recording's first and last frame. */
export function timeAtX(ov: TimelineOverview, x: number, width: number): number {
  const { t0, span } = stripSpan(ov);
  const t = t0 + (width > 0 ? (x / width) * span : 0);
  return Math.min(ov.lastMs, Math.max(ov.firstMs, t));
}

/** The bin holding time t (clamped to the bins). */
export function binAt(ov: TimelineOverview, t: number): number {
  const i = Math.floor((t - ov.firstMs) / (ov.binMs > 0 ? ov.binMs : 1));
  return Math.min(ov.changed.length - 1, Math.max(0, i));
}

export function drawStrip(ctx: CanvasRenderingContext2D, ov: TimelineOverview, cursorT: number, size: { width: number; height: number; dpr: number }, style: StripStyle): void {
  const { width, height, dpr } = size;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (width < 2 || height < 2) return;
  const { t0, span } = stripSpan(ov);
  const x = (t: number) => ((t - t0) / span) * width;
  const n = ov.changed.length;
  const max = Math.max(0, ...ov.changed);
  const scale = max > 0 ? (height - TOP_PAD) / Math.log2(1 + max) : 0;
  for (let i = 0; i < n; i++) {
    if (!(ov.counts[i] > 0)) continue;
    const left = x(t0 + i * ov.binMs);
    // At least a pixel wide: with more bins than pixels, neighbours share a column.
    const w = Math.max(1, x(t0 + (i + 1) * ov.binMs) - left);
    const v = ov.changed[i];
    if (v > 0) {
      const h = Math.max(MIN_BAR, Math.log2(1 + v) * scale);
      ctx.fillStyle = style.bar;
      ctx.fillRect(left, height - h, w, h);
    } else {
      ctx.fillStyle = style.quiet;
      ctx.fillRect(left, height - QUIET_TICK, w, QUIET_TICK);
    }
  }
  const cx = Math.min(width - 1, Math.max(1, x(cursorT)));
  ctx.fillStyle = style.cursor;
  ctx.fillRect(Math.round(cx) - 1, 0, 2, height);
}
