// Standard streams for commands: writes that respect back-pressure (a 1 GiB hex dump must not
// pile up in memory) and a quiet stop on a closed pipe (`shm-inspector read 5 | head`).
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

/** Thrown when the reader of our stdout went away (EPIPE): stop, exit 0, say nothing. */
export class BrokenPipe extends Error {
  override readonly name = 'BrokenPipe';
}

export class Output {
  private broken = false;

  constructor(readonly stream: Writable & { isTTY?: boolean }) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.broken = true;
    });
  }

  get isTTY(): boolean {
    return !!this.stream.isTTY;
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (this.broken) throw new BrokenPipe('output closed');
    if (this.stream.write(data)) return;
    try {
      await once(this.stream, 'drain');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') throw new BrokenPipe('output closed');
      throw err;
    }
  }
}

export interface Io {
  stdout: Output;
  stderr: Output;
  stdin: Readable & { isTTY?: boolean };
}

export function processIo(): Io {
  return { stdout: new Output(process.stdout), stderr: new Output(process.stderr), stdin: process.stdin };
}
