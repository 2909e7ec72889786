// Watch sampling served by the agent (protocol/watchSampling.ts): one Sampler per watch session
// over the smallest range covering its values, on a read-only attachment (or footprint 'none').
// Samples wait here until the host takes them; if it stops taking them the queue is cut to one
// full sample of the range, so memory stays bounded and the host's image stays right.
import type { Handlers } from '../protocol/rpc';
import { MAX_RECORD_RANGE } from '../protocol/recording';
import { describeIdentity } from '../protocol/segment';
import type { WatchSamples, WatchSamplingMethods, WatchStartParams, WatchTakeResult } from '../protocol/watchSampling';
import type { Span } from '../timeline/diff';
import { CODES, NoFootprintSegment, Segment, type SegmentAccess, ShmError, sameSegment } from '../core';
import { applySpans } from '../timeline/diff';
import { Sampler, checkSamplerOptions } from '../timeline/sampler';
import { goneWhy } from './recordings';

/** Samples kept for a host that does not take them (10 s at 1 kHz). */
const MAX_QUEUED = 10_000;

interface Running {
  id: number;
  params: WatchStartParams;
  seg: SegmentAccess;
  /** Undefined while paused. */
  sampler: Sampler | undefined;
  /** The range as of the last sample queued (to replace a queue that grew too long). */
  image: Uint8Array;
  queue: { monoNs: bigint; wallMs: number; spans: Span[] }[];
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

export class Watches {
  private next = 1;
  private readonly table = new Map<number, Running>();

  start(sent: WatchStartParams | undefined): { watch: number } {
    const p = checkStart(sent);
    const seg = openForWatch(p);
    const r: Running = { id: this.next++, params: p, seg, sampler: undefined, image: new Uint8Array(p.length), queue: [], retries: 0, giveUps: 0 };
    try {
      this.run(r, p.hz);
    } catch (err) {
      seg.detach();
      throw err;
    }
    this.table.set(r.id, r);
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

  take(p: { watch: number } | undefined): WatchTakeResult {
    const r = this.get(p);
    const samples = r.queue;
    r.queue = [];
    const st = r.sampler?.stats;
    const result: WatchTakeResult = { samples: pack(samples), retries: r.retries + (st?.retries ?? 0), giveUps: r.giveUps + (st?.giveUps ?? 0) };
    if (r.ended) {
      result.ended = r.ended;
      this.table.delete(r.id);
    }
    return result;
  }

  stop(p: { watch: number } | undefined): null {
    const r = typeof p?.watch === 'number' ? this.table.get(p.watch) : undefined;
    if (!r) return null;
    r.sampler?.stop();
    r.seg.detach();
    this.table.delete(r.id);
    return null;
  }

  closeAll(): void {
    for (const r of this.table.values()) {
      r.sampler?.stop();
      try { r.seg.detach(); } catch { /* exiting */ }
    }
    this.table.clear();
  }

  private get(p: { watch: number } | undefined): Running {
    const r = typeof p?.watch === 'number' ? this.table.get(p.watch) : undefined;
    if (!r) throw new ShmError('watch', 'EBADF', `no watch ${String(p?.watch)} (stopped already, or the agent restarted)`);
    return r;
  }

  /** Stops r's sampler (handing out what it holds), keeping its counters. */
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
    const { offset, length, seq } = r.params;
    const end = (reason: 'destroyed' | 'error', message: string) => {
      if (r.ended) return;
      r.ended = { reason, message };
      this.retire(r);
      r.seg.detach();
    };
    const sampler = new Sampler({
      read: (off, len, into) => { r.seg.readInto(into, off, len); },
      offset, length, hz, ...(seq ? { seq } : {}),
      onBatch: (batch) => {
        for (const s of batch) {
          applySpans(r.image, s.spans);
          r.queue.push({ monoNs: s.monoNs, wallMs: s.wallMs, spans: s.spans });
        }
        if (r.queue.length > MAX_QUEUED) {
          const last = r.queue[r.queue.length - 1];
          r.queue = [{ monoNs: last.monoNs, wallMs: last.wallMs, spans: [{ offset: 0, bytes: r.image.slice() }] }];
        }
        const gone = goneWhy(r.seg);
        if (gone) queueMicrotask(() => { end('destroyed', gone); });
      },
      onError: (err) => {
        const gone = goneWhy(r.seg);
        end(gone ? 'destroyed' : 'error', gone ?? (err instanceof Error ? err.message : String(err)));
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
    watchTake: (p) => watches.take(p),
    watchStop: (p) => watches.stop(p),
  };
}
