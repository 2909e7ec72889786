// What the user types and reads about recordings: the range to record, the status bar's text,
// one line per recording in lists, file names. Pure (no vscode), so unit tests reach it all.
import { MAX_RECORD_RANGE } from '../../protocol/recording';
import { formatKey } from '../../protocol/segment';
import { formatSize } from '../../protocol/size';
import { type Parsed, parseSize } from '../format';

export interface ByteRange {
  offset: number;
  length: number;
}

/** An offset: 0 included (parseSize wants at least 1 byte). */
function parseOffset(text: string): Parsed<number> {
  return /^\s*(0x)?0+\s*$/i.test(text) ? { ok: true, value: 0 } : parseSize(text);
}

/**
 * The range to record: empty = the whole segment; `OFFSET+LENGTH` or `START-END` (END excluded),
 * each decimal, 0x hex or with a unit (4K). Checked against the segment's size.
 */
export function parseRange(text: string, size: number): Parsed<ByteRange> {
  const r = parseRangeText(text, size);
  if (r.ok && r.value.length > MAX_RECORD_RANGE) return { ok: false, error: `at most ${formatSize(MAX_RECORD_RANGE)} are recorded at a time (${formatSize(r.value.length)} asked): choose a range` };
  return r;
}

function parseRangeText(text: string, size: number): Parsed<ByteRange> {
  const t = text.trim();
  if (!t) return { ok: true, value: { offset: 0, length: size } };
  const m = /^([^+-]+)([+-])([^+-]+)$/.exec(t);
  if (!m) return { ok: false, error: `"${t}" is not a range: use OFFSET+LENGTH (0x100+64) or START-END (0x100-0x200), or leave empty for the whole segment` };
  const a = parseOffset(m[1]);
  if (!a.ok) return { ok: false, error: `start: ${a.error}` };
  const b = m[2] === '+' ? parseSize(m[3]) : parseOffset(m[3]);
  if (!b.ok) return { ok: false, error: `${m[2] === '+' ? 'length' : 'end'}: ${b.error}` };
  const offset = a.value;
  const length = m[2] === '+' ? b.value : b.value - offset;
  if (length <= 0) return { ok: false, error: `the end (${b.value}) must be after the start (${offset})` };
  if (offset + length > size) return { ok: false, error: `${offset}+${length} is past the end of the segment (${size} bytes)` };
  return { ok: true, value: { offset, length } };
}

/** "1:05", "12.3 s": elapsed time for the status bar and lists. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.floor(s);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = String(whole % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export interface ProgressFigures {
  elapsedMs: number;
  frames: number;
  bytes: number;
}

/** The status bar item's text while recording (one recording or several). */
export function statusText(running: readonly ProgressFigures[]): string {
  if (running.length === 0) return '';
  const frames = running.reduce((n, r) => n + r.frames, 0);
  const bytes = running.reduce((n, r) => n + r.bytes, 0);
  const elapsed = Math.max(...running.map((r) => r.elapsedMs));
  const what = running.length === 1 ? 'REC' : `REC ×${running.length}`;
  return `$(record) ${what} ${formatDuration(elapsed)} · ${frames.toLocaleString('en-US')} frame${frames === 1 ? '' : 's'} · ${formatSize(bytes)}`;
}

/** "key 0x5348d001 (id 32769)", "private (id 32769)": a recorded segment as lists name it. */
export function segmentName(s: { id: number; key: number }): string {
  return s.key === 0 ? `private segment (id ${s.id})` : `segment ${formatKey(s.key)} (id ${s.id})`;
}

/** "bytes 0x100..0x140 of" / "all" for a recorded range. */
export function rangeText(offset: number, length: number, size: number): string {
  return offset === 0 && length === size ? `all ${formatSize(size)}` : `bytes 0x${offset.toString(16)}..0x${(offset + length).toString(16)} (${formatSize(length)})`;
}

/** A file name for a new recording: which segment, when (sortable), `.shmrec`. */
export function recordingFileName(s: { id: number; key: number }, startedMs: number): string {
  const who = s.key === 0 ? `private-${s.id}` : formatKey(s.key);
  return `${who}-${new Date(startedMs).toISOString().replace(/[:.]/g, '-')}.shmrec`;
}

export const RECORDING_EXT = 'shmrec';
