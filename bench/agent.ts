// Reads through the agent process, as the extension host does: AgentSegment.read (pread on
// /proc/<agent>/mem when the kernel allows, no round trip) and the plain channel request
// client.request('read') (a Buffer serialized over the IPC pipe).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient } from '../src/agent/client';
import { AgentSegment } from '../src/agent/agentSegment';
import { ipcCeiling } from './ipcEcho';
import { MiB, type Verdict, breathe, f1, gbps, median, now, verdict } from './util';

export const AGENT_JS = path.resolve(__dirname, '..', '..', 'dist', 'agent.js');

export async function agentBench(id: number, reps: number, log: (s: string) => void): Promise<Verdict[]> {
  if (!fs.existsSync(AGENT_JS)) throw new Error(`${AGENT_JS} is missing: build it first (npm run build)`);
  const client = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60_000 });
  try {
    await client.request('ping', {});
    const seg = await AgentSegment.open(client, id, { readOnly: true });
    const viaMem = client.agentMemory() !== null;
    log(`  agent pid ${client.pid}; /proc/<agent>/mem ${viaMem ? 'readable: AgentSegment.read uses it' : 'NOT readable: AgentSegment.read falls back to the channel'}`);
    const channel = (offset: number, length: number) => seg.withHandle((handle) => client.request('read', { handle, offset, length }));
    const direct = (offset: number, length: number) => seg.read(offset, length);

    // 1 MiB reads over the first 256 MiB of the segment.
    const count = 256;
    const through = async (read: (o: number, l: number) => Promise<Uint8Array>) => {
      const times: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t = now();
        for (let i = 0; i < count; i++) {
          const b = await read(i * MiB, MiB);
          if (b.length !== MiB) throw new Error(`short read: ${b.length}`);
        }
        times.push(now() - t);
        await breathe();
      }
      return gbps(count * MiB, median(times));
    };
    await through(direct); // warm-up (first touches, JIT)
    const bigDirect = await through(direct);
    const bigChannel = await through(channel);
    const ceiling = await ipcCeiling(count, reps);
    log(`  1 MiB reads x${count}, median of ${reps}: AgentSegment.read ${f1(bigDirect)} GB/s, client.request('read') ${f1(bigChannel)} GB/s`);
    log(`    for comparison, bare Node IPC (fork, 'advanced' serialization, 1 MiB Buffer replies, no agent): ${f1(ceiling)} GB/s`);

    // 4 KiB round trips, one at a time (what a scrolling hex editor does).
    const n = 3000;
    const latency = async (read: (o: number, l: number) => Promise<Uint8Array>) => {
      const each: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = now();
        await read((i * 4096) % (256 * MiB), 4096);
        each.push(now() - t);
      }
      const s = [...each].sort((a, b) => a - b);
      return { median: median(each), p99: s[Math.floor(s.length * 0.99)] };
    };
    await latency(channel);
    const smallDirect = await latency(direct);
    const smallChannel = await latency(channel);
    log(`  4 KiB round trips x${n}: AgentSegment.read median ${smallDirect.median.toFixed(3)} ms (p99 ${smallDirect.p99.toFixed(3)}), client.request('read') median ${smallChannel.median.toFixed(3)} ms (p99 ${smallChannel.p99.toFixed(3)})`);
    await seg.close();

    const pathName = viaMem ? '/proc/mem' : 'channel fallback';
    return [
      verdict('agent-1MiB', `${f1(bigDirect)} GB/s AgentSegment.read (${pathName})`, bigDirect >= 1, '>= 1 GB/s'),
      verdict('agent-1MiB-channel', `${f1(bigChannel)} GB/s client.request('read')`, bigChannel >= 1, '>= 1 GB/s'),
      verdict('agent-4KiB', `median ${smallDirect.median.toFixed(3)} ms AgentSegment.read (${pathName})`, smallDirect.median <= 0.5, '<= 0.5 ms'),
      verdict('agent-4KiB-channel', `median ${smallChannel.median.toFixed(3)} ms client.request('read')`, smallChannel.median <= 0.5, '<= 0.5 ms'),
    ];
  } finally {
    client.dispose();
  }
}
