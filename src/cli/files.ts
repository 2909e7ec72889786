// Files for the data commands, without holding data in memory and without losing any: a stream
// is spooled to a private temporary file, so data too long for the segment is refused before a
// byte is written. (Dumps use core's replaceFile, as the agent's do.)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { writeAll } from '../core/files';
import { BULK_CHUNK } from '../protocol/chunks';

/** An unlinked 0600 temporary file holding a stream's bytes; the caller closes fd. */
export interface Spooled {
  fd: number;
  size: number;
}

/**
 * All of `input` into a temporary file, refusing (by throwing tooLong) as soon as it passes
 * `limit` bytes. The file is unlinked at once: nothing is left behind whatever happens next.
 */
export async function spool(input: Readable, limit: number, tooLong: (seen: number) => Error): Promise<Spooled> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-inspector-')); // 0700
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, 'input'), 'wx+', 0o600);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  let size = 0;
  try {
    for await (const chunk of input) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      if (size + b.length > limit) {
        input.destroy();
        throw tooLong(size + b.length);
      }
      try {
        writeAll(fd, b, b.length);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOSPC' && code !== 'EDQUOT') throw err;
        throw Object.assign(new Error(`no room in ${os.tmpdir()} to hold the input (${size} bytes so far): set TMPDIR to a larger directory; nothing written`), { code });
      }
      size += b.length;
    }
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return { fd, size };
}

/**
 * Copies `size` bytes of fd (from its start) to `write(chunk, done)` in chunks; returns the count
 * copied, less than size if the file shrank meanwhile.
 */
export function copyFrom(fd: number, size: number, write: (chunk: Buffer, done: number) => void): number {
  const buf = Buffer.allocUnsafe(Math.min(BULK_CHUNK, Math.max(size, 1)));
  let done = 0;
  while (done < size) {
    const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - done), done);
    if (n === 0) break;
    write(buf.subarray(0, n), done);
    done += n;
  }
  return done;
}

