// C types laid out for one ABI: plain JSON-serializable data, so the host can compute a layout
// once (src/ctypes) and the webview can decode fields from bytes it already holds. Types only plus
// a few pure helpers; nothing here may import node (the browser bundle loads it too).
//
// Units: `size`, `align` and member `offset` are bytes; `bitOffset`/`bitSize` are bits. Bit k of a
// record is bit k % 8 (least significant first) of byte k / 8 on both ABIs (both little-endian).

export type CAbi = 'x86_64' | 'aarch64';
export const C_ABIS: readonly CAbi[] = ['x86_64', 'aarch64'];

/** Floating formats: x87-80 is 80-bit extended in a 16-byte slot (x86_64 long double). */
export type CFloatFormat = 'ieee32' | 'ieee64' | 'x87-80' | 'ieee128';

interface Base {
  /** The type as C spells it: `unsigned int`, `struct foo`, `pid_t`, `char [2][3]`. */
  name: string;
  size: number;
  align: number;
}

export interface CIntType extends Base { kind: 'int'; signed: boolean }
export interface CBoolType extends Base { kind: 'bool' }
export interface CFloatType extends Base { kind: 'float'; format: CFloatFormat }
/** `target` names the pointee as C spells it (not resolved: pointers may be cyclic). */
export interface CPointerType extends Base { kind: 'pointer'; target: string }
export interface CEnumerator { name: string; /** Decimal: values may exceed 2^53. */ value: string }
export interface CEnumType extends Base { kind: 'enum'; signed: boolean; enumerators: CEnumerator[] }
/** `count` 0 with `flexible` for a flexible array member (`char data[];`). */
export interface CArrayType extends Base { kind: 'array'; element: CType; count: number; flexible?: boolean }
export interface CRecordType extends Base { kind: 'struct' | 'union'; members: CMember[] }
/** A type with a known size and alignment but no fields we show (pthread_mutex_t without headers). */
export interface COpaqueType extends Base { kind: 'opaque' }

export type CType = CIntType | CBoolType | CFloatType | CPointerType | CEnumType | CArrayType | CRecordType | COpaqueType;

export interface CMember {
  /** Absent for anonymous structs/unions and unnamed bit-fields. */
  name?: string;
  /** Bytes from the start of the record; for a bit-field, the byte holding its first bit. */
  offset: number;
  type: CType;
  /** Bit-fields only: bits from the start of the record, and width (0 for `int :0`). */
  bitOffset?: number;
  bitSize?: number;
}

/** One entry of the flattened field list (the CLI's `layout --json` contract). */
export interface CField {
  /** How C names it from the outer type: `hdr.magic`, `items[0].id`. */
  path: string;
  /** Bytes from the start of the outer type (a bit-field: the byte holding its first bit). */
  offset: number;
  /** Bytes (a bit-field: the bytes its bits touch). */
  size: number;
  type: string;
  /** Arrays: number of elements of the outermost dimension. */
  count?: number;
  /** Bit-fields: bits from the start of the outer type, and width. */
  bitOffset?: number;
  bitSize?: number;
}

/** Bytes touched by bits [bitOffset, bitOffset + bitSize). */
export function bitFieldBytes(bitOffset: number, bitSize: number): { offset: number; size: number } {
  const offset = Math.floor(bitOffset / 8);
  return { offset, size: bitSize === 0 ? 0 : Math.ceil((bitOffset + bitSize) / 8) - offset };
}

/**
 * Every named member at every depth in declaration order. Members of anonymous structs/unions
 * appear without the anonymous level; arrays of records list element 0's members as `[0].`;
 * a record-typed member comes before its own members.
 */
export function flattenFields(type: CType): CField[] {
  const out: CField[] = [];
  const visit = (t: CType, prefix: string, base: number) => {
    if (t.kind === 'array') {
      let inner: CType = t;
      let index = '';
      while (inner.kind === 'array') {
        index += '[0]';
        inner = inner.element;
      }
      if (inner.kind === 'struct' || inner.kind === 'union') visit(inner, prefix + index, base);
      return;
    }
    if (t.kind !== 'struct' && t.kind !== 'union') return;
    for (const m of t.members) {
      if (m.name === undefined) {
        if (m.bitSize === undefined) visit(m.type, prefix, base + m.offset);
        continue;
      }
      const path = prefix ? `${prefix}.${m.name}` : m.name;
      if (m.bitSize !== undefined && m.bitOffset !== undefined) {
        const bits = base * 8 + m.bitOffset;
        const b = bitFieldBytes(bits, m.bitSize);
        out.push({ path, offset: b.offset, size: b.size, type: m.type.name, bitOffset: bits, bitSize: m.bitSize });
        continue;
      }
      const f: CField = { path, offset: base + m.offset, size: m.type.size, type: m.type.name };
      if (m.type.kind === 'array') f.count = m.type.count;
      out.push(f);
      visit(m.type, path, base + m.offset);
    }
  };
  visit(type, '', 0);
  return out;
}
