// The overlay panel's rows: each overlay is a header row whose children are the fields of its
// type (or its elements, for an overlay of several), expandable level by level. The rows are
// never listed: the panel asks for the count and for the row at an index, and both are
// computed by walking only the expanded nodes (an expanded array of 100,000 elements with
// three of them open costs three steps, not 100,000). Pure: no DOM.

import { arrayOf, childAt, childCount, hasChildren, pathAt, type CChild } from '../../protocol/cFieldMap';
import type { CType } from '../../protocol/cTypes';
import { joinPath } from '../../protocol/cValues';
import type { OverlayView } from '../../protocol/overlay';

export type RowKind = 'overlay' | 'error' | 'group' | 'leaf' | 'padding';

export interface FieldRow {
  /** Stable while the overlay is shown: overlay id and child indices. */
  key: string;
  overlay: number;
  /** Child indices from the overlay's header ([] for the header itself). */
  path: number[];
  /** 1 for the header. */
  level: number;
  kind: RowKind;
  /** The member's name, `[i]`, '(padding)', the overlay's label or its error. */
  name: string;
  /** How C names it from the overlay's start (`[3].hdr.magic`; '' for the whole value). */
  cpath: string;
  /** Absolute byte offset in the segment, and bytes. */
  offset: number;
  size: number;
  type?: CType;
  /** Bit-fields: the first bit within the byte at offset, and width. */
  bitShift?: number;
  bitSize?: number;
  expandable: boolean;
  expanded: boolean;
  /** Position among its siblings (1-based) and their number (aria-posinset / setsize). */
  posInSet: number;
  setSize: number;
}

/** An expanded (or explicitly collapsed) node and the states of its children. */
class Expansion {
  readonly kids = new Map<number, Expansion>();
  constructor(public open: boolean) {}
}

interface Shown {
  view: OverlayView;
  /** The type of the whole overlay: the element type, or an array of `count` of them. */
  root?: CType;
  exp: Expansion;
}

const isRecord = (t: CType | undefined) => t?.kind === 'struct' || t?.kind === 'union';

/** Rows of a record shown open (its default) with nothing inside changed, per type. */
const defaultRecordRows = new WeakMap<CType, number>();

export class FieldTree {
  private shown: Shown[] = [];

  /** The overlays to show; expansion states of overlays still there are kept. */
  setOverlays(views: readonly OverlayView[]): void {
    const old = new Map(this.shown.map((s) => [s.view.id, s]));
    this.shown = views.map((view) => {
      const root = view.type ? (view.count > 1 ? arrayOf(view.type, view.count) : view.type) : undefined;
      const was = old.get(view.id);
      // Same id, same type text: the layout may still have changed (header re-read); keep the expansion only for an equal shape.
      const keep = was && was.root && root && was.root.size === root.size && was.root.name === root.name;
      return { view, root, exp: keep ? was.exp : new Expansion(true) };
    });
  }

  get overlays(): readonly OverlayView[] {
    return this.shown.map((s) => s.view);
  }

  /** The type of overlay i as a whole (undefined when it has an error). */
  rootOf(i: number): CType | undefined {
    return this.shown[i]?.root;
  }

  get rowCount(): number {
    let n = 0;
    for (let i = 0; i < this.shown.length; i++) n += this.rows(this.header(i), this.shown[i].exp);
    return n;
  }

  /** The row at index (0 <= index < rowCount), or null. */
  rowAt(index: number): FieldRow | null {
    if (index < 0) return null;
    let at = index;
    for (let i = 0; i < this.shown.length; i++) {
      const h = this.header(i);
      const exp = this.shown[i].exp;
      const r = this.rows(h, exp);
      if (at < r) return this.descend(h, exp, at);
      at -= r;
    }
    return null;
  }

  /** The index of the row of overlay's node at path, opening its ancestors; -1 if there is none. */
  reveal(overlay: number, path: readonly number[]): number {
    const s = this.shown[overlay] as Shown | undefined;
    if (!s) return -1;
    let node = this.header(overlay);
    let exp: Expansion = s.exp;
    let index = 0;
    for (let i = 0; i < overlay; i++) index += this.rows(this.header(i), this.shown[i].exp);
    for (const k of path) {
      if (k < 0 || k >= this.count(node)) return -1;
      exp.open = true;
      index += 1 + this.before(node, exp, k);
      node = this.child(node, k);
      let e = exp.kids.get(k);
      if (!e) exp.kids.set(k, (e = new Expansion(this.defaultOpen(node))));
      exp = e;
    }
    return index;
  }

  /** The overlay and path of the deepest field holding absolute byte offset (the first overlay that covers it). */
  fieldAt(offset: number): { overlay: number; path: number[] } | null {
    for (let i = 0; i < this.shown.length; i++) {
      const { view, root } = this.shown[i];
      if (!root || offset < view.offset || offset >= view.offset + root.size) continue;
      return { overlay: i, path: hasChildren(root) ? pathAt(root, offset - view.offset) : [0] };
    }
    return null;
  }

  setExpanded(row: FieldRow, open: boolean): void {
    if (!row.expandable) return;
    const s = this.shown[row.overlay];
    let node = this.header(row.overlay);
    let exp = s.exp;
    for (const k of row.path) {
      node = this.child(node, k);
      let e = exp.kids.get(k);
      if (!e) exp.kids.set(k, (e = new Expansion(this.defaultOpen(node))));
      exp = e;
    }
    exp.open = open;
  }

  /** The index of row's parent row (-1 for a header). */
  parentIndex(row: FieldRow): number {
    if (row.path.length === 0) return -1;
    return this.reveal(row.overlay, row.path.slice(0, -1));
  }

  // ---- the nodes -----------------------------------------------------------------------

  private header(i: number): FieldRow {
    const { view, root } = this.shown[i];
    return {
      key: view.id, overlay: i, path: [], level: 1, kind: 'overlay', name: view.label, cpath: '',
      offset: view.offset, size: root?.size ?? 0, type: root, expandable: true, expanded: false, posInSet: i + 1, setSize: this.shown.length,
    };
  }

  private count(node: FieldRow): number {
    if (node.kind === 'overlay') {
      const root = node.type;
      return root && hasChildren(root) ? childCount(root) : 1; // the value itself, or the error
    }
    return node.type && node.kind === 'group' ? childCount(node.type) : 0;
  }

  private child(node: FieldRow, i: number): FieldRow {
    const setSize = this.count(node);
    const base = { overlay: node.overlay, path: [...node.path, i], level: node.level + 1, expanded: false, posInSet: i + 1, setSize };
    const key = `${this.shown[node.overlay].view.id}/${base.path.join('.')}`;
    if (node.kind === 'overlay' && !(node.type && hasChildren(node.type))) {
      const view = this.shown[node.overlay].view;
      if (!node.type) return { ...base, key, kind: 'error', name: view.error ?? 'The type could not be laid out', cpath: '', offset: view.offset, size: 0, expandable: false };
      return { ...base, key, kind: 'leaf', name: node.type.name, cpath: '', offset: node.offset, size: node.type.size, type: node.type, expandable: false };
    }
    const c: CChild = childAt(node.type as CType, i);
    const cpath = c.padding ? node.cpath : joinPath(node.cpath, c.name);
    const offset = node.offset + c.offset;
    if (c.padding || !c.type) return { ...base, key, kind: 'padding', name: '(padding)', cpath, offset, size: c.size, expandable: false };
    const row: FieldRow = { ...base, key, kind: hasChildren(c.type) && c.bitSize === undefined ? 'group' : 'leaf', name: c.name, cpath, offset, size: c.size, type: c.type, expandable: false };
    if (c.bitSize !== undefined && c.bitOffset !== undefined) {
      row.bitShift = c.bitOffset - c.offset * 8;
      row.bitSize = c.bitSize;
    }
    row.expandable = row.kind === 'group';
    return row;
  }

  /** Records open by default (their fields are the point), arrays and array elements closed. */
  private defaultOpen(node: FieldRow): boolean {
    if (node.kind === 'overlay') return true;
    return node.kind === 'group' && isRecord(node.type) && !node.name.startsWith('[');
  }

  private isOpen(node: FieldRow, exp: Expansion | undefined): boolean {
    return node.expandable && (exp ? exp.open : this.defaultOpen(node));
  }

  /** Rows node takes (itself and its open descendants). */
  private rows(node: FieldRow, exp: Expansion | undefined): number {
    if (!this.isOpen(node, exp)) return 1;
    if (!exp && node.type && isRecord(node.type)) {
      const memo = defaultRecordRows.get(node.type);
      if (memo !== undefined) return memo;
    }
    const n = this.count(node);
    let total = 1;
    if (this.elementsOf(node)) {
      // Elements are closed by default: one row each, plus what the open ones add.
      total += n;
      if (exp) for (const [k, e] of exp.kids) if (k < n) total += this.rows(this.child(node, k), e) - 1;
    } else {
      for (let i = 0; i < n; i++) total += this.rows(this.child(node, i), exp?.kids.get(i));
    }
    if (!exp && node.type && isRecord(node.type)) defaultRecordRows.set(node.type, total);
    return total;
  }

  /** The node's children are array elements (all alike, closed by default). */
  private elementsOf(node: FieldRow): boolean {
    return node.type?.kind === 'array' && (node.kind === 'group' || (node.kind === 'overlay' && hasChildren(node.type)));
  }

  /** Rows before child k among node's children (node open). */
  private before(node: FieldRow, exp: Expansion, k: number): number {
    if (this.elementsOf(node)) {
      let extra = 0;
      for (const [j, e] of exp.kids) if (j < k) extra += this.rows(this.child(node, j), e) - 1;
      return k + extra;
    }
    let n = 0;
    for (let i = 0; i < k; i++) n += this.rows(this.child(node, i), exp.kids.get(i));
    return n;
  }

  private descend(node: FieldRow, exp: Expansion | undefined, index: number): FieldRow {
    const open = this.isOpen(node, exp);
    if (index === 0) return { ...node, expanded: open };
    let at = index - 1;
    if (this.elementsOf(node)) {
      const open = exp ? [...exp.kids.keys()].sort((a, b) => a - b) : [];
      let extra = 0;
      for (const k of open) {
        const pos = k + extra;
        if (at < pos) break;
        const e = exp?.kids.get(k);
        const c = this.child(node, k);
        const r = this.rows(c, e);
        if (at < pos + r) return this.descend(c, e, at - pos);
        extra += r - 1;
      }
      return this.descend(this.child(node, at - extra), exp?.kids.get(at - extra), 0);
    }
    const n = this.count(node);
    for (let i = 0; i < n; i++) {
      const c = this.child(node, i);
      const e = exp?.kids.get(i);
      const r = this.rows(c, e);
      if (at < r) return this.descend(c, e, at);
      at -= r;
    }
    throw new RangeError(`row ${index} is past the rows of ${node.key}`);
  }
}
