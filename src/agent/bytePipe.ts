// The byte pipe: 'read' and 'write' between host and agent over an extra stdio fd (a socketpair)
// in length-prefixed binary frames. The IPC channel serializes every Buffer ('advanced'
// serialization: a copy into a message, a copy out) and tops out near 1 GB/s; a raw pipe costs
// one kernel copy each way. Everything else (control, long jobs, progress) stays on the channel.
//
// Set-up: the host puts a random token in the agent's environment and writes it first on the
// pipe; the agent uses fd 4 only if it is a socket whose first bytes are that token, and says so
// in its ping answer. A prefix that closes extra fds (sudo's closefrom) or resets the
// environment leaves fd 4 absent or foreign: the agent answers pipe: false and the channel
// carries the bytes as before.
//
// Frames, little-endian. Host -> agent: [u32 id][u32 kind 1 read | 2 write][u32 payload length]
// [u32 0][f64 handle][f64 offset][f64 length] then the payload (write data). Agent -> host:
// [u32 id][u32 status 0 ok | 1 error][u32 payload length][u32 written] then the payload (read
// bytes, or the error as ErrorData JSON). The agent answers in order, one request at a time.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { AgentMethods } from '../protocol/agent';
import { type CallContext, type Handlers, type RequestOptions, RpcError, toErrorData } from '../protocol/rpc';
import type { ErrorData } from '../protocol/segment';

/** The agent's fd of the pipe: stdio index 4, after the IPC channel at 3. */
export const PIPE_FD = 4;
/** Environment variable with the token (hex) the host writes first on the pipe. */
export const PIPE_ENV = 'SHM_INSPECTOR_PIPE';

const TOKEN_BYTES = 16;
const REQ_HEAD = 40;
const REPLY_HEAD = 16;
const KIND_READ = 1;
const KIND_WRITE = 2;
const MAX_PAYLOAD = 0xffffffff;

type ReadParams = AgentMethods['read']['params'];
type WriteParams = AgentMethods['write']['params'];

/** Cuts a byte stream into frames: a fixed header that holds the payload length, then the payload. */
class FrameReader {
  private readonly head: Buffer;
  private headFill = 0;
  private body: Buffer | undefined;
  private bodyFill = 0;

  constructor(
    headerSize: number,
    private readonly lengthAt: number,
    private readonly emit: (head: Buffer, body: Buffer) => void,
  ) {
    this.head = Buffer.alloc(headerSize);
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (!this.body) {
        const n = Math.min(this.head.length - this.headFill, chunk.length - pos);
        chunk.copy(this.head, this.headFill, pos, pos + n);
        this.headFill += n;
        pos += n;
        if (this.headFill < this.head.length) return;
        this.body = Buffer.allocUnsafe(this.head.readUInt32LE(this.lengthAt));
        this.bodyFill = 0;
      }
      const n = Math.min(this.body.length - this.bodyFill, chunk.length - pos);
      chunk.copy(this.body, this.bodyFill, pos, pos + n);
      this.bodyFill += n;
      pos += n;
      if (this.bodyFill === this.body.length) {
        const head = Buffer.from(this.head);
        const body = this.body;
        this.body = undefined;
        this.headFill = 0;
        this.emit(head, body);
      }
    }
  }
}

export function newPipeToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}

interface PipePending {
  method: string;
  resolve: (v: Buffer | { written: number }) => void;
  reject: (e: Error) => void;
  cleanup: () => void;
}

function isErrorData(v: unknown): v is ErrorData {
  return !!v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string';
}

/**
 * The host's end. Carries a request only once the agent confirmed the pipe (`open()`) and while
 * the socket lives; otherwise `request` returns undefined and the caller uses the channel.
 * When the agent dies the client closes this with its AgentError (mid-frame bytes are dropped),
 * so pipe requests fail exactly as channel requests do.
 */
export class PipeClient {
  private confirmed = false;
  private nextId = 1;
  private readonly pending = new Map<number, PipePending>();
  private closedWith: Error | undefined;

  /** `token`: from newPipeToken(), also given to the agent in its environment (PIPE_ENV). */
  constructor(private readonly socket: net.Socket, token: string, private readonly timeoutMs: number) {
    const reader = new FrameReader(REPLY_HEAD, 8, (head, body) => { this.onReply(head, body); });
    socket.on('data', (chunk: Buffer) => { reader.push(chunk); });
    // EPIPE/ECONNRESET when the agent dies: its death is reported by the client (exit, disconnect).
    socket.on('error', () => undefined);
    socket.write(Buffer.from(token, 'hex'));
  }

  /** The agent confirmed the token: requests may use the pipe. */
  open(): void {
    this.confirmed = true;
  }

  get usable(): boolean {
    return this.confirmed && !this.closedWith && !this.socket.destroyed && this.socket.writable;
  }

  /**
   * Send a read or write on the pipe, or return undefined when it cannot carry it (not
   * confirmed, closed, or parameters a frame cannot hold: the channel then checks and answers
   * them as it always did).
   */
  request(method: 'read' | 'write', params: unknown, opts: RequestOptions = {}): Promise<unknown> | undefined {
    if (!this.usable || !params || typeof params !== 'object') return undefined;
    const frame = method === 'read' ? readFrame(params) : writeFrame(params);
    if (!frame) return undefined;
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    frame.writeUInt32LE(id, 0);
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
      // A late answer to a request given up on is dropped (its id is no longer pending).
      const onAbort = () => { this.settle(id, new RpcError({ name: 'AbortError', message: `${method} cancelled`, code: 'ECANCELED', op: method })); };
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, { method, resolve, reject, cleanup });
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.settle(id, new RpcError({ name: 'TimeoutError', message: `${method} timed out after ${timeoutMs} ms`, code: 'ETIMEDOUT', op: method }));
        }, timeoutMs);
      }
      if (opts.signal) {
        if (opts.signal.aborted) { onAbort(); return; }
        opts.signal.addEventListener('abort', onAbort, { once: true });
      }
      this.socket.write(frame);
    });
  }

  /** Methods of requests waiting for an answer (for crash reports). */
  pendingMethods(): string[] {
    return [...this.pending.values()].map((p) => p.method);
  }

  /** Reject everything pending with `err`, and close the host's end. */
  close(err: Error): void {
    this.closedWith ??= err;
    for (const id of [...this.pending.keys()]) this.settle(id, err);
    this.socket.destroy();
  }

  private settle(id: number, err: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.cleanup();
    p.reject(err);
  }

  private onReply(head: Buffer, body: Buffer): void {
    const id = head.readUInt32LE(0);
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.cleanup();
    if (head.readUInt32LE(4) === 0) {
      p.resolve(p.method === 'read' ? body : { written: head.readUInt32LE(12) });
      return;
    }
    let data: unknown;
    try { data = JSON.parse(body.toString('utf8')); } catch { /* checked below */ }
    p.reject(new RpcError(isErrorData(data) ? data : { name: 'Error', message: `${p.method}: the agent's error reply could not be read`, code: 'EPROTO', op: p.method }));
  }
}

function requestHead(kind: number, payload: number, handle: number, offset: number, length: number): Buffer {
  const b = Buffer.alloc(REQ_HEAD + payload);
  b.writeUInt32LE(kind, 4);
  b.writeUInt32LE(payload, 8);
  b.writeDoubleLE(handle, 16);
  b.writeDoubleLE(offset, 24);
  b.writeDoubleLE(length, 32);
  return b;
}

function readFrame(p: Partial<ReadParams>): Buffer | undefined {
  if (typeof p.handle !== 'number' || typeof p.offset !== 'number' || typeof p.length !== 'number' || p.length > MAX_PAYLOAD) return undefined;
  return requestHead(KIND_READ, 0, p.handle, p.offset, p.length);
}

/** The data is copied into the frame: the caller may reuse its buffer once write() returns, as with the channel. */
function writeFrame(p: Partial<WriteParams>): Buffer | undefined {
  if (typeof p.handle !== 'number' || typeof p.offset !== 'number' || !(p.data instanceof Uint8Array) || p.data.length > MAX_PAYLOAD) return undefined;
  const frame = requestHead(KIND_WRITE, p.data.length, p.handle, p.offset, 0);
  frame.set(p.data, REQ_HEAD);
  return frame;
}

/**
 * The agent's end: serve read and write frames on fd 4 with the agent's own handlers (the same
 * checks and errors as over the channel). Resolves true once the host's token arrived, false
 * when there is no usable pipe (no token in the environment, fd 4 missing or not a socket, or
 * its first bytes are not the token).
 */
export function serveBytePipe(env: NodeJS.ProcessEnv, handlers: Pick<Handlers<AgentMethods>, 'read' | 'write'>): Promise<boolean> {
  const token = env[PIPE_ENV];
  if (!token || !/^[0-9a-f]+$/.test(token) || token.length !== 2 * TOKEN_BYTES) return Promise.resolve(false);
  try {
    if (!fs.fstatSync(PIPE_FD).isSocket()) return Promise.resolve(false);
  } catch {
    return Promise.resolve(false); // closed by the prefix
  }
  const socket = new net.Socket({ fd: PIPE_FD, readable: true, writable: true });
  socket.on('error', () => undefined); // the host went away: the channel's disconnect ends us
  const expected = Buffer.from(token, 'hex');
  const ctx: CallContext = { progress: () => undefined, signal: new AbortController().signal };
  const queue: { head: Buffer; body: Buffer }[] = [];
  let busy = false;

  const reply = (id: number, status: number, payload: Uint8Array, written = 0) => {
    const head = Buffer.allocUnsafe(REPLY_HEAD);
    head.writeUInt32LE(id, 0);
    head.writeUInt32LE(status, 4);
    head.writeUInt32LE(payload.length, 8);
    head.writeUInt32LE(written, 12);
    socket.cork();
    socket.write(head);
    if (payload.length) socket.write(payload);
    socket.uncork();
  };
  const serve = async ({ head, body }: { head: Buffer; body: Buffer }) => {
    const id = head.readUInt32LE(0);
    const params = { handle: head.readDoubleLE(16), offset: head.readDoubleLE(24) };
    try {
      if (head.readUInt32LE(4) === KIND_READ) {
        reply(id, 0, await handlers.read({ ...params, length: head.readDoubleLE(32) }, ctx));
      } else {
        const { written } = await handlers.write({ ...params, data: body }, ctx);
        reply(id, 0, new Uint8Array(0), written);
      }
    } catch (err) {
      reply(id, 1, Buffer.from(JSON.stringify(toErrorData(err)), 'utf8'));
    }
  };
  // One request at a time, in order; while the host has not taken the replies already written,
  // stop reading requests (backpressure: unread replies never pile up in this process).
  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      for (let f = queue.shift(); f; f = queue.shift()) {
        await serve(f);
        if (socket.writableNeedDrain) {
          socket.pause();
          await new Promise<void>((resolve) => { socket.once('drain', resolve); socket.once('close', resolve); });
          socket.resume();
        }
      }
    } finally {
      busy = false;
    }
  };
  const frames = new FrameReader(REQ_HEAD, 8, (head, body) => { queue.push({ head, body }); void pump(); });

  return new Promise<boolean>((resolve) => {
    let got = Buffer.alloc(0);
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('data', onToken);
      if (!ok) socket.pause(); // not ours to read from: leave it alone
      resolve(ok);
    };
    const onToken = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < TOKEN_BYTES) return;
      if (!got.subarray(0, TOKEN_BYTES).equals(expected)) { settle(false); return; }
      socket.on('data', (c: Buffer) => { frames.push(c); });
      settle(true);
      if (got.length > TOKEN_BYTES) frames.push(got.subarray(TOKEN_BYTES));
    };
    // The host writes the token before the agent starts: it is there at once, or never.
    const timer = setTimeout(() => { settle(false); }, 5000);
    timer.unref();
    socket.on('data', onToken);
    socket.on('close', () => { settle(false); });
  });
}
