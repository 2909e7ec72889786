// The byte pipe's wire format, the one place both ends read it from: the host's end
// (src/extension/agent/pipeClient.ts) and the agent's (src/agent/bytePipe.ts).
//
// 'read' and 'write' travel between host and agent over an extra stdio fd (a socketpair) in
// length-prefixed binary frames. The IPC channel serializes every Buffer ('advanced'
// serialization: a copy into a message, a copy out) and tops out near 1 GB/s; a raw pipe costs
// one kernel copy each way. Everything else (control, long jobs, progress) stays on the channel.
//
// Set-up: the host puts a random token in the agent's environment (PIPE_ENV) and writes it first
// on the pipe; the agent uses fd PIPE_FD only if it is a socket whose first bytes are that token,
// and says so in its ping answer. A prefix that closes extra fds (sudo's closefrom) or resets the
// environment leaves the fd absent or foreign: the agent answers pipe: false and the channel
// carries the bytes as before.
//
// Frames, little-endian. Host -> agent: [u32 id][u32 kind 1 read | 2 write][u32 payload length]
// [u32 0][f64 handle][f64 offset][f64 length] then the payload (write data). Agent -> host:
// [u32 id][u32 status 0 ok | 1 error][u32 payload length][u32 written] then the payload (read
// bytes, or the error as ErrorData JSON). The agent answers in order, one request at a time.
// Plain TypeScript over Uint8Array: src/protocol is also type-checked for the browser.

/** The agent's fd of the pipe: stdio index 4, after the IPC channel at 3. */
export const PIPE_FD = 4;
/** Environment variable with the token (hex) the host writes first on the pipe. */
export const PIPE_ENV = 'SHM_INSPECTOR_PIPE';
/** Length of the token in bytes (twice as many hex digits in PIPE_ENV). */
export const TOKEN_BYTES = 16;
/** The largest payload a frame's u32 length can announce. */
export const MAX_PAYLOAD = 0xffffffff;

export const KIND_READ = 1;
export const KIND_WRITE = 2;
export const STATUS_OK = 0;
export const STATUS_ERROR = 1;

export const REQUEST_HEAD = 40;
export const REPLY_HEAD = 16;
/** Where both headers hold the payload length. */
export const LENGTH_AT = 8;

export interface RequestHead {
  id: number;
  kind: number;
  payload: number;
  handle: number;
  offset: number;
  /** Bytes to read (0 for a write). */
  length: number;
}

export interface ReplyHead {
  id: number;
  status: number;
  payload: number;
  /** Bytes written (0 for a read or an error). */
  written: number;
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
  v.setUint32(12, 0, true);
  v.setFloat64(16, h.handle, true);
  v.setFloat64(24, h.offset, true);
  v.setFloat64(32, h.length, true);
}

export function decodeRequestHead(head: Uint8Array): RequestHead {
  const v = view(head);
  return {
    id: v.getUint32(0, true),
    kind: v.getUint32(4, true),
    payload: v.getUint32(LENGTH_AT, true),
    handle: v.getFloat64(16, true),
    offset: v.getFloat64(24, true),
    length: v.getFloat64(32, true),
  };
}

/** Write `h` into the first REPLY_HEAD bytes of `frame`. */
export function encodeReplyHead(frame: Uint8Array, h: ReplyHead): void {
  const v = view(frame);
  v.setUint32(0, h.id, true);
  v.setUint32(4, h.status, true);
  v.setUint32(LENGTH_AT, h.payload, true);
  v.setUint32(12, h.written, true);
}

export function decodeReplyHead(head: Uint8Array): ReplyHead {
  const v = view(head);
  return { id: v.getUint32(0, true), status: v.getUint32(4, true), payload: v.getUint32(LENGTH_AT, true), written: v.getUint32(12, true) };
}

/**
 * Cuts a byte stream into frames: a fixed header that holds the payload length at LENGTH_AT,
 * then the payload. `alloc` makes each payload's buffer (Node's ends pass Buffer.allocUnsafe).
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
        this.body = this.alloc(view(this.head).getUint32(LENGTH_AT, true));
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
