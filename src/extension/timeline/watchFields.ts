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
