// Recording a segment in the agent (issue 12): the host asks the agent to sample a range into a
// recording (src/timeline: Sampler + Recorder), polls its counters for the status bar, and stops
// it; the agent writes the file when it ends (stopped, the segment destroyed, a read error).
import type { Footprint, SegmentIdentity } from './segment';

/**
 * The largest range the agent records: it holds three copies of it (two samples to diff and the
 * recorder's image) besides the budget, and reads all of it every sample, so larger ranges would
 * take its memory and its event loop from every other request.
 */
export const MAX_RECORD_RANGE = 256 * 1024 * 1024;

/** Why a recording ended (as the recording file's end record says). */
export type RecordingEndReason = 'duration' | 'stopped' | 'destroyed' | 'error';

export interface RecordStartParams {
  /** The segment, checked before the agent attaches (read-only) and again once attached. */
  expect: SegmentIdentity;
  /** The range recorded, in segment offsets. */
  offset: number;
  length: number;
  /** Samples per second (1..1000). */
  hz: number;
  /** Bytes the recording may hold; past it the oldest keyframe group goes. */
  budget: number;
  /** Where the file goes when the recording ends (a temporary file renamed over it, 0600). */
  path: string;
  /**
   * 'attach' (default): one read-only attachment for the recording. 'none': no attachment of ours
   * (reads through an attached process's mapping, else attach per sample), as the hex editor's
   * readMode chooses for other users' segments.
   */
  footprint?: Footprint;
  /** A seqlock-style counter (segment offset, 4 or 8 bytes): torn samples are read again. */
  seq?: { offset: number; size: 4 | 8 };
}

export interface RecordingProgress {
  /** The agent's number for this recording (valid only for the agent that started it). */
  recording: number;
  /** Frames kept (after eviction) and the file's size if it were written now. */
  frames: number;
  bytes: number;
  /** Since the first sample. */
  elapsedMs: number;
  /** Samples read again because the sequence counter said a writer was in the middle (seq only). */
  retries: number;
  /** Samples given up after too many torn reads (not recorded). */
  giveUps: number;
  /** Set once the recording has ended and its file is written (or could not be). */
  ended?: RecordingEnd;
}

export interface RecordingEnd {
  reason: RecordingEndReason;
  /** Why, in one line, when it did not end by request (a destroyed segment, a read error). */
  message?: string;
  path: string;
  /** Size of the file written (0 when writeError is set). */
  fileBytes: number;
  /** The file could not be written: nothing was recorded on disk. */
  writeError?: string;
}

export type RecordingMethods = {
  recordStart: { params: RecordStartParams; result: { recording: number } };
  /** Counters of a running (or just ended) recording. */
  recordStatus: { params: { recording: number }; result: RecordingProgress };
  /** Stops it (if still running), writes the file and forgets it. Answers with `ended` set. */
  recordStop: { params: { recording: number }; result: RecordingProgress };
};
