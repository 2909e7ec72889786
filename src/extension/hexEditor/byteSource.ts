// Where a hex document's bytes come from: the accessor interface (a new data source is one
// class: the live segment in source.ts, a backup's bytes in backupSource.ts, a virtual segment in
// the webview tests' fake host) and the error helpers every source shares. No runtime imports
// beyond the protocol's types, so it runs anywhere (the fake host runs it in a browser page).
import type { Span } from '../../timeline/diff';
import type { AgentSegment } from '../agent/agentSegment';
import { errorCode, errorMessage } from '../errors';
import type { DiffResult, SearchParams, SearchResult } from '../../protocol/agent';
import type { RequestOptions } from '../../protocol/rpc';
import type { ReadVia, SegmentIdentity } from '../../protocol/segment';
import type { ChangeDirection, TimelinePosition, TimelineSeek, TimelineView } from '../../protocol/timeline';
import type { ByteRange, HexDocInfo } from '../../protocol/webview';

/** Whether the source still exists, as last checked. */
export interface SourceStatus {
  /** Removed, or its id now names another segment: reads and writes fail. */
  gone: boolean;
  /** Marked for destruction; still readable and writable while attached. */
  dest: boolean;
  message?: string;
  /** How the bytes are read now (our attachment, another process's mapping, brief attaches). */
  via?: ReadVia;
}

export type SearchQuery = Omit<SearchParams, 'handle'>;

export interface ByteSource {
  readonly identity: SegmentIdentity;
  readonly size: number;
  /** What the webview shows about the document (readOnly may change after a re-open). */
  readonly info: HexDocInfo;
  read(offset: number, length: number): Promise<Uint8Array>;
  write(offset: number, data: Uint8Array): Promise<void>;
  search(query: SearchQuery, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<SearchResult>;
  /** Check whether the source still exists. Never rejects. */
  status(): Promise<SourceStatus>;
  close(): Promise<void>;
  /**
   * Copy the source's own bytes (no pending edits) of `range` (all when undefined) into a new
   * file at `path`, in chunks, cancellable, with progress: exports and snapshots. A source
   * without it is copied through read().
   */
  dumpTo?(path: string, range: ByteRange | undefined, opts?: RequestOptions): Promise<void>;
  /** Which of the source's bytes differ from a file (a snapshot). Without it, no comparisons. */
  diffWith?(path: string, opts?: RequestOptions): Promise<DiffResult>;
  /** The segment in the agent behind this source, when there is one (its agent's state, its pid). */
  readonly segment?: AgentSegment;
  /** A recording's timeline: the source's bytes are those of the moment it is at. */
  readonly timeline?: TimelineControl;
  /**
   * Samples `range` at `hz` in the sampling engine (src/timeline/sampler.ts: the agent's, for a
   * live segment) and hands `sink` what changed, in batches `batchMs` apart: live refresh.
   * Absent where bytes change only through the editor (a recording, a backup).
   */
  sample?(range: ByteRange, hz: number, batchMs: number, sink: LiveSink): { dispose(): void };
}

/** Where a source's sampling hands its changes. */
export interface LiveSink {
  /** Spans that changed (segment offsets, the new bytes), in order; the first call has the whole range. */
  changed(spans: readonly Span[]): void;
  /** Sampling stopped by itself (the segment destroyed, a read failed, the agent gone): why. */
  ended(message: string): void;
}

/**
 * Moves a timeline source between the moments of a recording (recordingSource.ts; the webview
 * tests' fake host has a virtual one). A move changes what read() returns, then fires onDidMove.
 */
export interface TimelineControl {
  /** The moment shown. */
  readonly position: TimelinePosition;
  /** Where the recorded range starts in the segment (the grid's offset 0). */
  readonly segmentOffset: number;
  view(): TimelineView;
  /** Move (clamped to the first and last frame); a RangeError for an index that is not a frame. */
  seek(to: TimelineSeek): TimelinePosition;
  /** Move to the previous or next frame where a byte of `range` changed; null (and stay) if none. */
  findChange(range: ByteRange, direction: ChangeDirection): TimelinePosition | null;
  onDidMove(listener: (position: TimelinePosition) => void): { dispose(): void };
}

/**
 * Whether the source's offsets are its segment's own: false for a recording of part of a segment,
 * whose offset 0 is the range's first byte. What is kept per segment in segment offsets (C type
 * overlays, bookmarks) applies only where this holds.
 */
export function hasSegmentOffsets(source: Pick<ByteSource, 'timeline' | 'size' | 'identity'>): boolean {
  return !source.timeline || (source.timeline.segmentOffset === 0 && source.size === source.identity.size);
}

/** Why per-segment things (overlays, bookmarks) do not apply to this source, or undefined. */
export function partialRecordingReason(source: Pick<ByteSource, 'timeline' | 'size' | 'identity'>, what: string): string | undefined {
  if (hasSegmentOffsets(source)) return undefined;
  const off = source.timeline?.segmentOffset ?? 0;
  return `${what} work in segment offsets: this recording holds bytes 0x${off.toString(16)}+${source.size} of the segment only. Record the whole segment to use them on its timeline.`;
}

/** Error codes that mean "this segment is not there any more". */
const GONE_CODES = new Set(['EINVAL', 'EIDRM', 'ENOENT', 'ECHANGED']);

export { errorCode, errorMessage };

export function isGoneError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && GONE_CODES.has(code);
}
