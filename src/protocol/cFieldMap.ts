// Where the fields of a laid-out C type are, byte by byte: the children a tree shows for a
// record (members with anonymous levels dropped, and the padding between them) or an array
// (its elements), the child that holds a byte, and the leaf spans of a byte range (for tints).
// Every lookup costs O(depth × members of one record), never O(elements): an overlay of a
// million elements answers as fast as one of a single element. Pure and browser-safe; results
// per type are memoized on the type object (laid-out types are immutable data).
import type { CArrayType, CRecordType, CType } from './cTypes';
import { isString } from './cValues';

/** One row under a record or array. */
export interface CChild {
  /** The member's name, `[i]` for an element, '' for padding. */
  name: string;
  /** Bytes from the parent's start (a bit-field: the first byte its bits touch). */
  offset: number;
  /** Bytes (a bit-field: the bytes its bits touch). */
  size: number;
  /** Absent for padding. */
  type?: CType;
  /** Bit-fields: bits from the parent's start, and width. */
  bitOffset?: number;
  bitSize?: number;
  /** Bytes no named member covers (holes between members, tail padding). */
  padding?: boolean;
}

const isRecord = (t: CType): t is CRecordType => t.kind === 'struct' || t.kind === 'union';

/** An array of count elements of type (an overlay's elements seen as one value). */
export function arrayOf(type: CType, count: number): CArrayType {
  return { kind: 'array', name: `${type.name}[${count}]`, size: type.size * count, align: type.align, element: type, count };
}

/** Records and arrays (not char arrays, which are one string) have children. */
export function hasChildren(t: CType): boolean {
  return isRecord(t) || (t.kind === 'array' && !isString(t) && t.count > 0);
}

export function childCount(t: CType): number {
  if (isRecord(t)) return recordChildren(t).length;
  return t.kind === 'array' && hasChildren(t) ? t.count : 0;
}

/** Child i of a record or array (i < childCount). */
export function childAt(t: CType, i: number): CChild {
  if (t.kind === 'array') return { name: `[${i}]`, offset: i * t.element.size, size: t.element.size, type: t.element };
  if (!isRecord(t)) throw new RangeError(`${t.name} has no fields`);
  return recordChildren(t)[i];
}

const childrenMemo = new WeakMap<CRecordType, CChild[]>();

/**
 * The rows of a record in offset order (declaration order among equals, so union members keep
 * theirs): named members, members of anonymous structs/unions in their place, named bit-fields
 * of non-zero width, and `padding` entries for bytes no named member touches.
 */
export function recordChildren(rec: CRecordType): readonly CChild[] {
  const memo = childrenMemo.get(rec);
  if (memo) return memo;
  const out: CChild[] = [];
  const collect = (r: CRecordType, base: number) => {
    for (const m of r.members) {
      if (m.bitSize !== undefined && m.bitOffset !== undefined) {
        if (m.name === undefined || m.bitSize === 0) continue;
        const bits = base * 8 + m.bitOffset;
        const first = Math.floor(bits / 8);
        out.push({ name: m.name, offset: first, size: Math.ceil((bits + m.bitSize) / 8) - first, type: m.type, bitOffset: bits, bitSize: m.bitSize });
      } else if (m.name !== undefined) {
        out.push({ name: m.name, offset: base + m.offset, size: m.type.size, type: m.type });
      } else if (isRecord(m.type)) {
        collect(m.type, base + m.offset);
      }
    }
  };
  collect(rec, 0);
  // Holes: bytes of [0, size) outside every named member.
  const spans = out.filter((c) => c.size > 0).map((c) => [c.offset, c.offset + c.size]).sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [from, to] of [...spans, [rec.size, rec.size]]) {
    if (from > at) out.push({ name: '', offset: at, size: from - at, padding: true });
    at = Math.max(at, to);
  }
  out.sort((a, b) => a.offset - b.offset || (a.bitOffset ?? a.offset * 8) - (b.bitOffset ?? b.offset * 8));
  childrenMemo.set(rec, out);
  return out;
}

/** The index of the child that holds byte rel of t (the first one, in a union), or -1. */
export function childIndexAt(t: CType, rel: number): number {
  if (t.kind === 'array') {
    if (!hasChildren(t) || t.element.size === 0) return -1;
    const i = Math.floor(rel / t.element.size);
    return i >= 0 && i < t.count ? i : -1;
  }
  if (!isRecord(t)) return -1;
  const kids = recordChildren(t);
  for (let i = 0; i < kids.length; i++) {
    const c = kids[i];
    if (rel >= c.offset && rel < c.offset + c.size) return i;
  }
  return -1;
}

/** Child indices from t down to the deepest field holding byte rel (empty if none holds it). */
export function pathAt(t: CType, rel: number): number[] {
  const path: number[] = [];
  let type: CType | undefined = t;
  let at = rel;
  while (type && hasChildren(type)) {
    const i = childIndexAt(type, at);
    if (i < 0) break;
    const c = childAt(type, i);
    path.push(i);
    at -= c.offset;
    type = c.type;
  }
  return path;
}

const leafMemo = new WeakMap<CType, number>();

/** Leaves (scalars, strings, opaque values, bit-fields) of t, every array element counted. */
export function leafCount(t: CType): number {
  if (!hasChildren(t)) return 1;
  const memo = leafMemo.get(t);
  if (memo !== undefined) return memo;
  let n = 0;
  if (t.kind === 'array') n = t.count * leafCount(t.element);
  else if (isRecord(t)) for (const c of recordChildren(t)) if (c.type) n += leafCount(c.type);
  leafMemo.set(t, n);
  return n;
}

const ordinalMemo = new WeakMap<CRecordType, number[]>();

/** For each child of rec, the leaves before it. */
function ordinals(rec: CRecordType): number[] {
  const memo = ordinalMemo.get(rec);
  if (memo) return memo;
  const out: number[] = [];
  let n = 0;
  for (const c of recordChildren(rec)) {
    out.push(n);
    if (c.type) n += leafCount(c.type);
  }
  ordinalMemo.set(rec, out);
  return out;
}

/**
 * Calls back for the leaf and padding spans of t (at byte 0) that meet [start, end), clipped to
 * it, with each leaf's ordinal (its index among all leaves: consecutive leaves alternate in
 * parity, so tints can tell them apart). Spans may overlap (union members, bit-fields sharing
 * a byte): where they do, the later call is the one to show (a union's first member comes last).
 */
export function forEachSpan(t: CType, start: number, end: number, cb: (from: number, to: number, ordinal: number, padding: boolean) => void): void {
  const walk = (type: CType, base: number, ord: number) => {
    if (type.size === 0 || base >= end || base + type.size <= start) return;
    if (!hasChildren(type)) {
      cb(Math.max(base, start), Math.min(base + type.size, end), ord, false);
      return;
    }
    if (type.kind === 'array') {
      const es = type.element.size;
      if (es === 0) return;
      const first = Math.max(0, Math.floor((start - base) / es));
      const last = Math.min(type.count, Math.ceil((end - base) / es));
      const n = leafCount(type.element);
      for (let i = first; i < last; i++) walk(type.element, base + i * es, ord + i * n);
      return;
    }
    if (!isRecord(type)) return;
    const kids = recordChildren(type);
    const ords = ordinals(type);
    const one = (i: number) => {
      const c = kids[i];
      const from = base + c.offset;
      if (from >= end || from + c.size <= start) return;
      if (c.type && c.bitSize === undefined) walk(c.type, from, ord + ords[i]);
      else cb(Math.max(from, start), Math.min(from + c.size, end), ord + ords[i], !!c.padding);
    };
    if (type.kind === 'union') for (let i = kids.length - 1; i >= 0; i--) one(i);
    else for (let i = 0; i < kids.length; i++) one(i);
  };
  walk(t, 0, 0);
}
