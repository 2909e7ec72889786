// The agent's end of the byte pipe (the wire format and why it exists: src/protocol/bytePipe.ts;
// the host's end: src/extension/agent/pipeClient.ts).
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { SegmentAccess } from '../core';
import type { AgentMethods } from '../protocol/agent';
import {
  FLAG_XFER, FrameReader, INLINE_MAX, KIND_READ, KIND_WRITE, PIPE_ENV, PIPE_FD, REPLY_HEAD, REQUEST_HEAD, type RequestHead,
  STATUS_ERROR, STATUS_OK, TOKEN_BYTES, XFER_FD, XFER_KEEP, decodeRequestHead, encodeReplyHead, inXferRange, isPipeToken,
} from '../protocol/bytePipe';
import { type CallContext, type Handlers, RpcError, toErrorData } from '../protocol/rpc';

/** True when XFER_FD is a regular file that starts with the token (the host's transfer file). */
function isOurTransferFile(expected: Buffer): boolean {
  try {
    if (!fs.fstatSync(XFER_FD).isFile()) return false;
    const got = Buffer.alloc(TOKEN_BYTES);
    return fs.readSync(XFER_FD, got, 0, TOKEN_BYTES, 0) === TOKEN_BYTES && got.equals(expected);
  } catch {
    return false; // closed by the prefix
  }
}

/** A frame the host cannot have meant: answered as an error, the stream stays in step. */
function badFrame(message: string): RpcError {
  return new RpcError({ name: 'RangeError', message: `byte pipe: ${message}`, code: 'EPROTO' });
}

/** The agent's open segments by handle (handlers.ts OpenSegments): reads into a reused buffer. */
export interface PipeSegments {
  get(handle: unknown): Pick<SegmentAccess, 'readInto' | 'copyToFile'>;
}

/**
 * One buffer for the bytes of every transfer, reused: a fresh 1 MiB Buffer per request costs
 * the agent more than the copies do (malloc maps and unmaps it, every page faults again: 1 MiB
 * reads went from 0.1-0.2 GB/s to over 1 GB/s without it on the loaded machine). Transfers
 * over XFER_KEEP get a buffer of their own, so a rare huge one is not kept for the agent's life.
 */
class Scratch {
  private buf = Buffer.alloc(0);

  take(length: number): Buffer {
    if (length > XFER_KEEP) return Buffer.allocUnsafe(length);
    if (this.buf.length < length) this.buf = Buffer.allocUnsafe(Math.max(length, 1 << 20));
    return this.buf.subarray(0, length);
  }
}

/** Bytes a frame's write carries: inline, or read from the host's range of the transfer file. */
function writeData(h: RequestHead, body: Buffer, scratch: Scratch): Buffer {
  if (!(h.flags & FLAG_XFER)) return body;
  if (!inXferRange(h.xfer, h.length)) throw badFrame(`transfer range ${h.xfer}+${h.length} is outside the file`);
  const data = scratch.take(h.length);
  for (let done = 0; done < data.length;) {
    const n = fs.readSync(XFER_FD, data, done, data.length - done, h.xfer + done);
    if (n === 0) throw badFrame(`the transfer file ends before ${h.xfer}+${h.length}`);
    done += n;
  }
  return data;
}

/**
 * Serve read and write frames on fd PIPE_FD with the agent's own handlers (the same checks and
 * errors as over the channel). Resolves true once the host's token arrived and the transfer
 * file is the host's, false when there is no usable pipe (no token in the environment, fd 4
 * missing or not a socket, its first bytes are not the token, or fd 5 is not the transfer file).
 */
export function serveBytePipe(env: NodeJS.ProcessEnv, handlers: Pick<Handlers<AgentMethods>, 'read' | 'write'>, segments: PipeSegments): Promise<boolean> {
  const token = env[PIPE_ENV];
  if (!isPipeToken(token)) return Promise.resolve(false);
  const expected = Buffer.from(token, 'hex');
  try {
    if (!fs.fstatSync(PIPE_FD).isSocket()) return Promise.resolve(false);
  } catch {
    return Promise.resolve(false); // closed by the prefix
  }
  if (!isOurTransferFile(expected)) return Promise.resolve(false);
  const socket = new net.Socket({ fd: PIPE_FD, readable: true, writable: true });
  socket.on('error', () => undefined); // the host went away: the channel's disconnect ends us
  const ctx: CallContext = { progress: () => undefined, signal: new AbortController().signal };
  const queue: { head: RequestHead; body: Buffer }[] = [];
  const scratch = new Scratch();
  let busy = false;

  const reply = (id: number, status: number, payload: Uint8Array, count = 0) => {
    const head = Buffer.allocUnsafe(REPLY_HEAD);
    encodeReplyHead(head, { id, status, payload: payload.length, count });
    socket.cork();
    socket.write(head);
    if (payload.length) socket.write(payload);
    socket.uncork();
  };
  const serve = async ({ head: h, body }: { head: RequestHead; body: Buffer }) => {
    const { handle, offset, length } = h;
    try {
      if (h.kind === KIND_READ) {
        if (!(h.flags & FLAG_XFER)) {
          if (length > INLINE_MAX) throw badFrame(`an inline read of ${length} bytes, over ${INLINE_MAX}`);
          reply(h.id, STATUS_OK, await handlers.read({ handle, offset, length }, ctx));
          return;
        }
        if (!inXferRange(h.xfer, length)) throw badFrame(`transfer range ${h.xfer}+${length} is outside the file`);
        const seg = segments.get(handle);
        if (seg.copyToFile) {
          seg.copyToFile(XFER_FD, offset, length, h.xfer); // straight from the attachment
        } else {
          const data = scratch.take(length);
          seg.readInto(data, offset, length);
          for (let done = 0; done < data.length;) done += fs.writeSync(XFER_FD, data, done, data.length - done, h.xfer + done);
        }
        reply(h.id, STATUS_OK, new Uint8Array(0), length);
      } else if (h.kind === KIND_WRITE) {
        const { written } = await handlers.write({ handle, offset, data: writeData(h, body, scratch) }, ctx);
        reply(h.id, STATUS_OK, new Uint8Array(0), written);
      } else {
        throw badFrame(`unknown request kind ${h.kind}`);
      }
    } catch (err) {
      reply(h.id, STATUS_ERROR, Buffer.from(JSON.stringify(toErrorData(err)), 'utf8'));
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
  const frames = new FrameReader(REQUEST_HEAD, (n) => Buffer.allocUnsafe(n), (head, body) => { queue.push({ head: decodeRequestHead(head), body }); void pump(); });
  const onFrames = (c: Buffer) => {
    try {
      frames.push(c);
    } catch (err) {
      // A frame over the limit: nothing after it can be trusted. Closing the pipe leaves the
      // host's requests to time out; the host never sends one (it checks before it sends).
      process.stderr.write(`shm-inspector agent: byte pipe closed: ${(err as Error).message}\n`);
      socket.destroy();
    }
  };

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
      socket.on('data', onFrames);
      settle(true);
      if (got.length > TOKEN_BYTES) onFrames(got.subarray(TOKEN_BYTES));
    };
    // The host writes the token before the agent starts: it is there at once, or never.
    const timer = setTimeout(() => { settle(false); }, 5000);
    timer.unref();
    socket.on('data', onToken);
    socket.on('close', () => { settle(false); });
  });
}
