// Times of a recording as the timeline strip writes and reads them (ms since the recording
// started). Pure functions: no DOM.

/** "250.000 ms", "1.250 s", "2:05.250" (min:s), "1:02:05.250" (h:min:s). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) < 1000) return `${ms.toFixed(3)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(3)} s`;
  // Rounded to the ms once, so 59.9996 s never reads "0:60.000".
  const total = Math.round(ms);
  const s = ((total % 60_000) / 1000).toFixed(3).padStart(6, '0');
  const min = Math.floor(total / 60_000);
  return min < 60 ? `${min}:${s}` : `${Math.floor(min / 60)}:${String(min % 60).padStart(2, '0')}:${s}`;
}

/** Wall-clock time of day with ms ("12:01:33.250"), local time. */
export function formatClock(wallMs: number): string {
  const d = new Date(wallMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export type ParsedTime = { ok: true; ms: number } | { ok: false; error: string };

/** What the "go to time" box accepts: ms (1500, 1500ms, 12.5) or seconds (1.5s). */
export function parseTime(text: string): ParsedTime {
  if (!text.trim()) return { ok: false, error: 'Enter a time: ms (1500) or seconds (1.5s)' };
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)?\s*$/i.exec(text);
  if (!m) return { ok: false, error: `'${text.trim()}' is not a time: give ms (1500) or seconds (1.5s)` };
  const unit = m[2] as string | undefined; // absent when no unit was typed
  const n = Number(m[1]) * (unit?.toLowerCase() === 's' ? 1000 : 1);
  return Number.isFinite(n) ? { ok: true, ms: n } : { ok: false, error: `'${text.trim()}' is too large a time` };
}
