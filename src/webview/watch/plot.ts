// Draws one lane: a series over a time range on a canvas. Where the range holds fewer samples
// than twice the pixel columns, a line through every sample; else each column is reduced to
// first / min / max / last (Series.reduce), so a lane costs at most 4 vertices per column
// however many samples it covers. NaN breaks the line; +/-Infinity reaches the lane's edge.

import { emptyColumn, type Series } from './series';

export interface LaneFrame {
  /** Visible time range, ms. */
  t0: number;
  t1: number;
  /** Size in CSS pixels and the device pixel ratio. */
  width: number;
  height: number;
  dpr: number;
  /** Value range of the lane (bottom, top). */
  yMin: number;
  yMax: number;
  /** x positions (CSS px) of the time grid lines. */
  gridX: readonly number[];
  /** A trigger level to draw as a dashed line, if any. */
  level?: number;
}

export interface LaneStyle {
  line: string;
  grid: string;
  level: string;
  lineWidth: number;
}

export interface DrawResult {
  /** Samples in the visible range. */
  points: number;
  /** Vertices of the path drawn. */
  vertices: number;
}

/** Space kept above and below the data, CSS px. */
const PAD = 4;

export function drawLane(ctx: CanvasRenderingContext2D, series: Series, f: LaneFrame, style: LaneStyle): DrawResult {
  ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
  ctx.clearRect(0, 0, f.width, f.height);
  const span = f.t1 - f.t0;
  if (!(span > 0) || f.width < 2 || f.height < 2) return { points: 0, vertices: 0 };

  ctx.lineWidth = 1;
  ctx.strokeStyle = style.grid;
  ctx.beginPath();
  for (const gx of f.gridX) {
    ctx.moveTo(Math.round(gx) + 0.5, 0);
    ctx.lineTo(Math.round(gx) + 0.5, f.height);
  }
  ctx.stroke();

  const inner = f.height - 2 * PAD;
  const yRange = f.yMax - f.yMin || 1;
  const y = (v: number): number => {
    if (v === Infinity) return 0;
    if (v === -Infinity) return f.height;
    const p = f.height - PAD - ((v - f.yMin) / yRange) * inner;
    return Math.max(0, Math.min(f.height, p));
  };
  const x = (t: number): number => ((t - f.t0) / span) * f.width;

  if (f.level !== undefined && Number.isFinite(f.level)) {
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = style.level;
    ctx.beginPath();
    ctx.moveTo(0, Math.round(y(f.level)) + 0.5);
    ctx.lineTo(f.width, Math.round(y(f.level)) + 0.5);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  ctx.strokeStyle = style.line;
  ctx.lineWidth = style.lineWidth;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  let vertices = 0;
  let open = false;
  const to = (px: number, py: number): void => {
    if (open) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    open = true;
    vertices++;
  };
  const point = (px: number, v: number): void => {
    if (Number.isNaN(v)) open = false;
    else to(px, y(v));
  };

  const columns = Math.ceil(f.width);
  const points = series.countIn(f.t0, f.t1);
  if (points <= 2 * columns) {
    // Sparse: every sample, plus the neighbours just outside so the line reaches both edges.
    const left = series.before(f.t0);
    if (left) point(x(left.t), left.v);
    series.forEachIn(f.t0, f.t1, (t, v) => point(x(t), v));
    const right = series.atOrAfter(f.t1);
    if (right) point(x(right.t), right.v);
  } else {
    const col = emptyColumn();
    const dt = span / columns;
    let i0 = series.lowerBound(f.t0);
    for (let c = 0; c < columns; c++) {
      const i1 = series.lowerBoundFrom(f.t0 + (c + 1) * dt, i0);
      series.reduceIndices(i0, i1, col);
      i0 = i1;
      if (col.n === 0) continue;
      const px = c + 0.5;
      const hasFinite = col.min <= col.max;
      if (!hasFinite && !col.posInf && !col.negInf) {
        open = false; // only NaN: a gap
        continue;
      }
      const lo = col.negInf ? -Infinity : hasFinite ? col.min : Infinity;
      const hi = col.posInf ? Infinity : hasFinite ? col.max : -Infinity;
      point(px, col.first);
      to(px, y(lo));
      to(px, y(hi));
      point(px, col.last);
      if (col.nan) open = false;
    }
  }
  ctx.stroke();
  return { points, vertices };
}
