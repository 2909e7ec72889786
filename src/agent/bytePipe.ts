// The agent's end of the byte pipe (the wire format and why it exists: src/protocol/bytePipe.ts;
// the host's end: src/extension/agent/pipeClient.ts).
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { AgentMethods } from '../protocol/agent';
import {
  FrameReader, KIND_READ, PIPE_ENV, PIPE_FD, REPLY_HEAD, REQUEST_HEAD, STATUS_ERROR, STATUS_OK, TOKEN_BYTES,
  decodeRequestHead, encodeReplyHead, isPipeToken,
} from '../protocol/bytePipe';
import { type CallContext, type Handlers, toErrorData } from '../protocol/rpc';

/**
 * Serve read and write frames on fd PIPE_FD with the agent's own handlers (the same
 * checks and errors as over the channel). Resolves true once the host's token arrived, false
 * when there is no usable pipe (no token in the environment, fd 4 missing or not a socket, or
 * its first bytes are not the token).
 */
export function serveBytePipe(env: NodeJS.ProcessEnv, handlers: Pick<Handlers<AgentMethods>, 'read' | 'write'>): Promise<boolean> {
  const token = env[PIPE_ENV];
  if (!isPipeToken(token)) return Promise.resolve(false);
  try {
    if (!fs.fstatSync(PIPE_FD).isSocket()) return Promise.resolve(false);
  } catch {
    return Promise.resolve(false); // closed by the prefix
  }
  const socket = new net.Socket({ fd: PIPE_FD, readable: true, writable: true });
  socket.on('error', () => undefined); // the host went away: the channel's disconnect ends us
  const expected = Buffer.from(token, 'hex');
  const ctx: CallContext = { progress: () => undefined, signal: new AbortController().signal };
  const queue: { head: Uint8Array; body: Buffer }[] = [];
  let busy = false;

  const reply = (id: number, status: number, payload: Uint8Array, written = 0) => {
    const head = Buffer.allocUnsafe(REPLY_HEAD);
    encodeReplyHead(head, { id, status, payload: payload.length, written });
    socket.cork();
    socket.write(head);
    if (payload.length) socket.write(payload);
    socket.uncork();
  };
  const serve = async (frame: { head: Uint8Array; body: Buffer }) => {
    const { id, kind, handle, offset, length } = decodeRequestHead(frame.head);
    try {
      if (kind === KIND_READ) {
        reply(id, STATUS_OK, await handlers.read({ handle, offset, length }, ctx));
      } else {
        const { written } = await handlers.write({ handle, offset, data: frame.body }, ctx);
        reply(id, STATUS_OK, new Uint8Array(0), written);
      }
    } catch (err) {
      reply(id, STATUS_ERROR, Buffer.from(JSON.stringify(toErrorData(err)), 'utf8'));
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
  const frames = new FrameReader(REQUEST_HEAD, (n) => Buffer.allocUnsafe(n), (head, body) => { queue.push({ head, body }); void pump(); });

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
