// Copies between a buffer and this process's own memory through /proc/self/mem instead of
// memcpy. The kernel faults the pages in itself and reports a page it cannot supply (a huge-page
// segment whose pool is empty, which is SIGBUS for memcpy) as an I/O error, so the caller gets
// an error instead of a dead process. For code with no agent process between it and the
// attachment: the CLI. Slower than memcpy (a syscall per call), still GB/s.
import * as fs from 'node:fs';

let memFd: number | null = null;

function fd(): number {
  if (memFd === null) memFd = fs.openSync('/proc/self/mem', 'r+');
  return memFd;
}

function pageFailed(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null | undefined)?.code;
  return code === 'EIO' || code === 'EFAULT';
}

/**
 * Copies `length` bytes from `address` into dst (or writes them there, if `write`). Returns how
 * many were copied before a page failed: `length` when all went through.
 */
export function copySelfMem(buf: Uint8Array, address: number, length: number, write: boolean): number {
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = write ? fs.writeSync(fd(), buf, done, length - done, address + done) : fs.readSync(fd(), buf, done, length - done, address + done);
    } catch (err) {
      if (pageFailed(err)) return done;
      throw err;
    }
    if (n === 0) return done;
    done += n;
  }
  return done;
}
