// Pattern search over 1 GiB: core search() (chunked copies out of the segment + indexOf) against
// Buffer.indexOf over an in-memory Buffer holding the same bytes. The pattern sits at the very end.
import { AgentClient } from '../src/extension/agent/client';
import { type Segment, search } from '../src/core';
import { AGENT_JS } from './agent';
import { type Verdict, breathe, f1, gbps, median, now, time, verdict } from './util';

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const t = now();
  await fn();
  return now() - t;
}

export async function searchBench(seg: Segment, mem: Buffer, needle: Buffer, reps: number, log: (s: string) => void): Promise<Verdict[]> {
  const where = seg.size - needle.length;
  seg.writeChunk(needle, where);
  needle.copy(mem, where);
  const core: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < reps; r++) {
    let found = -1;
    core.push(time(() => { found = search(seg, { pattern: needle, max: 1 }).offsets[0] ?? -1; }));
    if (found !== where) throw new Error(`search found ${found}, expected ${where}`);
    base.push(time(() => { found = mem.indexOf(needle); }));
    if (found !== where) throw new Error(`indexOf found ${found}, expected ${where}`);
    await breathe();
  }
  const s = gbps(seg.size, median(core));
  const b = gbps(seg.size, median(base));
  // The same search as the editor runs it: a request to the agent, chunked, yielding between chunks.
  const agentTimes: number[] = [];
  const client = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 0 });
  try {
    const { handle } = await client.request('open', { id: seg.id, readOnly: true });
    for (let r = 0; r < reps; r++) {
      let found: number | undefined;
      agentTimes.push(await timeAsync(async () => { found = (await client.request('search', { handle, pattern: needle, from: 0, max: 1 })).offsets[0]; }));
      if (found !== where) throw new Error(`agent search found ${found}, expected ${where}`);
      await breathe();
    }
  } finally {
    client.dispose();
  }
  const a = gbps(seg.size, median(agentTimes));
  log(`  ${needle.length}-byte pattern at offset ${where}, median of ${reps}: search() ${median(core).toFixed(0)} ms (${f1(s)} GB/s), through the agent ${median(agentTimes).toFixed(0)} ms (${f1(a)} GB/s), Buffer.indexOf ${median(base).toFixed(0)} ms (${f1(b)} GB/s)`);
  return [
    verdict('search-1GiB', `${f1(s)} GB/s vs Buffer.indexOf ${f1(b)} GB/s = ${(s / b).toFixed(2)}x`, s / b >= 0.5, '>= 0.5x'),
    verdict('search-1GiB-agent', `${f1(a)} GB/s vs Buffer.indexOf ${f1(b)} GB/s = ${(a / b).toFixed(2)}x`, a / b >= 0.5, '>= 0.5x'),
  ];
}
