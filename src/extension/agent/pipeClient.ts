// The host's end of the byte pipe (the wire format and why it exists: src/protocol/bytePipe.ts;
// the agent's end: src/agent/bytePipe.ts).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentMethods } from '../../protocol/agent';
import {
  FLAG_XFER, FrameReader, INLINE_MAX, KIND_READ, KIND_WRITE, REPLY_HEAD, REQUEST_HEAD, type RequestHead, STATUS_OK,
  TOKEN_BYTES, XFER_BASE, XFER_KEEP, XFER_MAX, decodeReplyHead, encodeRequestHead,
} from '../../protocol/bytePipe';
import { PendingRequests, type PendingEntry, type RequestOptions, RpcError } from '../../protocol/rpc';
import type { ErrorData } from '../../protocol/segment';

type ReadParams = AgentMethods['read']['params'];
type WriteParams = AgentMethods['write']['params'];

export function newPipeToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}

/**
 * The transfer file for an agent: a new 0600 file in /dev/shm (tmpfs; the temp dir where there
 * is none) that starts with the token, unlinked at once, so only the fd names it. Its fd goes to
 * the agent as stdio XFER_FD; the PipeClient made with it closes it. Undefined when it cannot be
 * made: then there is no byte pipe.
 */
export function openTransferFile(token: string): number | undefined {
  const dir = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const file = path.join(dir, `shm-inspector-${process.pid}-${randomBytes(8).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'wx+', 0o600);
    fs.unlinkSync(file);
    fs.writeSync(fd, Buffer.from(token, 'hex'), 0, TOKEN_BYTES, 0);
    return fd;
  } catch {
    if (fd !== undefined) fs.closeSync(fd);
    try { fs.unlinkSync(file); } catch { /* not made, or already gone */ }
    return undefined;
  }
}

interface PipeRequest {
  /** Bytes the request asked for (read). */
  length: number;
  /** Where its bytes are in the transfer file (undefined: inline). */
  xfer: number | undefined;
  /** The caller's buffer for a read's bytes (readInto), else a new one. */
  into: Uint8Array | undefined;
}

function isErrorData(v: unknown): v is ErrorData {
  return !!v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string';
}

const protocolError = (op: string, message: string) => new RpcError({ name: 'Error', message: `${op}: ${message}`, code: 'EPROTO', op });

/**
 * The host's end. Carries a request only once the agent confirmed the pipe (`open()`) and while
 * the socket lives; otherwise `request` returns undefined and the caller uses the channel.
 * When the agent dies the client closes this with its AgentError (mid-frame bytes are dropped),
 * so pipe requests fail exactly as channel requests do.
 */
export class PipeClient {
  private confirmed = false;
  private nextId = 1;
  private readonly pending = new PendingRequests<PipeRequest>();
  /** Transfer ranges by request id, held until the agent's reply (also after a timeout: it may still write there). */
  private readonly held = new Map<number, number>();
  /** Next free byte of the transfer file; back to XFER_BASE whenever nothing is held. */
  private xferEnd = XFER_BASE;
  private xferHigh = XFER_BASE;
  private closedWith: Error | undefined;

  /**
   * `token`: from newPipeToken(), also given to the agent in its environment (PIPE_ENV).
   * `xferFd`: from openTransferFile(token); this closes it.
   */
  constructor(private readonly socket: net.Socket, token: string, private readonly xferFd: number, private readonly timeoutMs: number) {
    const reader = new FrameReader(REPLY_HEAD, (n) => Buffer.allocUnsafe(n), (head, body) => { this.onReply(head, body); });
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (err) {
        this.close(protocolError('byte pipe', `the agent sent ${(err as Error).message}; read and write use the channel now`));
      }
    });
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
   * confirmed, closed, parameters a frame cannot hold, or the transfer file is full: the channel
   * then checks and answers them as it always did).
   */
  request(method: 'read' | 'write', params: unknown, opts: RequestOptions = {}, into?: Uint8Array): Promise<unknown> | undefined {
    if (!this.usable || !params || typeof params !== 'object') return undefined;
    const id = this.nextId;
    const sent = method === 'read' ? this.readFrame(id, params) : this.writeFrame(id, params);
    if (!sent) return undefined;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const { frame, length, xfer } = sent;
    // A late answer to a request given up on is dropped (its id is no longer pending).
    const { answer, started } = this.pending.wait(id, method, { length, xfer, into }, opts, this.timeoutMs);
    if (started) this.socket.write(frame);
    else this.release(id); // never sent: nothing will write to its transfer range
    return answer;
  }

  /** Methods of requests waiting for an answer (for crash reports). */
  pendingMethods(): string[] {
    return this.pending.methods();
  }

  /** Reject everything pending with `err`, and close the host's end and the transfer file. */
  close(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.pending.failAll(err);
    this.socket.destroy();
    this.held.clear();
    fs.closeSync(this.xferFd);
  }

  /** A range of `length` bytes in the transfer file for request `id`, or undefined when it is full. */
  private hold(id: number, length: number): number | undefined {
    const at = this.xferEnd;
    if (at + length > XFER_BASE + XFER_MAX) return undefined;
    this.xferEnd += length;
    this.xferHigh = Math.max(this.xferHigh, this.xferEnd);
    this.held.set(id, at);
    return at;
  }

  private release(id: number): void {
    if (!this.held.delete(id) || this.held.size > 0) return;
    this.xferEnd = XFER_BASE;
    if (this.xferHigh > XFER_BASE + XFER_KEEP) { // give a big transfer's memory back
      fs.ftruncateSync(this.xferFd, XFER_BASE);
      this.xferHigh = XFER_BASE;
    }
  }

  private head(id: number, kind: number, p: { handle: number; offset: number }, payload: number, length: number, xfer: number | undefined): Buffer {
    const frame = Buffer.alloc(REQUEST_HEAD + payload);
    const h: RequestHead = { id, kind, payload, flags: xfer === undefined ? 0 : FLAG_XFER, handle: p.handle, offset: p.offset, length, xfer: xfer ?? 0 };
    encodeRequestHead(frame, h);
    return frame;
  }

  private readFrame(id: number, p: Partial<ReadParams>) {
    if (typeof p.handle !== 'number' || typeof p.offset !== 'number' || typeof p.length !== 'number' || !Number.isSafeInteger(p.length) || p.length < 0) return undefined;
    const xfer = p.length > INLINE_MAX ? this.hold(id, p.length) : undefined;
    if (p.length > INLINE_MAX && xfer === undefined) return undefined;
    return { frame: this.head(id, KIND_READ, { handle: p.handle, offset: p.offset }, 0, p.length, xfer), length: p.length, xfer };
  }

  /** The data is copied out before this returns: the caller may reuse its buffer, as with the channel. */
  private writeFrame(id: number, p: Partial<WriteParams>) {
    if (typeof p.handle !== 'number' || typeof p.offset !== 'number' || !(p.data instanceof Uint8Array)) return undefined;
    const { data } = p;
    const where = { handle: p.handle, offset: p.offset };
    if (data.length <= INLINE_MAX) {
      const frame = this.head(id, KIND_WRITE, where, data.length, 0, undefined);
      frame.set(data, REQUEST_HEAD);
      return { frame, length: 0, xfer: undefined };
    }
    const xfer = this.hold(id, data.length);
    if (xfer === undefined) return undefined;
    for (let done = 0; done < data.length;) done += fs.writeSync(this.xferFd, data, done, data.length - done, xfer + done);
    return { frame: this.head(id, KIND_WRITE, where, 0, data.length, xfer), length: 0, xfer };
  }

  private onReply(headBytes: Uint8Array, body: Buffer): void {
    const head = decodeReplyHead(headBytes);
    const p = this.pending.take(head.id);
    try {
      if (p) this.answer(p, head.status, head.count, body);
    } finally {
      this.release(head.id); // after the bytes were taken out of the range
    }
  }

  private answer(p: PendingEntry<PipeRequest>, status: number, count: number, body: Buffer): void {
    const { length, xfer, into } = p.data;
    if (status !== STATUS_OK) {
      let data: unknown;
      try { data = JSON.parse(body.toString('utf8')); } catch { /* checked below */ }
      p.reject(isErrorData(data) ? new RpcError(data) : protocolError(p.method, 'the agent\'s error reply could not be read'));
      return;
    }
    if (p.method === 'write') { p.resolve({ written: count }); return; }
    if (xfer === undefined) {
      if (into && body.length === length) { into.set(body); p.resolve(into.subarray(0, body.length)); return; }
      p.resolve(body);
      return;
    }
    if (count !== length || body.length !== 0) {
      p.reject(protocolError('read', `the agent put ${count} bytes in the transfer file for a read of ${length}`));
      return;
    }
    // Into the caller's buffer when it gave one: a fresh 1 MiB buffer's pages fault on first
    // touch, which costs more than the copy (see README, Performance).
    const data = into ? into.subarray(0, count) : Buffer.allocUnsafe(count);
    for (let done = 0; done < count;) {
      const n = fs.readSync(this.xferFd, data, done, count - done, xfer + done);
      if (n === 0) { p.reject(protocolError('read', 'the transfer file ended early')); return; }
      done += n;
    }
    p.resolve(data);
  }
}
