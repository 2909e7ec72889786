// The viewport subscription, host side. The webview says which window it shows (`watch`);
// this pushes that window as the user sees it (bytes with pending edits applied, and which of
// them are pending): all of it after a `watch`, then only the span that changed, at once after
// a change made through the editor (edit, undo, redo, save, revert) and, with live refresh on,
// whenever the sampling engine finds that bytes in the window changed (writes by other
// processes). This is the only way the window's bytes reach the webview, and one push is made
// at a time, in order, so pushes never race each other.
// Live refresh is the source's sampling engine (src/timeline/sampler.ts, in the agent for a live
// segment: the same one watches and recordings use), started over the window at the refresh
// rate: it keeps the window's segment bytes here up to date with the spans it finds, so a change
// costs no read and a quiet segment costs no message at all. Small spans go as hex text
// (viewData.ts: cheaper to post than a typed array). The bytes come from a ViewSource (the
// document), so the webview never knows where they come from. While the agent is down or
// stopped, live refresh pauses (sampling would only start another agent, or fail at once), and
// resumes when an agent runs again. vscode-free: the webview tests' fake host runs this class too.
import type { AgentState } from '../agent/client';
import type { ByteRange, ViewUpdate, WatchParams } from '../../protocol/webview';
import { encodeViewData } from '../../protocol/viewData';
import type { LiveSink } from './byteSource';

/** The sampling engine's bounds (src/timeline/sampler.ts): one sample a second at the least, batches at most 10 s apart. */
const MIN_SAMPLE_HZ = 1;
const MAX_BATCH_MS = 10_000;

/** What the Viewport needs to know about the agent (an AgentClient has it). */
export interface AgentStatus {
  readonly state: AgentState;
  onDidChangeState(listener: (state: AgentState) => void): { dispose(): void };
}

/** Where the window's bytes come from (a HexDocument). */
export interface ViewSource {
  /** Bytes as the user sees them: pending edits applied. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** The parts of [offset, offset+length) that hold pending edits, clipped to it, in order. */
  pendingSpans(offset: number, length: number): ByteRange[];
  /** Segment bytes the caller holds (from sampling), as the user sees them: pending edits applied (a new array). */
  viewOf(offset: number, segment: Uint8Array): Uint8Array;
  /** Samples `range` in the source's sampling engine (live refresh); undefined if its bytes cannot change by themselves. */
  sample(range: ByteRange, hz: number, batchMs: number, sink: LiveSink): { dispose(): void } | undefined;
}

export interface ViewportDeps {
  source: ViewSource;
  push(update: ViewUpdate): void;
  /** False while live refresh makes no sense (the editor is hidden, the segment is gone). */
  active(): boolean;
  /** The agent behind the source, if any: live refresh pauses while it is down or stopped. */
  agent?: AgentStatus;
}

/** Why a push is made: 'all' = the whole window (a new watch, or after a failed read). */
type Cause = 'all' | 'edit' | 'poll' | 'frame';
const STRENGTH: Record<Cause, number> = { poll: 0, frame: 1, edit: 1, all: 2 };

export class Viewport {
  private periodMs = 0;
  private window: ByteRange = { offset: 0, length: 0 };
  private live = false;
  /** The window's bytes the webview has from us; null = push all of it next. */
  private sent: Uint8Array | null = null;
  private sentPending = '';
  /** The sampling of the window while live refresh runs. */
  private feed: { dispose(): void } | undefined;
  /** The window's segment bytes as the sampling last found them (null until its first batch). */
  private image: Uint8Array | null = null;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  /** A push asked for while one was being made (the strongest cause). */
  private queued: Cause | null = null;
  private lastError = '';
  private disposed = false;
  /** Pushes made for changes the sampling found (diagnostics and tests). */
  polls = 0;

  /** Whether the window is being sampled now (live refresh running; diagnostics and tests). */
  get sampling(): boolean {
    return this.feed !== undefined;
  }

  private readonly agentSub: { dispose(): void } | undefined;

  constructor(private readonly deps: ViewportDeps) {
    this.agentSub = deps.agent?.onDidChangeState(() => this.update());
  }

  /** False while the agent is down (crashed, not restarted yet) or stopped (crash limit). */
  private agentUp(): boolean {
    const state = this.deps.agent?.state;
    return state !== 'down' && state !== 'stopped' && state !== 'disposed';
  }

  /** Live refresh period in ms from the settings; 0 = off. */
  setPeriod(ms: number): void {
    const period = Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
    if (period === this.periodMs) return;
    this.periodMs = period;
    this.stop();
    this.update();
  }

  /** The webview's window (length 0: none) and whether to refresh it live. Pushes all of it now. */
  watch(w: WatchParams): void {
    this.stop(); // the sampling covers the old window
    this.window = { offset: w.offset, length: w.length };
    this.live = w.live;
    this.sent = null;
    this.sentPending = '';
    this.update();
    this.refresh('all');
  }

  /** Bytes or pending edits changed through the editor: push what changed in the window now. */
  changed(): void {
    this.refresh('edit');
  }

  /** The source moved to another moment (a timeline): push what changed, shown with heat. */
  moved(): void {
    this.refresh('frame');
  }

  /** Start or stop live refresh after active() or the agent may have changed. */
  update(): void {
    const want = !this.disposed && this.periodMs > 0 && this.live && this.window.length > 0 && this.agentUp() && this.deps.active();
    if (want && !this.feed) this.startFeed();
    else if (!want) this.stop();
  }

  dispose(): void {
    this.disposed = true;
    this.agentSub?.dispose();
    this.stop();
  }

  private startFeed(): void {
    const window = this.window;
    const hz = Math.max(MIN_SAMPLE_HZ, 1000 / this.periodMs);
    this.image = null;
    // A token, not the feed itself: a source may hand over its first sample before sample() returns.
    const started: { feed?: { dispose(): void } } = {};
    const token = { dispose: () => { started.feed?.dispose(); } };
    this.feed = token;
    const sink: LiveSink = {
      changed: (spans) => {
        if (this.feed !== token || window !== this.window) return;
        const image = this.image ?? new Uint8Array(window.length);
        for (const s of spans) image.set(s.bytes, s.offset - window.offset);
        this.image = image;
        this.refresh('poll');
      },
      // Sampling stopped by itself (the segment destroyed, a read failed): one read says how
      // things stand (with the error a read gives, if any), and sampling starts again a period
      // later if live refresh is still wanted then.
      ended: () => {
        if (this.feed !== token) return;
        this.stop();
        this.refresh('poll');
        this.retry = setTimeout(() => { this.retry = undefined; this.update(); }, this.periodMs);
      },
    };
    started.feed = this.deps.source.sample(window, hz, Math.min(MAX_BATCH_MS, this.periodMs), sink);
    if (this.feed !== token) started.feed?.dispose(); // it ended while starting
  }

  private stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.feed?.dispose();
    this.feed = undefined;
    this.image = null;
  }

  private refresh(cause: Cause): void {
    if (this.disposed || this.window.length === 0) return;
    if (this.running) {
      if (this.queued === null || STRENGTH[cause] > STRENGTH[this.queued]) this.queued = cause;
      return;
    }
    void this.run(cause);
  }

  /** Push for `cause`, then for whatever was asked meanwhile, one read at a time. */
  private async run(first: Cause): Promise<void> {
    this.running = true;
    try {
      for (let cause: Cause | null = first; cause && !this.disposed; cause = this.queued) {
        this.queued = null;
        await this.pushOnce(cause);
      }
    } finally {
      this.running = false;
    }
  }

  private async pushOnce(cause: Cause): Promise<void> {
    const window = this.window;
    if (window.length === 0) return;
    try {
      // A change the sampling found: its bytes are here already. Anything else reads.
      const image = cause === 'poll' ? this.image : null;
      const data = image ? this.deps.source.viewOf(window.offset, image) : await this.deps.source.read(window.offset, window.length);
      if (cause === 'poll') this.polls++;
      if (this.disposed || window !== this.window) return; // a new watch is queued
      this.lastError = '';
      const pending = this.deps.source.pendingSpans(window.offset, window.length);
      const pendingKey = JSON.stringify(pending);
      const before = this.sent;
      this.sent = data;
      const span = before ? changedSpan(before, data) : { start: 0, end: data.length };
      if (!span && pendingKey === this.sentPending) return; // nothing new: no message
      this.sentPending = pendingKey;
      const { start, end } = span ?? { start: 0, end: 0 };
      this.deps.push({ window, offset: window.offset + start, data: encodeViewData(data.slice(start, end)), pending, cause: before ? cause : 'all' });
    } catch (err) {
      if (this.disposed || window !== this.window) return;
      this.sent = null;
      const message = err instanceof Error ? err.message : String(err);
      // Sampling may end in the same failure again: say it once.
      if (message !== this.lastError || cause !== 'poll') this.deps.push({ window, error: message });
      this.lastError = message;
    }
  }
}

/** [start, end) from the first to the last differing byte, or null if a and b are equal. */
export function changedSpan(a: Uint8Array, b: Uint8Array): { start: number; end: number } | null {
  const n = Math.min(a.length, b.length);
  let start = 0;
  while (start < n && a[start] === b[start]) start++;
  if (start === n && a.length === b.length) return null;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  return { start, end: endB };
}
