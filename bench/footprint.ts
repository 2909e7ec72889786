// What looking without touching costs: 1 MiB and 4 KiB reads of the same segment by
// AgentSegment in the two read modes, side by side in one run. 'attach' (the agent keeps an
// attachment; the host preads /proc/<agent>/mem) is the baseline; 'none' reads through the
// mapping of a process that holds the segment (here: this benchmark process), or, when nobody
// holds it, attaches and detaches per request.
import { AgentClient } from '../src/extension/agent/client';
import { AgentSegment } from '../src/extension/agent/agentSegment';
import { Segment } from '../src/core';
import type { Footprint } from '../src/protocol/segment';
import { AGENT_JS } from './agent';
import { MiB, type Verdict, breathe, disown, f1, gbps, median, now, own, verdict } from './util';

const SIZE = 64 * MiB;

export async function footprintBench(reps: number, log: (s: string) => void): Promise<Verdict[]> {
  const seg = own(Segment.create(SIZE));
  const client = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60_000 });
  try {
    seg.attach();
    for (let off = 0; off < SIZE; off += MiB) seg.writeChunk(Buffer.alloc(MiB, off / MiB), off);
    const measure = async (footprint: Footprint) => {
      const a = await AgentSegment.open(client, seg.id, { footprint, readOnly: true });
      try {
        const big: number[] = [];
        const small: number[] = [];
        for (let r = 0; r <= reps; r++) {
          let t = now();
          for (let off = 0; off < SIZE; off += MiB) await a.read(off, MiB);
          if (r > 0) big.push(now() - t); // the first round warms up
          t = now();
          for (let i = 0; i < 500; i++) await a.read((i * 4096) % SIZE, 4096);
          if (r > 0) small.push((now() - t) / 500);
          await breathe();
        }
        return { gbps: gbps(SIZE, median(big)), ms4k: median(small), via: a.via.kind };
      } finally {
        await a.close();
      }
    };
    const attached = await measure('attach');
    const held = await measure('none'); // this process holds it: read through its mapping
    seg.detach();
    const alone = await measure('none'); // nobody holds it: attach per request
    const line = (name: string, m: { gbps: number; ms4k: number; via: string }) =>
      `  ${name.padEnd(34)} 1 MiB reads ${f1(m.gbps).padStart(5)} GB/s (${(m.gbps / attached.gbps).toFixed(2)}x), 4 KiB round trip ${m.ms4k.toFixed(3)} ms (${(m.ms4k / attached.ms4k).toFixed(1)}x)  [via ${m.via}]`;
    log(line('attach (baseline)', attached));
    log(line('none, through a holder\'s mapping', held));
    log(line('none, nobody holds it', alone));
    return [
      verdict('footprint-none-held', `${f1(held.gbps)} GB/s 1 MiB reads through a holder's mapping, ${(held.gbps / attached.gbps).toFixed(2)}x attach`, held.gbps >= 0.25 * attached.gbps, '>= 0.25x attach'),
      verdict('footprint-none-alone', `median ${alone.ms4k.toFixed(3)} ms per 4 KiB read attaching per request, attach ${attached.ms4k.toFixed(3)} ms`, alone.ms4k <= 1, '<= 1 ms'),
    ];
  } finally {
    client.dispose();
    disown(seg);
  }
}
