// The recording format (README "Recording file format"): a header, then one record per frame
// (a zlib-compressed keyframe of the whole range, or the spans that changed), then an end record.
// Recorder builds one in memory within a byte budget (evicting the oldest keyframe group) and
// writes it whole; Recording reads one back, validating every field before trusting it, and
// gives the bytes at any frame from its nearest keyframe plus the deltas after it.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { type Span, type SpanRange, diffRanges } from './diff';

export const MAGIC = 'SHMTLREC';
export const VERSION = 1;
/** magic, version, header length. */
const PREFIX = 16;
const MAX_HEADER = 64 * 1024;
/** type u8, 3 zero bytes, frame u32, t u64 (ns since start), changed u32, payload length u32. */
export const RECORD_HEADER = 24;
export const MAX_RANGE = 1 << 30;
/** zlib's deflate cannot shrink data by more than ~1032:1: a longer claim is a lie. */
const MAX_INFLATE_RATIO = 1032;

export const RecordType = { Keyframe: 1, Delta: 2, End: 3 } as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

export type EndReason = 'duration' | 'stopped' | 'destroyed' | 'error';
const END_REASONS: readonly EndReason[] = ['duration', 'stopped', 'destroyed', 'error'];

export interface RecordingHeader {
  segment: { id: number; key: number; size: number };
  /** The recorded range, in segment offsets. */
  offset: number;
  length: number;
  hz: number;
  /** When frame times count from: wall clock (ms since the epoch) and monotonic (ns, decimal). */
  startWallMs: number;
  startMonoNs: string;
}

export interface EndInfo {
  reason: EndReason;
  message?: string;
  /** Counters at the end (sampler and recorder), informative. */
  stats?: Record<string, number>;
}

export class RecordingError extends Error {
  override readonly name = 'RecordingError';
}

export interface FrameInfo {
  frame: number;
  /** ms since the recording started. */
  t: number;
  /** Bytes that differ from the previous frame. */
  changed: number;
  keyframe: boolean;
}

// --- writing -----------------------------------------------------------------------------------

export interface RecorderOptions {
  /** Bytes the recording may hold (default 64 MiB); past it the oldest keyframe group goes. */
  budget?: number;
  /** A keyframe at least every this many frames (default 1000). */
  keyframeEvery?: number;
  /** ...or when the deltas since the last keyframe exceed this share of the range (default 0.5). */
  keyframeShare?: number;
}

export const DEFAULT_BUDGET = 64 * 1024 * 1024;

interface Group {
  records: Buffer[];
  bytes: number;
  frames: number;
}

export interface RecorderStats {
  frames: number;
  keyframes: number;
  /** Frames kept now. */
  keptFrames: number;
  evictedGroups: number;
  evictedFrames: number;
  /** Bytes changed between frames (the first frame not counted). */
  changedBytes: number;
  /** The file's size if written now. */
  bytes: number;
}

function headerBytes(h: RecordingHeader): Buffer {
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  const out = Buffer.alloc(PREFIX + json.length);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(VERSION, 8);
  out.writeUInt32LE(json.length, 12);
  json.copy(out, PREFIX);
  return out;
}

function recordHeader(out: Buffer, type: RecordType, frame: number, tNs: bigint, changed: number, payload: number): void {
  out.writeUInt8(type, 0);
  out.fill(0, 1, 4);
  out.writeUInt32LE(frame, 4);
  out.writeBigUInt64LE(tNs, 8);
  out.writeUInt32LE(changed, 16);
  out.writeUInt32LE(payload, 20);
}

export class Recorder {
  private readonly header: Buffer;
  private readonly image: Buffer;
  private readonly groups: Group[] = [];
  private total: number;
  private sinceKey = 0;
  private deltaBytesSinceKey = 0;
  private forceKey = true;
  private endRecord: Buffer | undefined;
  private lastFrame = -1;
  private readonly budget: number;
  private readonly every: number;
  private readonly shareBytes: number;
  private readonly startNs: bigint;
  private readonly counters = { frames: 0, keyframes: 0, evictedGroups: 0, evictedFrames: 0, changedBytes: 0 };

  constructor(readonly meta: RecordingHeader, options: RecorderOptions = {}) {
    checkHeader(meta);
    this.header = headerBytes(meta);
    this.image = Buffer.alloc(meta.length);
    this.budget = options.budget ?? DEFAULT_BUDGET;
    this.every = options.keyframeEvery ?? 1000;
    this.shareBytes = (options.keyframeShare ?? 0.5) * meta.length;
    if (!(this.budget >= 4096)) throw new RangeError(`recording budget must be at least 4 KiB, got ${this.budget}`);
    if (!(Number.isSafeInteger(this.every) && this.every >= 1)) throw new RangeError(`keyframeEvery must be at least 1, got ${this.every}`);
    this.startNs = BigInt(meta.startMonoNs);
    this.total = this.header.length;
  }

  get stats(): RecorderStats {
    return { ...this.counters, keptFrames: this.groups.reduce((n, g) => n + g.frames, 0), bytes: this.total + (this.endRecord ? 0 : endBytes({ reason: 'stopped' }).length) };
  }

  /** True when even one keyframe group is larger than the budget (nothing left to evict). */
  get overBudget(): boolean {
    return this.total > this.budget;
  }

  /**
   * One frame: its spans (offsets from the range's start) applied to the image, stored as a
   * delta or, when one is due, a keyframe. Frames must come in increasing order.
   */
  add(frame: number, monoNs: bigint, spans: readonly Span[], changed: number): void {
    if (this.endRecord) throw new Error('recording already ended');
    if (!(Number.isSafeInteger(frame) && frame > this.lastFrame && frame <= 0xffffffff)) throw new RangeError(`frame ${frame} out of order`);
    this.lastFrame = frame;
    let deltaBytes = 4;
    for (const s of spans) {
      this.image.set(s.bytes, s.offset);
      deltaBytes += 8 + s.bytes.length;
    }
    const tNs = monoNs > this.startNs ? monoNs - this.startNs : 0n;
    const key = this.forceKey || this.sinceKey >= this.every || this.deltaBytesSinceKey + deltaBytes > this.shareBytes;
    let rec: Buffer;
    if (key) {
      const packed = zlib.deflateSync(this.image, { level: 1 });
      rec = Buffer.allocUnsafe(RECORD_HEADER + packed.length);
      recordHeader(rec, RecordType.Keyframe, frame, tNs, changed, packed.length);
      packed.copy(rec, RECORD_HEADER);
      this.groups.push({ records: [], bytes: 0, frames: 0 });
      this.sinceKey = 1; // frames in this group: the next keyframe comes `every` frames after this one
      this.deltaBytesSinceKey = 0;
      this.forceKey = false;
      this.counters.keyframes++;
    } else {
      rec = Buffer.allocUnsafe(RECORD_HEADER + deltaBytes);
      recordHeader(rec, RecordType.Delta, frame, tNs, changed, deltaBytes);
      let at = RECORD_HEADER;
      at = rec.writeUInt32LE(spans.length, at);
      for (const s of spans) {
        at = rec.writeUInt32LE(s.offset, at);
        at = rec.writeUInt32LE(s.bytes.length, at);
        rec.set(s.bytes, at);
        at += s.bytes.length;
      }
      this.sinceKey++;
      this.deltaBytesSinceKey += deltaBytes;
    }
    const g = this.groups[this.groups.length - 1];
    g.records.push(rec);
    g.bytes += rec.length;
    g.frames++;
    this.total += rec.length;
    // The first frame's bytes are all new, not changes.
    if (this.counters.frames > 0) this.counters.changedBytes += changed;
    this.counters.frames++;
    this.evict();
  }

  /** Oldest groups go while over budget; the newest always stays (a keyframe starts early instead). */
  private evict(): void {
    const room = this.budget - 512; // the end record
    while (this.total > room && this.groups.length > 1) {
      const g = this.groups.shift();
      if (!g) break;
      this.total -= g.bytes;
      this.counters.evictedGroups++;
      this.counters.evictedFrames += g.frames;
    }
    if (this.total > room) this.forceKey = true;
  }

  end(info: EndInfo): void {
    if (this.endRecord) return;
    const stats = { ...this.counters, ...info.stats };
    this.endRecord = endBytes({ ...info, stats }, this.lastFrame < 0 ? 0 : this.lastFrame);
    this.total += this.endRecord.length;
  }

  get ended(): boolean {
    return this.endRecord !== undefined;
  }

  /** The file's pieces in order (after end()). */
  chunks(): Buffer[] {
    if (!this.endRecord) throw new Error('end() the recording first');
    return [this.header, ...this.groups.flatMap((g) => g.records), this.endRecord];
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks());
  }

  /**
   * Writes the recording to file: a 0600 temporary file beside it, renamed over it when whole
   * (a failure leaves no half file and an existing file as it was). Returns the size.
   */
  writeFile(file: string): number {
    const chunks = this.chunks();
    let target = file;
    try { target = fs.realpathSync(file); } catch { /* a new file */ }
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = fs.openSync(temp, 'wx', 0o600);
    let size = 0;
    try {
      try {
        for (let i = 0; i < chunks.length; i += 512) {
          const part = chunks.slice(i, i + 512);
          const want = part.reduce((n, c) => n + c.length, 0);
          let done = fs.writevSync(fd, part);
          // A short writev (rare): finish the rest piece by piece.
          for (let j = 0, pos = 0; done < want && j < part.length; pos += part[j].length, j++) {
            if (pos + part[j].length <= done) continue;
            for (let w = done - pos; w < part[j].length;) {
              const n = fs.writeSync(fd, part[j], w);
              w += n;
              done += n;
            }
          }
          size += want;
        }
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, target);
    } catch (err) {
      fs.rmSync(temp, { force: true });
      throw err;
    }
    return size;
  }
}

function endBytes(info: EndInfo, frame = 0): Buffer {
  const json = Buffer.from(JSON.stringify(info), 'utf8');
  const rec = Buffer.alloc(RECORD_HEADER + json.length);
  recordHeader(rec, RecordType.End, frame, 0n, 0, json.length);
  json.copy(rec, RECORD_HEADER);
  return rec;
}

// --- reading -----------------------------------------------------------------------------------

const isWhole = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;

function checkHeader(value: unknown): asserts value is RecordingHeader {
  const bad = (what: string) => new RecordingError(`the header's ${what}`);
  if (typeof value !== 'object' || value === null) throw bad('JSON is not an object');
  const h = value as { [K in keyof RecordingHeader]?: unknown };
  const s = h.segment as { [K in keyof RecordingHeader['segment']]?: unknown } | null | undefined;
  if (typeof s !== 'object' || s === null || !isWhole(s.id, 0x7fffffff) || !isWhole(s.size) || !(typeof s.key === 'number' && Number.isSafeInteger(s.key) && Math.abs(s.key) <= 0xffffffff)) {
    throw bad('segment is missing or malformed (needs id, key, size)');
  }
  if (!isWhole(h.offset)) throw bad(`offset is not a whole number (${JSON.stringify(h.offset)})`);
  if (!isWhole(h.length, MAX_RANGE) || h.length === 0) throw bad(`length must be 1 to ${MAX_RANGE} bytes (${JSON.stringify(h.length)})`);
  if (h.offset + h.length > s.size) throw bad(`range ${h.offset}+${h.length} is past the segment's ${s.size} bytes`);
  if (typeof h.hz !== 'number' || !(h.hz >= 1 && h.hz <= 1000)) throw bad(`rate must be 1 to 1000 Hz (${JSON.stringify(h.hz)})`);
  if (typeof h.startWallMs !== 'number' || !Number.isFinite(h.startWallMs)) throw bad('start time (startWallMs) is not a number');
  if (typeof h.startMonoNs !== 'string' || !/^\d{1,20}$/.test(h.startMonoNs)) throw bad('monotonic start (startMonoNs) is not a decimal string');
}

/** A recording read back (from a file or bytes). Every record is checked when it is opened. */
export class Recording {
  readonly header: RecordingHeader;
  readonly end: EndInfo;
  private readonly frameNo: Uint32Array;
  private readonly tNs: Float64Array;
  private readonly changedBytes: Uint32Array;
  private readonly pos: Float64Array;
  /** Index of the keyframe each frame's bytes start from. */
  private readonly keyOf: Uint32Array;
  private readonly count: number;
  private cache: { index: number; image: Buffer } | undefined;

  static open(file: string): Recording {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RecordingError(`${file}: cannot open (${code ?? String(err)})`);
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new RecordingError(`${file}: not a regular file`);
      if (st.size > 2 ** 31 - 1) throw new RecordingError(`${file}: ${st.size} bytes is larger than a recording can be (2 GiB)`);
      const buf = Buffer.allocUnsafe(st.size);
      for (let done = 0; done < st.size;) {
        const n = fs.readSync(fd, buf, done, st.size - done, done);
        if (n === 0) throw new RecordingError(`${file}: shrank while being read`);
        done += n;
      }
      return new Recording(buf, file);
    } finally {
      fs.closeSync(fd);
    }
  }

  static fromBuffer(buf: Buffer, name = 'recording'): Recording {
    return new Recording(buf, name);
  }

  private constructor(private readonly buf: Buffer, readonly name: string) {
    const fail = (msg: string) => new RecordingError(`${name}: ${msg}`);
    if (buf.length < PREFIX || buf.toString('latin1', 0, 8) !== MAGIC) {
      throw fail(buf.length < 8 ? `not a recording (${buf.length} bytes, too short)` : 'not a recording (no SHMTLREC signature)');
    }
    const version = buf.readUInt32LE(8);
    if (version !== VERSION) throw fail(`recording format version ${version} is not supported (this build reads version ${VERSION})`);
    const hlen = buf.readUInt32LE(12);
    if (hlen > MAX_HEADER) throw fail(`header of ${hlen} bytes is larger than ${MAX_HEADER}`);
    if (PREFIX + hlen > buf.length) throw fail(`truncated: the header needs ${hlen} bytes, ${buf.length - PREFIX} left`);
    let header: unknown;
    try {
      header = JSON.parse(buf.toString('utf8', PREFIX, PREFIX + hlen));
    } catch (err) {
      throw fail(`the header is not valid JSON (${(err as Error).message})`);
    }
    try {
      checkHeader(header);
    } catch (err) {
      throw fail((err as Error).message);
    }
    this.header = header;

    // The index grows as records are checked (each record takes at least 24 bytes of the file,
    // so a hostile file cannot make it larger than the file itself).
    let at = PREFIX + hlen;
    let end: EndInfo | undefined;
    let prevFrame = -1;
    let prevT = -1;
    const frameNo: number[] = [];
    const tNs: number[] = [];
    const changed: number[] = [];
    const pos: number[] = [];
    const keyOf: number[] = [];
    let n = 0;
    let key = -1;
    while (at < buf.length) {
      if (end) throw fail(`${buf.length - at} bytes after the end record`);
      if (buf.length - at < RECORD_HEADER) throw fail(`truncated: the record at byte ${at} is cut short (${buf.length - at} of ${RECORD_HEADER} header bytes)`);
      const type = buf.readUInt8(at);
      const frame = buf.readUInt32LE(at + 4);
      const t = Number(buf.readBigUInt64LE(at + 8));
      const ch = buf.readUInt32LE(at + 16);
      const plen = buf.readUInt32LE(at + 20);
      const where = `record at byte ${at} (frame ${frame})`;
      if (buf[at + 1] !== 0 || buf[at + 2] !== 0 || buf[at + 3] !== 0) throw fail(`${where}: reserved bytes are not zero`);
      if (plen > buf.length - at - RECORD_HEADER) throw fail(`truncated: ${where} needs ${plen} bytes, ${buf.length - at - RECORD_HEADER} left`);
      const payload = at + RECORD_HEADER;
      if (type === RecordType.End) {
        end = parseEnd(buf.toString('utf8', payload, payload + plen), (m) => fail(`${where}: ${m}`));
        at = payload + plen;
        continue;
      }
      if (type !== RecordType.Keyframe && type !== RecordType.Delta) throw fail(`${where}: unknown record type ${type}`);
      if (frame <= prevFrame) throw fail(`${where}: frame numbers go back (after ${prevFrame})`);
      if (t < prevT) throw fail(`${where}: time goes back`);
      if (ch > header.length) throw fail(`${where}: ${ch} changed bytes in a ${header.length}-byte range`);
      if (type === RecordType.Keyframe) {
        // Deflate cannot pack more than ~1032:1, so a short payload cannot make a huge image.
        if (header.length > plen * MAX_INFLATE_RATIO + 64) throw fail(`${where}: a ${plen}-byte keyframe cannot hold ${header.length} bytes`);
        if (plen < 2 || (buf[payload] & 0x0f) !== 8 || ((buf[payload] << 8) | buf[payload + 1]) % 31 !== 0) throw fail(`${where}: the keyframe is not zlib data`);
        key = n;
      } else {
        if (key < 0) throw fail(`${where}: the first frame is not a keyframe`);
        checkDelta(buf, payload, plen, header.length, (m) => fail(`${where}: ${m}`));
      }
      frameNo.push(frame);
      tNs.push(t);
      changed.push(ch);
      pos.push(at);
      keyOf.push(key);
      n++;
      prevFrame = frame;
      prevT = t;
      at = payload + plen;
    }
    if (!end) throw fail(n ? `truncated: no end record (the file stops after frame ${prevFrame})` : 'truncated: no frames and no end record');
    if (n === 0) throw fail('the recording has no frames');
    this.end = end;
    this.count = n;
    this.frameNo = Uint32Array.from(frameNo);
    this.tNs = Float64Array.from(tNs);
    this.changedBytes = Uint32Array.from(changed);
    this.pos = Float64Array.from(pos);
    this.keyOf = Uint32Array.from(keyOf);
  }

  get frameCount(): number {
    return this.count;
  }

  get firstFrame(): number {
    return this.frameNo[0];
  }

  get lastFrame(): number {
    return this.frameNo[this.count - 1];
  }

  /** The index-th frame kept (0 = the oldest). */
  info(index: number): FrameInfo {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`frame index ${index} out of range`);
    return {
      frame: this.frameNo[index],
      t: this.tNs[index] / 1e6,
      changed: this.changedBytes[index],
      keyframe: this.buf[this.pos[index]] === RecordType.Keyframe,
    };
  }

  *frames(): Generator<FrameInfo> {
    for (let i = 0; i < this.count; i++) yield this.info(i);
  }

  /** The index of frame number `frame`, or -1. */
  indexOf(frame: number): number {
    const i = this.lastAtOrBefore(this.frameNo, frame);
    return i >= 0 && this.frameNo[i] === frame ? i : -1;
  }

  /** The index of the last frame at or before `ms` since the start, or -1 (before the first). */
  indexAt(ms: number): number {
    // Frame times are whole ns: round, so a frame's own t (ms, a float) finds that frame, not the one before.
    return this.lastAtOrBefore(this.tNs, Math.round(ms * 1e6));
  }

  /** The last frame at or before `ms` since the start, or undefined (before the first). */
  frameAt(ms: number): number | undefined {
    const i = this.indexAt(ms);
    return i < 0 ? undefined : this.frameNo[i];
  }

  private lastAtOrBefore(a: Uint32Array | Float64Array, v: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] <= v) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  /** The range's bytes at frame number `frame` (a fresh Buffer): its keyframe plus the deltas since. */
  at(frame: number): Buffer {
    const i = this.indexOf(frame);
    if (i < 0) throw new RangeError(`no frame ${frame} in ${this.name} (frames ${this.firstFrame} to ${this.lastFrame})`);
    return Buffer.from(this.imageAt(i));
  }

  /**
   * The range's bytes at the index-th frame, shared: valid until the next call on this
   * recording, never to be changed (read it or copy from it; at() gives a copy).
   */
  bytesAt(index: number): Buffer {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`frame index ${index} out of range`);
    return this.imageAt(index);
  }

  /**
   * The index of the nearest frame before (-1) or after (1) `index` where a byte of
   * [offset, offset+length) of the range differs from the frame before it; -1 if none.
   * Deltas are judged by their spans; keyframes (which carry no spans) by comparing bytes.
   */
  findChange(index: number, offset: number, length: number, direction: -1 | 1): number {
    const end = offset + length;
    for (let j = index + direction; j >= 1 && j < this.count; j += direction) {
      if (this.changedBytes[j] === 0) continue;
      if (this.buf[this.pos[j]] === RecordType.Delta ? this.deltaTouches(j, offset, end) : this.keyframeTouches(j, offset, end)) return j;
    }
    return -1;
  }

  private deltaTouches(j: number, from: number, to: number): boolean {
    for (const { off, len } of this.deltaSpans(j)) {
      if (off >= to) return false; // spans are in offset order
      if (off + len > from) return true;
    }
    return false;
  }

  /** The spans of delta record j: offset, length, and where their bytes are in the file. */
  private *deltaSpans(j: number): Generator<{ off: number; len: number; at: number }> {
    let at = this.pos[j] + RECORD_HEADER;
    const spans = this.buf.readUInt32LE(at);
    at += 4;
    for (let s = 0; s < spans; s++) {
      const off = this.buf.readUInt32LE(at);
      const len = this.buf.readUInt32LE(at + 4);
      yield { off, len, at: at + 8 };
      at += 8 + len;
    }
  }

  private keyframeTouches(j: number, from: number, to: number): boolean {
    const before = Buffer.from(this.imageAt(j - 1).subarray(from, to));
    return !before.equals(this.imageAt(j).subarray(from, to));
  }

  private imageAt(i: number): Buffer {
    const k = this.keyOf[i];
    let image: Buffer;
    let from: number;
    const c = this.cache;
    if (c && c.index <= i && this.keyOf[c.index] === k) {
      image = c.image;
      from = c.index + 1;
    } else {
      image = this.inflate(k);
      from = k + 1;
    }
    for (let j = from; j <= i; j++) this.applyDelta(j, image);
    this.cache = { index: i, image };
    return image;
  }

  private inflate(k: number): Buffer {
    const at = this.pos[k];
    const plen = this.buf.readUInt32LE(at + 20);
    const length = this.header.length;
    let out: Buffer;
    try {
      out = zlib.inflateSync(this.buf.subarray(at + RECORD_HEADER, at + RECORD_HEADER + plen), { maxOutputLength: length });
    } catch (err) {
      throw new RecordingError(`${this.name}: the keyframe of frame ${this.frameNo[k]} is corrupt (${(err as Error).message})`);
    }
    if (out.length !== length) throw new RecordingError(`${this.name}: the keyframe of frame ${this.frameNo[k]} holds ${out.length} bytes, not ${length}`);
    return out;
  }

  private applyDelta(j: number, image: Buffer): void {
    for (const { off, len, at } of this.deltaSpans(j)) this.buf.copy(image, off, at, at + len);
  }

  /** Where the bytes of frames a and b differ (offsets from the range's start). */
  diff(a: number, b: number): { spans: SpanRange[]; changed: number } {
    const A = this.at(a);
    const B = this.imageAt(this.indexOf(b) < 0 ? this.fail(b) : this.indexOf(b));
    const spans: SpanRange[] = [];
    const changed = diffRanges(A, B, (offset, length) => spans.push({ offset, length }));
    return { spans, changed };
  }

  private fail(frame: number): never {
    throw new RangeError(`no frame ${frame} in ${this.name} (frames ${this.firstFrame} to ${this.lastFrame})`);
  }
}

function checkDelta(buf: Buffer, at: number, plen: number, length: number, fail: (m: string) => Error): void {
  if (plen < 4) throw fail('a delta without its span count');
  const count = buf.readUInt32LE(at);
  const end = at + plen;
  let p = at + 4;
  let prevEnd = 0;
  for (let s = 0; s < count; s++) {
    if (end - p < 8) throw fail(`span ${s} of ${count} is cut short`);
    const off = buf.readUInt32LE(p);
    const len = buf.readUInt32LE(p + 4);
    p += 8;
    if (len === 0 || off < prevEnd || off + len > length) throw fail(`span ${s} (${off}+${len}) is outside the ${length}-byte range or out of order`);
    if (len > end - p) throw fail(`span ${s} needs ${len} bytes, ${end - p} left`);
    p += len;
    prevEnd = off + len;
  }
  if (p !== end) throw fail(`${end - p} bytes after the last span`);
}

function parseEnd(text: string, fail: (m: string) => Error): EndInfo {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw fail('the end record is not valid JSON');
  }
  const e = v as { reason?: unknown; message?: unknown; stats?: unknown } | null;
  if (typeof e !== 'object' || e === null || !END_REASONS.includes(e.reason as EndReason)) throw fail('the end record has no valid reason');
  const message = e.message;
  if (message !== undefined && typeof message !== 'string') throw fail('the end record\'s message is not text');
  const stats: Record<string, number> = {};
  if (typeof e.stats === 'object' && e.stats !== null) {
    for (const [k, n] of Object.entries(e.stats)) if (typeof n === 'number') stats[k] = n;
  }
  return { reason: e.reason as EndReason, ...(message !== undefined ? { message } : {}), stats };
}
