// One "Shared Memory: Watch" session as the extension host runs it (issue 12), vscode-free: the
// watched values of one segment (an offset read as an inspector type, or an overlay field: the
// same thing once laid out), sampled by the agent over the smallest range covering them
// (agent/watches.ts), which sends each batch of samples as it is made (~13/s). For each batch the
// host applies the spans to its image of the range, decodes each watch, evaluates triggers and
// hands the view one batch per watch: work per batch, never per sample. Every statMs the
// segment's stat gives markers for processes attaching / detaching (nattch, lpid).
import { type Footprint, type SegmentInfo, identityOf } from '../../protocol/segment';
import type { Trigger, WatchHostEvents, WatchInfo, WatchMarker, WatchReadyResult, WatchState } from '../../protocol/watch';
import type { WatchPush, WatchSamples } from '../../protocol/watchSampling';
import { type PushedWatch, type WatchAgent, startPushedWatch } from '../agent/pushedWatch';
import type { AgentState } from '../agent/client';
import { MAX_RECORD_RANGE } from '../../protocol/recording';
import { type ScalarType, decodeScalar, formatScalar } from '../../timeline/scalar';
import { triggerFires } from '../../timeline/trigger';
import { tornText } from '../../timeline/sampler';
import type { SeqCounter } from './watchFields';
import { errorMessage } from '../segments/errorText';
import { WatchHistory, historyCsv } from './watchHistory';

/** What the session needs of the AgentClient: its watches, and to hear when it goes down. */
export interface SessionAgent extends WatchAgent {
  onDidChangeState(listener: (state: AgentState) => void): { dispose(): void };
}

export interface WatchSpec {
  /** Lane name: `0x10:u32`, `hdr.seq`. */
  label: string;
  /** Segment offset of the value's first byte. */
  offset: number;
  type: ScalarType;
  unit?: string;
}

export interface WatchSessionOptions {
  hz: number;
  footprint?: Footprint;
  /** The segment's seqlock counter (a C type's field named as one): torn samples are read again. */
  seq?: SeqCounter & { field: string };
  /** How often the agent sends samples (ms, default 75). */
  batchMs?: number;
  /** How often the segment's stat is read for attach/detach markers (ms, default 500). */
  statMs?: number;
  maxRows?: number;
  /** Takes a snapshot of the segment for a 'snapshot' trigger; resolves with its name. */
  snapshot?: (segment: SegmentInfo) => Promise<string>;
}

/** Markers the session keeps for a view that (re)loads. */
const MAX_MARKERS = 10_000;

type Post = <K extends keyof WatchHostEvents>(name: K, payload: WatchHostEvents[K]) => void;

/** The agent's watch, the range it samples and our image of that range. */
interface AgentWatch {
  pushed: PushedWatch;
  offset: number;
  image: Uint8Array;
  view: DataView;
}

interface Entry {
  info: WatchInfo;
  spec: WatchSpec;
  prev?: number;
}

function triggerText(label: string, t: Trigger): string {
  return t.kind === 'changes' ? `${label} changed` : `${label} ${t.kind} ${t.level ?? ''}`;
}

export class WatchSession {
  readonly sessionStart = Date.now();
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;
  private readonly history: WatchHistory;
  private markerList: WatchMarker[] = [];
  /** A snapshot for a trigger is being taken: later firings meanwhile take none (a 'changes' trigger may fire 1,000 times a second). */
  private snapshotting = false;
  private hz: number;
  private paused = false;
  private message: string | undefined;
  /** Torn samples counted by agent watches that ended, and by the current one. */
  private tornDone = { retries: 0, giveUps: 0 };
  private tornNow = { retries: 0, giveUps: 0 };
  private ended = false;
  /** The agent's watch and the range it samples; undefined when nothing is watched. */
  private agentWatch: AgentWatch | undefined;
  /** CLOCK_MONOTONIC ns at t = 0 (from the first sample). */
  private t0Mono: bigint | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly agentSub: { dispose(): void };
  /** Bumped by every restart of the agent's watch: stat answers from before it are ignored. */
  private epoch = 0;
  private lastStat: { nattch: number; lpid: number; epoch: number } | undefined;
  private readonly listeners = new Set<Post>();
  private readonly endListeners = new Set<(message: string) => void>();
  /** Restarts of the agent's watch run one at a time. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly agent: SessionAgent, readonly segment: SegmentInfo, private readonly options: WatchSessionOptions) {
    this.hz = options.hz;
    this.history = new WatchHistory(options.maxRows);
    // A watch dies with its agent: say so rather than wait for samples that will not come.
    this.agentSub = agent.onDidChangeState((state) => {
      if (this.agentWatch && (state === 'down' || state === 'stopped')) this.end('the agent stopped: watching ended');
    });
  }

  /** Events for the view (watches, samples, markers, state). */
  onPost(l: Post): { dispose(): void } {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  }

  /** Sampling ended by itself (segment destroyed, agent gone): the one-line reason. */
  onDidEnd(l: (message: string) => void): { dispose(): void } {
    this.endListeners.add(l);
    return { dispose: () => this.endListeners.delete(l) };
  }

  get watches(): WatchInfo[] {
    return [...this.entries.values()].map((e) => ({ ...e.info }));
  }

  get ids(): ReadonlySet<number> {
    return new Set(this.entries.keys());
  }

  get state(): WatchState {
    const message = this.message ?? this.tornNote();
    return { sessionStart: this.sessionStart, rateHz: this.hz, paused: this.paused, ...(message ? { message } : {}) };
  }

  /** Torn samples the sequence counter caught (all of this session's agent watches), for the view's status line. */
  get torn(): { retries: number; giveUps: number } {
    return { retries: this.tornDone.retries + this.tornNow.retries, giveUps: this.tornDone.giveUps + this.tornNow.giveUps };
  }

  private tornNote(): string | undefined {
    const seq = this.options.seq;
    const { retries, giveUps } = this.torn;
    return seq && (retries || giveUps) ? `Sequence counter ${seq.field}: ${tornText(retries, giveUps)}` : undefined;
  }

  get markers(): WatchMarker[] {
    return [...this.markerList];
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** What the view shows at start; `samplesHeld()` follows. */
  ready(): WatchReadyResult {
    return { watches: this.watches, state: this.state, markers: this.markers };
  }

  samplesHeld(): WatchHostEvents['samples'] {
    return { batches: this.history.batchesSince(0) };
  }

  /** Watches a value; sampling (re)starts over the range covering every watch. */
  add(spec: WatchSpec): Promise<WatchInfo> {
    if (this.ended) return Promise.reject(new Error(`the watch session of segment ${this.segment.id} has ended: ${this.message ?? ''}`));
    if (!(Number.isSafeInteger(spec.offset) && spec.offset >= 0 && spec.offset + spec.type.size <= this.segment.size)) {
      return Promise.reject(new RangeError(`watch: ${spec.label} (${spec.type.size} bytes at ${spec.offset}) is outside segment ${this.segment.id} (${this.segment.size} bytes)`));
    }
    const id = this.nextId++;
    const entry: Entry = { info: { id, label: spec.label, type: spec.type.name, ...(spec.unit ? { unit: spec.unit } : {}) }, spec };
    return this.serial(async () => {
      await this.stopAgentWatch(); // samples of the old range, before this watch has a column
      this.entries.set(id, entry);
      this.history.addColumn(id, spec.type.size === 8 && spec.type.kind !== 'float');
      try {
        await this.resample();
      } catch (err) {
        this.entries.delete(id);
        this.history.removeColumn(id);
        throw err;
      }
      this.post('watches', { watches: this.watches });
      return { ...entry.info };
    });
  }

  remove(id: number): Promise<void> {
    return this.serial(async () => {
      if (!this.entries.delete(id)) return;
      this.history.removeColumn(id);
      this.post('watches', { watches: this.watches });
      if (!this.ended) await this.resample();
    });
  }

  setTrigger(id: number, trigger: Trigger | undefined): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (trigger) e.info.trigger = { ...trigger };
    else delete e.info.trigger;
    this.post('watches', { watches: this.watches });
  }

  setRate(hz: number): Promise<void> {
    return this.serial(async () => {
      this.hz = hz;
      if (this.agentWatch && !this.ended) await this.agent.request('watchSet', { watch: this.agentWatch.pushed.watch, hz, paused: this.paused });
      this.post('state', this.state);
    });
  }

  /** Paused, the view gets no samples (those the agent took before it heard are dropped). */
  setPaused(paused: boolean): Promise<void> {
    this.paused = paused;
    return this.serial(async () => {
      if (this.agentWatch && !this.ended) await this.agent.request('watchSet', { watch: this.agentWatch.pushed.watch, hz: this.hz, paused });
      this.post('state', this.state);
    });
  }

  /** A marker for an event seen elsewhere (a save from the hex editor). */
  mark(kind: WatchMarker['kind'], text: string): void {
    this.addMarkers([{ t: (Date.now() - this.sessionStart), kind, text }]);
  }

  /** CSV of the samples held (t_ms, then one column per watch), limited to [from, to] ms. */
  csv(from?: number, to?: number): { text: string; rows: number } {
    const cols = [...this.entries.values()].map((e) => ({
      id: e.info.id, label: e.info.label,
      format: (v: number | bigint) => formatScalar(e.spec.type, v),
    }));
    return historyCsv(this.history, cols, from, to);
  }

  /** Stops sampling and forgets the agent's watch. */
  async dispose(): Promise<void> {
    this.stopTimers();
    this.agentSub.dispose();
    this.ended = true;
    const w = this.agentWatch;
    this.agentWatch = undefined;
    await w?.pushed.stop();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private post<K extends keyof WatchHostEvents>(name: K, payload: WatchHostEvents[K]): void {
    for (const l of this.listeners) l(name, payload);
  }

  private addMarkers(markers: WatchMarker[]): void {
    if (markers.length === 0) return;
    this.markerList.push(...markers);
    if (this.markerList.length > MAX_MARKERS * 1.1) this.markerList = this.markerList.slice(-MAX_MARKERS); // the view keeps its own
    this.post('markers', { markers });
  }

  /** Stops the agent's watch; its last samples are applied first. */
  private async stopAgentWatch(): Promise<void> {
    const old = this.agentWatch;
    if (!old) return;
    await old.pushed.stop();
    if (this.agentWatch === old) this.agentWatch = undefined;
  }

  /** Restarts the agent's watch over the range covering every watch (or stops it: none left). */
  private async resample(): Promise<void> {
    await this.stopAgentWatch();
    this.epoch++;
    this.lastStat = undefined;
    const specs = [...this.entries.values()].map((e) => e.spec);
    if (specs.length === 0) { this.stopTimers(); return; }
    const offset = Math.min(...specs.map((s) => s.offset));
    const length = Math.max(...specs.map((s) => s.offset + s.type.size)) - offset;
    if (length > MAX_RECORD_RANGE) throw new RangeError(`watch: the values span ${length} bytes, more than the ${MAX_RECORD_RANGE / 1048576} MiB sampled at a time: watch values closer together`);
    for (const e of this.entries.values()) delete e.prev; // the new range's first sample sets them
    const { seq, footprint, batchMs } = this.options;
    // The agent counts per watch: keep what the old one counted.
    this.tornDone = this.torn;
    this.tornNow = { retries: 0, giveUps: 0 };
    const image = new Uint8Array(length);
    const w = { offset, image, view: new DataView(image.buffer) } as AgentWatch;
    w.pushed = await startPushedWatch(
      this.agent,
      () => this.agent.request('watchStart', { expect: identityOf(this.segment), offset, length, hz: this.hz, ...(footprint ? { footprint } : {}), ...(seq ? { seq: { offset: seq.offset, size: seq.size } } : {}), ...(batchMs ? { batchMs } : {}) }),
      (event) => { this.received(w, event); },
    );
    if (this.ended) { await w.pushed.stop(); return; }
    this.agentWatch = w;
    if (this.paused) await this.agent.request('watchSet', { watch: w.pushed.watch, hz: this.hz, paused: true });
    if (this.timers.length === 0) {
      this.timers.push(setInterval(() => { void this.pollStat(); }, this.options.statMs ?? 500));
      void this.pollStat(); // the baseline: our own attachment is not a marker
    }
  }

  private stopTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** A batch (or the end) of the agent's watch behind w. */
  private received(w: AgentWatch, event: WatchPush): void {
    if (this.ended) return;
    if (event.samples) this.apply(w, event.samples); // also when w was just replaced: its samples are older than the new one's
    const current = this.agentWatch === w || this.agentWatch === undefined; // undefined: w is starting or stopping
    if (current && (event.retries !== this.tornNow.retries || event.giveUps !== this.tornNow.giveUps)) {
      this.tornNow = { retries: event.retries, giveUps: event.giveUps };
      this.post('state', this.state);
    }
    if (event.ended && current) this.end(`${event.ended.message}: watching ended`);
  }

  private apply(w: AgentWatch, samples: WatchSamples): void {
    const n = samples.monoNs.length;
    if (n === 0) return;
    const entries = [...this.entries.values()];
    const ids = entries.map((e) => e.info.id);
    const fromRow = this.history.rows;
    const fired: WatchMarker[] = [];
    const pause = { asked: false };
    let span = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const monoNs = samples.monoNs[i];
      this.t0Mono ??= monoNs - BigInt(Math.round((samples.wallMs[i] - this.sessionStart) * 1e6));
      const t = Number(monoNs - this.t0Mono) / 1e6;
      for (const end = span + samples.spanCount[i]; span < end; span++) {
        const len = samples.spanLength[span];
        w.image.set(samples.bytes.subarray(at, at + len), samples.spanOffset[span]);
        at += len;
      }
      if (t <= this.history.lastT || this.paused || pause.asked) continue;
      const values = entries.map((e) => {
        const at = e.spec.offset - w.offset;
        const exact = at >= 0 && at + e.spec.type.size <= w.image.length ? decodeScalar(e.spec.type, w.view, at) : NaN;
        const v = Number(exact);
        const trig = e.info.trigger;
        if (trig && triggerFires(trig, e.prev, v)) {
          const marker: WatchMarker = { t, kind: 'trigger', id: e.info.id, text: triggerText(e.info.label, trig) };
          if (trig.action === 'snapshot') this.snapshotFor(marker); // its marker once the snapshot is taken
          else fired.push(trig.action === 'pause' ? { ...marker, text: `${marker.text} (paused)` } : marker);
          if (trig.action === 'pause') pause.asked = true;
        }
        e.prev = v;
        return exact;
      });
      this.history.push(t, ids, values);
    }
    const batches = this.history.batchesSince(fromRow);
    if (batches.length) this.post('samples', { batches });
    this.addMarkers(fired);
    if (pause.asked && !this.paused) void this.setPaused(true).then(() => undefined, (err: unknown) => { this.end(`${errorMessage(err)}: watching ended`); });
  }

  /** Takes the snapshot a trigger asked for, then posts its marker with the snapshot's name. */
  private snapshotFor(marker: WatchMarker): void {
    const label = marker.text;
    const take = this.options.snapshot;
    if (!take) { this.addMarkers([{ ...marker, text: `${label} (no snapshot: not available here)` }]); return; }
    if (this.snapshotting) { this.addMarkers([{ ...marker, text: `${label} (no snapshot: the previous one is still being taken)` }]); return; }
    this.snapshotting = true;
    take(this.segment).then(
      (name) => { this.addMarkers([{ ...marker, text: `${label} (snapshot '${name}')` }]); },
      (err: unknown) => { this.addMarkers([{ ...marker, text: `${label} (snapshot failed: ${errorMessage(err)})` }]); },
    ).finally(() => { this.snapshotting = false; });
  }

  /** nattch / lpid changes since the last stat become attach / detach markers. */
  private async pollStat(): Promise<void> {
    if (this.ended) return;
    const epoch = this.epoch;
    let info: SegmentInfo;
    try {
      info = await this.agent.request('stat', { id: this.segment.id });
    } catch {
      return; // gone: the next take says so
    }
    if (epoch !== this.epoch || this.isEnded || info.ctime !== this.segment.ctime || info.cpid !== this.segment.cpid) return;
    const last = this.lastStat;
    this.lastStat = { nattch: info.nattch, lpid: info.lpid, epoch };
    if (!last || last.epoch !== epoch) return;
    if (info.nattch === last.nattch && info.lpid === last.lpid) return;
    const t = Date.now() - this.sessionStart;
    const kind = info.nattch < last.nattch ? 'detach' : 'attach';
    const text = info.nattch === last.nattch
      ? `pid ${info.lpid} attached and detached (nattch ${info.nattch})`
      : `pid ${info.lpid} ${kind === 'attach' ? 'attached' : 'detached'} (nattch ${last.nattch} → ${info.nattch})`;
    this.addMarkers([{ t, kind, text }]);
  }

  private end(message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.message = message;
    this.agentWatch = undefined;
    this.stopTimers();
    this.post('state', this.state);
    for (const l of this.endListeners) l(message);
  }
}
