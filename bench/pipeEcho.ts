// The ceiling of the byte pipe without the agent: a forked Node child with an extra stdio pipe
// (fd 4, as the agent gets) answering each 4-byte request [u32 length] with that many bytes; the
// parent gathers them into one Buffer. `node out/bench/pipeEcho.js child` is the child.
import { fork } from 'node:child_process';
import * as net from 'node:net';
import { MiB, gbps, median, now } from './util';

export interface PipeCeiling {
  /** 1 MiB replies, GB/s (median of reps). */
  bigGbps: number;
  /** 4 KiB round trips, median ms. */
  smallMs: number;
}

export async function pipeCeiling(count: number, reps: number, small: number): Promise<PipeCeiling> {
  const child = fork(__filename, ['child'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc', 'pipe'], execArgv: [] });
  const pipe = child.stdio[4];
  if (!(pipe instanceof net.Socket)) throw new Error('no pipe at fd 4');
  let want = 0;
  let have = 0;
  let parts: Buffer[] = [];
  let done: (b: Buffer) => void = () => undefined;
  pipe.on('data', (d: Buffer) => {
    parts.push(d);
    have += d.length;
    if (have < want) return;
    const b = Buffer.concat(parts);
    parts = [];
    have = 0;
    done(b);
  });
  const ask = (length: number) => new Promise<Buffer>((resolve) => {
    want = length;
    done = resolve;
    const head = Buffer.alloc(4);
    head.writeUInt32LE(length);
    pipe.write(head);
  });
  try {
    const times: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const t = now();
      for (let i = 0; i < count; i++) await ask(MiB);
      if (r > 0) times.push(now() - t); // the first is warm-up
    }
    const each: number[] = [];
    for (let i = 0; i < small; i++) {
      const t = now();
      await ask(4096);
      each.push(now() - t);
    }
    return { bigGbps: gbps(count * MiB, median(times)), smallMs: median(each) };
  } finally {
    child.kill();
  }
}

if (require.main === module && process.argv[2] === 'child') {
  const src = Buffer.alloc(MiB, 1);
  const pipe = new net.Socket({ fd: 4, readable: true, writable: true });
  pipe.on('data', (d: Buffer) => {
    for (let i = 0; i + 4 <= d.length; i += 4) pipe.write(Buffer.from(src.subarray(0, d.readUInt32LE(i)))); // a fresh Buffer, as readChunk makes
  });
  process.on('disconnect', () => process.exit(0));
}
