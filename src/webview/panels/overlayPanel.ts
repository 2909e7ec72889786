// The overlay panel: the C types applied over the segment (the host's `overlays`) as a tree of
// fields beside the data inspector: name, offset, size, type and the live value. Virtualized:
// only the rows in view are in the DOM (fieldTree.ts computes any row from its index). A click
// selects a field's bytes, the grid's cursor reveals its field here, hovering outlines the
// bytes; the fields are tinted in the grid (two alternating tints, padding hatched). Values
// come from the bytes the webview holds (or one bounded read for rows outside the watched
// window), show live refresh's heat when they change, with a count; a value is edited in
// place and written as one pending edit of exactly the field's bytes.

import { forEachSpan } from '../../protocol/cFieldMap';
import { CValueError } from '../../protocol/cValues';
import type { OverlayView } from '../../protocol/overlay';
import { el } from '../grid/grid';
import type { FieldMarks, FieldTint } from '../grid/overlays';
import { editText, encodeField, FieldBytes, localLeaf, valueText } from '../inspect/fieldValues';
import { type FieldRow, FieldTree } from '../inspect/fieldTree';
import { MAX_HEAT } from '../live/liveRefresh';
import type { EditorPort } from '../port';
import { button } from '../util/dom';
import { hexNumber, plural } from '../util/format';
import type { Span } from '../util/rangeSet';

export interface OverlayPanelHost {
  port: EditorPort;
  /** The fields to tint in the grid (null: none). */
  setFields(marks: FieldMarks | null): void;
  /** The bytes to outline in the grid (null: none). */
  setHover(span: Span | null): void;
  /** The panel opened or closed (the side column may change). */
  openChanged(): void;
}

/** Height of one row in px (media/hexEditor.css .ov-row has the same). */
const ROW_HEIGHT = 22;
/** Rows built beyond those in view on each side (a small scroll shows no gap). */
const OVERSCAN = 4;
/** Fields whose last value is kept for change counts; beyond, the counts start over. */
const MAX_TRACKED = 200_000;
const NOT_LOADED = '…';
const INDENT_PX = 12;

interface Tracked {
  text: string;
  changes: number;
  /** Live refresh's step at which the value was as hot as a byte changed at that step (-1: never). */
  heatFrom: number;
}

interface Shown {
  row: FieldRow;
  element: HTMLElement;
  value: HTMLElement | null;
  text: HTMLElement | null;
  count: HTMLElement | null;
  /** What the row shows now: at 10 refreshes a second, only what changed is decoded and written. */
  look: RowLook;
}

interface RowLook {
  active: boolean;
  current: boolean;
  /** The bytes the text was decoded from (a copy), null before the first decode. */
  bytes: Uint8Array | null;
  text: string;
  unavailable: boolean;
  heat: number;
  changes: number;
}

const newLook = (): RowLook => ({ active: false, current: false, bytes: null, text: '', unavailable: false, heat: 0, changes: 0 });

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class OverlayPanel {
  readonly element: HTMLElement;
  /** The toolbar button that opens and closes the panel. */
  readonly toggle: HTMLButtonElement;
  private readonly tree = new FieldTree();
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsBox: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly errorLine: HTMLElement;
  private readonly bytes: FieldBytes;
  private shown: Shown[] = [];
  private readonly tracked = new Map<string, Tracked>();
  /** The row with keyboard focus, and the field at the grid's cursor. */
  private active: { overlay: number; path: number[] } | null = null;
  private currentKey: string | null = null;
  private lastCursor = -1;
  /** The cursor offset our own click selected (no reveal for it). */
  private selfSelected: number | null = null;
  private structure = 0;
  private bytesVersion = 0;
  private layoutKey = '';
  private valuesKey = '';
  private frameQueued = false;
  /** The tree's scroll position and height, kept from its events: reading them after the grid painted would force a layout. */
  private viewTop = 0;
  private viewHeight = 0;
  private editing: { key: string; row: FieldRow; input: HTMLInputElement; list: HTMLDataListElement | null } | null = null;
  private readonly marks: FieldMarks;

  constructor(private readonly host: OverlayPanelHost) {
    this.bytes = new FieldBytes(host.port, () => this.schedule());
    this.toggle = button('overlays-toggle', 'C Types', 'Show or hide the C types applied over this segment');
    this.toggle.setAttribute('aria-expanded', 'false');
    this.toggle.setAttribute('aria-controls', 'overlays-panel');
    this.element = el('section', 'overlays');
    this.element.id = 'overlays-panel';
    this.element.setAttribute('aria-labelledby', 'overlays-title');
    this.element.hidden = true;
    const head = el('div', 'overlays-head');
    const title = el('h2', 'overlays-title');
    title.id = 'overlays-title';
    title.textContent = 'C Types';
    const apply = button('overlay-apply', 'Apply C Type…', 'Lay a C type from a header over the bytes, at the cursor or at 0');
    const close = button('overlays-close', '×', 'Hide the C types');
    close.setAttribute('aria-label', 'Hide the C types');
    head.append(title, apply, close);
    const columns = el('div', 'ov-columns');
    columns.setAttribute('aria-hidden', 'true');
    for (const [cls, text] of [['ov-name', 'Field'], ['ov-offset', 'Offset'], ['ov-size', 'Size'], ['ov-type', 'Type'], ['ov-value', 'Value']]) {
      const c = el('span', cls);
      c.textContent = text;
      columns.append(c);
    }
    this.scroller = el('div', 'overlay-tree');
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('role', 'tree');
    this.scroller.setAttribute('aria-labelledby', 'overlays-title');
    this.spacer = el('div', 'ov-spacer');
    this.rowsBox = el('div', 'ov-rows');
    this.rowsBox.setAttribute('role', 'presentation');
    this.scroller.append(this.spacer, this.rowsBox);
    this.empty = el('p', 'overlays-empty');
    this.empty.textContent = 'No C type applied. Apply C Type… shows the bytes as a struct from your headers.';
    this.errorLine = el('div', 'overlay-error');
    this.errorLine.id = 'overlay-error';
    this.errorLine.setAttribute('role', 'alert');
    this.errorLine.hidden = true;
    this.element.append(head, this.errorLine, columns, this.scroller, this.empty);

    this.marks = {
      forEachIn: (start, end, cb) => this.forEachTint(start, end, cb),
    };

    this.toggle.addEventListener('click', () => this.setOpen(!this.isOpen, true));
    apply.addEventListener('click', () => void this.apply());
    close.addEventListener('click', () => {
      this.setOpen(false);
      this.toggle.focus();
    });
    this.scroller.addEventListener('scroll', () => {
      this.viewTop = this.scroller.scrollTop;
      this.schedule();
    });
    new ResizeObserver(() => {
      this.viewHeight = this.scroller.clientHeight;
      this.schedule();
    }).observe(this.scroller);
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.scroller.addEventListener('focus', () => this.schedule());
    this.rowsBox.addEventListener('click', (e) => this.onClick(e));
    this.rowsBox.addEventListener('dblclick', (e) => {
      const s = this.shownOf(e.target);
      if (s && s.row.kind === 'leaf') this.startEdit(s.row);
    });
    this.rowsBox.addEventListener('mouseover', (e) => {
      const s = this.shownOf(e.target);
      this.setHover(s && s.row.kind !== 'error' && s.row.size > 0 ? { offset: s.row.offset, length: s.row.size } : null);
    });
    this.rowsBox.addEventListener('mouseleave', () => this.setHover(null));
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !this.editing) {
        e.preventDefault();
        e.stopPropagation();
        this.host.port.focusGrid();
      }
    });
    this.renderList();
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  setOpen(open: boolean, focus = false): void {
    if (open !== this.isOpen) {
      this.element.hidden = !open;
      this.toggle.setAttribute('aria-expanded', String(open));
      this.host.setFields(open && this.tree.overlays.length ? this.marks : null);
      if (!open) this.setHover(null);
      this.lastCursor = -1; // reveal the cursor's field when shown again
      this.layoutKey = '';
      this.host.openChanged();
      this.host.port.redraw();
    }
    if (open) this.schedule();
    if (open && focus) (this.tree.overlays.length ? this.scroller : this.element.querySelector<HTMLElement>('.overlay-apply'))?.focus();
  }

  /** The host's `overlays` (and the ready answer's). The panel opens when the first ones arrive. */
  setOverlays(views: readonly (OverlayView | null)[]): void {
    const list: readonly (OverlayView | null)[] = Array.isArray(views) ? views : [];
    const valid = list.filter((v): v is OverlayView =>
      v !== null && typeof v.id === 'string' && Number.isSafeInteger(v.offset) && Number.isSafeInteger(v.count) && v.count >= 1);
    const before = this.tree.overlays.length;
    const ids = new Set(valid.map((v) => v.id));
    const removed = this.tree.overlays.some((o) => !ids.has(o.id));
    this.tree.setOverlays(valid);
    if (removed) this.tracked.clear();
    this.cancelEdit(false);
    this.active = null;
    this.currentKey = null;
    this.lastCursor = -1;
    this.structure++;
    this.renderList();
    this.host.setFields(this.isOpen && valid.length ? this.marks : null);
    this.setHover(null);
    if (valid.length > before) this.setOpen(true);
    this.host.port.redraw();
    this.schedule();
  }

  /** Bytes changed on the host (a push of the window, an edit): values are read again. */
  bytesChanged(): void {
    this.bytesVersion++;
    this.bytes.invalidate();
  }

  /** After each paint of the grid: follow the cursor, show values (cheap when nothing changed). */
  update(): void {
    if (!this.isOpen || this.tree.overlays.length === 0) return;
    this.followCursor();
    const layout = `${this.structure}|${this.viewTop}|${this.viewHeight}`;
    if (layout !== this.layoutKey) {
      this.layoutKey = layout;
      this.valuesKey = '';
      this.buildRows();
    }
    const port = this.host.port;
    const values = `${this.bytesVersion}|${this.bytes.version}|${port.heatSteps()}|${this.currentKey ?? ''}|${this.activeKey() ?? ''}|${document.activeElement === this.scroller}`;
    if (values !== this.valuesKey) {
      this.valuesKey = values;
      this.showValues();
      this.bytes.flush();
    }
  }

  saved(): boolean {
    return this.isOpen;
  }

  // ---- from the tree to the grid --------------------------------------------------------

  private forEachTint(start: number, end: number, cb: (from: number, to: number, tint: FieldTint) => void): void {
    const views = this.tree.overlays;
    for (let i = 0; i < views.length; i++) {
      const root = this.tree.rootOf(i);
      if (!root) continue;
      const base = views[i].offset;
      const from = Math.max(start, base);
      const to = Math.min(end, base + root.size);
      if (from >= to) continue;
      forEachSpan(root, from - base, to - base, (a, b, ordinal, padding) => cb(a + base, b + base, padding ? 3 : ordinal % 2 ? 2 : 1));
    }
  }

  private setHover(span: Span | null): void {
    this.host.setHover(span);
    this.host.port.redraw();
  }

  private select(row: FieldRow): void {
    const size = Math.max(1, Math.min(row.size, this.host.port.doc.size - row.offset));
    if (row.offset >= this.host.port.doc.size) return;
    this.selfSelected = row.offset;
    this.currentKey = row.key;
    this.host.port.select(row.offset, size);
  }

  /** The grid's cursor moved (not by our click): reveal its field here. */
  private followCursor(): void {
    const cursor = this.host.port.cursor();
    if (cursor === this.lastCursor) return;
    this.lastCursor = cursor;
    if (this.selfSelected === cursor) {
      this.selfSelected = null;
      return;
    }
    this.selfSelected = null;
    const f = this.tree.fieldAt(cursor);
    if (!f) {
      this.currentKey = null;
      return;
    }
    const index = this.tree.reveal(f.overlay, f.path);
    this.structure++;
    this.active = f;
    this.currentKey = this.tree.rowAt(index)?.key ?? null;
    this.scrollToIndex(index, true);
    this.renderList();
  }

  // ---- rows ---------------------------------------------------------------------------------

  private activeKey(): string | null {
    if (!this.active) return null;
    const view = this.tree.overlays[this.active.overlay] as OverlayView | undefined;
    return view ? (this.active.path.length ? `${view.id}/${this.active.path.join('.')}` : view.id) : null;
  }

  private activeIndex(): number {
    return this.active ? this.tree.reveal(this.active.overlay, this.active.path) : -1;
  }

  private renderList(): void {
    const any = this.tree.overlays.length > 0;
    this.empty.hidden = any;
    this.scroller.hidden = !any;
    this.element.querySelector('.ov-columns')?.toggleAttribute('hidden', !any);
    this.toggle.textContent = any ? `C Types (${this.tree.overlays.length})` : 'C Types';
    this.layoutKey = '';
  }

  private buildRows(): void {
    const count = this.tree.rowCount;
    this.spacer.style.height = `${count * ROW_HEIGHT}px`;
    const top = this.viewTop;
    const height = this.viewHeight || ROW_HEIGHT * 20;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(count, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const editing = this.editing;
    const focused = editing && document.activeElement === editing.input; // before moving it (that blurs it)
    let keepEdit = false;
    const shown: Shown[] = [];
    for (let i = first; i < last; i++) {
      const row = this.tree.rowAt(i);
      if (!row) break;
      const s = this.rowElement(row, i);
      if (editing && editing.key === row.key && s.value) {
        s.value.append(editing.input);
        if (editing.list) s.value.append(editing.list);
        if (s.text) s.text.hidden = true;
        keepEdit = true;
      }
      shown.push(s);
    }
    this.shown = shown;
    this.rowsBox.replaceChildren(...shown.map((s) => s.element));
    if (editing && !keepEdit) this.cancelEdit(false);
    else if (editing && focused) editing.input.focus();
  }

  private rowElement(row: FieldRow, index: number): Shown {
    const e = el('div', `ov-row ov-${row.kind}`);
    e.id = `ov-row-${index}`;
    e.dataset.key = row.key;
    e.dataset.path = row.cpath;
    e.setAttribute('role', 'treeitem');
    e.setAttribute('aria-selected', 'false');
    e.setAttribute('aria-level', String(row.level));
    e.setAttribute('aria-posinset', String(row.posInSet));
    e.setAttribute('aria-setsize', String(row.setSize));
    if (row.expandable) e.setAttribute('aria-expanded', String(row.expanded));
    e.style.top = `${index * ROW_HEIGHT}px`;
    const name = el('span', 'ov-name');
    name.style.paddingLeft = `${(row.level - 1) * INDENT_PX}px`;
    const twisty = el('span', 'ov-twisty');
    twisty.setAttribute('aria-hidden', 'true');
    twisty.textContent = row.expandable ? (row.expanded ? '▾' : '▸') : '';
    const label = el('span', 'ov-label');
    label.textContent = row.name;
    name.append(twisty, label);
    // The overlay's sequence counter (Set Sequence Counter): samples it says were torn are read again.
    const isSeq = row.kind === 'leaf' && this.tree.overlays[row.overlay].seq === row.cpath;
    if (isSeq) {
      const mark = el('span', 'ov-seq');
      mark.textContent = 'seq';
      mark.setAttribute('aria-label', '(sequence counter)');
      name.append(mark);
    }
    e.append(name);
    if (row.kind === 'overlay') {
      const view = this.tree.overlays[row.overlay];
      e.title = view.error ? `${view.label}: ${view.error}` : `${view.label}, ${plural(row.size, 'byte')}`;
      const actions = el('span', 'ov-actions');
      const verify = button('overlay-verify', 'Verify', `Verify Layout with the Compiler: compare ${view.typeName} as laid out here with what the C compiler says`);
      verify.addEventListener('click', (ev) => { ev.stopPropagation(); void this.request('verifyOverlay', view); });
      const remove = button('overlay-remove', '×', `Remove the C type overlay ${view.label}`);
      remove.setAttribute('aria-label', `Remove ${view.label}`);
      remove.addEventListener('click', (ev) => { ev.stopPropagation(); void this.request('removeOverlay', view); });
      actions.append(verify, remove);
      e.append(actions);
      return { row, element: e, value: null, text: null, count: null, look: newLook() };
    }
    if (row.kind === 'error') {
      e.title = row.name;
      return { row, element: e, value: null, text: null, count: null, look: newLook() };
    }
    const off = el('span', 'ov-offset');
    off.textContent = hexNumber(row.offset);
    const size = el('span', 'ov-size');
    size.textContent = row.bitSize !== undefined ? `:${row.bitSize}` : String(row.size);
    const type = el('span', 'ov-type');
    type.textContent = row.kind === 'padding' ? '' : row.type?.name ?? '';
    const value = el('span', 'ov-value');
    const text = el('span', 'ov-text');
    const count = el('span', 'ov-count');
    count.hidden = true;
    value.append(text, count);
    e.append(off, size, type, value);
    const bits = row.bitSize !== undefined ? ` (bits ${row.bitShift ?? 0}..${(row.bitShift ?? 0) + row.bitSize - 1} of those bytes)` : '';
    const hint = row.kind === 'leaf' ? ' · Enter: edit, W: watch over time' : '';
    const seq = isSeq ? ' · the sequence counter: watches and recordings read a sample again when it says a writer was in the middle' : '';
    e.title = `${row.cpath || row.name} · ${hexNumber(row.offset)}, ${plural(row.size, 'byte')}${bits}${row.type ? ` · ${row.type.name}` : ''}${seq}${hint}`;
    return { row, element: e, value, text, count, look: newLook() };
  }

  private showValues(): void {
    const steps = this.host.port.heatSteps();
    const activeKey = this.activeKey();
    const focused = document.activeElement === this.scroller;
    if (this.tracked.size > MAX_TRACKED) this.tracked.clear();
    let activeId = '';
    for (const s of this.shown) {
      const { row, element, look } = s;
      const isActive = row.key === activeKey;
      if (isActive) activeId = element.id;
      if (look.active !== isActive) {
        look.active = isActive;
        element.classList.toggle('active', isActive);
        element.setAttribute('aria-selected', String(isActive));
      }
      const isCurrent = row.key === this.currentKey;
      if (look.current !== isCurrent) {
        look.current = isCurrent;
        element.classList.toggle('ov-current', isCurrent);
      }
      if (s.text && s.value && row.kind !== 'padding' && row.kind !== 'group') this.showValue(s, steps);
    }
    if (focused && activeId) this.scroller.setAttribute('aria-activedescendant', activeId);
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  /** A leaf's value, heat and change count; the DOM is written only where they changed. */
  private showValue(s: Shown, steps: number): void {
    const { row, look } = s;
    const bytes = this.bytes.get(row.offset, row.size);
    let text: string;
    if (!bytes) {
      text = row.offset + row.size > this.host.port.doc.size ? 'past the end' : this.bytes.error ? `unreadable: ${this.bytes.error}` : NOT_LOADED;
      look.bytes = null;
    } else if (sameBytes(look.bytes, bytes)) {
      text = look.text;
    } else {
      try {
        text = valueText(row, bytes);
      } catch (err) {
        text = err instanceof CValueError ? err.message : String(err);
      }
      look.bytes = bytes.slice();
    }
    let heat = 0;
    let changes = 0;
    if (bytes) {
      const t = this.tracked.get(row.key);
      if (!t) this.tracked.set(row.key, { text, changes: 0, heatFrom: -1 });
      else {
        if (t.text !== text) {
          const hot = this.hottest(row);
          if (hot > 0) {
            t.changes++;
            t.heatFrom = steps - (MAX_HEAT - hot);
          }
          t.text = text;
        }
        changes = t.changes;
        if (t.heatFrom >= 0) heat = Math.max(0, MAX_HEAT - (steps - t.heatFrom));
      }
    }
    if (look.text !== text && s.text) {
      look.text = text;
      s.text.textContent = text;
    }
    if (look.unavailable !== !bytes) {
      look.unavailable = !bytes;
      s.text?.classList.toggle('unavailable', !bytes);
    }
    if (look.heat !== heat && s.value) {
      if (look.heat) s.value.classList.remove(`heat-${look.heat}`);
      if (heat) s.value.classList.add(`heat-${heat}`);
      look.heat = heat;
    }
    if (look.changes !== changes && s.count) {
      look.changes = changes;
      s.count.hidden = changes === 0;
      s.count.textContent = changes ? `×${changes}` : '';
      s.count.title = changes ? `Changed ${changes === 1 ? 'once' : `${changes} times`} since shown` : '';
    }
  }

  /** Live refresh's heat of the hottest byte of row. */
  private hottest(row: FieldRow): number {
    let h = 0;
    const port = this.host.port;
    for (let o = row.offset; o < row.offset + row.size && h < MAX_HEAT; o++) h = Math.max(h, port.heat(o));
    return h;
  }

  private shownOf(target: EventTarget | null): Shown | undefined {
    const e = target instanceof Element ? target.closest<HTMLElement>('.ov-row') : null;
    return e ? this.shown.find((s) => s.element === e) : undefined;
  }

  private scrollToIndex(index: number, center: boolean): void {
    if (index < 0) return;
    const top = index * ROW_HEIGHT;
    const view = this.viewHeight;
    const st = this.viewTop;
    if (top >= st && top + ROW_HEIGHT <= st + view) return;
    // The spacer must be tall enough before scrolling there (rows may have just been opened).
    this.spacer.style.height = `${this.tree.rowCount * ROW_HEIGHT}px`;
    this.scroller.scrollTop = center ? Math.max(0, top - Math.floor(view / 2)) : top < st ? top : top + ROW_HEIGHT - view;
    this.viewTop = this.scroller.scrollTop;
  }

  private schedule(): void {
    if (this.frameQueued) return;
    this.frameQueued = true;
    requestAnimationFrame(() => {
      this.frameQueued = false;
      this.update();
    });
  }

  // ---- input ----------------------------------------------------------------------------

  private onClick(e: MouseEvent): void {
    const s = this.shownOf(e.target);
    if (!s || (e.target instanceof Element && e.target.closest('button, input'))) return;
    const row = s.row;
    this.active = { overlay: row.overlay, path: row.path };
    if (row.expandable && (e.target instanceof Element && e.target.closest('.ov-twisty'))) {
      this.setExpanded(row, !row.expanded);
      return;
    }
    if (row.kind !== 'error') this.select(row);
    this.scroller.focus({ preventScroll: true });
    this.valuesKey = '';
    this.schedule();
  }

  private setExpanded(row: FieldRow, open: boolean): void {
    this.tree.setExpanded(row, open);
    this.structure++;
    this.schedule();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target !== this.scroller || e.altKey || e.ctrlKey || e.metaKey) return;
    const count = this.tree.rowCount;
    if (count === 0) return;
    let index = this.activeIndex();
    const row = index >= 0 ? this.tree.rowAt(index) : null;
    const page = Math.max(1, Math.floor(this.viewHeight / ROW_HEIGHT) - 1);
    const go = (i: number) => {
      const to = Math.max(0, Math.min(count - 1, i));
      const r = this.tree.rowAt(to);
      if (!r) return;
      this.active = { overlay: r.overlay, path: r.path };
      this.scrollToIndex(to, false);
      if (r.kind !== 'error') this.select(r);
    };
    switch (e.key) {
      case 'ArrowDown': go(index + 1); break;
      case 'ArrowUp': go(index < 0 ? 0 : index - 1); break;
      case 'Home': go(0); break;
      case 'End': go(count - 1); break;
      case 'PageDown': go(index + page); break;
      case 'PageUp': go(index - page); break;
      case 'ArrowRight':
        if (!row) go(0);
        else if (row.expandable && !row.expanded) this.setExpanded(row, true);
        else if (row.expandable) go(index + 1);
        break;
      case 'ArrowLeft':
        if (!row) go(0);
        else if (row.expandable && row.expanded) this.setExpanded(row, false);
        else if ((index = this.tree.parentIndex(row)) >= 0) go(index);
        break;
      case 'Enter': case 'F2':
        if (!row) break;
        if (row.kind === 'leaf') this.startEdit(row);
        else if (row.expandable && e.key === 'Enter') this.setExpanded(row, !row.expanded);
        break;
      case ' ':
        if (row && row.kind !== 'error') this.select(row);
        break;
      case 'w': case 'W':
        if (row?.kind === 'leaf') void this.watch(row);
        break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
    this.valuesKey = '';
    this.schedule();
  }

  // ---- requests -----------------------------------------------------------------------

  private async apply(): Promise<void> {
    const port = this.host.port;
    try {
      await port.rpc.request('applyCType', { cursor: port.cursor() }, { timeoutMs: 0 });
    } catch (err) {
      port.message(`C type not applied: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  /** Plot a field over time in the Watch view (the host's Watch Field command). */
  private async watch(row: FieldRow): Promise<void> {
    const view = this.tree.overlays.at(row.overlay);
    if (!view) return;
    try {
      await this.host.port.rpc.request('watchValue', { overlay: view.id, path: row.cpath }, { timeoutMs: 0 });
    } catch (err) {
      this.host.port.message(`Not watched: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  private async request(method: 'verifyOverlay' | 'removeOverlay', view: OverlayView): Promise<void> {
    const port = this.host.port;
    try {
      if (method === 'verifyOverlay') port.message(`Verifying the layout of ${view.typeName} with the compiler…`, 'info');
      await port.rpc.request(method, { id: view.id }, { timeoutMs: 0 });
    } catch (err) {
      const what = method === 'verifyOverlay' ? 'Layout not verified' : 'C type not removed';
      port.message(`${what}: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  // ---- editing ------------------------------------------------------------------------

  private startEdit(row: FieldRow): void {
    const port = this.host.port;
    const refusal = port.editRefusal();
    if (refusal) {
      this.setError(refusal);
      return;
    }
    const leaf = localLeaf(row);
    if (!leaf) {
      this.setError(`${row.cpath || row.name} (${row.type?.name ?? 'padding'}) has no value to set`);
      return;
    }
    const bytes = this.bytes.get(row.offset, row.size);
    const s = this.shown.find((x) => x.row.key === row.key);
    if (!bytes || !s?.value) {
      this.setError(`The bytes of ${row.cpath || row.name} are still being read; try again in a moment.`);
      return;
    }
    this.cancelEdit(false);
    this.setError('');
    const input = document.createElement('input');
    input.type = 'text';
    input.className = 'ov-input';
    input.spellcheck = false;
    input.autocomplete = 'off';
    input.setAttribute('aria-label', `New value of ${row.cpath || row.name} (${row.type?.name ?? ''}${row.bitSize !== undefined ? ` : ${row.bitSize}` : ''})`);
    input.setAttribute('aria-describedby', 'overlay-error');
    input.value = editText(row, valueText(row, bytes));
    let list: HTMLDataListElement | null = null;
    const choices = row.type?.kind === 'enum' ? row.type.enumerators.map((x) => x.name) : row.type?.kind === 'bool' ? ['true', 'false'] : [];
    if (choices.length) {
      list = document.createElement('datalist');
      list.id = 'ov-choices';
      for (const c of choices) {
        const o = document.createElement('option');
        o.value = c;
        list.append(o);
      }
      input.setAttribute('list', list.id);
    }
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        e.stopPropagation();
        this.commit();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.cancelEdit(true);
      } else {
        e.stopPropagation(); // typing is for the input, not the tree's keys
      }
    });
    input.addEventListener('input', () => {
      input.removeAttribute('aria-invalid');
      this.setError('');
    });
    input.addEventListener('blur', () => {
      // Clicking elsewhere abandons the edit (nothing is written without Enter).
      setTimeout(() => { if (this.editing?.input === input && document.activeElement !== input) this.cancelEdit(false); }, 0);
    });
    if (s.text) s.text.hidden = true;
    s.value.append(input);
    if (list) s.value.append(list);
    this.editing = { key: row.key, row, input, list };
    this.active = { overlay: row.overlay, path: row.path };
    input.focus();
    input.select();
  }

  private commit(): void {
    const ed = this.editing;
    if (!ed) return;
    const port = this.host.port;
    const refusal = port.editRefusal();
    if (refusal) {
      this.setError(refusal);
      return;
    }
    const current = this.bytes.get(ed.row.offset, ed.row.size);
    if (!current) {
      this.setError(`The bytes of ${ed.row.cpath || ed.row.name} are still being read; try again in a moment.`);
      return;
    }
    let data: Uint8Array;
    try {
      data = encodeField(ed.row, ed.input.value, current);
    } catch (err) {
      ed.input.setAttribute('aria-invalid', 'true');
      this.setError(err instanceof Error ? err.message : String(err));
      ed.input.select();
      return;
    }
    this.cancelEdit(true);
    port.write(ed.row.offset, data, `Edit ${ed.row.cpath || ed.row.name}`);
  }

  private cancelEdit(refocus: boolean): void {
    const ed = this.editing;
    if (!ed) return;
    this.editing = null;
    ed.input.remove();
    ed.list?.remove();
    const s = this.shown.find((x) => x.row.key === ed.key);
    if (s?.text) s.text.hidden = false;
    if (refocus) this.scroller.focus({ preventScroll: true });
  }

  private setError(text: string): void {
    if (this.errorLine.textContent === text) return;
    this.errorLine.textContent = text;
    this.errorLine.hidden = text === '';
  }
}
