// The ceiling of the agent's channel without the agent: a forked Node child answering each
// request with a 1 MiB Buffer over the same kind of channel ('advanced' serialization).
// `node out/bench/ipcEcho.js child` is the child; ipcCeiling() runs it and measures.
import { fork } from 'node:child_process';
import { MiB, gbps, median, now } from './util';

export async function ipcCeiling(count: number, reps: number): Promise<number> {
  const child = fork(__filename, ['child'], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
  const pending = new Map<number, (b: Uint8Array) => void>();
  let next = 0;
  child.on('message', (m: { id: number; data: Uint8Array }) => { pending.get(m.id)?.(m.data); pending.delete(m.id); });
  const ask = () => new Promise<Uint8Array>((resolve) => { const id = ++next; pending.set(id, resolve); child.send({ id, length: MiB }); });
  try {
    const times: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const t = now();
      for (let i = 0; i < count; i++) await ask();
      if (r > 0) times.push(now() - t); // the first is warm-up
    }
    return gbps(count * MiB, median(times));
  } finally {
    child.kill();
  }
}

if (require.main === module && process.argv[2] === 'child') {
  const src = Buffer.alloc(MiB, 1);
  process.on('message', (m: { id: number; length: number }) => {
    process.send?.({ id: m.id, data: Buffer.from(src.subarray(0, m.length)) }); // a fresh Buffer, as readChunk makes
  });
  process.on('disconnect', () => process.exit(0));
}
