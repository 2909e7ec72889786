// Pattern search over 1 GiB: core search() (chunked copies out of the segment + indexOf) against
// Buffer.indexOf over an in-memory Buffer holding the same bytes. The pattern sits at the very end.
import { type Segment, search } from '../src/core';
import { type Verdict, breathe, f1, gbps, median, time, verdict } from './util';

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
  log(`  ${needle.length}-byte pattern at offset ${where}, median of ${reps}: search() ${median(core).toFixed(0)} ms (${f1(s)} GB/s), Buffer.indexOf ${median(base).toFixed(0)} ms (${f1(b)} GB/s)`);
  return [verdict('search-1GiB', `${f1(s)} GB/s vs Buffer.indexOf ${f1(b)} GB/s = ${(s / b).toFixed(2)}x`, s / b >= 0.5, '>= 0.5x')];
}
