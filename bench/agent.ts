// Reads through the agent process, as the extension host does, each path beside its bare
// baseline measured in the same run: AgentSegment.read through /proc/<agent>/mem (pread, no
// round trip); the byte pipe, which carries read and write when /proc/<agent>/mem is refused
// (procMemory: false here, as we are root), against a bare Node child with the same fds
// (pipeEcho.ts: its stream socket alone, and its transfer file); and the IPC channel (the
// fallback when no pipe can be set up) against bare Node IPC.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient } from '../src/extension/agent/client';
import { AgentSegment } from '../src/extension/agent/agentSegment';
import { ipcCeiling } from './ipcEcho';
import { pipeCeiling } from './pipeEcho';
import { MiB, type Verdict, breathe, f1, gbps, median, now, verdict } from './util';

export const AGENT_JS = path.resolve(__dirname, '..', '..', 'dist', 'agent.js');

type Read = (offset: number, length: number) => Promise<Uint8Array>;

const COUNT = 256; // 1 MiB reads over the first 256 MiB of the segment
const SMALL = 3000; // 4 KiB round trips, one at a time (what a scrolling hex editor does)

async function throughput(read: Read, reps: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = now();
    for (let i = 0; i < COUNT; i++) {
      const b = await read(i * MiB, MiB);
      if (b.length !== MiB) throw new Error(`short read: ${b.length}`);
    }
    times.push(now() - t);
    await breathe();
  }
  return gbps(COUNT * MiB, median(times));
}

async function latency(read: Read): Promise<{ median: number; p99: number }> {
  const each: number[] = [];
  for (let i = 0; i < SMALL; i++) {
    const t = now();
    await read((i * 4096) % (COUNT * MiB), 4096);
    each.push(now() - t);
  }
  const s = [...each].sort((a, b) => a - b);
  return { median: median(each), p99: s[Math.floor(s.length * 0.99)] };
}

/** One client's AgentSegment.read, measured (after a warm-up pass). */
async function measure(id: number, reps: number, options: { procMemory: boolean; bytePipe: boolean }) {
  const client = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60_000, ...options });
  try {
    await client.request('ping', {});
    const seg = await AgentSegment.open(client, id, { readOnly: true });
    const read: Read = (o, l) => seg.read(o, l);
    const how = client.agentMemory() !== null ? '/proc/<agent>/mem' : client.bytePipe ? 'byte pipe' : 'channel';
    await throughput(read, 1); // warm-up (first touches, JIT)
    const big = await throughput(read, reps);
    // The same reads into one reused buffer (readInto): no fresh pages per read.
    const dst = Buffer.allocUnsafe(MiB);
    const readInto: Read = async (o, l) => { await seg.readInto(dst, o, l); return dst; };
    await throughput(readInto, 1);
    const bigInto = await throughput(readInto, reps);
    await latency(read);
    const small = await latency(read);
    await seg.close();
    return { how, big, bigInto, small };
  } finally {
    client.dispose();
  }
}

const ms = (x: { median: number; p99: number }) => `median ${x.median.toFixed(3)} ms (p99 ${x.p99.toFixed(3)})`;

export async function agentBench(id: number, reps: number, log: (s: string) => void): Promise<Verdict[]> {
  if (!fs.existsSync(AGENT_JS)) throw new Error(`${AGENT_JS} is missing: build it first (npm run build)`);
  const mem = await measure(id, reps, { procMemory: true, bytePipe: true });
  const pipe = await measure(id, reps, { procMemory: false, bytePipe: true });
  const bare = await pipeCeiling(COUNT, reps, SMALL);
  const channel = await measure(id, reps, { procMemory: false, bytePipe: false });
  const ipc = await ipcCeiling(COUNT, reps);
  if (mem.how !== '/proc/<agent>/mem') log('  /proc/<agent>/mem is NOT readable here: the first row measures the byte pipe');
  if (pipe.how !== 'byte pipe') throw new Error(`the byte pipe was not set up (reads went over the ${pipe.how})`);
  // The pipe's baseline is the better of the two bare ways, whichever won this run.
  const bareBest = Math.max(bare.streamGbps, bare.fileGbps);
  // The bare echo reuses its buffers, so readInto (which does too) is what compares with it.
  const pipeRatio = pipe.bigInto / bareBest;
  const bareText = `bare transfer file ${f1(bare.fileGbps)} GB/s, bare stream socket ${f1(bare.streamGbps)} GB/s`;
  log(`  1 MiB reads x${COUNT}, median of ${reps}: ${mem.how} read ${f1(mem.big)} GB/s, readInto ${f1(mem.bigInto)} GB/s; byte pipe read ${f1(pipe.big)} GB/s, readInto ${f1(pipe.bigInto)} GB/s, ${bareText} (readInto ${pipeRatio.toFixed(2)}x the better); channel ${f1(channel.big)} GB/s, bare IPC ${f1(ipc)} GB/s (${(channel.big / ipc).toFixed(2)}x)`);
  log(`  4 KiB round trips x${SMALL}: ${mem.how} ${ms(mem.small)}; byte pipe ${ms(pipe.small)}, bare pipe median ${bare.smallMs.toFixed(3)} ms; channel ${ms(channel.small)}`);
  return [
    verdict('agent-1MiB', `${f1(mem.big)} GB/s AgentSegment.read (${mem.how})`, mem.big >= 1, '>= 1 GB/s'),
    verdict('agent-1MiB-fallback', `${f1(pipe.bigInto)} GB/s AgentSegment.readInto over the byte pipe (no /proc), ${pipeRatio.toFixed(2)}x the bare pipe (${bareText}); read into fresh buffers ${f1(pipe.big)} GB/s`, pipe.bigInto >= 2 && pipeRatio >= 0.7, '>= 2 GB/s and >= 0.7x bare pipe'),
    verdict('agent-1MiB-channel', `${f1(channel.big)} GB/s over the channel (no pipe), ${(channel.big / ipc).toFixed(2)}x bare IPC ${f1(ipc)} GB/s`, channel.big >= 1, '>= 1 GB/s'),
    verdict('agent-4KiB', `${ms(mem.small)} AgentSegment.read (${mem.how})`, mem.small.median <= 0.5, '<= 0.5 ms'),
    verdict('agent-4KiB-pipe', `${ms(pipe.small)} over the byte pipe, bare pipe ${bare.smallMs.toFixed(3)} ms`, pipe.small.median <= 0.1, '<= 0.1 ms'),
    verdict('agent-4KiB-channel', `${ms(channel.small)} over the channel (no pipe)`, channel.small.median <= 0.5, '<= 0.5 ms'),
  ];
}
