// Record (struct/union) and enum layout as GCC does it for the LP64 SysV ABIs (x86_64, aarch64),
// following gcc's stor-layout.cc: fields in order; a bit-field may not straddle more alignment
// units of its type than the type itself has, except under `#pragma pack` or `packed`;
// zero-width bit-fields align the next field to their type and ignore packing; `#pragma pack`
// caps every member's alignment (even an `aligned` one), never the record's own `aligned`.
import type { CEnumType, CEnumerator, CMember, CRecordType, CType } from '../protocol/cTypes';
import type { Abi } from './abi';

export interface FieldDecl {
  name?: string;
  type: CType;
  /** Bit-field width; undefined for an ordinary member. */
  bits?: number;
  /** `__attribute__((packed))` on the member or on its record (a packed char bit-field may straddle bytes). */
  packed: boolean;
  /** The largest `aligned(N)` / `_Alignas(N)` on the member, 0 if none. */
  alignAttr: number;
  /** Flexible array member (last member, `T name[]`). */
  flexible?: boolean;
}

export interface RecordDecl {
  kind: 'struct' | 'union';
  name: string;
  fields: FieldDecl[];
  /** `aligned(N)` on the record, 0 if none. */
  alignAttr: number;
  /** `#pragma pack` value in force, bytes; 0 = none. */
  pack: number;
}

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

export function layoutRecord(abi: Abi, r: RecordDecl): CRecordType {
  let bitPos = 0; // next free bit (struct); union: unused
  let sizeBits = 0;
  let align = 1;
  const members: CMember[] = [];
  for (const f of r.fields) {
    const t = f.type;
    const packed = f.packed;
    const start = r.kind === 'union' ? 0 : bitPos;
    if (f.bits === undefined) {
      let want = packed ? 1 : t.align;
      if (f.alignAttr) want = Math.max(want, f.alignAttr);
      if (r.pack) want = Math.min(want, r.pack);
      const offset = roundUp(Math.ceil(start / 8), want);
      align = Math.max(align, want);
      members.push({ ...(f.name !== undefined && { name: f.name }), offset, type: t });
      bitPos = (offset + (f.flexible ? 0 : t.size)) * 8;
      sizeBits = Math.max(sizeBits, bitPos);
      continue;
    }
    const typeBits = t.size * 8;
    const unitBits = t.align * 8;
    let pos = start;
    if (f.bits === 0) {
      // Not influenced by #pragma pack or packed: align to the type.
      pos = roundUp(pos, unitBits);
    } else if (!r.pack && !packed) {
      // May not span more alignment units of its type than the type itself does.
      const spans = Math.floor(((pos % unitBits) + f.bits + unitBits - 1) / unitBits);
      if (spans > Math.floor(typeBits / unitBits)) pos = roundUp(pos, unitBits);
    }
    if (f.name !== undefined || abi.anonBitFieldsAlign) {
      let typeAlign = t.align;
      if (f.bits !== 0) {
        if (r.pack) typeAlign = Math.min(typeAlign, r.pack);
        else if (packed) typeAlign = 1;
      }
      align = Math.max(align, typeAlign);
    }
    members.push({ ...(f.name !== undefined && { name: f.name }), offset: Math.floor(pos / 8), type: t, bitOffset: pos, bitSize: f.bits });
    bitPos = pos + f.bits;
    sizeBits = Math.max(sizeBits, bitPos);
  }
  if (r.alignAttr) align = Math.max(align, r.alignAttr);
  const size = roundUp(Math.ceil(sizeBits / 8), align);
  return { kind: r.kind, name: r.name, size, align, members };
}

/** An enum's underlying type: int/unsigned int unless values need 64 bits; `packed`: smallest. */
export function layoutEnum(name: string, enumerators: CEnumerator[], packed: boolean, alignAttr: number): CEnumType {
  let min = 0n;
  let max = 0n;
  for (const e of enumerators) {
    const v = BigInt(e.value);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const signed = min < 0n;
  const fits = (bytes: number) => {
    const bits = BigInt(bytes * 8);
    return signed ? min >= -(1n << (bits - 1n)) && max < 1n << (bits - 1n) : max < 1n << bits;
  };
  const sizes = packed ? [1, 2, 4, 8] : [4, 8];
  const size = sizes.find(fits) ?? 16;
  const align = Math.max(size, alignAttr);
  return { kind: 'enum', name, size, align, signed, enumerators };
}
