// Reading a long range BULK_CHUNK at a time, into one buffer. `each` runs after every chunk
// (progress); it may throw to stop (cancel).
import { BULK_CHUNK } from '../../protocol/chunks';

export type ReadFn = (offset: number, length: number) => Promise<Uint8Array>;

export async function readChunked(read: ReadFn, offset: number, length: number, each?: (done: number, total: number) => void): Promise<Uint8Array> {
  if (length <= BULK_CHUNK && !each) return read(offset, length);
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += BULK_CHUNK) {
    out.set(await read(offset + at, Math.min(BULK_CHUNK, length - at)), at);
    each?.(Math.min(length, at + BULK_CHUNK), length);
  }
  return out;
}
