// What every command shares: its table entry, the run context, segment targets, JSON shape.
import { Segment, ShmError } from '../core';
import type { Attachment, SegmentInfo } from '../protocol/segment';
import { type ArgSpec, type OptionSpec, type Parsed, UsageError } from './args';
import type { Io } from './io';
import { parseId, parseKey, parseSize } from './values';

export const PROG = 'shm-inspector';

export interface Context {
  io: Io;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage lines after `shm-inspector <name>`. */
  usage: string[];
  args: ArgSpec[];
  options: OptionSpec[];
  details?: string;
  run(p: Parsed, ctx: Context): Promise<number>;
}

// --- option table entries used by several commands -----------------------------------------------

export const JSON_OPTION: OptionSpec = { name: 'json', help: 'print JSON instead of text' };

export const KEY_TARGET: OptionSpec = {
  name: 'key', value: 'KEY', parse: (t, o) => parseKey(t, o),
  help: 'the segment with this key instead of an id (0x hex, decimal or negative)',
};

export const offsetOption = (help = 'start at this byte offset (default 0)'): OptionSpec => ({
  name: 'offset', short: 'o', value: 'N', parse: (t, o) => parseSize(t, o), help,
});

export const lengthOption = (help = 'this many bytes (default: to the end of the segment)'): OptionSpec => ({
  name: 'length', short: 'n', value: 'N', parse: (t, o) => parseSize(t, o), help,
});

export const ID_ARG: ArgSpec = { name: '<id>', help: 'segment id (shmid, as shown by ls or ipcs -m); or use --key', optional: true };

export const NUMBERS_NOTE =
  'Numbers may be decimal, 0x hex or 0o octal; sizes, offsets and lengths also take units:\n' +
  'K, M, G, T (powers of 1024; KiB, MiB, GiB too) and KB, MB, GB (powers of 1000).';

/** The id named by `<id>` or `--key K` (exactly one of them). */
export function targetId(p: Parsed, command: string): number {
  const key = p.options.key as number | undefined;
  const idText = p.args.at(0);
  if (idText !== undefined && key !== undefined) throw new UsageError(`give a segment id or --key, not both`, command);
  if (idText !== undefined) return parseId(idText, 'id');
  if (key !== undefined) {
    if (key === 0) throw new UsageError('key 0 is IPC_PRIVATE: private segments have no key, use the id', command);
    return Segment.openByKey(key).id;
  }
  throw new UsageError(`missing <id> (or --key KEY) for '${command}'`, command);
}

/**
 * The segment by id, attached; the caller detaches. Through /proc/self/mem: the CLI has no agent
 * to die in its place, and a huge-page segment with an empty pool must give an error, not SIGBUS.
 */
export function openAttached(id: number, readOnly: boolean): Segment {
  const seg = Segment.open(id);
  seg.attach({ readOnly, viaProcSelfMem: true });
  return seg;
}

/** JSON for one segment: every SegmentInfo field, plus attachments when known. */
export function segmentJson(s: SegmentInfo, attachments?: { list: Attachment[]; complete: boolean }): Record<string, unknown> {
  const o: Record<string, unknown> = { ...s };
  if (attachments) {
    o.attachments = attachments.list;
    o.attachmentsComplete = attachments.complete;
  }
  return o;
}

/**
 * Writes value as JSON. A bigint is written as an exact integer literal (JSON numbers have no
 * size limit; a JavaScript number would round the kernel's u64 limits, ~2^64 by default).
 */
export function writeJson(ctx: Context, value: unknown): Promise<void> {
  const mark = '\u0000bigint:';
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? mark + v.toString() : v), 2);
  return ctx.io.stdout.write(text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1') + '\n');
}

export function isGone(err: unknown): boolean {
  return err instanceof ShmError && ['EINVAL', 'EIDRM', 'ENOENT'].includes(err.code);
}
