// One watched value's samples in the webview: a ring buffer of (t, v) with a min/max summary per
// block of BLOCK samples, so reducing any time range to per-pixel-column min/max costs about
// (columns x log n + columns x 2 x BLOCK) however many samples the range holds. Pure (no DOM).

/** Samples per summary block (a power of two). */
export const BLOCK = 64;

/** A pixel column's reduction: the finite min/max, first and last value, and non-finite flags. */
export interface Column {
  /** Samples in the column. */
  n: number;
  first: number;
  last: number;
  /** Finite min / max (Infinity / -Infinity when the column holds no finite value). */
  min: number;
  max: number;
  nan: boolean;
  posInf: boolean;
  negInf: boolean;
}

export interface SeriesStats {
  current: number;
  /** Finite min / max of every sample received (NaN when none was finite). */
  min: number;
  max: number;
  /** Change per second over about the last second (NaN with fewer than two finite samples). */
  rate: number;
}

const F_NAN = 1;
const F_POS = 2;
const F_NEG = 4;

function flagOf(v: number): number {
  if (Number.isNaN(v)) return F_NAN;
  if (v === Infinity) return F_POS;
  if (v === -Infinity) return F_NEG;
  return 0;
}

export class Series {
  private readonly t: Float64Array;
  private readonly v: Float64Array;
  private readonly bMin: Float64Array;
  private readonly bMax: Float64Array;
  private readonly bFlags: Uint8Array;
  /** Samples pushed in all (absolute index of the next one). */
  private total = 0;
  private runMin = Infinity;
  private runMax = -Infinity;

  /** capacity: samples kept (rounded up to a multiple of BLOCK); older ones are overwritten. */
  constructor(capacity: number) {
    const cap = Math.max(BLOCK, Math.ceil(capacity / BLOCK) * BLOCK);
    this.t = new Float64Array(cap);
    this.v = new Float64Array(cap);
    this.bMin = new Float64Array(cap / BLOCK);
    this.bMax = new Float64Array(cap / BLOCK);
    this.bFlags = new Uint8Array(cap / BLOCK);
  }

  get capacity(): number { return this.t.length; }
  /** Samples held now. */
  get length(): number { return Math.min(this.total, this.t.length); }
  /** Absolute index of the oldest sample held. */
  private get first(): number { return this.total - this.length; }
  get firstTime(): number { return this.length ? this.timeAt(this.first) : NaN; }
  get lastTime(): number { return this.length ? this.timeAt(this.total - 1) : NaN; }

  private timeAt(abs: number): number { return this.t[abs % this.t.length]; }
  private valueAt(abs: number): number { return this.v[abs % this.v.length]; }

  /** Append samples; one not later than the last held is dropped (returns how many were kept). */
  push(ts: ArrayLike<number>, vs: ArrayLike<number>): number {
    let kept = 0;
    let last = this.length ? this.lastTime : -Infinity;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i];
      if (!(t > last) || !Number.isFinite(t)) continue;
      last = t;
      this.append(t, vs[i]);
      kept++;
    }
    return kept;
  }

  private append(t: number, v: number): void {
    const cap = this.t.length;
    const slot = this.total % cap;
    this.t[slot] = t;
    this.v[slot] = v;
    const b = Math.floor(slot / BLOCK);
    const f = flagOf(v);
    if (slot % BLOCK === 0) {
      this.bMin[b] = Infinity;
      this.bMax[b] = -Infinity;
      this.bFlags[b] = 0;
    }
    this.bFlags[b] |= f;
    if (f === 0) {
      if (v < this.bMin[b]) this.bMin[b] = v;
      if (v > this.bMax[b]) this.bMax[b] = v;
      if (v < this.runMin) this.runMin = v;
      if (v > this.runMax) this.runMax = v;
    }
    this.total++;
  }

  /** Absolute index of the first sample held with time >= t (this.total if none). */
  lowerBound(t: number): number {
    let lo = this.first;
    let hi = this.total;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The value held at time t: the last sample at or before t (NaN before the first). */
  valueAtTime(t: number): { t: number; v: number } | undefined {
    const i = this.lowerBound(t);
    const at = i < this.total && this.timeAt(i) === t ? i : i - 1;
    if (at < this.first) return undefined;
    return { t: this.timeAt(at), v: this.valueAt(at) };
  }

  /** Samples held with from <= t < to. */
  countIn(from: number, to: number): number {
    return this.lowerBound(to) - this.lowerBound(from);
  }

  /**
   * lowerBound(t) for a t at or after the sample at absolute index `from` (>= the oldest held):
   * gallops from there, so consecutive pixel columns cost O(log samples per column) each.
   */
  lowerBoundFrom(t: number, from: number): number {
    let lo = Math.max(from, this.first);
    let step = 1;
    let hi = lo;
    while (hi < this.total && this.timeAt(hi) < t) {
      lo = hi + 1;
      hi = lo + step;
      step *= 2;
    }
    hi = Math.min(hi, this.total);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Reduce samples in [from, to) into `out`, using block summaries for whole blocks. */
  reduce(from: number, to: number, out: Column): Column {
    return this.reduceIndices(this.lowerBound(from), this.lowerBound(to), out);
  }

  /** Reduce the samples at absolute indices [i0, i1) (from lowerBound / lowerBoundFrom). */
  reduceIndices(i0: number, i1: number, out: Column): Column {
    out.n = i1 - i0;
    out.min = Infinity;
    out.max = -Infinity;
    out.nan = out.posInf = out.negInf = false;
    if (out.n <= 0) {
      out.n = 0;
      out.first = out.last = NaN;
      return out;
    }
    out.first = this.valueAt(i0);
    out.last = this.valueAt(i1 - 1);
    let flags = 0;
    let i = i0;
    while (i < i1) {
      const slot = i % this.t.length;
      if (slot % BLOCK === 0 && i + BLOCK <= i1) {
        const b = slot / BLOCK;
        flags |= this.bFlags[b];
        if (this.bMin[b] < out.min) out.min = this.bMin[b];
        if (this.bMax[b] > out.max) out.max = this.bMax[b];
        i += BLOCK;
        continue;
      }
      const v = this.v[slot];
      const f = flagOf(v);
      flags |= f;
      if (f === 0) {
        if (v < out.min) out.min = v;
        if (v > out.max) out.max = v;
      }
      i++;
    }
    out.nan = (flags & F_NAN) !== 0;
    out.posInf = (flags & F_POS) !== 0;
    out.negInf = (flags & F_NEG) !== 0;
    return out;
  }

  /** Visit each sample in [from, to) (for sparse ranges: the caller checks countIn first). */
  forEachIn(from: number, to: number, fn: (t: number, v: number) => void): void {
    const end = this.lowerBound(to);
    for (let i = this.lowerBound(from); i < end; i++) fn(this.timeAt(i), this.valueAt(i));
  }

  /** The sample just before time t, if held (to continue a line from the left edge). */
  before(t: number): { t: number; v: number } | undefined {
    const i = this.lowerBound(t) - 1;
    return i >= this.first ? { t: this.timeAt(i), v: this.valueAt(i) } : undefined;
  }

  /** The sample at or after time t, if held (to continue a line to the right edge). */
  atOrAfter(t: number): { t: number; v: number } | undefined {
    const i = this.lowerBound(t);
    return i < this.total ? { t: this.timeAt(i), v: this.valueAt(i) } : undefined;
  }

  stats(): SeriesStats {
    if (!this.total) return { current: NaN, min: NaN, max: NaN, rate: NaN };
    const lastAbs = this.total - 1;
    const current = this.valueAt(lastAbs);
    return {
      current,
      min: this.runMin <= this.runMax ? this.runMin : NaN,
      max: this.runMin <= this.runMax ? this.runMax : NaN,
      rate: this.rate(),
    };
  }

  /**
   * (v_now - v_then) / seconds between them, where now is the newest finite sample and then the
   * newest finite sample at least one second older (else the oldest finite one held).
   */
  private rate(): number {
    let now = this.total - 1;
    while (now >= this.first && !Number.isFinite(this.valueAt(now))) now--;
    if (now < this.first) return NaN;
    const tNow = this.timeAt(now);
    let then = Math.min(this.lowerBound(tNow - 1000), now);
    if (this.timeAt(then) > tNow - 1000 && then > this.first) then--;
    while (then < now && !Number.isFinite(this.valueAt(then))) then++;
    if (then >= now) return NaN;
    return (this.valueAt(now) - this.valueAt(then)) / ((tNow - this.timeAt(then)) / 1000);
  }

  /** Finite min/max over [from, to) (for the lane's y-scale). */
  range(from: number, to: number): { min: number; max: number } {
    const c = this.reduce(from, to, emptyColumn());
    return { min: c.min, max: c.max };
  }
}

export function emptyColumn(): Column {
  return { n: 0, first: NaN, last: NaN, min: Infinity, max: -Infinity, nan: false, posInf: false, negInf: false };
}
