// Files for the data commands, without holding data in memory and without losing any:
// a stream is spooled to a private temporary file, so data too long for the segment is refused
// before a byte is written; a dump is written next to its target and renamed over it only once
// complete, so a failed dump leaves an existing file as it was.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';

/** Bytes per step when copying between a file and a segment. */
export const FILE_CHUNK = 4 << 20;

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
  const buf = Buffer.allocUnsafe(Math.min(FILE_CHUNK, Math.max(size, 1)));
  let done = 0;
  while (done < size) {
    const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - done), done);
    if (n === 0) break;
    write(buf.subarray(0, n), done);
    done += n;
  }
  return done;
}

export function writeAll(fd: number, buf: Uint8Array, n: number): void {
  for (let w = 0; w < n;) w += fs.writeSync(fd, buf, w, n - w);
}

/**
 * Writes `file` through `fill(fd)`. A regular file (new or existing) is written as a 0600
 * temporary file in the same directory and renamed over it only when fill succeeds; on failure
 * only the temporary file is removed. An existing file keeps its mode (and owner, where we may).
 * Anything else that exists (a device, a FIFO) is written directly: there is nothing to lose.
 */
export function replaceFile(file: string, fill: (fd: number) => void): void {
  let target = file;
  let old: fs.Stats | undefined;
  try {
    target = fs.realpathSync(file); // through symlinks: replace the file, keep the link
    old = fs.statSync(target);
  } catch { /* a new file */ }
  if (old && !old.isFile()) {
    if (old.isDirectory()) throw Object.assign(new Error(`${file} is a directory`), { code: 'EISDIR' });
    const fd = fs.openSync(target, 'w');
    try {
      fill(fd);
    } finally {
      fs.closeSync(fd);
    }
    return;
  }
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    try {
      fill(fd);
      if (old) {
        if (old.uid !== process.geteuid?.() || old.gid !== process.getegid?.()) {
          try { fs.fchownSync(fd, old.uid, old.gid); } catch { /* not permitted: it becomes ours */ }
        }
        fs.fchmodSync(fd, old.mode & 0o7777); // after chown, which may clear set-id bits
        fs.fsyncSync(fd); // the old content goes only once the new one is on disk
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
