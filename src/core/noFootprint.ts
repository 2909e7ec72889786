// Reading a segment without holding it. An attachment we keep is visible (nattch, lpid, the
// attach times) and blocks PostgreSQL's restart after a crash ("pre-existing shared memory
// block is still in use"). So this reads through the mapping of a process that already has the
// segment attached (/proc/PID/mem at its /SYSV%08x mapping, inode = shmid): nattch, lpid and
// shm_atime do not change. When no such process can be read, each read or write attaches,
// copies and detaches at once, so nothing stays attached between requests.
import * as fs from 'node:fs';
import type { ReadVia, SegmentIdentity, SegmentInfo } from '../protocol/segment';
import { describeIdentity, sameSegment, sysvMappingIn } from '../protocol/segment';
import { CODES, ShmError } from './errors';
import { toSegmentInfo } from './info';
import { statRaw } from './listing';
import { processCommand } from './processes';
import { Segment } from './segment';
import { checkBuffer, checkRange, checkReadInto } from './validate';

/** What the agent's handle table and the chunked jobs (search, dump, diff, load) need of a segment. */
export interface SegmentAccess {
  readonly id: number;
  readonly size: number;
  readonly readOnly: boolean;
  readInto(dst: Uint8Array, start: number, length?: number): number;
  /** Copy [start, start+length) into file fd at position without a buffer in between, where the access can. */
  copyToFile?(fd: number, start: number, length: number, position: number): number;
  readChunk(length: number, start: number): Buffer;
  writeChunk(data: Uint8Array, start: number): number;
  stat(): SegmentInfo;
  /** Release whatever is held (an attachment, a file descriptor). */
  detach(): void;
}

interface Holder {
  pid: number;
  address: number;
  fd: number;
}

/** The /SYSV mapping of `shmid` in process `pid` (its start address), or undefined. */
export function sysvMappingOf(pid: number, shmid: number): number | undefined {
  let maps: string;
  try {
    maps = fs.readFileSync(`/proc/${pid}/maps`, 'latin1');
  } catch {
    return undefined;
  }
  return sysvMappingIn(maps, shmid);
}

/** Pids (other than ours) whose maps show the segment, in /proc order. */
function attachedPids(shmid: number): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  const needle = ` ${shmid} `;
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57 || Number(name) === process.pid) continue;
    let maps: string;
    try {
      maps = fs.readFileSync(`/proc/${name}/maps`, 'latin1');
    } catch {
      continue;
    }
    if (maps.includes('/SYSV') && maps.includes(needle) && sysvMappingOf(Number(name), shmid) !== undefined) out.push(Number(name));
  }
  return out;
}

/** Whether this process may attach the segment read-write, by the kernel's ipcperms rule. */
export function mayWrite(s: Pick<SegmentInfo, 'uid' | 'gid' | 'cuid' | 'cgid' | 'mode'>): boolean {
  const euid = process.geteuid?.() ?? -1;
  if (euid === 0) return true; // CAP_IPC_OWNER
  const groups = new Set([process.getegid?.() ?? -1, ...(process.getgroups?.() ?? [])]);
  if (euid === s.uid || euid === s.cuid) return (s.mode & 0o200) !== 0;
  if (groups.has(s.gid) || groups.has(s.cgid)) return (s.mode & 0o020) !== 0;
  return (s.mode & 0o002) !== 0;
}

/** How long "no process we can read holds it" is believed before /proc is scanned again. */
const RESCAN_MS = 1000;

/** How a read without an attachment of ours would get segment `id`'s bytes now. */
export function noFootprintVia(id: number): ReadVia {
  const seg = NoFootprintSegment.open(id, { readOnly: true });
  const via = seg.via;
  seg.detach();
  return via;
}

export class NoFootprintSegment implements SegmentAccess {
  private holder: Holder | undefined;
  private lastVia: ReadVia = { kind: 'transient' };
  /** When the last scan for a holder found none (scanning every /proc/PID/maps is the costly part). */
  private noHolderSince = -Infinity;

  private constructor(
    readonly identity: SegmentIdentity,
    readonly readOnly: boolean,
  ) {}

  /** Nothing is attached by opening: only a stat, checked against `expect` when given. */
  static open(id: number, options: { readOnly?: boolean; expect?: SegmentIdentity } = {}): NoFootprintSegment {
    const raw = statRaw(id);
    const identity: SegmentIdentity = { id, key: raw.key, cpid: raw.cpid, size: raw.size, ctime: raw.ctime };
    if (options.expect && !sameSegment(raw, options.expect)) {
      throw new ShmError('open', CODES.changed, `open ${id}: the id now names another segment (${describeIdentity(raw)}; expected ${describeIdentity(options.expect)}): nothing done`);
    }
    const info = toSegmentInfo(raw);
    const seg = new NoFootprintSegment(identity, !!options.readOnly || !mayWrite(info));
    seg.findHolder();
    return seg;
  }

  get id(): number {
    return this.identity.id;
  }

  get size(): number {
    return this.identity.size;
  }

  /** How the last read got its bytes (or, before any read, how the next one will). */
  get via(): ReadVia {
    return this.lastVia;
  }

  stat(): SegmentInfo {
    return toSegmentInfo(this.checkSame('stat'));
  }

  readChunk(length: number, start: number): Buffer {
    checkRange('read', start, length, this.size, this.id);
    const buf = Buffer.allocUnsafe(length);
    this.copyOut(buf, start, length);
    return buf;
  }

  readInto(dst: Uint8Array, start: number, length?: number): number {
    const n = checkReadInto(dst, start, length, this.size, this.id);
    this.copyOut(dst, start, n);
    return n;
  }

  /** Writes attach read-write for this one copy: another process's memory is never written. */
  writeChunk(data: Uint8Array, start: number): number {
    checkBuffer(data, 'write');
    checkRange('write', start, data.length, this.size, this.id);
    if (this.readOnly) throw new ShmError('write', CODES.readOnly, `write ${this.id}: opened read-only`);
    return this.briefly(false, (seg) => seg.writeChunk(data, start));
  }

  detach(): void {
    this.dropHolder();
  }

  private copyOut(dst: Uint8Array, start: number, length: number): void {
    if (length === 0) return;
    if (this.readThroughHolder(dst, start, length)) return;
    this.briefly(true, (seg) => seg.readInto(dst, start, length));
    this.lastVia = { kind: 'transient' };
  }

  /** Read through an attached process's mapping; false when none can be read (then attach briefly). */
  private readThroughHolder(dst: Uint8Array, start: number, length: number): boolean {
    for (let tries = 0; tries < 3; tries++) {
      const h = this.holder ?? (performance.now() - this.noHolderSince < RESCAN_MS ? undefined : this.findHolder());
      if (!h) return false;
      // Still mapped there? A process that detached may have something else at that address.
      if (sysvMappingOf(h.pid, this.id) !== h.address) {
        this.dropHolder();
        continue;
      }
      let n = 0;
      try {
        n = fs.readSync(h.fd, dst, 0, length, h.address + start);
      } catch {
        n = -1; // EIO (page the kernel cannot supply through that mm) or the process is exiting
      }
      if (n !== length) {
        this.dropHolder();
        continue;
      }
      this.checkSame('read'); // the id still names the segment the user chose
      this.lastVia = { kind: 'process', pid: h.pid, command: processCommand(h.pid) ?? '?' };
      return true;
    }
    return false;
  }

  private findHolder(): Holder | undefined {
    this.dropHolder();
    // Nothing attached: no process can hold it, and the scan of every /proc/PID/maps (tens of ms
    // on a busy host) would find nothing.
    const pids = statRaw(this.id).nattch === 0 ? [] : attachedPids(this.id);
    for (const pid of pids) {
      const address = sysvMappingOf(pid, this.id);
      if (address === undefined) continue;
      try {
        this.holder = { pid, address, fd: fs.openSync(`/proc/${pid}/mem`, 'r') };
        this.lastVia = { kind: 'process', pid, command: processCommand(pid) ?? '?' };
        return this.holder;
      } catch {
        // EACCES: not ours to read (another user, Yama ptrace_scope): try the next one
      }
    }
    this.lastVia = { kind: 'transient' };
    this.noHolderSince = performance.now();
    return undefined;
  }

  private dropHolder(): void {
    if (this.holder) {
      try { fs.closeSync(this.holder.fd); } catch { /* already closed */ }
      this.holder = undefined;
    }
  }

  /** Attach (checking the identity right after shmat), run fn, detach, whatever happens. */
  private briefly<T>(readOnly: boolean, fn: (seg: Segment) => T): T {
    const seg = Segment.open(this.id);
    if (!sameSegment(seg.identity(), this.identity)) this.checkSame('shmat');
    seg.attach({ readOnly });
    try {
      return fn(seg);
    } finally {
      seg.detach();
    }
  }

  private checkSame(op: string) {
    const raw = statRaw(this.id);
    if (!sameSegment(raw, this.identity)) {
      throw new ShmError(op, CODES.changed, `${op} ${this.id}: the id now names another segment (${describeIdentity(raw)}; expected ${describeIdentity(this.identity)})`);
    }
    return raw;
  }
}
