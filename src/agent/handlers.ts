// The agent's request handlers: the core, served over the channel. Every parameter is checked
// here again (the agent trusts no caller), and long jobs work in chunks, yielding the event
// loop between them so other requests stay responsive, and stop when cancelled.
import * as fs from 'node:fs';
import type { AgentMethods } from '../protocol/agent';
import type { CallContext, Handlers } from '../protocol/rpc';
import {
  CODES, type ChunkReader, NoFootprintSegment, Segment, type SegmentAccess, ShmError, attachmentReport, diffChunks, fileReader, segmentReader, destroySegment,
  limits, listSegments, reportAttachments, sameSegment, searchChunks,
} from '../core';
import { BULK_CHUNK } from '../protocol/chunks';
import { describeIdentity } from '../protocol/segment';
import { replaceFile, writeAll } from '../core/files';
import { checkCount, checkRange } from '../core/validate';
import { Recordings, recordingHandlers } from './recordings';
import { Watches, watchHandlers } from './watches';


const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function cancelled(op: string): ShmError {
  return new ShmError(op, 'ECANCELED', `${op}: cancelled`);
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 0x7fffffff;
}

function needId(v: unknown, what = 'id'): number {
  if (!isId(v)) throw new RangeError(`${what} must be a segment id (whole number >= 0), got ${String(v)}`);
  return v;
}

function needBytes(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what} must be bytes (Uint8Array)`);
  return v;
}

function needPath(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.includes('\0')) throw new TypeError('path must be a non-empty string');
  return v;
}

export class OpenSegments {
  private next = 1;
  private readonly table = new Map<number, SegmentAccess>();

  add(seg: SegmentAccess): number {
    const h = this.next++;
    this.table.set(h, seg);
    return h;
  }

  get(handle: unknown): SegmentAccess {
    const seg = typeof handle === 'number' ? this.table.get(handle) : undefined;
    if (!seg) throw new ShmError('handle', 'EBADF', `no open segment with handle ${String(handle)} (closed, or the agent restarted)`);
    return seg;
  }

  close(handle: unknown): void {
    const seg = this.get(handle);
    this.table.delete(handle as number);
    seg.detach();
  }

  closeAll(): void {
    for (const seg of this.table.values()) { try { seg.detach(); } catch { /* exiting */ } }
    this.table.clear();
  }
}

/** The handlers as written: the channel checks no types, so a request may come without params. */
type AgentHandlers = {
  [K in keyof AgentMethods]: (params: AgentMethods[K]['params'] | undefined, ctx: CallContext) => ReturnType<Handlers<AgentMethods>[K]>;
};

function needParams<P>(p: P | undefined, method: string): P {
  if (typeof p !== 'object' || p === null) throw new TypeError(`${method}: params required`);
  return p;
}

export function createHandlers(open: OpenSegments, recordings: Recordings, watches: Watches): Handlers<AgentMethods> {
  const handlers: AgentHandlers = {
    ...recordingHandlers(recordings),
    ...watchHandlers(watches),
    ping: () => ({ pid: process.pid }),

    list: (p) => {
      const segments = listSegments();
      if (!p?.attachments) return { segments };
      return { segments, attachments: reportAttachments(segments) };
    },

    stat: (p) => Segment.open(needId(p?.id)).stat(),

    limits: () => limits(),

    attachments: (p) => attachmentReport(Segment.open(needId(p?.id)).stat()),

    create: (sent) => {
      const p = needParams(sent, 'create');
      return Segment.create(p.size, { key: p.key, perms: p.perms, exclusive: p.exclusive, hugePages: p.hugePages, noReserve: p.noReserve }).stat();
    },

    destroy: (p) => {
      const e = p?.expect;
      if (!e || !isId(e.id)) throw new TypeError('destroy: expect {id, key, cpid, size} required');
      return destroySegment(e.id, e);
    },

    open: (sent) => {
      const p = needParams(sent, 'open');
      const id = needId(p.id);
      const expect = p.expect ? { ...p.expect, id } : undefined;
      const footprint: unknown = p.footprint; // as sent: checked here
      if (footprint !== undefined && footprint !== 'attach' && footprint !== 'none') throw new TypeError(`open: footprint must be 'attach' or 'none', got ${JSON.stringify(footprint)}`);
      if (footprint === 'none') {
        const seg = NoFootprintSegment.open(id, { readOnly: !!p.readOnly, expect });
        const info = seg.stat();
        return { handle: open.add(seg), info, readOnly: seg.readOnly, address: 0, via: seg.via };
      }
      const seg = Segment.open(id);
      if (expect && !sameSegment(seg.identity(), expect)) {
        throw new ShmError('open', CODES.changed, `open ${id}: the id now names another segment (${describeIdentity(seg.identity())}; expected ${describeIdentity(expect)}): nothing done`);
      }
      seg.attach({ readOnly: !!p.readOnly }); // checks the identity again once attached
      let info;
      try {
        info = seg.stat();
      } catch (err) {
        seg.detach(); // never a handle without its stat: that attachment would leak
        throw err;
      }
      return { handle: open.add(seg), info, readOnly: seg.readOnly, address: seg.attachAddress, via: { kind: 'attachment' as const } };
    },

    via: (p) => {
      const seg = open.get(p?.handle);
      return seg instanceof NoFootprintSegment ? seg.via : { kind: 'attachment' as const };
    },

    close: (p) => {
      watches.stopUsing(open.get(p?.handle)); // a live view's sampling of it ends first
      open.close(p?.handle);
      return null;
    },

    read: (sent) => {
      const seg = open.get(sent?.handle); // without params, no handle: EBADF
      const p = needParams(sent, 'read');
      return seg.readChunk(p.length, p.offset);
    },

    write: (sent) => {
      const seg = open.get(sent?.handle); // without params, no handle: EBADF
      const p = needParams(sent, 'write');
      return { written: seg.writeChunk(needBytes(p.data, 'write: data'), p.offset) };
    },

    search: async (sent, ctx) => {
      const seg = open.get(sent?.handle); // without params, no handle: EBADF
      const p = needParams(sent, 'search');
      const it = searchChunks(seg, {
        pattern: needBytes(p.pattern, 'search: pattern'),
        mask: p.mask === undefined ? undefined : needBytes(p.mask, 'search: mask'),
        caseInsensitive: !!p.caseInsensitive,
        from: p.from,
        backwards: !!p.backwards,
        max: p.max,
      });
      for (;;) {
        const r = it.next();
        if (r.done) return r.value;
        ctx.progress(r.value.done, r.value.total);
        await tick();
        if (ctx.signal.aborted) throw cancelled('search');
      }
    },

    dump: async (sent, ctx) => {
      const seg = open.get(sent?.handle); // without params, no handle: EBADF
      const p = needParams(sent, 'dump');
      const offset = p.offset ?? 0;
      const length = p.length ?? seg.size - checkCount(offset, 'dump: offset');
      checkRange('dump', offset, length, seg.size, seg.id);
      const path = needPath(p.path);
      const buf = Buffer.allocUnsafe(Math.min(BULK_CHUNK, Math.max(length, 1)));
      // Into a 0600 temporary file renamed over the target when complete: a failed or cancelled
      // dump leaves an existing file as it was, and no half-written file looks complete.
      await replaceFile(path, async (fd) => {
        for (let done = 0; done < length; ) {
          const n = Math.min(buf.length, length - done);
          seg.readInto(buf, offset + done, n);
          writeAll(fd, buf, n);
          done += n;
          ctx.progress(done, length);
          await tick();
          if (ctx.signal.aborted) throw cancelled('dump');
        }
      });
      return { bytes: length };
    },

    diff: async (sent, ctx) => {
      const p = needParams(sent, 'diff');
      const fds: number[] = [];
      try {
        const openFile = (path: unknown) => { const fd = fs.openSync(needPath(path), 'r'); fds.push(fd); return fd; };
        const fdA = openFile(p.path);
        const sizeA = fs.fstatSync(fdA).size;
        let reader: ChunkReader, sizeB: number;
        if (p.otherPath !== undefined) {
          const fdB = openFile(p.otherPath);
          reader = fileReader(fdB);
          sizeB = fs.fstatSync(fdB).size;
        } else {
          const seg = open.get(p.handle);
          reader = segmentReader(seg);
          sizeB = seg.size;
        }
        const it = diffChunks(fileReader(fdA), reader, Math.min(sizeA, sizeB), { maxRanges: p.maxRanges });
        for (;;) {
          const r = it.next();
          if (r.done) return { ...r.value, sizes: [sizeA, sizeB] as [number, number] };
          ctx.progress(r.value.done, r.value.total);
          await tick();
          if (ctx.signal.aborted) throw cancelled('diff');
        }
      } finally {
        for (const fd of fds) fs.closeSync(fd);
      }
    },

    load: async (sent, ctx) => {
      const seg = open.get(sent?.handle); // without params, no handle: EBADF
      const p = needParams(sent, 'load');
      if (seg.readOnly) throw new ShmError('load', CODES.readOnly, `load ${seg.id}: attached read-only`);
      const path = needPath(p.path);
      const fd = fs.openSync(path, 'r');
      try {
        const length = fs.fstatSync(fd).size;
        checkRange('load', p.offset, length, seg.size, seg.id); // refuse before writing anything
        const buf = Buffer.allocUnsafe(Math.min(BULK_CHUNK, Math.max(length, 1)));
        for (let done = 0; done < length; ) {
          const n = fs.readSync(fd, buf, 0, Math.min(buf.length, length - done), done);
          if (n === 0) break;
          seg.writeChunk(buf.subarray(0, n), p.offset + done);
          done += n;
          ctx.progress(done, length);
          await tick();
          if (ctx.signal.aborted) throw cancelled('load');
        }
        return { bytes: length };
      } finally {
        fs.closeSync(fd);
      }
    },
  };
  return handlers;
}

export type { CallContext };
