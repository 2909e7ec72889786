// The host's end of the byte pipe (the wire format and why it exists: src/protocol/bytePipe.ts;
// the agent's end: src/agent/bytePipe.ts).
import { randomBytes } from 'node:crypto';
import type * as net from 'node:net';
import type { AgentMethods } from '../../protocol/agent';
import {
  FrameReader, KIND_READ, KIND_WRITE, MAX_PAYLOAD, REPLY_HEAD, REQUEST_HEAD, STATUS_OK, TOKEN_BYTES,
  decodeReplyHead, encodeRequestHead,
} from '../../protocol/bytePipe';
import { type RequestOptions, RpcError } from '../../protocol/rpc';
import type { ErrorData } from '../../protocol/segment';

type ReadParams = AgentMethods['read']['params'];
type WriteParams = AgentMethods['write']['params'];

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
    const reader = new FrameReader(REPLY_HEAD, (n) => Buffer.allocUnsafe(n), (head, body) => { this.onReply(head, body); });
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
    const id = this.nextId;
    const frame = method === 'read' ? readFrame(id, params) : writeFrame(id, params);
    if (!frame) return undefined;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
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

  private onReply(headBytes: Uint8Array, body: Buffer): void {
    const head = decodeReplyHead(headBytes);
    const p = this.pending.get(head.id);
    if (!p) return;
    this.pending.delete(head.id);
    p.cleanup();
    if (head.status === STATUS_OK) {
      p.resolve(p.method === 'read' ? body : { written: head.written });
      return;
    }
    let data: unknown;
    try { data = JSON.parse(body.toString('utf8')); } catch { /* checked below */ }
    p.reject(new RpcError(isErrorData(data) ? data : { name: 'Error', message: `${p.method}: the agent's error reply could not be read`, code: 'EPROTO', op: p.method }));
  }
}

function readFrame(id: number, p: Partial<ReadParams>): Buffer | undefined {
  if (typeof p.handle !== 'number' || typeof p.offset !== 'number' || typeof p.length !== 'number' || p.length > MAX_PAYLOAD) return undefined;
  const frame = Buffer.alloc(REQUEST_HEAD);
  encodeRequestHead(frame, { id, kind: KIND_READ, payload: 0, handle: p.handle, offset: p.offset, length: p.length });
  return frame;
}

/** The data is copied into the frame: the caller may reuse its buffer once write() returns, as with the channel. */
function writeFrame(id: number, p: Partial<WriteParams>): Buffer | undefined {
  if (typeof p.handle !== 'number' || typeof p.offset !== 'number' || !(p.data instanceof Uint8Array) || p.data.length > MAX_PAYLOAD) return undefined;
  const frame = Buffer.alloc(REQUEST_HEAD + p.data.length);
  encodeRequestHead(frame, { id, kind: KIND_WRITE, payload: p.data.length, handle: p.handle, offset: p.offset, length: 0 });
  frame.set(p.data, REQUEST_HEAD);
  return frame;
}
