// Watch sampling served by the agent (protocol/watchSampling.ts): one Sampler per watch over a
// range, on a read-only attachment of its own (or footprint 'none'), or through a handle the host
// holds open (the hex editor's live refresh). Each batch goes to the host as a `watchSamples`
// event as soon as it is made; nothing waits here.
import type { Handlers } from '../protocol/rpc';
import { MAX_RECORD_RANGE } from '../protocol/recording';
import { describeIdentity } from '../protocol/segment';
import type { WatchPush, WatchSamples, WatchSamplingMethods, WatchStartParams } from '../protocol/watchSampling';
import type { Span } from '../timeline/diff';
import { CODES, NoFootprintSegment, Segment, type SegmentAccess, ShmError, sameSegment } from '../core';
import { type Sample, Sampler, checkSamplerOptions } from '../timeline/sampler';
import { goneWhy } from './recordings';

interface Running {
  id: number;
  params: WatchStartParams;
  seg: SegmentAccess;
  /** Opened for this watch (detached with it), or a host's handle (left alone). */
  owned: boolean;
  /** Undefined while paused. */
  sampler: Sampler | undefined;
  /** performance.now() of the last event sent. */
  lastPush: number;
  ended?: { reason: 'destroyed' | 'error'; message: string };
  /** Counters of samplers stopped by a pause or a rate change. */
  retries: number;
  giveUps: number;
}

function checkStart(sent: WatchStartParams | undefined): WatchStartParams {
  const p = sent as unknown as WatchStartParams | null | undefined; // as sent: any JSON
  if (typeof p !== 'object' || p === null) throw new TypeError('watchStart: params required');
  const e = p.expect as unknown;
  if (typeof e !== 'object' || e === null || typeof (e as { id?: unknown }).id !== 'number') throw new TypeError('watchStart: expect {id, key, cpid, size, ctime} required');
  checkSamplerOptions(p);
  const footprint: unknown = p.footprint;
  if (footprint !== undefined && footprint !== 'attach' && footprint !== 'none') throw new TypeError(`watchStart: footprint must be 'attach' or 'none', got ${JSON.stringify(footprint)}`);
  if (p.handle !== undefined && typeof p.handle !== 'number') throw new TypeError('watchStart: handle must be a number');
  if (p.changesOnly !== undefined && typeof p.changesOnly !== 'boolean') throw new TypeError('watchStart: changesOnly must be true or false');
  if (p.length > MAX_RECORD_RANGE) throw new RangeError(`watch: the values span ${p.length} bytes, more than the ${MAX_RECORD_RANGE / 1048576} MiB sampled at a time: watch values closer together`);
  return p;
}

/** The segment p names, read-only, checked to be the one expected and to hold the range. */
function openForWatch(p: WatchStartParams): SegmentAccess {
  const id = p.expect.id;
  let seg: SegmentAccess;
  if (p.footprint === 'none') {
    seg = NoFootprintSegment.open(id, { readOnly: true, expect: { ...p.expect, id } }); // ECHANGED if not the one expected
  } else {
    const s = Segment.open(id);
    if (!sameSegment(s.identity(), p.expect)) {
      throw new ShmError('watch', CODES.changed, `watch ${id}: the id now names another segment (${describeIdentity(s.identity())}; expected ${describeIdentity(p.expect)})`);
    }
    if (p.offset + p.length <= s.size) s.attach({ readOnly: true }); // checks the identity again once attached
    seg = s;
  }
  if (p.offset + p.length > p.expect.size) {
    seg.detach();
    throw new RangeError(`watch: ${p.offset}+${p.length} is past the end of segment ${id} (${p.expect.size} bytes)`);
  }
  return seg;
}

/** What a watch by handle needs of the agent's open segments. */
export interface HandleTable {
  get(handle: unknown): SegmentAccess;
}

export class Watches {
  private next = 1;
  private readonly table = new Map<number, Running>();

  /** `push` sends an event to the host; `handles`: the host's open segments (watches by handle). */
  constructor(private readonly push: (event: WatchPush) => void, private readonly handles: HandleTable) {}

  start(sent: WatchStartParams | undefined): { watch: number } {
    const p = checkStart(sent);
    const owned = p.handle === undefined;
    const seg = owned ? openForWatch(p) : this.byHandle(p);
    const r: Running = { id: this.next++, params: p, seg, owned, sampler: undefined, lastPush: 0, retries: 0, giveUps: 0 };
    this.table.set(r.id, r); // before the first sample, which is sent at once
    try {
      this.run(r, p.hz);
    } catch (err) {
      this.table.delete(r.id);
      if (owned) seg.detach();
      throw err;
    }
    return { watch: r.id };
  }

  set(p: { watch: number; hz?: number; paused?: boolean } | undefined): null {
    const r = this.get(p);
    if (r.ended) return null;
    const hz = p?.hz ?? r.params.hz;
    checkSamplerOptions({ offset: r.params.offset, length: r.params.length, hz });
    if (p?.paused === true) { this.retire(r); r.params = { ...r.params, hz }; return null; }
    if (hz !== r.params.hz || !r.sampler) {
      this.retire(r);
      r.params = { ...r.params, hz };
      this.run(r, hz);
    }
    return null;
  }

  stop(p: { watch: number } | undefined): null {
    const r = typeof p?.watch === 'number' ? this.table.get(p.watch) : undefined;
    if (!r) return null;
    this.retire(r); // its last batch goes out before the answer
    this.table.delete(r.id);
    if (r.owned) r.seg.detach();
    return null;
  }

  /** A handle is being closed: its watches stop first (they must not read a detached segment). */
  stopUsing(seg: SegmentAccess): void {
    for (const r of [...this.table.values()]) if (r.seg === seg) this.stop({ watch: r.id });
  }

  closeAll(): void {
    for (const r of this.table.values()) {
      r.sampler?.stop();
      try { if (r.owned) r.seg.detach(); } catch { /* exiting */ }
    }
    this.table.clear();
  }

  /** The host's open handle p names, checked to be segment p.expect.id and to hold the range. */
  private byHandle(p: WatchStartParams): SegmentAccess {
    const seg = this.handles.get(p.handle);
    if (seg.id !== p.expect.id) throw new ShmError('watch', CODES.changed, `watch: handle ${String(p.handle)} is segment ${seg.id}, not ${p.expect.id}`);
    if (p.offset + p.length > seg.size) throw new RangeError(`watch: ${p.offset}+${p.length} is past the end of segment ${seg.id} (${seg.size} bytes)`);
    return seg;
  }

  private get(p: { watch: number } | undefined): Running {
    const r = typeof p?.watch === 'number' ? this.table.get(p.watch) : undefined;
    if (!r) throw new ShmError('watch', 'EBADF', `no watch ${String(p?.watch)} (stopped already, or the agent restarted)`);
    return r;
  }

  /** Torn samples r counted so far (samplers retired by a pause or a rate change, and the current one). */
  private torn(r: Running): { retries: number; giveUps: number } {
    const st = r.sampler?.stats;
    return { retries: r.retries + (st?.retries ?? 0), giveUps: r.giveUps + (st?.giveUps ?? 0) };
  }

  /** Stops r's sampler (sending what it holds), keeping its counters. */
  private retire(r: Running): void {
    const s = r.sampler;
    if (!s) return;
    s.stop();
    r.retries += s.stats.retries;
    r.giveUps += s.stats.giveUps;
    r.sampler = undefined;
  }

  /** A new sampler at hz (its first sample, the whole range, is taken now). */
  private run(r: Running, hz: number): void {
    const { offset, length, seq, batchMs, changesOnly } = r.params;
    const end = (reason: 'destroyed' | 'error', message: string) => {
      if (r.ended || !this.table.has(r.id)) return;
      r.ended = { reason, message };
      this.retire(r);
      if (r.owned) r.seg.detach();
      this.table.delete(r.id);
      this.push({ watch: r.id, ended: r.ended, ...this.torn(r) });
    };
    const send = (event: WatchPush) => {
      r.lastPush = performance.now();
      this.push(event);
    };
    const sampler = new Sampler({
      read: (off, len, into) => { r.seg.readInto(into, off, len); },
      offset, length, hz, ...(seq ? { seq } : {}), ...(batchMs !== undefined ? { batchMs } : {}),
      onBatch: (batch: Sample[]) => {
        // A live view wants only what changed: a quiet segment sends nothing.
        const samples = changesOnly ? batch.filter((s) => s.spans.length > 0) : batch;
        if (samples.length > 0 && this.table.has(r.id)) send({ watch: r.id, samples: pack(samples), ...this.torn(r) });
        const gone = goneWhy(r.seg);
        if (gone) queueMicrotask(() => { end('destroyed', gone); });
      },
      onError: (err) => {
        const gone = goneWhy(r.seg);
        end(gone ? 'destroyed' : 'error', gone ?? (err instanceof Error ? err.message : String(err)));
      },
      // Every sample torn (a writer stuck mid-write) makes no batch: the host still hears the counts, a batch interval apart.
      onGiveUp: () => {
        if (this.table.has(r.id) && performance.now() - r.lastPush >= (batchMs ?? 75)) send({ watch: r.id, ...this.torn(r) });
      },
    });
    sampler.start(); // throws on a bad range: r keeps no sampler then
    r.sampler = sampler;
  }
}

/** The samples as WatchSamples: six typed arrays. */
function pack(samples: readonly { monoNs: bigint; wallMs: number; spans: readonly Span[] }[]): WatchSamples {
  let spans = 0;
  let bytes = 0;
  for (const s of samples) {
    spans += s.spans.length;
    for (const sp of s.spans) bytes += sp.bytes.length;
  }
  const out: WatchSamples = {
    monoNs: new BigInt64Array(samples.length), wallMs: new Float64Array(samples.length), spanCount: new Uint32Array(samples.length),
    spanOffset: new Uint32Array(spans), spanLength: new Uint32Array(spans), bytes: new Uint8Array(bytes),
  };
  let j = 0;
  let at = 0;
  samples.forEach((s, i) => {
    out.monoNs[i] = s.monoNs;
    out.wallMs[i] = s.wallMs;
    out.spanCount[i] = s.spans.length;
    for (const sp of s.spans) {
      out.spanOffset[j] = sp.offset;
      out.spanLength[j++] = sp.bytes.length;
      out.bytes.set(sp.bytes, at);
      at += sp.bytes.length;
    }
  });
  return out;
}

type WatchHandlers = {
  [K in keyof WatchSamplingMethods]: (params: WatchSamplingMethods[K]['params'] | undefined) => ReturnType<Handlers<WatchSamplingMethods>[K]>;
};

export function watchHandlers(watches: Watches): WatchHandlers {
  return {
    watchStart: (p) => watches.start(p),
    watchSet: (p) => watches.set(p),
    watchStop: (p) => watches.stop(p),
  };
}
