// Sampling for the "Shared Memory: Watch" view, in the agent (issue 12): src/timeline's Sampler
// reads the smallest range covering the watched values at a fixed rate and keeps the changed
// spans of each sample; the host takes them with `watchTake` every ~75 ms (a pull, so the
// channel needs no agent-to-host events and a restarted agent simply answers "no watch n").
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
}

/**
 * Samples since the last take, oldest first, packed in a few typed arrays (one structured clone
 * of six arrays, not of thousands of small objects: at 1 kHz that cost the agent more than the
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

export interface WatchTakeResult {
  samples: WatchSamples;
  /** Set once sampling has ended (the segment destroyed, a read failed); the watch is then forgotten. */
  ended?: { reason: 'destroyed' | 'error'; message: string };
  /** Torn samples read again / given up since the start. */
  retries: number;
  giveUps: number;
}

export type WatchSamplingMethods = {
  watchStart: { params: WatchStartParams; result: { watch: number } };
  /** New rate and/or pause (the attachment stays: nattch and lpid do not move). */
  watchSet: { params: { watch: number; hz?: number; paused?: boolean }; result: null };
  watchTake: { params: { watch: number }; result: WatchTakeResult };
  /** Stops, detaches and forgets it (no-op if already gone). */
  watchStop: { params: { watch: number }; result: null };
};
