// Moving bytes between a hex document and files for Export Range and Import File: patching
// pending edits into an exported file, and reading a file to import (size-capped, chunked,
// cancellable). vscode-free.
import * as fs from 'node:fs';
import { BULK_CHUNK } from '../../protocol/chunks';
import { formatSize } from '../../protocol/size';
import type { ByteRange } from '../../protocol/webview';

/** Largest file Import File accepts: it becomes one pending edit held in memory. */
export const MAX_IMPORT = 256 << 20;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Bytes for the messages: "1 byte", "4096 bytes"... and "1.5 MiB (1572864 bytes)" from 1 KiB. */
export function bytesText(n: number): string {
  return n < 1024 ? formatSize(n) : `${formatSize(n)} (${n} bytes)`;
}

/**
 * Write pending edits into an exported file holding the segment's bytes [rangeOffset, ...):
 * each piece at its offset relative to the range. Returns the number of bytes patched.
 */
export async function patchFile(file: string, rangeOffset: number, pieces: readonly { offset: number; value: Uint8Array }[]): Promise<number> {
  if (pieces.length === 0) return 0;
  const fh = await fs.promises.open(file, 'r+');
  let patched = 0;
  try {
    for (const p of pieces) {
      const at = p.offset - rangeOffset;
      if (at < 0) throw new RangeError(`pending bytes at ${hex(p.offset)} are before the exported range (${hex(rangeOffset)})`);
      let done = 0;
      while (done < p.value.length) done += (await fh.write(p.value, done, p.value.length - done, at + done)).bytesWritten;
      patched += p.value.length;
    }
  } finally {
    await fh.close();
  }
  return patched;
}

/**
 * Why a file of `fileSize` bytes cannot be imported at `offset` of a segment of `segmentSize`
 * bytes (undefined: it can).
 */
export function importRefusal(name: string, fileSize: number, offset: number, segmentSize: number, max = MAX_IMPORT): string | undefined {
  if (offset >= segmentSize) return `Offset ${hex(offset)} is past the end of the segment (${bytesText(segmentSize)}).`;
  if (fileSize === 0) return `${name} is empty: nothing to import.`;
  if (fileSize > max) {
    return `${name} is ${bytesText(fileSize)}; Import File takes at most ${bytesText(max)} (it becomes one undoable edit held in memory). ` +
      'Use the CLI (shm-inspector load) to copy larger files straight into the segment.';
  }
  const room = segmentSize - offset;
  if (fileSize > room) {
    return `${name} is ${bytesText(fileSize)}, but only ${bytesText(room)} fit between offset ${hex(offset)} and the end of the segment ` +
      `(${bytesText(segmentSize)}). Nothing was imported.`;
  }
  return undefined;
}

export class ImportCancelled extends Error {
  readonly code = 'ECANCELED';
  constructor() {
    super('Import cancelled');
    this.name = 'AbortError';
  }
}

/**
 * Read a whole file (at most `max` bytes; more is an error) in chunks, reporting progress and
 * stopping when `signal` aborts.
 */
export async function readFileChunked(
  file: string,
  opts: { max?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<Uint8Array> {
  const max = opts.max ?? MAX_IMPORT;
  const fh = await fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size > max) throw new RangeError(`${file} is ${bytesText(size)}, more than ${bytesText(max)}`);
    const data = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      if (opts.signal?.aborted) throw new ImportCancelled();
      const { bytesRead } = await fh.read(data, done, Math.min(BULK_CHUNK, size - done), done);
      if (bytesRead === 0) break; // the file shrank while we read it
      done += bytesRead;
      opts.onProgress?.(done, size);
    }
    if (opts.signal?.aborted) throw new ImportCancelled();
    return done === size ? data : data.subarray(0, done);
  } finally {
    await fh.close();
  }
}

/** Mode of every file holding segment bytes (exports): shared memory can hold secrets. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Create a new file only its owner can read ('wx': never an existing file, nor a link planted
 * at a predictable temporary name).
 */
export function createPrivateFile(file: string): Promise<fs.promises.FileHandle> {
  return fs.promises.open(file, 'wx', PRIVATE_FILE_MODE);
}

/** A default file name for an exported range: shm-<key>-<id>-0x<offset>-<length>.bin. */
export function exportFileName(info: { id: number; key: number; keyHex: string }, range: ByteRange, whole: boolean): string {
  const key = info.key === 0 ? 'private' : info.keyHex;
  return whole ? `shm-${key}-${info.id}.bin` : `shm-${key}-${info.id}-${hex(range.offset)}-${range.length}.bin`;
}
