// Overlay fields as watches (issue 12): a field path of a remembered C type becomes a segment
// offset and one of the inspector's scalar types. Only values a plot can draw: integers, floats,
// bools, enums and pointers; not bit-fields, arrays, strings or structs. vscode-free.
import type { CType } from '../../protocol/cTypes';
import { type CLeaf, leaves, resolvePath } from '../../protocol/cValues';
import type { OverlaySpec } from '../../protocol/overlay';
import { type ScalarType, parseScalarType } from '../../timeline/scalar';

/** The inspector type of a leaf, or why it cannot be plotted. */
export function scalarOfLeaf(leaf: CLeaf): ScalarType | string {
  const t = leaf.type;
  const name = leaf.path || t.name;
  if (leaf.bitSize !== undefined) return `${name} is a bit-field: watch the bytes holding it with an offset and a type`;
  let text: string | undefined;
  switch (t.kind) {
    case 'int': case 'enum': text = `${t.signed ? 'i' : 'u'}${t.size * 8}`; break;
    case 'bool': text = `u${t.size * 8}`; break;
    case 'pointer': text = `u${t.size * 8}`; break;
    case 'float': text = `f${t.size * 8}`; break;
    default: break;
  }
  const s = text ? parseScalarType(text) : undefined;
  return s ?? `${name} (${t.name}) is not a number a plot can draw (integers, floats, bools, enums, pointers)`;
}

/** Where a field of an overlay is: `path` as the overlay panel writes it (`[2].id` for arrays). */
export function fieldWatch(spec: OverlaySpec, type: CType, path: string): { offset: number; type: ScalarType } {
  let element = 0;
  let rest = path.trim();
  const m = /^\[(\d+)\]\.?(.*)$/.exec(rest);
  if (spec.count > 1 && m) {
    element = Number(m[1]);
    rest = m[2];
    if (element >= spec.count) throw new RangeError(`element ${element} is past the ${spec.count} of the overlay ${spec.typeName}`);
  }
  const leaf = resolvePath(type, rest);
  const s = scalarOfLeaf(leaf);
  if (typeof s === 'string') throw new RangeError(s);
  return { offset: spec.offset + element * type.size + leaf.offset, type: s };
}

/** The fields of an overlay's type a plot can draw (element 0 of an array overlay). */
export function watchableFields(type: CType, count: number): string[] {
  return leaves(type).filter((l) => typeof scalarOfLeaf(l) !== 'string').map((l) => (count > 1 ? `[0]${l.path ? `.${l.path}` : ''}` : l.path));
}

/** A seqlock counter in segment offsets, as the agent's sampler takes it. */
export interface SeqCounter {
  offset: number;
  size: 4 | 8;
}

/** Where an overlay's sequence counter field is: a 4- or 8-byte integer of element 0 (or why it cannot be one). */
export function seqCounter(spec: OverlaySpec, type: CType, path: string): SeqCounter {
  const { offset, type: s } = fieldWatch(spec, type, path);
  if (s.kind === 'float' || (s.size !== 4 && s.size !== 8) || !s.little) {
    throw new RangeError(`${path} is a ${s.name}: a sequence counter is a 4- or 8-byte little-endian integer`);
  }
  return { offset, size: s.size };
}

/** The fields of an overlay's type that can be a sequence counter (element 0). */
export function seqCandidates(spec: OverlaySpec, type: CType): string[] {
  return watchableFields(type, spec.count).filter((p) => { try { seqCounter(spec, type, p); return true; } catch { return false; } });
}
