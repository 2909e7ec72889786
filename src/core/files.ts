// Writing a file without losing the one it replaces: the CLI's `dump` and the agent's dump (Dump
// to File…, exports, snapshots) write a 0600 temporary file beside the target and rename it over
// the target only when complete, so a failed or cancelled dump leaves an existing file as it was
// and no half-written file looks complete.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes `file` through `fill(fd)`. A regular file (new or existing) is written as a 0600
 * temporary file in the same directory and renamed over it only when fill succeeds; on failure
 * only the temporary file is removed. An existing file keeps its mode (and owner, where we may).
 * Anything else that exists (a device, a FIFO) is written directly: there is nothing to lose.
 */
export async function replaceFile(file: string, fill: (fd: number) => void | Promise<void>): Promise<void> {
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
      await fill(fd);
    } finally {
      fs.closeSync(fd);
    }
    return;
  }
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    try {
      await fill(fd);
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

/** Write the first n bytes of buf, however many calls the kernel takes. */
export function writeAll(fd: number, buf: Uint8Array, n: number): void {
  for (let w = 0; w < n;) w += fs.writeSync(fd, buf, w, n - w);
}
