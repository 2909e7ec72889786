// The sampling engine: reads one range at a fixed rate, diffs each sample against the previous
// one and hands out batches of changed spans with their times. Node only (no vscode, no koffi):
// the CLI, the agent and the extension host each give it their own read function.
//
// Timing: tick n is planned at start + n * period; each tick is scheduled from its planned time
// (so timer lateness does not accumulate), a tick already due runs at once, and ticks missed by
// a whole period are skipped and counted (late), never piled up.
import type { Span } from './diff';
import { SamplePair } from './samplePair';

/** Fill `into` (exactly `length` bytes) from the segment at `offset`; throws when it cannot. */
export type ReadFn = (offset: number, length: number, into: Uint8Array) => void;

/** A seqlock-style counter: odd while a writer is active, changed by every write. */
export interface SeqField {
  /** Byte offset in the segment (not relative to the range). */
  offset: number;
  size: 4 | 8;
}

export interface SamplerOptions {
  read: ReadFn;
  /** The range sampled, in segment offsets. */
  offset: number;
  length: number;
  /** Samples per second, 1..1000. */
  hz: number;
  /** How often batches are handed out (ms, default 75). */
  batchMs?: number;
  seq?: SeqField;
  /** Retries of a torn sample before it is given up (default 4). */
  maxRetries?: number;
  onBatch: (batch: Sample[]) => void;
  /** A read failed: the sampler has stopped (pending samples were handed out first). */
  onError?: (err: unknown) => void;
  /** A torn sample was given up (no sample is handed out for it; stats.giveUps counts it). */
  onGiveUp?: () => void;
}

export interface Sample {
  /** 0 for the first sample, +1 for every sample taken (a given-up torn sample takes no number). */
  frame: number;
  /** process.hrtime.bigint() when the read started. */
  monoNs: bigint;
  /** Wall clock (ms since the epoch) of the same moment: the start's Date.now() + elapsed. */
  wallMs: number;
  /** What changed since the previous sample; frame 0: one span with the whole range. */
  spans: Span[];
  /** Bytes that differ from the previous sample (frame 0: the range's length). */
  changed: number;
}

export interface SamplerStats {
  samples: number;
  /** Ticks skipped because the timer came a whole period late or more. */
  lateTicks: number;
  /** Torn samples read again. */
  retries: number;
  /** Samples dropped after maxRetries torn reads. */
  giveUps: number;
  bytesChanged: number;
  batches: number;
}

export const MIN_HZ = 1;
export const MAX_HZ = 1000;

/** A usage problem in the options: one line. */
export function checkSamplerOptions(o: Pick<SamplerOptions, 'offset' | 'length' | 'hz' | 'batchMs'> & { seq?: { offset: number; size: number } }): void {
  const whole = (v: number) => Number.isSafeInteger(v) && v >= 0;
  if (!whole(o.offset)) throw new RangeError(`sampler: offset must be a whole number of bytes, got ${o.offset}`);
  if (!whole(o.length) || o.length === 0) throw new RangeError(`sampler: length must be at least 1 byte, got ${o.length}`);
  if (!(o.hz >= MIN_HZ && o.hz <= MAX_HZ)) throw new RangeError(`sampler: rate must be ${MIN_HZ} to ${MAX_HZ} Hz, got ${o.hz}`);
  if (o.batchMs !== undefined && !(o.batchMs >= 1 && o.batchMs <= 10_000)) throw new RangeError(`sampler: batch interval must be 1 to 10000 ms, got ${o.batchMs}`);
  if (o.seq && (!whole(o.seq.offset) || (o.seq.size !== 4 && o.seq.size !== 8))) {
    throw new RangeError('sampler: the sequence counter needs a byte offset and a size of 4 or 8');
  }
}

export class Sampler {
  private readonly periodNs: number;
  private readonly batchNs: number;
  /** The double buffer: this sample and the one before, diffed with SIMD where it can. */
  private readonly pair: SamplePair;
  private readonly seqA = Buffer.alloc(8);
  private readonly seqB = Buffer.alloc(8);
  private pending: Sample[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private tick = 0;
  private frame = 0;
  /** When the next batch is due (planned ns since start). */
  private nextFlushNs = 0;
  private active = false;
  private startNs = 0n;
  private startWall = 0;
  private readonly counters: SamplerStats = { samples: 0, lateTicks: 0, retries: 0, giveUps: 0, bytesChanged: 0, batches: 0 };

  constructor(private readonly o: SamplerOptions) {
    checkSamplerOptions(o);
    this.periodNs = 1e9 / o.hz;
    this.batchNs = (o.batchMs ?? 75) * 1e6;
    this.pair = new SamplePair(o.length);
  }

  get running(): boolean {
    return this.active;
  }

  get stats(): Readonly<SamplerStats> {
    return { ...this.counters };
  }

  /** When the first sample was taken (times count from it): monotonic ns and wall-clock ms. */
  get started(): { monoNs: bigint; wallMs: number } {
    return { monoNs: this.startNs, wallMs: this.startWall };
  }

  /** Takes the first sample now (synchronously: a bad range throws here), then one per period. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.startNs = process.hrtime.bigint();
    this.startWall = Date.now();
    this.tick = 0;
    this.nextFlushNs = this.batchNs;
    try {
      this.sampleOnce();
    } catch (err) {
      this.active = false;
      throw err;
    }
    this.schedule();
  }

  /** Stops and hands out what is pending. Idempotent. */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.clearTimer();
    this.flush();
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    if ('hasRef' in this.timer && 'refresh' in this.timer) clearTimeout(this.timer);
    else clearImmediate(this.timer);
    this.timer = undefined;
  }

  private elapsedNs(): number {
    return Number(process.hrtime.bigint() - this.startNs);
  }

  private schedule(): void {
    this.tick++;
    const now = this.elapsedNs();
    let planned = this.tick * this.periodNs;
    if (now - planned >= this.periodNs) {
      // A whole period or more behind: skip to the next planned tick after now.
      const missed = Math.floor((now - planned) / this.periodNs);
      this.counters.lateTicks += missed;
      this.tick += missed;
      planned = this.tick * this.periodNs;
    }
    const delayMs = (planned - now) / 1e6;
    const run = () => { this.onTick(); };
    this.timer = delayMs <= 0 ? setImmediate(run) : setTimeout(run, delayMs);
  }

  private onTick(): void {
    this.timer = undefined;
    if (!this.active) return;
    try {
      this.sampleOnce();
    } catch (err) {
      this.stop();
      this.o.onError?.(err);
      return;
    }
    if (this.running) this.schedule(); // a batch handler may have stopped it
  }

  /** One sample (with torn-read retries); queues it and flushes when a batch is due. */
  private sampleOnce(): void {
    const { read, offset, length, seq } = this.o;
    const maxRetries = this.o.maxRetries ?? 4;
    let monoNs = 0n;
    for (let attempt = 0; ; attempt++) {
      if (seq) read(seq.offset, seq.size, this.seqA);
      monoNs = process.hrtime.bigint();
      read(offset, length, this.pair.cur);
      if (!seq) break;
      read(seq.offset, seq.size, this.seqB);
      const torn = (this.seqA[0] & 1) === 1 || this.seqA.compare(this.seqB, 0, seq.size, 0, seq.size) !== 0;
      if (!torn) break;
      if (attempt >= maxRetries) {
        this.counters.giveUps++;
        this.o.onGiveUp?.();
        this.maybeFlush();
        return;
      }
      this.counters.retries++;
    }
    const frame = this.frame++;
    if (frame === 0) this.startNs = monoNs; // times count from the first sample: it is at t = 0
    const wallMs = this.startWall + Number(monoNs - this.startNs) / 1e6;
    let sample: Sample;
    if (frame === 0) {
      sample = { frame, monoNs, wallMs, spans: [{ offset: 0, bytes: new Uint8Array(this.pair.cur) }], changed: length };
    } else {
      const spans: Span[] = [];
      const cur = this.pair.cur;
      const changed = this.pair.diff((at, n) => { spans.push({ offset: at, bytes: new Uint8Array(cur.subarray(at, at + n)) }); });
      sample = { frame, monoNs, wallMs, spans, changed };
    }
    this.counters.samples++;
    this.counters.bytesChanged += sample.changed;
    this.pending.push(sample);
    this.pair.swap(); // this sample becomes the one the next is compared with
    if (frame === 0) this.flush(); // the first full sample goes out at once
    else this.maybeFlush();
  }

  /**
   * Batches keep to the plan: one is due at the first tick planned at or after the next batch
   * time (half a period early counts, for rates whose period is not a whole number of ns). Timer
   * lateness varies from tick to tick; measured from when the last batch actually went, a tick
   * that fired less late than the one before missed its batch (live refresh updated every
   * other period).
   */
  private maybeFlush(): void {
    const planned = this.tick * this.periodNs;
    if (planned >= this.nextFlushNs - this.periodNs / 2) {
      this.nextFlushNs = planned + this.batchNs;
      this.flush();
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.counters.batches++;
    this.o.onBatch(batch);
  }
}

/** Torn samples a sequence counter caught, as the CLI and VS Code say it: "3 torn reads retried, 0 given up". */
export function tornText(retries: number, giveUps: number): string {
  return `${retries} torn read${retries === 1 ? '' : 's'} retried, ${giveUps} given up`;
}
