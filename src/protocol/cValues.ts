// Values of laid-out C types (cTypes.ts) in bytes: decode by path, format as the CLI's JSON
// contract or as a gdb-like tree, and encode a user's text back into bytes. Pure and
// browser-safe: the webview decodes overlays from the bytes it already holds.
//
// The byte order applies to whole scalars (both ABIs are little-endian; tests also check big).
// Bit-fields follow cTypes.ts's numbering in either order: bit k is bit k % 8 of byte k / 8.
import type { CEnumType, CFloatFormat, CRecordType, CType } from './cTypes';

export type ByteOrder = 'little' | 'big';

/** Bad input for a field (unknown path, a value that does not fit): one line, nothing written. */
export class CValueError extends Error {
  override readonly name = 'CValueError';
}

/**
 * A decoded value: integers as number (up to 32 bits) or bigint, floats as number (long double:
 * the nearest double), _Bool as boolean; char arrays, pointers ("0x…") and enumerator names as
 * strings (an enum value without a name is an integer).
 */
export type CValue = number | bigint | boolean | string;
export type CJsonValue = number | boolean | string;

/** One field with a value: a scalar, a bit-field, or a char array (shown as a string). */
export interface CLeaf {
  /** `hdr.magic`, `items[3].id`; '' for a scalar type itself. */
  path: string;
  /** Bytes from the start of the outer type (a bit-field: the byte holding its first bit). */
  offset: number;
  type: CType;
  /** Bit-fields: bits from the start of the outer type, and width. */
  bitOffset?: number;
  bitSize?: number;
}

/** Plain `char` arrays are strings (`uint8_t`/`unsigned char` arrays stay numbers). */
export function isString(t: CType): boolean {
  return t.kind === 'array' && t.element.kind === 'int' && t.element.name === 'char';
}

const isRecord = (t: CType): t is CRecordType => t.kind === 'struct' || t.kind === 'union';

/** `[i]` follows directly, names after a dot. */
export function joinPath(prefix: string, path: string): string {
  return !prefix ? path : !path ? prefix : path.startsWith('[') ? prefix + path : `${prefix}.${path}`;
}

/**
 * Every leaf in declaration order, every array element expanded. Members of anonymous
 * structs/unions appear without the anonymous level; unnamed bit-fields and opaque types have
 * no value; a flexible array member has no known elements.
 */
export function leaves(type: CType): CLeaf[] {
  const out: CLeaf[] = [];
  walkLeaves(type, (leaf) => out.push(leaf) > 0);
  return out;
}

/** leaves() one at a time, until visit returns false: the first few of a huge type cost only those few. */
export function walkLeaves(type: CType, visit: (leaf: CLeaf) => boolean): void {
  let stopped = false;
  const emit = (leaf: CLeaf) => { if (!visit(leaf)) stopped = true; };
  const walk = (t: CType, path: string, base: number) => {
    if (isRecord(t)) {
      for (const m of t.members) {
        if (stopped) return;
        if (m.bitSize !== undefined && m.bitOffset !== undefined) {
          if (m.name !== undefined && m.bitSize > 0) {
            const bits = base * 8 + m.bitOffset;
            emit({ path: joinPath(path, m.name), offset: Math.floor(bits / 8), type: m.type, bitOffset: bits, bitSize: m.bitSize });
          }
          continue;
        }
        walk(m.type, m.name === undefined ? path : joinPath(path, m.name), base + m.offset);
      }
    } else if (t.kind === 'array' && !isString(t)) {
      for (let i = 0; i < t.count && !stopped; i++) walk(t.element, `${path}[${i}]`, base + i * t.element.size);
    } else if (t.kind !== 'opaque' && !(t.kind === 'array' && t.count === 0)) {
      emit({ path, offset: base, type: t });
    }
  };
  walk(type, '', 0);
}

/** The field a path names (`hdr.magic`, `items[3].id`, `name[2]`: one char); CValueError if none. */
export function resolvePath(type: CType, written: string): CLeaf {
  const path = written.replace(/\s+/g, ''); // C names have no spaces: `items [2] . id` is items[2].id
  const tokens = path.match(/\[[^\]]*\]|[^.[\]]+|./g) ?? [];
  let t = type;
  let base = 0;
  let so = '';
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok.startsWith('[')) {
      if (t.kind !== 'array') throw new CValueError(`${so || 'the type'} is not an array (in '${path}')`);
      const n = /^\[\s*(\d+)\s*\]$/.exec(tok);
      if (!n) throw new CValueError(`'${tok}' is not an array index (in '${path}')`);
      const index = Number(n[1]);
      if (index >= t.count) throw new CValueError(`index ${index} is out of range for ${so} (${t.flexible ? 'a flexible array member: no known length' : `${t.count} elements`})`);
      base += index * t.element.size;
      t = t.element;
      so += tok;
      continue;
    }
    if (tok === '.') {
      if (!so || i + 1 >= tokens.length || tokens[i + 1] === '.' || tokens[i + 1].startsWith('[')) throw new CValueError(`'${path}' is not a field path (e.g. hdr.magic, items[3].id)`);
      continue;
    }
    if (so && tokens[i - 1] !== '.') throw new CValueError(`'${path}' is not a field path (e.g. hdr.magic, items[3].id)`);
    if (!isRecord(t)) throw new CValueError(`${so || 'the type'} (${t.name}) has no member '${tok}'`);
    const found = findMember(t, tok.trim());
    if (!found) throw new CValueError(`${t.name} has no member '${tok}'${so ? ` (in '${path}')` : ''}`);
    so = joinPath(so, tok.trim());
    if (found.bitSize !== undefined) {
      if (i !== tokens.length - 1) throw new CValueError(`${so} is a bit-field (in '${path}')`);
      const bits = base * 8 + found.bitOffset;
      return { path: so, offset: Math.floor(bits / 8), type: found.type, bitOffset: bits, bitSize: found.bitSize };
    }
    base += found.offset;
    t = found.type;
  }
  if (!tokens.length) throw new CValueError('empty field path');
  if (isRecord(t)) throw new CValueError(`${so} is a ${t.name}: give one of its fields (${so}.…)`);
  if (t.kind === 'array' && !isString(t)) throw new CValueError(`${so} is an array (${t.name}): give one element (${so}[0])`);
  if (t.kind === 'opaque') throw new CValueError(`${so} is ${t.name}, whose fields are unknown`);
  return { path: so, offset: base, type: t };
}

/** A named member, looking through anonymous structs/unions; offsets from the record's start. */
function findMember(rec: CRecordType, name: string):
  { type: CType; offset: number; bitOffset?: undefined; bitSize?: undefined } | { type: CType; offset: number; bitOffset: number; bitSize: number } | undefined {
  for (const m of rec.members) {
    if (m.name === name) {
      return m.bitSize !== undefined && m.bitOffset !== undefined ? { type: m.type, offset: m.offset, bitOffset: m.bitOffset, bitSize: m.bitSize } : { type: m.type, offset: m.offset };
    }
    if (m.name === undefined && m.bitSize === undefined && isRecord(m.type)) {
      const inner = findMember(m.type, name);
      if (inner) return inner.bitSize !== undefined ? { ...inner, offset: inner.offset + m.offset, bitOffset: inner.bitOffset + m.offset * 8 } : { ...inner, offset: inner.offset + m.offset };
    }
  }
  return undefined;
}

// --- decoding -----------------------------------------------------------------------------------

/** A DataView over exactly the bytes of a Uint8Array. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Bytes a leaf touches, from the start of the outer type. */
export function leafSpan(leaf: CLeaf): { offset: number; size: number } {
  if (leaf.bitSize === undefined || leaf.bitOffset === undefined) return { offset: leaf.offset, size: leaf.type.size };
  const offset = Math.floor(leaf.bitOffset / 8);
  return { offset, size: Math.ceil((leaf.bitOffset + leaf.bitSize) / 8) - offset };
}

function checkSpan(view: DataView, base: number, leaf: CLeaf): void {
  const s = leafSpan(leaf);
  if (base < 0 || base + s.offset + s.size > view.byteLength) {
    throw new CValueError(`${leaf.path || leaf.type.name} (bytes ${base + s.offset}..${base + s.offset + s.size - 1}) is past the end of the ${view.byteLength} bytes given`);
  }
}

/** An unsigned integer of n bytes at off. */
export function readUnsigned(view: DataView, off: number, n: number, little: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(view.getUint8(little ? off + n - 1 - i : off + i));
  return v;
}

export function writeUnsigned(view: DataView, off: number, n: number, v: bigint, little: boolean): void {
  for (let i = 0; i < n; i++) {
    view.setUint8(little ? off + i : off + n - 1 - i, Number(v & 0xffn));
    v >>= 8n;
  }
}

function readInt(view: DataView, off: number, size: number, signed: boolean, little: boolean): number | bigint {
  switch (size) {
    case 1: return signed ? view.getInt8(off) : view.getUint8(off);
    case 2: return signed ? view.getInt16(off, little) : view.getUint16(off, little);
    case 4: return signed ? view.getInt32(off, little) : view.getUint32(off, little);
    case 8: return signed ? view.getBigInt64(off, little) : view.getBigUint64(off, little);
    default: {
      const v = readUnsigned(view, off, size, little);
      return signed ? BigInt.asIntN(size * 8, v) : v;
    }
  }
}

/** The bits [bitOffset, bitOffset + bitSize) of the bytes from base, unsigned. */
function readBits(view: DataView, base: number, bitOffset: number, bitSize: number): bigint {
  const first = base + Math.floor(bitOffset / 8);
  const n = Math.ceil((bitOffset % 8 + bitSize) / 8);
  return (readUnsigned(view, first, n, true) >> BigInt(bitOffset % 8)) & ((1n << BigInt(bitSize)) - 1n);
}

/** value × 2^exp2 rounded to the nearest double (ties to even), subnormals included. */
function nearestDouble(negative: boolean, mantissa: bigint, exp2: number): number {
  const sign = negative ? -1 : 1;
  if (mantissa === 0n) return sign * 0;
  const bits = mantissa.toString(2).length;
  const top = exp2 + bits - 1; // the value is in [2^top, 2^(top+1))
  if (top > 1023) return sign * Infinity;
  const precision = top >= -1022 ? 53 : 53 - (-1022 - top);
  if (precision <= 0) {
    // Below half the smallest subnormal rounds to 0; above it (or exactly at 2^-1075 with more bits), to it.
    const up = top === -1075 && mantissa !== 1n << BigInt(bits - 1);
    return sign * (up ? 2 ** -1074 : 0);
  }
  let shift = bits - precision;
  let q = mantissa;
  if (shift > 0) {
    q = mantissa >> BigInt(shift);
    const rem = mantissa & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  } else {
    shift = 0;
  }
  return sign * Number(q) * 2 ** (exp2 + shift);
}

function readFloat(view: DataView, off: number, format: CFloatFormat, little: boolean): number {
  switch (format) {
    case 'ieee32': return view.getFloat32(off, little);
    case 'ieee64': return view.getFloat64(off, little);
    case 'x87-80': {
      // 64-bit significand with an explicit integer bit, then sign and a 15-bit exponent.
      const v = readUnsigned(view, off, 10, little);
      const m = v & 0xffffffffffffffffn;
      const e = Number((v >> 64n) & 0x7fffn);
      const negative = (v >> 79n) === 1n;
      // Without the integer bit a non-zero exponent is invalid (unnormal, pseudo-NaN/infinity): the
      // FPU loads those as NaN. Exponent 0 with the bit set (pseudo-denormal) is read as a value.
      if (e !== 0 && m >> 63n === 0n) return NaN;
      if (e === 0x7fff) return m === 1n << 63n ? (negative ? -Infinity : Infinity) : NaN;
      return nearestDouble(negative, m, (e === 0 ? 1 : e) - 16383 - 63);
    }
    case 'ieee128': {
      const v = readUnsigned(view, off, 16, little);
      const f = v & ((1n << 112n) - 1n);
      const e = Number((v >> 112n) & 0x7fffn);
      const negative = (v >> 127n) === 1n;
      if (e === 0x7fff) return f === 0n ? (negative ? -Infinity : Infinity) : NaN;
      return nearestDouble(negative, e === 0 ? f : f | (1n << 112n), (e === 0 ? 1 : e) - 16383 - 112);
    }
  }
}

function enumName(t: CEnumType, v: number | bigint): string | number | bigint {
  const text = v.toString();
  return t.enumerators.find((e) => e.value === text)?.name ?? v;
}

/** The value of leaf in the outer type that starts at byte base of view. */
export function decodeLeaf(view: DataView, base: number, leaf: CLeaf, order: ByteOrder = 'little'): CValue {
  checkSpan(view, base, leaf);
  const little = order === 'little';
  const t = leaf.type;
  if (leaf.bitSize !== undefined && leaf.bitOffset !== undefined) {
    const raw = readBits(view, base, leaf.bitOffset, leaf.bitSize);
    if (t.kind === 'bool') return raw !== 0n;
    const signed = (t.kind === 'int' || t.kind === 'enum') && t.signed;
    const v = signed ? BigInt.asIntN(leaf.bitSize, raw) : raw;
    const small = leaf.bitSize <= 32 ? Number(v) : v;
    return t.kind === 'enum' ? enumName(t, small) : small;
  }
  const off = base + leaf.offset;
  switch (t.kind) {
    case 'int': return readInt(view, off, t.size, t.signed, little);
    case 'bool': {
      for (let i = 0; i < t.size; i++) if (view.getUint8(off + i) !== 0) return true;
      return false;
    }
    case 'float': return readFloat(view, off, t.format, little);
    case 'pointer': return '0x' + readUnsigned(view, off, t.size, little).toString(16);
    case 'enum': return enumName(t, readInt(view, off, t.size, t.signed, little));
    case 'array': {
      if (!isString(t)) break;
      const bytes = new Uint8Array(view.buffer, view.byteOffset + off, t.count);
      const end = bytes.indexOf(0);
      return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
    }
    default: break;
  }
  throw new CValueError(`${leaf.path || t.name} (${t.name}) has no single value`);
}

/** The shortest decimal that reads back as the same float (0.1f prints as 0.1). */
function shortestFloat32(v: number): number {
  for (let p = 1; p < 9; p++) {
    const x = Number(v.toPrecision(p));
    if (Math.fround(x) === v) return x;
  }
  return v;
}

/** A decoded value as the CLI's JSON contract has it. */
export function jsonValue(leaf: CLeaf, v: CValue): CJsonValue {
  if (typeof v === 'bigint') return v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v.toString();
  if (typeof v !== 'number' || leaf.type.kind !== 'float') return v;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return leaf.type.format === 'ieee32' ? shortestFloat32(v) : v;
}

/**
 * Every leaf of count consecutive elements of type from byte base, as path → JSON value. With a
 * count, element i's paths start with `[i]`.
 */
export function decodeValues(type: CType, view: DataView, base: number, opts: { order?: ByteOrder; count?: number } = {}): Record<string, CJsonValue> {
  const out: Record<string, CJsonValue> = {};
  const list = leaves(type);
  const n = opts.count ?? 1;
  for (let i = 0; i < n; i++) {
    const at = base + i * type.size;
    const prefix = opts.count === undefined ? '' : `[${i}]`;
    for (const leaf of list) out[joinPath(prefix, leaf.path)] = jsonValue(leaf, decodeLeaf(view, at, leaf, opts.order));
  }
  return out;
}

// --- the text tree ----------------------------------------------------------------------------

/** A leaf's value as text: strings quoted, enumerators and pointers bare, floats shortest. */
export function formatValue(leaf: CLeaf, v: CValue): string {
  const j = jsonValue(leaf, v);
  if (isString(leaf.type)) return JSON.stringify(j);
  if (Object.is(v, -0)) return '-0';
  return typeof v === 'bigint' ? v.toString() : String(j);
}

export interface TreeOptions {
  order?: ByteOrder;
  /** Array elements shown before `... (N more)` (default 32). */
  maxElements?: number;
}

/**
 * The value of type at byte base like gdb's pretty print: one member per line, records indented,
 * arrays of scalars on one line, long arrays elided with a count. Anonymous members are shown
 * without their level (as in paths); unnamed bit-fields and padding are not shown.
 */
export function formatTree(type: CType, view: DataView, base: number, opts: TreeOptions = {}): string {
  const max = opts.maxElements ?? 32;
  const order = opts.order ?? 'little';
  const value = (t: CType, at: number, indent: string, leaf?: CLeaf): string => {
    if (leaf) return formatValue(leaf, decodeLeaf(view, 0, leaf, order));
    if (t.kind === 'opaque') return `<${t.size} bytes>`;
    if (isRecord(t)) {
      const lines = members(t, at, indent + '  ');
      return lines.length ? `{\n${lines.join(',\n')}\n${indent}}` : '{}';
    }
    if (t.kind === 'array' && !isString(t)) {
      const shown = Math.min(t.count, max);
      const more = t.count > shown ? `... (${t.count - shown} more)` : '';
      if (isRecord(t.element)) {
        const items = Array.from({ length: shown }, (_, i) => `${indent}  [${i}] = ${value(t.element, at + i * t.element.size, indent + '  ')}`);
        if (more) items.push(`${indent}  ${more}`);
        return items.length ? `{\n${items.join(',\n')}\n${indent}}` : '{}';
      }
      const items = Array.from({ length: shown }, (_, i) => value(t.element, at + i * t.element.size, indent));
      if (more) items.push(more);
      return `{${items.join(', ')}}`;
    }
    return value(t, at, indent, { path: t.name, offset: at, type: t });
  };
  const members = (t: CRecordType, at: number, indent: string): string[] => {
    const lines: string[] = [];
    for (const m of t.members) {
      if (m.bitSize !== undefined && m.bitOffset !== undefined) {
        if (m.name === undefined || m.bitSize === 0) continue;
        const bits = at * 8 + m.bitOffset;
        const leaf: CLeaf = { path: m.name, offset: Math.floor(bits / 8), type: m.type, bitOffset: bits, bitSize: m.bitSize };
        lines.push(`${indent}${m.name} = ${value(m.type, at, indent, leaf)}`);
      } else if (m.name === undefined) {
        if (isRecord(m.type)) lines.push(...members(m.type, at + m.offset, indent));
      } else {
        lines.push(`${indent}${m.name} = ${value(m.type, at + m.offset, indent)}`);
      }
    }
    return lines;
  };
  return value(type, base, '');
}

// --- encoding -----------------------------------------------------------------------------------

const INTEGER = /^([+-]?)(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)$/i;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseBigInt(text: string): bigint | undefined {
  const m = INTEGER.exec(text.trim().replace(/_/g, ''));
  if (!m) return undefined;
  const digits = m[2];
  const v = /^0o/i.test(digits) ? BigInt('0o' + digits.slice(2)) : BigInt(digits);
  return m[1] === '-' ? -v : v;
}

function range(bits: number, signed: boolean): [bigint, bigint] {
  return signed ? [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n] : [0n, (1n << BigInt(bits)) - 1n];
}

function parseFloatText(text: string): number | undefined {
  const t = text.trim();
  if (/^[+-]?nan$/i.test(t)) return NaN;
  const inf = /^([+-]?)inf(inity)?$/i.exec(t);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (DECIMAL.test(t)) return Number(t);
  const i = parseBigInt(t);
  return i === undefined ? undefined : Number(i);
}

/**
 * The user's text for a leaf, checked to fit: an integer (decimal, 0x, 0o, 0b, negative), an
 * enumerator name or number, true/false (or 1/0), a float (NaN, Infinity too), a string that
 * fits with its NUL, a pointer as an address. CValueError (one line) when it does not.
 */
export function parseValue(leaf: CLeaf, text: string): CValue {
  const t = leaf.type;
  const what = `${leaf.path || t.name} (${t.name}${leaf.bitSize !== undefined ? ` : ${leaf.bitSize}` : ''})`;
  const bits = leaf.bitSize ?? t.size * 8;
  const integer = (signed: boolean, extra = ''): bigint => {
    const v = parseBigInt(text);
    if (v === undefined) throw new CValueError(`${what}: '${text}' is not an integer${extra} (use decimal, 0x hex, 0o octal or 0b binary)`);
    const [lo, hi] = range(bits, signed);
    if (v < lo || v > hi) throw new CValueError(`${what}: ${text} is out of range (${lo}..${hi})`);
    return v;
  };
  switch (t.kind) {
    case 'int': case 'pointer': return integer(t.kind === 'int' && t.signed);
    case 'bool': {
      const s = text.trim().toLowerCase();
      if (s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
      throw new CValueError(`${what}: '${text}' is not true or false (or 1, 0)`);
    }
    case 'enum': {
      const named = t.enumerators.find((e) => e.name === text.trim());
      if (named) {
        const [lo, hi] = range(bits, t.signed);
        const v = BigInt(named.value);
        if (v < lo || v > hi) throw new CValueError(`${what}: ${named.name} (${v}) is out of range (${lo}..${hi})`);
        return v;
      }
      if (parseBigInt(text) !== undefined) return integer(t.signed);
      const names = t.enumerators.map((e) => e.name);
      throw new CValueError(`${what}: '${text}' is not one of ${names.slice(0, 12).join(', ')}${names.length > 12 ? `, … (${names.length} names)` : ''} or a number`);
    }
    case 'float': {
      const v = parseFloatText(text);
      if (v === undefined) throw new CValueError(`${what}: '${text}' is not a number (e.g. 1.5, -2e-3, NaN, Infinity)`);
      // A finite number that becomes an infinity does not fit (long double is written from a double).
      const stored = t.format === 'ieee32' ? Math.fround(v) : v;
      const infinite = /inf/i.test(text);
      if (!infinite && !Number.isNaN(v) && !Number.isFinite(stored)) {
        throw new CValueError(`${what}: ${text} is out of range for ${t.format === 'ieee32' ? 'float' : 'double'}${t.size > 8 ? ' (long double is written from a double)' : ''} (give Infinity to mean it)`);
      }
      return v;
    }
    case 'array': {
      if (!isString(t)) break;
      const bytes = new TextEncoder().encode(text).length;
      if (bytes + 1 > t.count) throw new CValueError(`${what}: the string is ${bytes} bytes; ${t.count} bytes hold at most ${t.count - 1} and the NUL`);
      return text;
    }
    default: break;
  }
  throw new CValueError(`${what} cannot be set from text`);
}

/** Sign, unbiased exponent and a significand 1.f (53 bits) of a finite non-zero double. */
function splitDouble(v: number): { negative: boolean; exponent: number; significand: bigint } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  const raw = dv.getBigUint64(0);
  const e = Number((raw >> 52n) & 0x7ffn);
  let f = raw & ((1n << 52n) - 1n);
  let exponent = e - 1023;
  if (e === 0) {
    // Subnormal: normalize so the top bit is at position 52.
    const shift = 53 - f.toString(2).length;
    f <<= BigInt(shift);
    exponent = -1022 - shift;
  } else {
    f |= 1n << 52n;
  }
  return { negative: raw >> 63n === 1n, exponent, significand: f };
}

/** A double as x87 80-bit or binary128 bits (exact: every double is representable in both). */
function wideFloatBits(v: number, format: 'x87-80' | 'ieee128'): bigint {
  const x87 = format === 'x87-80';
  const signBit = x87 ? 79n : 127n;
  const expShift = x87 ? 64n : 112n;
  const negative = v < 0 || Object.is(v, -0);
  const sign = negative ? 1n << signBit : 0n;
  if (Number.isNaN(v)) return (0x7fffn << expShift) | (x87 ? 0xc000000000000000n : 1n << 111n);
  if (!Number.isFinite(v)) return sign | (0x7fffn << expShift) | (x87 ? 1n << 63n : 0n);
  if (v === 0) return sign;
  const d = splitDouble(v);
  const mantissa = x87 ? d.significand << 11n : (d.significand << 60n) & ((1n << 112n) - 1n);
  return sign | (BigInt(d.exponent + 16383) << expShift) | mantissa;
}

/**
 * Writes value (from parseValue) into leaf of the outer type at byte base of view. A bit-field
 * changes only its own bits (read-modify-write of the bytes it touches).
 */
export function writeLeaf(view: DataView, base: number, leaf: CLeaf, value: CValue, order: ByteOrder = 'little'): void {
  checkSpan(view, base, leaf);
  const little = order === 'little';
  const t = leaf.type;
  const asBig = (v: CValue): bigint => BigInt(v); // booleans are 1n/0n
  if (leaf.bitSize !== undefined && leaf.bitOffset !== undefined) {
    const first = base + Math.floor(leaf.bitOffset / 8);
    const shift = BigInt(leaf.bitOffset % 8);
    const n = Math.ceil((leaf.bitOffset % 8 + leaf.bitSize) / 8);
    const mask = ((1n << BigInt(leaf.bitSize)) - 1n) << shift;
    const old = readUnsigned(view, first, n, true);
    writeUnsigned(view, first, n, (old & ~mask) | ((BigInt.asUintN(leaf.bitSize, asBig(value)) << shift) & mask), true);
    return;
  }
  const off = base + leaf.offset;
  switch (t.kind) {
    case 'int': case 'pointer': case 'enum': case 'bool':
      writeUnsigned(view, off, t.size, BigInt.asUintN(t.size * 8, asBig(value)), little);
      return;
    case 'float': {
      const v = value as number;
      if (t.format === 'ieee32') view.setFloat32(off, v, little);
      else if (t.format === 'ieee64') view.setFloat64(off, v, little);
      else writeUnsigned(view, off, t.format === 'x87-80' ? 10 : 16, wideFloatBits(v, t.format), little);
      return;
    }
    case 'array': {
      // Like strncpy: the string, then NULs to the end of the array (no stale tail).
      const bytes = new TextEncoder().encode(value as string);
      for (let i = 0; i < t.count; i++) view.setUint8(off + i, i < bytes.length ? bytes[i] : 0);
      return;
    }
    default: throw new CValueError(`${leaf.path || t.name} (${t.name}) cannot be written`);
  }
}

export interface Assignment {
  leaf: CLeaf;
  value: CValue;
}

/** `PATH=VALUE` texts resolved and checked against type; CValueError at the first that does not fit. */
export function parseAssignments(type: CType, texts: readonly string[]): Assignment[] {
  return texts.map((a) => {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new CValueError(`'${a}' is not PATH=VALUE (e.g. hdr.magic=0x5348)`);
    const leaf = resolvePath(type, a.slice(0, eq).trim());
    return { leaf, value: parseValue(leaf, a.slice(eq + 1)) };
  });
}

/**
 * Checked assignments applied to a copy of bytes (the outer type at byte base). Returns the new
 * bytes, the spans the assignments touch (sorted, overlapping and adjacent ones merged: write
 * only these, so bytes between the fields set are never rewritten) and their overall
 * [start, end) (start = end = base for none).
 */
export function applyAssignments(bytes: Uint8Array, base: number, assignments: readonly Assignment[], order: ByteOrder = 'little'):
  { bytes: Uint8Array; start: number; end: number; spans: { start: number; end: number }[] } {
  const out = bytes.slice();
  const view = viewOf(out);
  const touched: { start: number; end: number }[] = [];
  for (const { leaf, value } of assignments) {
    writeLeaf(view, base, leaf, value, order);
    const s = leafSpan(leaf);
    touched.push({ start: base + s.offset, end: base + s.offset + s.size });
  }
  touched.sort((a, b) => a.start - b.start);
  const spans: { start: number; end: number }[] = [];
  for (const t of touched) {
    const last = spans.length ? spans[spans.length - 1] : undefined;
    if (last && t.start <= last.end) last.end = Math.max(last.end, t.end);
    else spans.push({ ...t });
  }
  if (!spans.length) return { bytes: out, start: base, end: base, spans };
  return { bytes: out, start: spans[0].start, end: spans[spans.length - 1].end, spans };
}
