// Recording files on disk (format: src/timeline/recording.ts): read one without blocking the
// extension host on the disk, summarize it, list and delete the ones in the extension's storage,
// and pick out the moments worth listing. vscode-free.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Recording, RecordingError } from '../../timeline/recording';
import { formatSize } from '../../protocol/size';
import { RECORDING_EXT, formatDuration, rangeText, segmentName } from './recordingText';

/** What a recording's header says of its segment (cpid and ctime: written by this extension's agent). */
export interface RecordedSegment {
  id: number;
  key: number;
  size: number;
  cpid?: number;
  ctime?: number;
}

export interface RecordingSummary {
  file: string;
  /** Bytes on disk. */
  bytes: number;
  segment: RecordedSegment;
  offset: number;
  length: number;
  hz: number;
  startWallMs: number;
  frames: number;
  /** From the first frame kept to the last. */
  durationMs: number;
  endReason: string;
  endMessage?: string;
}

/** The largest file read (Recording's own limit). */
const MAX_FILE = 2 ** 31 - 1;

/** Reads and validates a recording; a damaged or foreign file throws one line naming it. */
export async function loadRecording(file: string): Promise<Recording> {
  const name = path.basename(file);
  let buf: Buffer;
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile()) throw new RecordingError(`${name}: not a regular file`);
    if (st.size > MAX_FILE) throw new RecordingError(`${name}: ${formatSize(st.size)} is larger than a recording can be (2 GiB)`);
    buf = await fs.promises.readFile(file);
  } catch (err) {
    if (err instanceof RecordingError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new RecordingError(`${name}: cannot read it (${code ?? (err as Error).message})`);
  }
  return Recording.fromBuffer(buf, name);
}

export function summarize(rec: Recording, file: string, bytes: number): RecordingSummary {
  const h = rec.header;
  const first = rec.info(0).t;
  const last = rec.info(rec.frameCount - 1).t;
  return {
    file, bytes, segment: h.segment, offset: h.offset, length: h.length, hz: h.hz, startWallMs: h.startWallMs,
    frames: rec.frameCount, durationMs: last - first, endReason: rec.end.reason, ...(rec.end.message ? { endMessage: rec.end.message } : {}),
  };
}

/** One line: which segment and range, rate, frames over how long, how it ended. */
export function describeSummary(s: RecordingSummary): string {
  const ended = s.endReason === 'stopped' ? '' : `; ended: ${s.endMessage ?? s.endReason}`;
  return `${segmentName(s.segment)}, ${rangeText(s.offset, s.length, s.segment.size)}, ${s.hz} Hz, ${s.frames.toLocaleString('en-US')} frame${s.frames === 1 ? '' : 's'} over ${formatDuration(s.durationMs)}, ${formatSize(s.bytes)}${ended}`;
}

export interface ListedRecording {
  file: string;
  mtimeMs: number;
  summary?: RecordingSummary;
  /** Why it could not be read (damaged, truncated, not a recording). */
  error?: string;
}

/** The recordings in `dir` (its *.shmrec files), newest first; damaged ones listed with why. */
export async function listRecordings(dir: string): Promise<ListedRecording[]> {
  let names: string[];
  try {
    names = (await fs.promises.readdir(dir)).filter((n) => n.endsWith(`.${RECORDING_EXT}`) && !n.startsWith('.'));
  } catch {
    return [];
  }
  const out: ListedRecording[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
    } catch {
      continue; // deleted meanwhile
    }
    if (!st.isFile()) continue;
    try {
      out.push({ file, mtimeMs: st.mtimeMs, summary: summarize(await loadRecording(file), file, st.size) });
    } catch (err) {
      out.push({ file, mtimeMs: st.mtimeMs, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** Deletes a recording of the store: only a .shmrec file directly in `dir`. */
export function deleteRecording(dir: string, file: string): void {
  const resolved = path.resolve(file);
  if (path.dirname(resolved) !== path.resolve(dir) || !resolved.endsWith(`.${RECORDING_EXT}`)) {
    throw new Error(`${file} is not a recording of this extension's storage`);
  }
  fs.rmSync(resolved, { force: true });
}

/** The frame a time (ms since the start) or frame number names, or why none does. */
export function frameFor(rec: Recording, moment: { frame?: number; atMs?: number }): number {
  if (moment.frame !== undefined) {
    if (rec.indexOf(moment.frame) < 0) throw new RangeError(`no frame ${moment.frame} in ${rec.name} (frames ${rec.firstFrame} to ${rec.lastFrame})`);
    return moment.frame;
  }
  const ms = moment.atMs ?? 0;
  const f = rec.frameAt(ms);
  if (f === undefined) throw new RangeError(`no frame at or before ${ms} ms in ${rec.name}: the first is at ${rec.info(0).t.toFixed(3)} ms`);
  return f;
}
