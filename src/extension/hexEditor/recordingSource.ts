// A recording opened as a timeline in the hex editor (issue 12): a read-only byte source whose
// bytes are the recorded range as it was at one moment, and the control that moves that moment
// (seek by frame, time or step; previous/next change of a range). Search, export, snapshots and
// comparisons work on the moment shown, in this process (the recording is in memory already).
// vscode-free.
import * as fs from 'node:fs';
import { replaceFile, writeAll } from '../../core/files';
import { search as searchBytes } from '../../core/search';
import type { DiffResult, SearchResult } from '../../protocol/agent';
import { type SegmentIdentity, formatKey } from '../../protocol/segment';
import { type ChangeDirection, type TimelinePosition, type TimelineSeek, type TimelineView, stripBins } from '../../protocol/timeline';
import type { ByteRange, HexDocInfo } from '../../protocol/webview';
import { diffRanges } from '../../timeline/diff';
import type { Recording } from '../../timeline/recording';
import type { ByteSource, SearchQuery, SourceStatus, TimelineControl } from './byteSource';
import { Emitter } from './emitter';

/** Most differing ranges a comparison lists (as the agent's diff). */
const MAX_DIFF_RANGES = 10_000;

const END_TEXT: Record<string, string> = {
  duration: 'ran its full duration',
  stopped: 'stopped',
  destroyed: 'the segment was destroyed',
  error: 'failed',
};

export class RecordingSource implements ByteSource, TimelineControl {
  private index = 0;
  private readonly moved = new Emitter<TimelinePosition>();
  readonly onDidMove = this.moved.event;

  constructor(private readonly rec: Recording) {}

  get timeline(): TimelineControl {
    return this;
  }

  /** The recording's segment as far as it tells (cpid/ctime are 0 when it does not say). */
  get identity(): SegmentIdentity {
    const s = this.rec.header.segment as { id: number; key: number; size: number; cpid?: number; ctime?: number };
    return { id: s.id, key: s.key, size: s.size, cpid: s.cpid ?? 0, ctime: s.ctime ?? 0 };
  }

  /** The recorded range: the grid's offset 0 is the range's first byte. */
  get size(): number {
    return this.rec.header.length;
  }

  get info(): HexDocInfo {
    const { id, key } = this.rec.header.segment;
    return { id, key, keyHex: formatKey(key), size: this.size, readOnly: true, readOnlyReason: 'a recording: the bytes as they were at the moment shown' };
  }

  get position(): TimelinePosition {
    const f = this.rec.info(this.index);
    return { index: this.index, frame: f.frame, t: f.t, changed: f.changed };
  }

  view(): TimelineView {
    const rec = this.rec;
    const times: number[] = [];
    const changed: number[] = [];
    for (const f of rec.frames()) { times.push(f.t); changed.push(f.changed); }
    const end = rec.end;
    return {
      overview: {
        frames: rec.frameCount,
        firstMs: times[0],
        lastMs: times[times.length - 1],
        hz: rec.header.hz,
        startWallMs: rec.header.startWallMs,
        segmentOffset: rec.header.offset,
        ...stripBins(times, changed),
        ended: (END_TEXT[end.reason] ?? end.reason) + (end.message ? `: ${end.message}` : ''),
      },
      position: this.position,
    };
  }

  seek(to: TimelineSeek): TimelinePosition {
    const last = this.rec.frameCount - 1;
    let index: number;
    if ('index' in to) {
      if (!(to.index >= 0 && to.index <= last)) throw new RangeError(`no frame index ${to.index}: the recording has frames 0 to ${last}`);
      index = to.index;
    } else if ('ms' in to) {
      index = Math.max(0, this.rec.indexAt(to.ms));
    } else {
      index = Math.min(last, Math.max(0, this.index + to.step));
    }
    return this.moveTo(index);
  }

  findChange(range: ByteRange, direction: ChangeDirection): TimelinePosition | null {
    const j = this.rec.findChange(this.index, range.offset, range.length, direction);
    return j < 0 ? null : this.moveTo(j);
  }

  get segmentOffset(): number {
    return this.rec.header.offset;
  }

  /** Wall clock (ms since the epoch) when the recording started (t = 0). */
  get startWallMs(): number {
    return this.rec.header.startWallMs;
  }

  /** The index of frame number `frame`, or -1. */
  indexOfFrame(frame: number): number {
    return this.rec.indexOf(frame);
  }

  /** The file's name, for labels. */
  get name(): string {
    return this.rec.name;
  }

  /** The wall-clock times (ms since the epoch) of the first and the last frame. */
  get wallSpan(): { from: number; to: number } {
    const start = this.rec.header.startWallMs;
    return { from: start + this.rec.info(0).t, to: start + this.rec.info(this.rec.frameCount - 1).t };
  }

  /** Whether the recording holds frames at this wall-clock time (from its first to its last frame). */
  covers(wallMs: number): boolean {
    const { from, to } = this.wallSpan;
    return wallMs >= from && wallMs <= to;
  }

  private moveTo(index: number): TimelinePosition {
    if (index !== this.index) {
      this.index = index;
      this.moved.fire(this.position);
    }
    return this.position;
  }

  private frameBytes(): Buffer {
    return this.rec.bytesAt(this.index);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    if (offset > this.size || length > this.size - offset) return Promise.reject(new RangeError(`offset ${offset} + length ${length} is past the end of the recorded ${this.size} bytes`));
    return Promise.resolve(new Uint8Array(this.frameBytes().subarray(offset, offset + length)));
  }

  write(): Promise<void> {
    return Promise.reject(Object.assign(new Error('a recording is read-only: its bytes are as they were'), { code: 'EROFS' }));
  }

  search(query: SearchQuery): Promise<SearchResult> {
    const bytes = this.frameBytes();
    const access = { size: bytes.length, readInto: (dst: Uint8Array, start: number, length = dst.length) => bytes.copy(dst, 0, start, start + length) };
    return Promise.resolve(searchBytes(access, query));
  }

  /** The moment's bytes (a range of them) to a file; all of them only for a whole-segment recording (a snapshot of the segment). */
  async dumpTo(path: string, range: ByteRange | undefined): Promise<void> {
    const h = this.rec.header;
    if (!range && (h.offset !== 0 || h.length !== h.segment.size)) {
      throw new Error(`this recording holds bytes ${h.offset}+${h.length} of the segment, not all of it: export the bytes instead of taking a snapshot`);
    }
    const part = Buffer.from(range ? this.frameBytes().subarray(range.offset, range.offset + range.length) : this.frameBytes());
    await replaceFile(path, (fd) => writeAll(fd, part, part.length));
  }

  /** Differences from a snapshot of the segment: its bytes of the recorded range. */
  async diffWith(path: string): Promise<DiffResult> {
    const file = await fs.promises.readFile(path);
    const other = file.subarray(Math.min(file.length, this.rec.header.offset));
    const bytes = this.frameBytes();
    const n = Math.min(other.length, bytes.length);
    const ranges: ByteRange[] = [];
    let truncated = false;
    const differing = diffRanges(other.subarray(0, n), bytes.subarray(0, n), (offset, length) => {
      if (ranges.length < MAX_DIFF_RANGES) ranges.push({ offset, length });
      else truncated = true;
    });
    return { ranges, bytes: differing, truncated, sizes: [bytes.length, other.length] };
  }

  status(): Promise<SourceStatus> {
    return Promise.resolve({ gone: false, dest: false });
  }

  close(): Promise<void> {
    this.moved.dispose();
    return Promise.resolve();
  }
}
