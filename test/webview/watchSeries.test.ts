// The watch plot's pure parts in Node: the ring buffer with per-block min/max (what each pixel
// column of a lane is reduced to, checked against a plain scan, across the ring's wrap), the
// value held at a time, the read-outs' statistics and texts.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadWebviewModule } from './harness';

interface Column { n: number; first: number; last: number; min: number; max: number; nan: boolean; posInf: boolean; negInf: boolean }
interface SeriesLike {
  readonly capacity: number;
  readonly length: number;
  readonly firstTime: number;
  readonly lastTime: number;
  push(t: ArrayLike<number>, v: ArrayLike<number>): number;
  valueAtTime(t: number): { t: number; v: number } | undefined;
  countIn(from: number, to: number): number;
  reduce(from: number, to: number, out: Column): Column;
  lowerBound(t: number): number;
  lowerBoundFrom(t: number, from: number): number;
  stats(): { current: number; min: number; max: number; rate: number };
}
const S = loadWebviewModule<{ Series: new (capacity: number) => SeriesLike; emptyColumn(): Column; BLOCK: number }>('watch/series');
const F = loadWebviewModule<{
  formatValue(v: number, unit?: string): string;
  formatRate(v: number, unit?: string): string;
  formatTime(ms: number, step?: number): string;
  niceStep(span: number, count: number): number;
  ticks(from: number, to: number, step: number): number[];
}>('watch/format');

/** What reduce should give, by scanning the samples themselves. */
function scan(ts: number[], vs: number[], from: number, to: number): Column {
  const c = S.emptyColumn();
  const idx = ts.map((t, i) => (t >= from && t < to ? i : -1)).filter((i) => i >= 0);
  c.n = idx.length;
  if (!idx.length) return c;
  c.first = vs[idx[0]];
  c.last = vs[idx[idx.length - 1]];
  for (const i of idx) {
    const v = vs[i];
    if (Number.isNaN(v)) c.nan = true;
    else if (v === Infinity) c.posInf = true;
    else if (v === -Infinity) c.negInf = true;
    else {
      c.min = Math.min(c.min, v);
      c.max = Math.max(c.max, v);
    }
  }
  return c;
}

describe('watch series', () => {
  it('reduces any range to the same column a plain scan gives, across the ring buffer wrap', () => {
    const s = new S.Series(1000); // 1024 kept (16 blocks)
    assert.equal(s.capacity, 1024);
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < 3000; i++) {
      ts.push(i * 2);
      const r = rnd();
      vs.push(r < 0.01 ? Number.NaN : r < 0.015 ? Infinity : r < 0.02 ? -Infinity : Math.round((r - 0.5) * 1e6));
    }
    // In uneven batches, so blocks fill across pushes.
    for (let i = 0; i < ts.length;) {
      const n = 1 + Math.floor(rnd() * 150);
      s.push(ts.slice(i, i + n), vs.slice(i, i + n));
      i += n;
    }
    assert.equal(s.length, 1024);
    const kept = { t: ts.slice(-1024), v: vs.slice(-1024) };
    assert.equal(s.firstTime, kept.t[0]);
    assert.equal(s.lastTime, 5998);
    const out = S.emptyColumn();
    for (let k = 0; k < 400; k++) {
      const a = Math.floor(rnd() * 6200) - 100;
      const b = a + Math.floor(rnd() * 2500);
      assert.deepEqual({ ...s.reduce(a, b, out) }, scan(kept.t, kept.v, a, b), `[${a}, ${b})`);
      assert.equal(s.lowerBoundFrom(b, s.lowerBound(a)), s.lowerBound(b), `galloping from ${a} to ${b}`);
    }
  });

  it('drops samples not later than the last, and reads the value held at a time', () => {
    const s = new S.Series(64);
    assert.equal(s.push([10, 20, 20, 15, 30, Number.NaN, 40], [1, 2, 99, 98, 3, 97, 4]), 4);
    assert.equal(s.countIn(0, 100), 4);
    assert.equal(s.valueAtTime(5), undefined);
    assert.deepEqual(s.valueAtTime(10), { t: 10, v: 1 });
    assert.deepEqual(s.valueAtTime(29.9), { t: 20, v: 2 });
    assert.deepEqual(s.valueAtTime(1e9), { t: 40, v: 4 });
  });

  it('gives current, finite min / max and the change per second over the last second', () => {
    const s = new S.Series(64);
    assert.ok(Number.isNaN(s.stats().current));
    s.push([0, 250, 500, 750, 1000, 1250, 1500], [5, Infinity, 7, Number.NaN, 9, -Infinity, 11]);
    const st = s.stats();
    assert.equal(st.current, 11);
    assert.equal(st.min, 5);
    assert.equal(st.max, 11);
    assert.equal(st.rate, (11 - 7) / 1, 'from the newest finite sample at least 1 s older (t=500)');
    const one = new S.Series(64);
    one.push([3], [42]);
    assert.ok(Number.isNaN(one.stats().rate), 'one sample: no rate');
  });
});

describe('watch texts', () => {
  it('formats values, including the ones a double cannot hold exactly', () => {
    assert.equal(F.formatValue(42), '42');
    assert.equal(F.formatValue(-0.5, 'V'), '-0.5 V');
    assert.equal(F.formatValue(1 / 3), '0.333333');
    assert.equal(F.formatValue(Number.NaN, 'V'), '—');
    assert.equal(F.formatValue(Infinity), '+∞');
    assert.equal(F.formatValue(-Infinity, 'V'), '−∞ V');
    assert.equal(F.formatValue(2 ** 53 - 1), '9007199254740991');
    assert.equal(F.formatValue(2 ** 64), '≈1.84467e+19');
    assert.equal(F.formatValue(1.5e-7), '1.5e-7');
    assert.equal(F.formatRate(300, 'V'), '+300 V/s');
    assert.equal(F.formatRate(-8), '-8/s');
    assert.equal(F.formatRate(Number.NaN), '—');
  });

  it('formats times and picks 1-2-5 ticks', () => {
    assert.equal(F.formatTime(1234.5), '1.234 s');
    assert.equal(F.formatTime(2000, 1000), '2 s');
    assert.equal(F.formatTime(123_400, 100), '2:03.4');
    assert.equal(F.niceStep(10_000, 8), 2000);
    assert.equal(F.niceStep(10_000, 4), 5000);
    assert.equal(F.niceStep(0.3, 3), 0.1);
    assert.deepEqual(F.ticks(-10, 9990, 2000), [0, 2000, 4000, 6000, 8000]);
  });
});
