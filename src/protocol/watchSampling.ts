// Sampling in the agent (issue 12): src/timeline's Sampler reads a range at a fixed rate, diffs
// each sample against the one before and sends the host each batch of samples (their changed
// spans) as a `watchSamples` event as soon as it is made: one engine and one way for the
// "Shared Memory: Watch" view (the smallest range covering the watched values, every sample)
// and the hex editor's live refresh (the window in view, through the editor's own handle, only
// samples that changed something, so a quiet segment costs no message at all). Pushed rather
// than pulled: a pull costs the agent a request and the host a timer per batch, for nothing
// when nothing changed. A restarted agent has no watches; its events carry another generation.
import type { Footprint, SegmentIdentity } from './segment';

export interface WatchStartParams {
  /** The segment, checked before the agent attaches (read-only) and again once attached. */
  expect: SegmentIdentity;
  /** The range sampled, in segment offsets (at most MAX_RECORD_RANGE). */
  offset: number;
  length: number;
  /** Samples per second (1..1000). */
  hz: number;
  /** 'attach' (default) or 'none', as for recordings (RecordStartParams). */
  footprint?: Footprint;
  /** A seqlock-style counter (segment offset, 4 or 8 bytes): torn samples are read again. */
  seq?: { offset: number; size: 4 | 8 };
  /** Sample through this open handle (its attachment or footprint) instead of opening the segment again; `expect.id` must match it. */
  handle?: number;
  /** Leave out samples that changed nothing (a live view); default: every sample (a plot). */
  changesOnly?: boolean;
  /** How often batches are sent (ms, 1..10000; default 75). */
  batchMs?: number;
}

/** The `watchSamples` event: a watch's batch, and/or its end (then the agent has forgotten it). */
export interface WatchPush {
  watch: number;
  samples?: WatchSamples;
  /** Set once sampling has ended (the segment destroyed, a read failed). */
  ended?: { reason: 'destroyed' | 'error'; message: string };
  /** Torn samples read again / given up since the watch started. */
  retries: number;
  giveUps: number;
}

/** Events the agent sends without being asked. */
export type AgentEvents = { watchSamples: WatchPush };

/**
 * Samples of one batch, oldest first, packed in a few typed arrays (one structured clone of six
 * arrays, not of thousands of small objects: at 1 kHz that cost the agent more than the
 * sampling). Sample i has spanCount[i] spans, taken in order from spanOffset / spanLength (offsets
 * relative to the range), whose bytes follow one another in `bytes`. The first sample of a
 * watch (and of a resumed or re-rated one) is one span with the whole range.
 */
export interface WatchSamples {
  /** process.hrtime.bigint() in the agent when each read started. */
  monoNs: BigInt64Array;
  /** Wall clock (ms since the epoch) of the same moments. */
  wallMs: Float64Array;
  spanCount: Uint32Array;
  spanOffset: Uint32Array;
  spanLength: Uint32Array;
  bytes: Uint8Array;
}

export type WatchSamplingMethods = {
  watchStart: { params: WatchStartParams; result: { watch: number } };
  /** New rate and/or pause (the attachment stays: nattch and lpid do not move). */
  watchSet: { params: { watch: number; hz?: number; paused?: boolean }; result: null };
  /** Stops (its last batch is sent first), detaches and forgets it (no-op if already gone). */
  watchStop: { params: { watch: number }; result: null };
};
