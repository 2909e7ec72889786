// Before Save writes a pending range, it re-reads it: a byte whose segment value is neither
// what the user saw when editing it (base) nor what Save would write (value) was changed by
// another process in the meantime. vscode-free.
import type { Run } from './editModel';

export interface Conflict {
  run: Run;
  /** The segment's bytes of the run now. */
  current: Uint8Array;
  /** Offset of the first conflicting byte, and how many bytes conflict. */
  first: number;
  count: number;
}

/** Longest single read while checking (the agent's chunk size). */
const CHUNK = 4 << 20;

async function readAll(read: (offset: number, length: number) => Promise<Uint8Array>, offset: number, length: number): Promise<Uint8Array> {
  if (length <= CHUNK) return read(offset, length);
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += CHUNK) out.set(await read(offset + at, Math.min(CHUNK, length - at)), at);
  return out;
}

/** The runs another process changed since they were edited. */
export async function findConflicts(runs: readonly Run[], read: (offset: number, length: number) => Promise<Uint8Array>): Promise<Conflict[]> {
  const out: Conflict[] = [];
  for (const run of runs) {
    const current = await readAll(read, run.offset, run.value.length);
    let first = -1;
    let count = 0;
    for (let i = 0; i < current.length; i++) {
      const c = current[i];
      if (c !== run.base[i] && c !== run.value[i]) {
        if (first < 0) first = run.offset + i;
        count++;
      }
    }
    if (count > 0) out.push({ run, current, first, count });
  }
  return out;
}

const hex = (n: number, width = 8): string => '0x' + n.toString(16).padStart(width, '0');

function bytesText(a: Uint8Array, max = 8): string {
  const shown = Array.from(a.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return a.length > max ? `${shown} …` : shown;
}

/** The modal's message and detail for a set of conflicts. */
export function describeConflicts(segmentId: number, conflicts: readonly Conflict[], maxListed = 5): { message: string; detail: string } {
  const n = conflicts.length;
  const bytes = conflicts.reduce((s, c) => s + c.count, 0);
  const message = `Another process changed ${bytes === 1 ? '1 byte' : `${bytes} bytes`} you edited in segment ${segmentId} ` +
    `(${n === 1 ? '1 range' : `${n} ranges`}) since you edited ${bytes === 1 ? 'it' : 'them'}.`;
  const lines = conflicts.slice(0, maxListed).map((c) => {
    const from = c.first - c.run.offset;
    const len = Math.min(8, c.run.value.length - from);
    return `${hex(c.first)}: yours ${bytesText(c.run.value.subarray(from, from + len))} · ` +
      `was ${bytesText(c.run.base.subarray(from, from + len))} · now ${bytesText(c.current.subarray(from, from + len))}`;
  });
  if (n > maxListed) lines.push(`… and ${n - maxListed} more`);
  const detail = [
    ...lines,
    '',
    'Overwrite: write your bytes anyway.',
    'Reload Those Bytes: drop your edits in these ranges and show the current bytes; your other edits are saved.',
    'Cancel: save nothing; your edits stay pending.',
  ].join('\n');
  return { message, detail };
}
