// Texts and tick positions of the watch plot. Pure (no DOM).

/** Largest integer a double holds exactly; beyond it a value is the host's nearest double. */
const EXACT = 2 ** 53;

/** A value as the lanes show it: NaN "—", infinities "+∞"/"−∞", beyond 2^53 "≈…", else up to 6 significant digits. */
export function formatValue(v: number, unit?: string): string {
  let s: string;
  if (Number.isNaN(v)) return '—';
  if (v === Infinity) s = '+∞';
  else if (v === -Infinity) s = '−∞';
  else if (Math.abs(v) >= EXACT) s = `≈${v.toPrecision(6)}`;
  else if (Number.isInteger(v)) s = String(v);
  else s = trimZeros(Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4 ? v.toExponential(4) : v.toPrecision(6));
  return unit ? `${s} ${unit}` : s;
}

/** A rate of change per second. */
export function formatRate(v: number, unit?: string): string {
  if (Number.isNaN(v)) return '—';
  const s = formatValue(v);
  return `${v > 0 ? '+' : ''}${s}${unit ? ` ${unit}` : ''}/s`;
}

function trimZeros(s: string): string {
  return s.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
}

/** A time since the session started (ms) as "12.345 s" or "2:03.5" beyond a minute. */
export function formatTime(ms: number, step = 1): string {
  const decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  if (ms < 60_000) return `${(ms / 1000).toFixed(decimals)} s`;
  const m = Math.floor(ms / 60_000);
  const s = (ms - m * 60_000) / 1000;
  const ss = s.toFixed(decimals);
  return `${m}:${s < 10 ? '0' : ''}${ss}`;
}

/** A duration (the visible span) as "10 s", "500 ms", "2 min". */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Number(ms.toPrecision(3))} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number((ms / 60_000).toPrecision(3))} min`;
}

/** A "nice" step (1, 2, 5 x 10^k) giving about `count` ticks over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** Tick values from..to (inclusive) at multiples of step. */
export function ticks(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  if (!(step > 0) || !(to >= from)) return out;
  for (let k = Math.ceil(from / step); k * step <= to && out.length < 100; k++) out.push(k * step || 0); // never -0
  return out;
}
