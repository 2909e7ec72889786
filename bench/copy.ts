// In-process data path: core readInto/writeChunk over a 1 GiB segment, against Buffer.copy
// doing the same walk over a 1 GiB in-memory Buffer (same sizes, same access pattern, so both
// stream from DRAM). The cache-hot 1 MiB -> 1 MiB Buffer.copy is printed for information.
// The CLI's path (an attachment read through /proc/self/mem) is measured the same way.
import { Segment } from '../src/core';
import { MiB, type Verdict, breathe, f1, gbps, median, time, verdict } from './util';

export interface CopyInputs {
  seg: Segment; // attached read-write, all pages touched
  mem: Buffer; // same size, same bytes
  /** The 1 MiB the segment and mem are tiled with: the write passes write it again, so contents stay. */
  pattern: Buffer;
  reps: number;
}

export async function copyBench({ seg, mem, pattern, reps }: CopyInputs, log: (s: string) => void): Promise<Verdict[]> {
  const size = seg.size;
  const chunk = MiB;
  const dst = Buffer.alloc(chunk);
  const src = Buffer.from(pattern.subarray(0, chunk));

  const shmRead: number[] = [];
  const memRead: number[] = [];
  const hot: number[] = [];
  const shmWrite: number[] = [];
  const memWrite: number[] = [];
  for (let r = 0; r < reps; r++) {
    shmRead.push(time(() => { for (let off = 0; off < size; off += chunk) seg.readInto(dst, off, chunk); }));
    memRead.push(time(() => { for (let off = 0; off < size; off += chunk) mem.copy(dst, 0, off, off + chunk); }));
    hot.push(time(() => { for (let off = 0; off < size; off += chunk) src.copy(dst, 0, 0, chunk); }));
    await breathe();
    shmWrite.push(time(() => { for (let off = 0; off < size; off += chunk) seg.writeChunk(src, off); }));
    memWrite.push(time(() => { for (let off = 0; off < size; off += chunk) src.copy(mem, off, 0, chunk); }));
    await breathe();
  }
  const rS = gbps(size, median(shmRead));
  const rM = gbps(size, median(memRead));
  const rH = gbps(size, median(hot));
  const wS = gbps(size, median(shmWrite));
  const wM = gbps(size, median(memWrite));
  log(`  1 MiB chunks over ${size / MiB} MiB, median of ${reps}:`);
  log(`    readInto   ${f1(rS)} GB/s   Buffer.copy (1 GiB Buffer -> 1 MiB) ${f1(rM)} GB/s   cache-hot Buffer.copy 1 MiB -> 1 MiB ${f1(rH)} GB/s`);
  log(`    writeChunk ${f1(wS)} GB/s   Buffer.copy (1 MiB -> 1 GiB Buffer) ${f1(wM)} GB/s`);

  // 4 KiB reads: the per-call cost (koffi memcpy call + range checks), walking the segment.
  const small = Buffer.alloc(4096);
  const ops = 500_000;
  const span = size - 4096;
  const shm4: number[] = [];
  const mem4: number[] = [];
  for (let r = 0; r < reps; r++) {
    shm4.push(time(() => { for (let i = 0, off = 0; i < ops; i++, off = (off + 4096) % span) seg.readInto(small, off, 4096); }));
    mem4.push(time(() => { for (let i = 0, off = 0; i < ops; i++, off = (off + 4096) % span) mem.copy(small, 0, off, off + 4096); }));
    await breathe();
  }
  const rate = ops / median(shm4) * 1000;
  const base = ops / median(mem4) * 1000;
  log(`  4 KiB reads, ${ops} per repetition, median of ${reps}: readInto ${(rate / 1e6).toFixed(2)} M/s (${(1e6 / rate).toFixed(2)} us each), Buffer.copy ${(base / 1e6).toFixed(2)} M/s`);

  // The CLI's attachment: pread on /proc/self/mem instead of memcpy (no SIGBUS on an unbacked page).
  const viaProc = Segment.open(seg.id).attach({ readOnly: true, viaProcSelfMem: true });
  const procRead: number[] = [];
  try {
    for (let r = 0; r < reps; r++) {
      procRead.push(time(() => { for (let off = 0; off < size; off += chunk) viaProc.readInto(dst, off, chunk); }));
      await breathe();
    }
  } finally {
    viaProc.detach();
  }
  const rP = gbps(size, median(procRead));
  log(`  CLI path (/proc/self/mem), 1 MiB chunks, median of ${reps}: ${f1(rP)} GB/s (readInto ${f1(rS)} GB/s, Buffer.copy ${f1(rM)} GB/s)`);

  return [
    verdict('read-1MiB-cli', `${f1(rP)} GB/s through /proc/self/mem vs Buffer.copy ${f1(rM)} GB/s = ${(rP / rM).toFixed(2)}x`, rP >= 1, '>= 1 GB/s'),
    verdict('read-1MiB', `${f1(rS)} GB/s vs Buffer.copy ${f1(rM)} GB/s = ${(rS / rM).toFixed(2)}x`, rS / rM >= 0.8, '>= 0.8x'),
    verdict('write-1MiB', `${f1(wS)} GB/s vs Buffer.copy ${f1(wM)} GB/s = ${(wS / wM).toFixed(2)}x`, wS / wM >= 0.8, '>= 0.8x'),
    verdict('read-4KiB', `${Math.round(rate).toLocaleString('en-US')}/s vs Buffer.copy 4 KiB ${Math.round(base).toLocaleString('en-US')}/s = ${(rate / base).toFixed(2)}x`, rate >= 1_000_000, '>= 1,000,000/s'),
  ];
}
