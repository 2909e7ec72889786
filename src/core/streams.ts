// Node streams over a segment, in chunks through one reused Buffer (reads) or the caller's
// chunks (writes). Ranges are validated like every other access.
import { Readable, Writable } from 'node:stream';
import type { Segment } from './segment';
import { checkCount, checkRange } from './validate';

const DEFAULT_CHUNK = 1 << 20;

/** Bytes [start, end) of the segment; end defaults to the segment's size. */
export function createReadStream(seg: Segment, options: { start?: number; end?: number; chunkSize?: number } = {}): Readable {
  const start = options.start ?? 0;
  const end = options.end ?? seg.size;
  checkRange('read', start, checkCount(end, 'read: end') - start, seg.size, seg.id);
  const chunkSize = checkCount(options.chunkSize ?? DEFAULT_CHUNK, 'chunkSize') || DEFAULT_CHUNK;
  let pos = start;
  return new Readable({
    highWaterMark: chunkSize,
    read() {
      try {
        if (pos >= end) return void this.push(null);
        const n = Math.min(chunkSize, end - pos);
        const chunk = seg.readChunk(n, pos); // fresh Buffer: consumers may keep it
        pos += n;
        this.push(chunk);
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}

/** Writes consecutive chunks from start; a chunk that would pass the end fails the stream. */
export function createWriteStream(seg: Segment, options: { start?: number } = {}): Writable {
  let pos = checkCount(options.start ?? 0, 'write: start');
  checkRange('write', pos, 0, seg.size, seg.id);
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        pos += seg.writeChunk(chunk, pos);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
