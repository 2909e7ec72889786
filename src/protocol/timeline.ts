// A recording opened as a timeline in the hex editor (issue 12): what the webview's strip shows
// and how it moves. The host holds the recording; the grid shows the bytes of the moment the
// timeline is at (pushed like any window's bytes), the strip plots bytes changed per frame.
// Browser-safe: the webview and the host both use it.

/** Where the timeline is: one frame of the recording. */
export interface TimelinePosition {
  /** 0 = the oldest frame kept. */
  index: number;
  /** The sampler's frame number (gaps where frames were evicted or equal). */
  frame: number;
  /** ms since the recording started. */
  t: number;
  /** Bytes that differ from the previous frame. */
  changed: number;
}

/** The whole recording as the strip draws it: at most MAX_STRIP_BINS columns over time. */
export interface TimelineOverview {
  /** Frames kept. */
  frames: number;
  /** t of the first and of the last frame (ms since the recording started). */
  firstMs: number;
  lastMs: number;
  hz: number;
  /** Wall clock (ms since the epoch) at t = 0. */
  startWallMs: number;
  /** Offset of the recorded range in the segment (the grid's offset 0). */
  segmentOffset: number;
  /** Bin i covers [firstMs + i*binMs, firstMs + (i+1)*binMs): the most bytes one of its frames changed, and how many frames it holds. */
  binMs: number;
  changed: number[];
  counts: number[];
  /** How the recording ended, e.g. "stopped", "the segment was destroyed". */
  ended: string;
}

export interface TimelineView {
  overview: TimelineOverview;
  position: TimelinePosition;
}

export const MAX_STRIP_BINS = 1000;

/** Where to move: a frame index, a time (the last frame at or before it), or a step from here. */
export type TimelineSeek = { index: number } | { ms: number } | { step: number };

/** Direction of "previous / next change of the selected bytes". */
export type ChangeDirection = -1 | 1;

/** The strip's bins of frames at times `t` (ms, ascending) with `changed` bytes each. */
export function stripBins(t: readonly number[], changed: readonly number[]): Pick<TimelineOverview, 'binMs' | 'changed' | 'counts'> {
  const n = t.length;
  const bins = Math.max(1, Math.min(MAX_STRIP_BINS, n));
  const span = n ? t[n - 1] - t[0] : 0;
  const binMs = span > 0 ? span / bins : 1;
  const out = { binMs, changed: new Array<number>(bins).fill(0), counts: new Array<number>(bins).fill(0) };
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.floor((t[i] - t[0]) / binMs));
    out.counts[b]++;
    if (changed[i] > out.changed[b]) out.changed[b] = changed[i];
  }
  return out;
}
