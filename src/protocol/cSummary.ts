// The first few fields of a C value as one short line, for a segment's tooltip and `info`:
// `magic = 0x53484d31, pid = 4242, state = RUNNING, name = "producer", …`. Values as the CLI
// prints them (cValues.formatValue: integers in decimal, pointers 0x…, char arrays as quoted
// strings, enums by name), except that an integer named like a magic number is in hex. Only the
// bytes given are read: a field past them ends the line. Pure and browser-safe.
import type { CType } from './cTypes';
import { type ByteOrder, type CJsonValue, type CLeaf, type CValue, decodeLeaf, joinPath, jsonValue, formatValue, leafSpan, walkLeaves } from './cValues';

/** Fields a summary shows at most. */
export const SUMMARY_FIELDS = 4;
/** Characters a summary line has at most (the rest is cut with "…"). */
export const SUMMARY_CHARS = 100;

export interface SummaryField {
  /** As in `read --json`: `hdr.magic`, with `[i].` before it for element i of an array overlay. */
  path: string;
  leaf: CLeaf;
  value: CValue;
}

export interface FirstFields {
  fields: SummaryField[];
  /** More fields follow (not shown, or past the bytes given). */
  more: boolean;
}

export interface SummaryOptions {
  /** Elements of an array overlay (paths get `[i].`); undefined: one value, plain paths. */
  count?: number;
  maxFields?: number;
  order?: ByteOrder;
}

/** The first fields of count elements of type from byte base of view, as far as view holds them. */
export function firstFields(type: CType, view: DataView, base: number, opts: SummaryOptions = {}): FirstFields {
  const max = opts.maxFields ?? SUMMARY_FIELDS;
  const out: FirstFields = { fields: [], more: false };
  const n = opts.count ?? 1;
  for (let i = 0; i < n && !out.more; i++) {
    const at = base + i * type.size;
    const prefix = opts.count === undefined ? '' : `[${i}]`;
    walkLeaves(type, (leaf) => {
      const span = leafSpan(leaf);
      if (out.fields.length >= max || at + span.offset + span.size > view.byteLength) {
        out.more = true;
        return false;
      }
      out.fields.push({ path: joinPath(prefix, leaf.path), leaf, value: decodeLeaf(view, at, leaf, opts.order) });
      return true;
    });
    if (type.size === 0) break;
  }
  return out;
}

/** Fields as in `read --json`: path → value. */
export function fieldsJson(f: FirstFields): Record<string, CJsonValue> {
  return Object.fromEntries(f.fields.map((x) => [x.path, jsonValue(x.leaf, x.value)]));
}

/** The last name of a path (`hdr.magic` → magic, `ids[2]` → ids). */
function lastName(path: string): string {
  return /([A-Za-z_]\w*)(\[\d+\])*$/.exec(path)?.[1] ?? '';
}

function shown(f: SummaryField): string {
  const t = f.leaf.type;
  const hex = t.kind === 'int' && f.leaf.bitSize === undefined && /magic|signature/i.test(lastName(f.path)) && (typeof f.value === 'number' || typeof f.value === 'bigint');
  const value = hex ? `0x${BigInt.asUintN(t.size * 8, BigInt(f.value)).toString(16)}` : formatValue(f.leaf, f.value);
  return f.path ? `${f.path} = ${value}` : value;
}

/** One line: `a = 1, b = "x", …`; at most maxChars characters. */
export function summaryText(f: FirstFields, maxChars = SUMMARY_CHARS): string {
  if (!f.fields.length) return f.more ? '…' : '(no fields)';
  const text = f.fields.map(shown).join(', ') + (f.more ? ', …' : '');
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/** firstFields and summaryText in one call. */
export function summarize(type: CType, view: DataView, base: number, opts: SummaryOptions & { maxChars?: number } = {}): string {
  return summaryText(firstFields(type, view, base, opts), opts.maxChars);
}
