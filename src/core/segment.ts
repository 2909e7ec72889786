// A System V shared-memory segment: create/open, one attachment, checked reads and writes.
// Data moves with libc memcpy between the attachment and Buffers; every range is validated
// first, so a bad offset is a RangeError, never a wild pointer.
import type { CreateOptions, SegmentIdentity, SegmentInfo } from '../protocol/segment';
import { describeIdentity, formatKey, sameSegment } from '../protocol/segment';
import { CODES, ShmError } from './errors';
import { type RawSegment, toSegmentInfo } from './info';
import { IPC_CREAT, IPC_EXCL, IPC_PRIVATE, IPC_RMID, SHM_HUGETLB, SHM_NORESERVE, SHM_RDONLY } from './layout';
import { copyFromAddress, copyToAddress, shmat, shmctl, shmdt, shmget, writeFromAddress } from './libc';
import { copySelfMem } from './procSelfMem';
import { listSegments, statRaw } from './listing';
import { checkBuffer, checkCount, checkRange, checkReadInto } from './validate';

export type Whence = 'start' | 'current' | 'end' | 0 | 1 | 2;

export class Segment {
  private address = 0;
  private attachedReadOnly = false;
  private viaProcSelfMem = false;
  private cursor = 0;

  private constructor(
    readonly id: number,
    readonly size: number,
    readonly key: number,
    readonly cpid: number,
    readonly ctime: number,
  ) {}

  /** shmget(IPC_CREAT): a new segment (or, without exclusive, the existing one with that key). */
  static create(size: number, options: Omit<CreateOptions, 'size'> = {}): Segment {
    checkCount(size, 'size');
    if (size === 0) throw new RangeError('size must be at least 1 byte');
    const key = options.key ?? IPC_PRIVATE;
    if (!Number.isSafeInteger(key) || key < -0x80000000 || key > 0xffffffff) {
      throw new RangeError(`key must be a 32-bit number, got ${key}`);
    }
    const perms = options.perms ?? 0o600;
    if (!Number.isInteger(perms) || perms < 0 || perms > 0o777) {
      throw new RangeError(`perms must be an octal mode from 0 to 0777, got ${perms}`);
    }
    let flags = IPC_CREAT | perms;
    if (options.exclusive) flags |= IPC_EXCL;
    if (options.hugePages) flags |= SHM_HUGETLB;
    if (options.noReserve) flags |= SHM_NORESERVE;
    let id: number;
    try {
      id = shmget(key, size, flags);
    } catch (err) {
      if (options.hugePages && (err as ShmError).code === 'ENOMEM') {
        throw new ShmError('shmget', 'ENOMEM', `${(err as Error).message}: not enough free huge pages (see /proc/sys/vm/nr_hugepages), or create it with SHM_NORESERVE (--noreserve in the CLI)`, (err as ShmError).errno);
      }
      if (key !== IPC_PRIVATE && (err as ShmError).code === 'EINVAL') {
        // The key exists with a smaller size: the kernel's EINVAL does not say so.
        const existing = listSegments().find((s) => (s.key >>> 0) === (key >>> 0));
        if (existing && existing.size < size) {
          throw new ShmError('shmget', 'EINVAL', `shmget: a segment with key ${formatKey(key)} already exists (id ${existing.id}) with ${existing.size} bytes, less than the ${size} asked for (EINVAL)`, 22);
        }
      }
      throw err;
    }
    return Segment.open(id);
  }

  /** An existing segment by id (private key-0 and already-destroyed-but-attached ones included). */
  static open(id: number): Segment {
    const raw = statRaw(id);
    return new Segment(id, raw.size, raw.key, raw.cpid, raw.ctime);
  }

  static openByKey(key: number): Segment {
    if (!Number.isSafeInteger(key) || key < -0x80000000 || key > 0xffffffff) throw new RangeError(`key must be a 32-bit number, got ${key}`);
    if (key === IPC_PRIVATE) throw new RangeError('key 0 is IPC_PRIVATE: private segments have no key, open them by id');
    return Segment.open(shmget(key, 0, 0));
  }

  get keyHex(): string {
    return formatKey(this.key);
  }

  get attached(): boolean {
    return this.address !== 0;
  }

  /** Where it is attached in this process (0 = not attached). */
  get attachAddress(): number {
    return this.address;
  }

  get readOnly(): boolean {
    return this.attachedReadOnly;
  }

  /** What this object was opened on, for the id-reuse guard. */
  identity(): SegmentIdentity {
    return { id: this.id, key: this.key, cpid: this.cpid, size: this.size, ctime: this.ctime };
  }

  stat(): SegmentInfo {
    return toSegmentInfo(statRaw(this.id, { usage: true }));
  }

  /**
   * Attaches (shmat). With `viaProcSelfMem`, reads and writes go through /proc/self/mem: a page
   * the kernel cannot supply then fails the call with EIO instead of killing the process with
   * SIGBUS (see procSelfMem.ts). The agent does not need it (its host survives its death).
   */
  attach(options: { readOnly?: boolean; viaProcSelfMem?: boolean } = {}): this {
    const readOnly = !!options.readOnly;
    if (this.address !== 0) {
      if (readOnly === this.attachedReadOnly) return this;
      throw new ShmError('shmat', 'EBUSY', `shmat ${this.id}: already attached ${this.attachedReadOnly ? 'read-only' : 'read-write'}; detach first`);
    }
    try {
      this.address = shmat(this.id, readOnly ? SHM_RDONLY : 0);
    } catch (err) {
      if ((err as ShmError).code !== 'ENOMEM') throw err;
      // Attaching maps the whole segment, whatever range is wanted.
      throw new ShmError('shmat', 'ENOMEM', `shmat ${this.id}: no room to map the whole segment (${this.size} bytes) in this process's address space (ENOMEM)`, 12);
    }
    // The attachment pins the segment: if the id was removed and reused between our stat and
    // shmat, this is another segment. Look again before any byte is copied.
    try {
      verifyRaw(this.identity(), 'shmat');
    } catch (err) {
      shmdt(this.address);
      this.address = 0;
      throw err;
    }
    this.attachedReadOnly = readOnly;
    this.viaProcSelfMem = !!options.viaProcSelfMem;
    return this;
  }

  detach(): void {
    if (this.address === 0) return;
    const addr = this.address;
    this.address = 0; // forget first: never touch it again even if shmdt fails
    shmdt(addr);
  }

  /** IPC_RMID: removed now, or at the last detach if processes are attached. */
  destroy(): void {
    shmctl(this.id, IPC_RMID, null, 'shmctl(IPC_RMID)');
  }

  // --- chunks by offset -------------------------------------------------------------------

  readChunk(length: number, start: number): Buffer {
    checkRange('read', start, length, this.size, this.id);
    const buf = Buffer.allocUnsafe(length);
    this.copyOut(buf, start, length);
    return buf;
  }

  /** Fill dst (or its first `length` bytes) from `start`; reuses the caller's Buffer. */
  readInto(dst: Uint8Array, start: number, length?: number): number {
    const n = checkReadInto(dst, start, length, this.size, this.id);
    this.copyOut(dst, start, n);
    return n;
  }

  /** Write all of data at start; a range past the end is refused before anything is written. */
  writeChunk(data: Uint8Array, start: number): number {
    checkBuffer(data, 'write');
    checkRange('write', start, data.length, this.size, this.id);
    this.copyIn(data, start);
    return data.length;
  }

  /**
   * Copy [start, start+length) straight into file fd at position (pwrite from the attachment:
   * one kernel copy, no buffer in between; the byte pipe's transfer file). Returns length.
   */
  copyToFile(fd: number, start: number, length: number, position: number): number {
    checkRange('read', start, length, this.size, this.id);
    if (this.address === 0) throw this.notAttached('read');
    let done = 0;
    while (done < length) {
      const n = writeFromAddress(fd, this.address + start + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    this.checkCopied('read', start, length, done);
    return length;
  }

  // --- io.Reader / io.Writer / io.Seeker ----------------------------------------------------

  get position(): number {
    return this.cursor;
  }

  /** Read up to buf.length bytes at the cursor; returns the count, 0 at the end (EOF). */
  read(buf: Uint8Array): number {
    checkBuffer(buf, 'read');
    const n = Math.min(buf.length, this.size - this.cursor);
    if (n <= 0) return 0;
    this.copyOut(buf, this.cursor, n);
    this.cursor += n;
    return n;
  }

  /** Write at the cursor; returns the count written, less than data.length at the end (short write). */
  write(data: Uint8Array): number {
    checkBuffer(data, 'write');
    const n = Math.min(data.length, this.size - this.cursor);
    if (n <= 0) return 0;
    this.copyIn(n === data.length ? data : data.subarray(0, n), this.cursor);
    this.cursor += n;
    return n;
  }

  /** Move the cursor; the result must stay within [0, size]. Returns the new position. */
  seek(offset: number, whence: Whence = 'start'): number {
    if (!Number.isSafeInteger(offset)) throw new RangeError(`seek: offset must be a whole number, got ${offset}`);
    // JavaScript callers can pass anything: an unknown whence has no base.
    const base = new Map<unknown, number>([['start', 0], [0, 0], ['current', this.cursor], [1, this.cursor], ['end', this.size], [2, this.size]]).get(whence);
    if (base === undefined) throw new RangeError(`seek: whence must be start, current or end, got ${String(whence)}`);
    const next = base + offset;
    if (next < 0 || next > this.size) throw new RangeError(`seek: position ${next} is outside segment ${this.id} (0..${this.size})`);
    this.cursor = next;
    return next;
  }

  reset(): void {
    this.cursor = 0;
  }

  // --- the only two places that touch the attachment -------------------------------------

  private copyOut(dst: Uint8Array, start: number, length: number): void {
    if (this.address === 0) throw this.notAttached('read');
    if (this.viaProcSelfMem) this.checkCopied('read', start, length, copySelfMem(dst, this.address + start, length, false));
    else copyFromAddress(dst, this.address + start, length);
  }

  private copyIn(src: Uint8Array, start: number): void {
    if (this.address === 0) throw this.notAttached('write');
    if (this.attachedReadOnly) throw new ShmError('write', CODES.readOnly, `write ${this.id}: attached read-only`);
    if (this.viaProcSelfMem) this.checkCopied('write', start, src.length, copySelfMem(src, this.address + start, src.length, true));
    else copyToAddress(this.address + start, src, src.length);
  }

  private checkCopied(op: 'read' | 'write', start: number, length: number, copied: number): void {
    if (copied === length) return;
    const at = start + copied;
    throw new ShmError(op, 'EIO', `${op} ${this.id}: the kernel could not supply the page at offset 0x${at.toString(16)} (${at}); ` +
      'a huge-page segment whose pool has no free huge pages does this (EIO)', 5);
  }

  private notAttached(op: string): ShmError {
    return new ShmError(op, CODES.detached, `${op} ${this.id}: not attached (call attach() first)`);
  }
}

/** Check the id still names the expected segment, or throw ECHANGED without acting. */
export function verifyIdentity(expect: SegmentIdentity, op: string): SegmentInfo {
  return toSegmentInfo(verifyRaw(expect, op));
}

function verifyRaw(expect: SegmentIdentity, op: string): RawSegment {
  const raw = statRaw(expect.id);
  if (!sameSegment(raw, expect)) {
    throw new ShmError(op, CODES.changed,
      `${op} ${expect.id}: the id now names another segment (${describeIdentity(raw)}; expected ${describeIdentity(expect)}): nothing done`);
  }
  return raw;
}

/** IPC_RMID by id, optionally only if it is still the expected segment. */
export function destroySegment(id: number, expect?: SegmentIdentity): { deferred: boolean } {
  const raw = expect ? verifyRaw({ ...expect, id }, 'destroy') : statRaw(id);
  shmctl(id, IPC_RMID, null, 'shmctl(IPC_RMID)');
  return { deferred: raw.nattch > 0 };
}
