// `read`/`write` with --header FILE --type NAME: a segment's bytes as a C type from the program's
// own header (laid out by src/ctypes, decoded and encoded by src/protocol/cValues). The header
// and every --set are checked before the segment is opened, so bad input changes nothing.
import { type CLayouts, loadLayouts } from '../../ctypes';
import type { CType } from '../../protocol/cTypes';
import {
  CValueError, applyAssignments, decodeLeaf, decodeValues, formatTree, formatValue, jsonValue, parseAssignments, viewOf,
} from '../../protocol/cValues';
import { type OptionSpec, type Parsed, UsageError } from '../args';
import { type Context, openAttached, targetId, writeJson } from '../command';
import { parseInteger, parseSize } from '../values';
import { C_BUILD_OPTIONS, C_TYPE_OPTION, cLoadOptions } from './cOptions';

/** The options every typed form shares (the header, its type, where it sits, how to lay it out). */
export const HEADER_OPTIONS: OptionSpec[] = [
  { name: 'header', value: 'FILE', help: 'a C header (or .c file) declaring the type; with --type' },
  C_TYPE_OPTION,
  { name: 'at', value: 'OFFSET', parse: (t, o) => parseSize(t, o), help: 'the type starts at this byte offset (default 0)' },
  ...C_BUILD_OPTIONS,
];

export const COUNT_OPTION: OptionSpec = {
  name: 'count', value: 'N', parse: (t, o) => parseInteger(t, o, 1), help: 'with --header: N consecutive elements, paths prefixed [i]',
};

export const SET_OPTION: OptionSpec = {
  name: 'set', value: 'PATH=VALUE', list: true, help: 'with --header: set a field (repeatable): hdr.magic=0x5348, items[3].name=abc',
};

export const TYPED_DETAILS =
  'With --header FILE --type NAME the bytes at --at are that C type, laid out as the compiler\n' +
  'does (cc -E preprocesses the header when a compiler is on PATH). Paths name fields as C does:\n' +
  'hdr.magic, items[3].id, members of anonymous structs/unions without that level.\n';

/** True when the command line asks for the typed form. */
export function isTyped(p: Parsed): boolean {
  return p.options.header !== undefined || p.options.type !== undefined;
}

/** Options of the other form given with the typed one (or the reverse): a usage error. */
function checkForm(p: Parsed, command: string, typed: string[], bytes: string[]): void {
  const given = (names: string[]) => names.filter((n) => p.options[n] !== undefined).map((n) => `--${n}`);
  if (isTyped(p)) {
    const wrong = given(bytes);
    if (wrong.length) throw new UsageError(`${command}: ${wrong.join(', ')} cannot be used with --header (use --at for the offset)`, command);
    if (p.options.header === undefined) throw new UsageError(`${command}: --type needs --header FILE`, command);
    if (p.options.type === undefined) throw new UsageError(`${command}: --header needs --type NAME`, command);
  } else {
    const wrong = given(typed);
    if (wrong.length) throw new UsageError(`${command}: ${wrong.join(', ')} needs --header FILE --type NAME`, command);
  }
}

/** Usage errors for option mixes, for read and write before anything else runs. */
export function checkReadForm(p: Parsed): void {
  checkForm(p, 'read', ['at', 'count', 'json', 'include', 'define', 'abi'], ['offset', 'length', 'format']);
}

export function checkWriteForm(p: Parsed): void {
  checkForm(p, 'write', ['at', 'set', 'include', 'define', 'abi'], ['offset', 'hex', 'text']);
  if (isTyped(p) && !(p.options.set as string[] | undefined)?.length) throw new UsageError('write: --header needs at least one --set PATH=VALUE', 'write');
}

async function loadType(p: Parsed): Promise<{ layouts: CLayouts; type: CType }> {
  const layouts = await loadLayouts(p.options.header as string, cLoadOptions(p));
  return { layouts, type: layouts.lookup((p.options.type as string).trim()) };
}

/** [at, at + bytes) within the segment, or a RangeError naming the type. */
function checkFits(op: string, what: string, at: number, bytes: number, size: number, id: number): void {
  if (at + bytes > size) {
    throw new RangeError(`${op}: ${what} at offset ${at} needs ${bytes} bytes, past the end of segment ${id} (${size} bytes)`);
  }
}

/** A CValueError (a path or value that does not fit the type) is bad input: exit 2. */
function asUsage<T>(command: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CValueError) throw new UsageError(`${command}: ${err.message}`, command);
    throw err;
  }
}

export async function readTyped(p: Parsed, ctx: Context): Promise<number> {
  const { type } = await loadType(p);
  const at = (p.options.at as number | undefined) ?? 0;
  const count = p.options.count as number | undefined;
  const id = targetId(p, 'read');
  const seg = openAttached(id, true);
  let bytes: Buffer;
  try {
    const what = count === undefined ? type.name : `${count} × ${type.name}`;
    checkFits('read', what, at, (count ?? 1) * type.size, seg.size, id);
    bytes = seg.readChunk((count ?? 1) * type.size, at);
  } finally {
    seg.detach();
  }
  const view = viewOf(bytes);
  if (p.options.json) {
    await writeJson(ctx, { type: type.name, offset: at, values: decodeValues(type, view, 0, { count }) });
    return 0;
  }
  const text = count === undefined
    ? `${type.name} = ${formatTree(type, view, 0)}\n`
    : Array.from({ length: count }, (_, i) => `[${i}] = ${formatTree(type, view, i * type.size)}\n`).join('');
  await ctx.io.stdout.write(text);
  return 0;
}

export async function writeTyped(p: Parsed, ctx: Context): Promise<number> {
  const { type } = await loadType(p);
  const sets = asUsage('write', () => parseAssignments(type, p.options.set as string[]));
  const at = (p.options.at as number | undefined) ?? 0;
  const id = targetId(p, 'write');
  const seg = openAttached(id, false);
  let start: number;
  let written: number;
  let after: Uint8Array;
  try {
    checkFits('write', type.name, at, type.size, seg.size, id);
    // Only the bytes of the fields set are written (a bit-field's storage read, modified and
    // written back): bytes between them are left to whoever else writes the segment.
    const r = applyAssignments(seg.readChunk(type.size, at), 0, sets);
    start = r.start;
    after = r.bytes;
    written = 0;
    for (const span of r.spans) {
      written += seg.writeChunk(Buffer.from(r.bytes.buffer, r.bytes.byteOffset + span.start, span.end - span.start), at + span.start);
    }
  } finally {
    seg.detach();
  }
  // What the fields hold now, read back from the bytes written.
  const view = viewOf(after);
  const now = sets.map((s) => ({ leaf: s.leaf, value: decodeLeaf(view, 0, s.leaf) }));
  if (p.options.json) {
    const values = Object.fromEntries(now.map((s) => [s.leaf.path, jsonValue(s.leaf, s.value)]));
    await writeJson(ctx, { id, type: type.name, offset: at + start, written, values });
    return 0;
  }
  const list = now.map((s) => `${s.leaf.path} = ${formatValue(s.leaf, s.value)}`);
  await ctx.io.stdout.write(`wrote ${written} byte${written === 1 ? '' : 's'} to segment ${id} at offset ${at + start} (0x${(at + start).toString(16)}): ${list.join(', ')}\n`);
  return 0;
}
