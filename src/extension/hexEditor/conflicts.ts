// Before Save writes a pending range, it re-reads it: a byte whose segment value is neither
// what the user saw when editing it (base) nor what Save would write (value) was changed by
// another process in the meantime. vscode-free.
import type { Run } from './editModel';
import { readChunked } from './chunked';

export interface Conflict {
  run: Run;
  /** The segment's bytes of the run now. */
  current: Uint8Array;
  /** Offset of the first conflicting byte, and how many bytes conflict. */
  first: number;
  count: number;
}


/**
 * The conflict in `run` given the segment's bytes of it now, if any. `accepted`: the bytes the
 * user already agreed to overwrite (shown in an earlier prompt); a byte still holding them is
 * no new conflict.
 */
export function conflictIn(run: Run, current: Uint8Array, accepted?: Uint8Array): Conflict | undefined {
  let first = -1;
  let count = 0;
  for (let i = 0; i < current.length; i++) {
    const c = current[i];
    if (c !== run.base[i] && c !== run.value[i] && (!accepted || c !== accepted[i])) {
      if (first < 0) first = run.offset + i;
      count++;
    }
  }
  return count > 0 ? { run, current, first, count } : undefined;
}

/** The runs another process changed since they were edited. */
export async function findConflicts(runs: readonly Run[], read: (offset: number, length: number) => Promise<Uint8Array>): Promise<Conflict[]> {
  const out: Conflict[] = [];
  for (const run of runs) {
    const c = conflictIn(run, await readChunked(read, run.offset, run.value.length));
    if (c) out.push(c);
  }
  return out;
}

const hex = (n: number, width = 8): string => '0x' + n.toString(16).padStart(width, '0');

function bytesText(a: Uint8Array, max = 8): string {
  const shown = Array.from(a.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return a.length > max ? `${shown} …` : shown;
}

/**
 * When the conflicts were found: before Save wrote anything; while Save was writing, after an
 * earlier prompt (`saved` ranges are written already); or before an undo/redo of a
 * write-through edit (run.value = what it would write, run.base = what the edit left there).
 */
export type ConflictContext = { kind: 'save' } | { kind: 'again'; saved: number } | { kind: 'undo'; op: 'Undo' | 'Redo' };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The modal's message and detail for a set of conflicts. */
export function describeConflicts(
  segmentId: number, conflicts: readonly Conflict[], context: ConflictContext = { kind: 'save' }, maxListed = 5,
): { message: string; detail: string } {
  const n = conflicts.length;
  const bytes = conflicts.reduce((s, c) => s + c.count, 0);
  const what = `${plural(bytes, 'byte')} you edited in segment ${segmentId} (${plural(n, 'range')})`;
  const lines = conflicts.slice(0, maxListed).map((c) => {
    const from = c.first - c.run.offset;
    const len = Math.min(8, c.run.value.length - from);
    return `${hex(c.first)}: yours ${bytesText(c.run.value.subarray(from, from + len))} · ` +
      `was ${bytesText(c.run.base.subarray(from, from + len))} · now ${bytesText(c.current.subarray(from, from + len))}`;
  });
  if (n > maxListed) lines.push(`… and ${n - maxListed} more`);
  let message: string;
  let choices: string[];
  switch (context.kind) {
    case 'save':
      message = `Another process changed ${what} since you edited ${bytes === 1 ? 'it' : 'them'}.`;
      choices = [
        'Overwrite: write your bytes anyway.',
        'Reload Those Bytes: drop your edits in these ranges and show the current bytes; your other edits are saved.',
        'Cancel: save nothing; your edits stay pending.',
      ];
      break;
    case 'again':
      message = `While Save was waiting, another process changed ${what}.`;
      choices = [
        'Overwrite: write your bytes anyway.',
        'Reload Those Bytes: drop your edits in these ranges and show the current bytes; your other edits are saved.',
        context.saved
          ? `Cancel: write nothing more (${plural(context.saved, 'range')} saved already); the other edits stay pending.`
          : 'Cancel: save nothing; your edits stay pending.',
      ];
      break;
    case 'undo':
      message = `${context.op} would overwrite ${plural(bytes, 'byte')} of segment ${segmentId} that another process changed ` +
        `since this edit wrote ${bytes === 1 ? 'it' : 'them'}.`;
      choices = [
        `Overwrite: ${context.op.toLowerCase()} anyway ("yours" is what it writes, "was" what the edit left there).`,
        `Cancel: change nothing; the ${context.op.toLowerCase()} is refused.`,
      ];
      break;
  }
  return { message, detail: [...lines, '', ...choices].join('\n') };
}
