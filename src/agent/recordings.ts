// Recordings served by the agent (protocol/recording.ts): src/timeline's Sampler reads a range of
// a read-only attachment at a fixed rate and its Recorder keeps the frames within the budget, in
// this process, so the extension host only polls counters. A recording ends when asked, when its
// segment is destroyed (our attachment keeps the memory; SHM_DEST says it is gone) or when a read
// fails; its file is then written (a temporary file renamed over the target, in pieces that
// yield to other requests) and stays readable whatever ended it.
import { setImmediate as tick } from 'node:timers/promises';
import type { Handlers } from '../protocol/rpc';
import { MAX_RECORD_RANGE, type RecordStartParams, type RecordingEnd, type RecordingEndReason, type RecordingMethods, type RecordingProgress } from '../protocol/recording';
import { type SegmentIdentity, describeIdentity } from '../protocol/segment';
import { CODES, NoFootprintSegment, SHM_DEST, Segment, type SegmentAccess, ShmError, sameSegment } from '../core';
import { replaceFile, writeAll } from '../core/files';
import { statRaw } from '../core/listing';
import { Recorder } from '../timeline/recording';
import { Sampler, checkSamplerOptions } from '../timeline/sampler';

/** Pieces of the file written between yields to the event loop. */
const WRITE_GROUP = 256;
const MIN_BUDGET = 64 * 1024;

interface Running {
  id: number;
  seg: SegmentAccess;
  sampler: Sampler;
  recorder: Recorder | undefined;
  path: string;
  /** Resolves once the file is written (or failed to be): set when the recording ends. */
  finished?: Promise<RecordingEnd>;
  end?: RecordingEnd;
}

function checkStart(sent: RecordStartParams | undefined): RecordStartParams {
  const p = sent as unknown as RecordStartParams | null | undefined; // as sent: any JSON
  if (typeof p !== 'object' || p === null) throw new TypeError('recordStart: params required');
  const e = p.expect as unknown;
  if (typeof e !== 'object' || e === null || typeof (e as { id?: unknown }).id !== 'number') throw new TypeError('recordStart: expect {id, key, cpid, size, ctime} required');
  if (typeof p.path !== 'string' || p.path.length === 0 || p.path.includes('\0')) throw new TypeError('recordStart: path must be a non-empty string');
  if (!(Number.isSafeInteger(p.budget) && p.budget >= MIN_BUDGET)) throw new RangeError(`recordStart: the budget must be at least 64 KiB, got ${String(p.budget)}`);
  checkSamplerOptions(p);
  const footprint: unknown = p.footprint; // as sent: checked here
  if (footprint !== undefined && footprint !== 'attach' && footprint !== 'none') throw new TypeError(`recordStart: footprint must be 'attach' or 'none', got ${JSON.stringify(footprint)}`);
  if (p.length > MAX_RECORD_RANGE) throw new RangeError(`record: at most ${MAX_RECORD_RANGE / 1048576} MiB are recorded at a time, asked for ${p.length} bytes: choose a range`);
  return p;
}

export class Recordings {
  private next = 1;
  private readonly table = new Map<number, Running>();

  start(sent: RecordStartParams | undefined): { recording: number } {
    const p = checkStart(sent);
    const { seg, identity } = openForRecording(p);
    const id = this.next++;
    const sampler = new Sampler({
      read: (off, len, into) => { seg.readInto(into, off, len); },
      offset: p.offset, length: p.length, hz: p.hz, ...(p.seq ? { seq: p.seq } : {}),
      onBatch: (samples) => {
        const started = sampler.started;
        r.recorder ??= new Recorder({
          // cpid and ctime too (readers that know only id, key and size skip them): a saved frame
          // becomes a snapshot of the right segment, private ones included.
          segment: identity, offset: p.offset, length: p.length, hz: p.hz,
          startWallMs: started.wallMs, startMonoNs: started.monoNs.toString(),
        }, { budget: p.budget });
        for (const s of samples) r.recorder.add(s.frame, s.monoNs, s.spans, s.changed);
        const gone = goneWhy(seg);
        if (gone) void this.finish(r, 'destroyed', gone);
      },
      // Without an attachment of ours a removed segment fails the read: say it was destroyed.
      onError: (err) => {
        const gone = goneWhy(seg);
        void (gone ? this.finish(r, 'destroyed', gone) : this.finish(r, 'error', err instanceof Error ? err.message : String(err)));
      },
    });
    const r: Running = { id, seg, sampler, path: p.path, recorder: undefined };
    try {
      sampler.start(); // the first sample now: a bad range throws here
    } catch (err) {
      seg.detach();
      throw err;
    }
    this.table.set(id, r);
    return { recording: id };
  }

  status(p: { recording: number } | undefined): RecordingProgress {
    return this.progress(this.get(p));
  }

  async stop(p: { recording: number } | undefined): Promise<RecordingProgress> {
    const r = this.get(p);
    const end = await this.finish(r, 'stopped');
    this.table.delete(r.id);
    return { ...this.progress(r), ended: end };
  }

  /** The host left: every recording not yet on disk ends now, written before the agent exits. */
  closeAll(): void {
    for (const r of this.table.values()) {
      if (r.end) continue;
      r.sampler.stop();
      try { r.seg.detach(); } catch { /* exiting */ }
      if (!r.recorder) continue;
      r.recorder.end({ reason: 'stopped', message: 'the extension closed', stats: statsOf(r) }); // a no-op if it ended already
      try { r.recorder.writeFile(r.path); } catch { /* nowhere to report it */ }
    }
    this.table.clear();
  }

  private get(p: { recording: number } | undefined): Running {
    const r = typeof p?.recording === 'number' ? this.table.get(p.recording) : undefined;
    if (!r) throw new ShmError('record', 'EBADF', `no recording ${String(p?.recording)} (stopped already, or the agent restarted)`);
    return r;
  }

  private progress(r: Running): RecordingProgress {
    const st = r.recorder?.stats;
    const started = r.sampler.started.monoNs;
    return {
      recording: r.id,
      frames: st?.keptFrames ?? 0,
      bytes: st?.bytes ?? 0,
      elapsedMs: started === 0n ? 0 : Number(process.hrtime.bigint() - started) / 1e6,
      retries: r.sampler.stats.retries,
      giveUps: r.sampler.stats.giveUps,
      ...(r.end ? { ended: r.end } : {}),
    };
  }

  /**
   * Ends r once (later calls get the same answer): stop sampling, detach, write the file. The work
   * starts a microtask later, so a call made while the sampler hands out its last batch (which
   * may find the segment destroyed) finds this one already under way.
   */
  private finish(r: Running, reason: RecordingEndReason, message?: string): Promise<RecordingEnd> {
    r.finished ??= Promise.resolve().then(async () => {
      r.sampler.stop(); // hands out what is pending first
      r.seg.detach();
      const base = { reason, ...(message ? { message } : {}), path: r.path };
      if (!r.recorder) return (r.end = { ...base, fileBytes: 0, writeError: 'no sample was taken' });
      r.recorder.end({ reason, ...(message ? { message } : {}), stats: statsOf(r) });
      try {
        const fileBytes = await writeRecording(r.recorder, r.path);
        return (r.end = { ...base, fileBytes });
      } catch (err) {
        return (r.end = { ...base, fileBytes: 0, writeError: err instanceof Error ? err.message : String(err) });
      }
    });
    return r.finished;
  }
}

function statsOf(r: Running): Record<string, number> {
  const { samples, lateTicks, retries, giveUps } = r.sampler.stats;
  return { samples, lateTicks, retries, giveUps };
}

/** The segment p names, read-only, with or without an attachment of ours; checked to be the one expected. */
function openForRecording(p: RecordStartParams): { seg: SegmentAccess; identity: SegmentIdentity } {
  const id = p.expect.id;
  const check = (seg: SegmentAccess, identity: SegmentIdentity) => {
    if (p.offset + p.length > identity.size) {
      seg.detach();
      throw new RangeError(`record: ${p.offset}+${p.length} is past the end of segment ${id} (${identity.size} bytes)`);
    }
    return { seg, identity };
  };
  if (p.footprint === 'none') {
    const seg = NoFootprintSegment.open(id, { readOnly: true, expect: { ...p.expect, id } }); // ECHANGED if not the one expected
    return check(seg, seg.identity);
  }
  const seg = Segment.open(id);
  if (!sameSegment(seg.identity(), p.expect)) {
    throw new ShmError('record', CODES.changed, `record ${id}: the id now names another segment (${describeIdentity(seg.identity())}; expected ${describeIdentity(p.expect)}): nothing recorded`);
  }
  if (p.offset + p.length > seg.size) return check(seg, seg.identity());
  seg.attach({ readOnly: true }); // checks the identity again once attached
  return { seg, identity: seg.identity() };
}

/** Why the segment is gone, or undefined while it is still there. */
export function goneWhy(seg: SegmentAccess): string | undefined {
  try {
    return statRaw(seg.id).mode & SHM_DEST ? `segment ${seg.id} was destroyed` : undefined;
  } catch {
    return `segment ${seg.id} is gone`;
  }
}

/** Recorder.writeFile, but yielding between groups of pieces so other requests are served. */
async function writeRecording(rec: Recorder, file: string): Promise<number> {
  const chunks = rec.chunks();
  let size = 0;
  await replaceFile(file, async (fd) => {
    for (let i = 0; i < chunks.length; i++) {
      writeAll(fd, chunks[i], chunks[i].length);
      size += chunks[i].length;
      if (i % WRITE_GROUP === WRITE_GROUP - 1) await tick();
    }
  });
  return size;
}

/** As written: the channel checks no types, so a request may come without params. */
type RecordingHandlers = {
  [K in keyof RecordingMethods]: (params: RecordingMethods[K]['params'] | undefined) => ReturnType<Handlers<RecordingMethods>[K]>;
};

export function recordingHandlers(recordings: Recordings): RecordingHandlers {
  return {
    recordStart: (p) => recordings.start(p),
    recordStatus: (p) => recordings.status(p),
    recordStop: (p) => recordings.stop(p),
  };
}
