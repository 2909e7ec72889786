// The byte pipe's wire format, the one place both ends read it from: the host's end
// (src/extension/agent/pipeClient.ts) and the agent's (src/agent/bytePipe.ts).
//
// 'read' and 'write' travel between host and agent outside the IPC channel, which serializes
// every Buffer ('advanced' serialization) and tops out near 0.3-1.3 GB/s here. Two extra stdio
// fds: a socketpair (PIPE_FD) carries small length-prefixed binary frames, and a transfer file
// (XFER_FD: an unlinked 0600 file in /dev/shm, tmpfs) carries the bytes of reads and writes
// over INLINE_MAX, one kernel copy each side (pwrite, pread). Node's stream socket alone moved
// 1 MiB replies at 0.15-0.4 GB/s: it reads at most 64 KiB per callback into a fresh Buffer, and
// the two processes ping-pong through a ~200 KiB socket buffer (README, Performance).
// Everything else (control, long jobs, progress) stays on the channel.
//
// Set-up: the host puts a random token in the agent's environment (PIPE_ENV), writes it first
// on the pipe and at offset 0 of the transfer file; the agent uses the fds only if PIPE_FD is a
// socket whose first bytes are that token and XFER_FD a regular file that starts with it, and
// says so in its ping answer. A prefix that closes extra fds (sudo's closefrom) or resets the
// environment leaves them absent or foreign: the agent answers pipe: false and the channel
// carries the bytes as before.
//
// Frames, little-endian. Host -> agent: [u32 id][u32 kind 1 read | 2 write][u32 payload length]
// [u32 flags][f64 handle][f64 offset][f64 length][f64 transfer offset] then the payload (write
// data up to INLINE_MAX). With FLAG_XFER the bytes are in the transfer file at the transfer
// offset instead: a write's `length` bytes put there by the host, or a read's reply put there
// by the agent. The host picks the range and reuses it only after the reply came, so the two
// never touch the same bytes at once. Agent -> host: [u32 id][u32 status 0 ok | 1 error]
// [u32 payload length][u32 count] then the payload (inline read bytes, or the error as
// ErrorData JSON); count is the bytes written (write) or put in the transfer file (read). The
// agent answers in order, one request at a time. Every length is checked against the limits
// below before it is used.
// Plain TypeScript over Uint8Array: src/protocol is also type-checked for the browser.

/** The agent's fd of the pipe: stdio index 4, after the IPC channel at 3. */
export const PIPE_FD = 4;
/** Environment variable with the token (hex) the host writes first on the pipe. */
export const PIPE_ENV = 'SHM_INSPECTOR_PIPE';
/** Length of the token in bytes (twice as many hex digits in PIPE_ENV). */
export const TOKEN_BYTES = 16;
/** The agent's fd of the transfer file: stdio index 5. */
export const XFER_FD = 5;
/** Reads and writes up to this many bytes travel inside the frame; larger ones through the transfer file. */
export const INLINE_MAX = 64 << 10;
/** The largest payload a frame may announce (inline data, an error's JSON); a longer one is refused. */
export const FRAME_MAX = 1 << 20;
/** Transfer ranges start here (the token sits at 0). */
export const XFER_BASE = 4096;
/** The most bytes the transfer file holds at once; a read or write that does not fit uses the channel. */
export const XFER_MAX = 256 << 20;
/** Above this the host truncates the transfer file once nothing is in flight (tmpfs is memory). */
export const XFER_KEEP = 8 << 20;

export const KIND_READ = 1;
export const KIND_WRITE = 2;
export const STATUS_OK = 0;
export const STATUS_ERROR = 1;
/** Request flag: the bytes are in the transfer file, not the frame. */
export const FLAG_XFER = 1;

export const REQUEST_HEAD = 48;
export const REPLY_HEAD = 16;
/** Where both headers hold the payload length. */
export const LENGTH_AT = 8;

export interface RequestHead {
  id: number;
  kind: number;
  payload: number;
  flags: number;
  handle: number;
  offset: number;
  /** Bytes to read, or to write from the transfer file (0 for an inline write). */
  length: number;
  /** Where in the transfer file (with FLAG_XFER; else 0). */
  xfer: number;
}

export interface ReplyHead {
  id: number;
  status: number;
  payload: number;
  /** Bytes written (write), or put in the transfer file (read); 0 otherwise. */
  count: number;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** True when `token` (from PIPE_ENV) has the form the host gives it. */
export function isPipeToken(token: string | undefined): token is string {
  return !!token && token.length === 2 * TOKEN_BYTES && /^[0-9a-f]+$/.test(token);
}

/** Write `h` into the first REQUEST_HEAD bytes of `frame`. */
export function encodeRequestHead(frame: Uint8Array, h: RequestHead): void {
  const v = view(frame);
  v.setUint32(0, h.id, true);
  v.setUint32(4, h.kind, true);
  v.setUint32(LENGTH_AT, h.payload, true);
  v.setUint32(12, h.flags, true);
  v.setFloat64(16, h.handle, true);
  v.setFloat64(24, h.offset, true);
  v.setFloat64(32, h.length, true);
  v.setFloat64(40, h.xfer, true);
}

export function decodeRequestHead(head: Uint8Array): RequestHead {
  const v = view(head);
  return {
    id: v.getUint32(0, true),
    kind: v.getUint32(4, true),
    payload: v.getUint32(LENGTH_AT, true),
    flags: v.getUint32(12, true),
    handle: v.getFloat64(16, true),
    offset: v.getFloat64(24, true),
    length: v.getFloat64(32, true),
    xfer: v.getFloat64(40, true),
  };
}

/** Write `h` into the first REPLY_HEAD bytes of `frame`. */
export function encodeReplyHead(frame: Uint8Array, h: ReplyHead): void {
  const v = view(frame);
  v.setUint32(0, h.id, true);
  v.setUint32(4, h.status, true);
  v.setUint32(LENGTH_AT, h.payload, true);
  v.setUint32(12, h.count, true);
}

export function decodeReplyHead(head: Uint8Array): ReplyHead {
  const v = view(head);
  return { id: v.getUint32(0, true), status: v.getUint32(4, true), payload: v.getUint32(LENGTH_AT, true), count: v.getUint32(12, true) };
}

/** True when [at, at + length) is a range the transfer file may hold. */
export function inXferRange(at: number, length: number): boolean {
  return Number.isSafeInteger(at) && Number.isSafeInteger(length) && length >= 0 && at >= XFER_BASE && at + length <= XFER_BASE + XFER_MAX;
}

/**
 * Cuts a byte stream into frames: a fixed header that holds the payload length at LENGTH_AT,
 * then the payload. `alloc` makes each payload's buffer (Node's ends pass Buffer.allocUnsafe).
 * A header announcing more than `max` bytes throws: the stream cannot be trusted after it.
 */
export class FrameReader<B extends Uint8Array> {
  private readonly head: Uint8Array;
  private headFill = 0;
  private body: B | undefined;
  private bodyFill = 0;

  constructor(
    headerSize: number,
    private readonly alloc: (size: number) => B,
    private readonly emit: (head: Uint8Array, body: B) => void,
    private readonly max = FRAME_MAX,
  ) {
    this.head = new Uint8Array(headerSize);
  }

  push(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (!this.body) {
        const n = Math.min(this.head.length - this.headFill, chunk.length - pos);
        this.head.set(chunk.subarray(pos, pos + n), this.headFill);
        this.headFill += n;
        pos += n;
        if (this.headFill < this.head.length) return;
        const length = view(this.head).getUint32(LENGTH_AT, true);
        if (length > this.max) throw new RangeError(`a frame of ${length} bytes, over the limit of ${this.max}`);
        this.body = this.alloc(length);
        this.bodyFill = 0;
      }
      const n = Math.min(this.body.length - this.bodyFill, chunk.length - pos);
      this.body.set(chunk.subarray(pos, pos + n), this.bodyFill);
      this.bodyFill += n;
      pos += n;
      if (this.bodyFill === this.body.length) {
        const head = this.head.slice();
        const body = this.body;
        this.body = undefined;
        this.headFill = 0;
        this.emit(head, body);
      }
    }
  }
}
