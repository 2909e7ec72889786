// The ceilings of the byte pipe without the agent: a forked Node child with the same extra stdio
// fds as the agent (a socketpair at fd 4, a transfer file in /dev/shm at fd 5) answering each
// 8-byte request [u32 length][u32 mode] with that many bytes from one reused Buffer (as the agent
// reads a segment into its reused buffer):
// - stream: the bytes on the socket, the parent gathering them into one Buffer (Node's own
//   stream socket, what the pipe did before the transfer file);
// - file: the child pwrites them to the transfer file and answers 4 bytes on the socket, the
//   parent preads them into a new Buffer (what the byte pipe does for reads over 64 KiB).
// `node out/bench/pipeEcho.js child` is the child.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { MiB, gbps, median, now } from './util';

export interface PipeCeiling {
  /** 1 MiB replies on the stream socket, GB/s (median of reps). */
  streamGbps: number;
  /** 1 MiB replies through the transfer file, GB/s (median of reps). */
  fileGbps: number;
  /** 4 KiB round trips on the stream socket, median ms. */
  smallMs: number;
}

const STREAM = 0;
const FILE = 1;

export async function pipeCeiling(count: number, reps: number, small: number): Promise<PipeCeiling> {
  const file = path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : '/tmp', `shm-inspector-bench-${process.pid}`);
  const xfer = fs.openSync(file, 'wx+', 0o600);
  fs.unlinkSync(file);
  const child = fork(__filename, ['child'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc', 'pipe', xfer], execArgv: [] });
  const pipe = child.stdio[4];
  if (!(pipe instanceof net.Socket)) throw new Error('no pipe at fd 4');
  let want = 0;
  let mode = STREAM;
  let have = 0;
  let dest = Buffer.alloc(0);
  let done: (b: Buffer) => void = () => undefined;
  pipe.on('data', (d: Buffer) => {
    if (mode === FILE) {
      fs.readSync(xfer, dest, 0, want, 0);
      done(dest);
      return;
    }
    d.copy(dest, have);
    have += d.length;
    if (have < want) return;
    have = 0;
    done(dest);
  });
  const ask = (length: number, how: number) => new Promise<Buffer>((resolve) => {
    want = length;
    mode = how;
    dest = Buffer.allocUnsafe(length);
    done = resolve;
    const head = Buffer.alloc(8);
    head.writeUInt32LE(length, 0);
    head.writeUInt32LE(how, 4);
    pipe.write(head);
  });
  const big = async (how: number) => {
    const times: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const t = now();
      for (let i = 0; i < count; i++) await ask(MiB, how);
      if (r > 0) times.push(now() - t); // the first is warm-up
    }
    return gbps(count * MiB, median(times));
  };
  try {
    const streamGbps = await big(STREAM);
    const fileGbps = await big(FILE);
    const each: number[] = [];
    for (let i = 0; i < small; i++) {
      const t = now();
      await ask(4096, STREAM);
      each.push(now() - t);
    }
    return { streamGbps, fileGbps, smallMs: median(each) };
  } finally {
    child.kill();
    fs.closeSync(xfer);
  }
}

if (require.main === module && process.argv[2] === 'child') {
  const src = Buffer.alloc(MiB, 1);
  const pipe = new net.Socket({ fd: 4, readable: true, writable: true });
  const ok = Buffer.alloc(4);
  pipe.on('data', (d: Buffer) => {
    for (let i = 0; i + 8 <= d.length; i += 8) {
      const bytes = src.subarray(0, d.readUInt32LE(i)); // the same bytes every time: safe to reuse
      if (d.readUInt32LE(i + 4) === FILE) {
        fs.writeSync(5, bytes, 0, bytes.length, 0);
        pipe.write(ok);
      } else {
        pipe.write(bytes);
      }
    }
  });
  process.on('disconnect', () => process.exit(0));
}
