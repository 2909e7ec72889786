// Compare two byte sources of the same length chunk by chunk (a live segment and a snapshot
// file, or two snapshot files) without holding either whole. Returns the differing ranges.
import * as fs from 'node:fs';
import type { DiffResult as AgentDiffResult } from '../protocol/agent';
import { BULK_CHUNK } from '../protocol/chunks';
import type { ByteRange } from '../protocol/webview';
import type { SegmentAccess } from './noFootprint';

/** Something that can fill a buffer from an offset. */
export type ChunkReader = (dst: Buffer, offset: number, length: number) => void;

export function segmentReader(seg: Pick<SegmentAccess, 'readInto'>): ChunkReader {
  return (dst, offset, length) => { seg.readInto(dst, offset, length); };
}

/** Reads a file; bytes past its end read as absent (the caller compares lengths first). */
export function fileReader(fd: number): ChunkReader {
  return (dst, offset, length) => {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, dst, done, length - done, offset + done);
      if (n === 0) throw new RangeError(`snapshot file is shorter than ${offset + length} bytes`);
      done += n;
    }
  };
}

export type DiffResult = Omit<AgentDiffResult, 'sizes'>;

/** Yields after each chunk with {done,total}; returns the differing ranges (adjacent bytes merged). */
export function* diffChunks(a: ChunkReader, b: ChunkReader, size: number, options: { maxRanges?: number; chunkSize?: number } = {}): Generator<{ done: number; total: number }, DiffResult> {
  const chunk = options.chunkSize ?? BULK_CHUNK;
  const max = options.maxRanges ?? 10000;
  const bufA = Buffer.allocUnsafe(Math.min(chunk, Math.max(size, 1)));
  const bufB = Buffer.allocUnsafe(bufA.length);
  const ranges: ByteRange[] = [];
  let bytes = 0;
  let truncated = false;
  let open: ByteRange | undefined; // the range being extended, may continue into the next chunk
  for (let pos = 0; pos < size; pos += bufA.length) {
    const n = Math.min(bufA.length, size - pos);
    a(bufA, pos, n);
    b(bufB, pos, n);
    // Fast path: equal chunks (the common case) cost one compare.
    if (bufA.compare(bufB, 0, n, 0, n) !== 0) {
      for (let i = 0; i < n; i++) {
        if (bufA[i] === bufB[i]) continue;
        bytes++;
        const at = pos + i;
        if (open && open.offset + open.length === at) {
          open.length++;
        } else if (ranges.length < max) {
          open = { offset: at, length: 1 };
          ranges.push(open);
        } else {
          truncated = true;
          open = undefined;
        }
      }
    }
    yield { done: pos + n, total: size };
  }
  return { ranges, bytes, truncated };
}
