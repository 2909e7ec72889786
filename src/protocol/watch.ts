// Messages between the extension host and the "Shared Memory: Watch" view's webview (a plot of
// watched values over time). Plain data over the same Rpc as the hex editor: the webview's
// requests always settle, the host pushes events. The host checks every request's params with
// src/extension/timeline/watchValidate.ts before acting on them.
//
// Values are numbers. How the ones a double cannot hold plot:
// - NaN (no value: the read failed, the field is gone): a gap in the line, shown as "—";
// - +Infinity / -Infinity (a float field holding one): drawn at the lane's top / bottom edge,
//   shown as "+∞" / "−∞", left out of min / max / rate and of the lane's y-scale;
// - an int64 / u64 beyond 2^53: the host sends Number(value), the nearest double (off by at most
//   1 part in 2^53, so the plot is right to the pixel); read-outs of such values start with "≈".

/** Sample rates the view may ask for, in Hz. */
export const MIN_WATCH_RATE_HZ = 1;
export const MAX_WATCH_RATE_HZ = 1000;

/** One watched value: an overlay field, or an offset read as an inspector type. */
export interface WatchInfo {
  /** Chosen by the host, unique in the session (a small whole number). */
  id: number;
  /** What the lane is called: `pid`, `hdr.seq`, `0x10:u32`. */
  label: string;
  /** The value's type as the inspector names it: u32, i64, f64, ... */
  type: string;
  /** Unit shown after values, if the user gave one (ms, °C). */
  unit?: string;
  /** The trigger set on this watch, if any (the host evaluates it on every sample). */
  trigger?: Trigger;
}

export type TriggerKind = 'above' | 'below' | 'changes' | 'equals';
export type TriggerAction = 'mark' | 'pause' | 'snapshot';

/**
 * Fires when a sample crosses `level` upwards ('above': previous <= level < value) or
 * downwards ('below': previous >= level > value), differs from the previous sample
 * ('changes', no level) or becomes equal to `level` ('equals': previous !== level === value).
 * Each firing becomes a `trigger` marker; 'pause' also pauses sampling, 'snapshot' also
 * takes a snapshot of the segment.
 */
export interface Trigger {
  kind: TriggerKind;
  /** Required for above / below / equals; absent for changes. */
  level?: number;
  action: TriggerAction;
}

/**
 * Samples of one watch, oldest first, t strictly increasing across batches (a sample not later
 * than the last one the view holds is dropped). `t[i]` is ms since the session started,
 * `v[i]` its value. Float64Array (structured clone carries it as bytes) or number[].
 */
export interface SampleBatch {
  id: number;
  t: Float64Array | number[];
  v: Float64Array | number[];
}

export type MarkerKind = 'attach' | 'detach' | 'save' | 'trigger';

/** An event the tool saw: drawn as a vertical line across every lane, `text` its tooltip. */
export interface WatchMarker {
  /** ms since the session started. */
  t: number;
  kind: MarkerKind;
  /** e.g. "pid 4242 attached (rw)", "pid above 100 (snapshot 'trig-3')". */
  text: string;
  /** The watch whose trigger fired (kind 'trigger'). */
  id?: number;
}

/** The sampling session as the host runs it. */
export interface WatchState {
  /** Wall-clock ms (Date.now()) at t = 0. A new value means a new session: the view drops what it holds. */
  sessionStart: number;
  rateHz: number;
  paused: boolean;
  /** Times (ms since the session started) a recording covers: a click there seeks it. */
  recorded?: { from: number; to: number };
  /** One line about the session (segment gone, sampling failed...), or absent. */
  message?: string;
}

/** Everything the view shows at start; samples held by the host follow as `samples` events. */
export interface WatchReadyResult {
  watches: WatchInfo[];
  state: WatchState;
  markers: WatchMarker[];
}

/** Requests the webview sends to the host. */
export type WatchViewToHost = {
  ready: { params: Record<string, never>; result: WatchReadyResult };
  /** Sample every watch of the view at this rate (whole Hz, MIN..MAX_WATCH_RATE_HZ); the host answers with `state`. */
  setRate: { params: { hz: number }; result: null };
  /** Stop / restart sampling (the plot keeps what it has); the host answers with `state`. */
  setPaused: { params: { paused: boolean }; result: null };
  /** Stop watching this value; the host then sends `watches`. */
  removeWatch: { params: { id: number }; result: null };
  /**
   * Save the session's samples as CSV (columns t_ms, then one per watch) to a file the host
   * asks for; from / to (ms) limit it to the time the plot shows. null = cancelled.
   */
  exportCsv: { params: { from?: number; to?: number }; result: { path: string; rows: number } | null };
  /** Set (replace) the trigger of a watch; the host then sends `watches`. */
  setTrigger: { params: { id: number } & Trigger; result: null };
  clearTrigger: { params: { id: number }; result: null };
  /** The user clicked the plot at time t (ms since the session started): a recording covering t may scrub there. */
  seek: { params: { t: number }; result: null };
};

/** Notifications the host sends to the webview (only after it answered `ready`). */
export type WatchHostEvents = {
  /** The whole list, whenever it changes (added, removed, trigger set). */
  watches: { watches: WatchInfo[] };
  samples: { batches: SampleBatch[] };
  /** New markers (added to those the view holds). */
  markers: { markers: WatchMarker[] };
  state: WatchState;
};

// The webview serves no requests and sends no events.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an Rpc method table with no methods
export type WatchHostToView = {};
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an Rpc event table with no events
export type WatchViewEvents = {};
