// The virtualized grid: a scroll container holding a sticky viewport (role="grid") with a
// header row and only as many row elements as fit on screen, plus a spacer that gives the
// scrollbar its length. Painting rewrites text and classes of the existing cells only
// where they changed, so scrolling a multi-GiB segment costs the same as a small one.

import { formatOffset, hex2 } from '../util/format';

/** How one byte looks: filled in by the editor for each visible offset. */
export interface CellLook {
  hex: string;
  hexClass: string;
  text: string;
  textClass: string;
}

export type Column = 'hex' | 'text';

interface RowView {
  el: HTMLElement;
  offsetEl: HTMLElement;
  hex: HTMLElement[];
  text: HTMLElement[];
  /** What was last written, to skip DOM writes that change nothing. */
  hexText: string[];
  hexClass: string[];
  textText: string[];
  textClass: string[];
  firstOffset: number;
  hidden: boolean;
}

export class Grid {
  readonly scroller: HTMLElement;
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly spacer: HTMLElement;
  private rows: RowView[] = [];
  private bytesPerRow = 0;
  private grouping = 0;
  private digits = 8;
  private activeEl: HTMLElement | null = null;
  private busy: boolean | undefined;
  private readonly look: CellLook = { hex: '', hexClass: '', text: '', textClass: '' };

  constructor(parent: HTMLElement, label: string) {
    this.scroller = el('div', 'grid-scroller');
    this.element = el('div', 'grid');
    this.element.setAttribute('role', 'grid');
    this.element.setAttribute('aria-label', label);
    this.element.setAttribute('aria-readonly', 'false');
    this.element.setAttribute('aria-multiselectable', 'true');
    this.element.tabIndex = 0;
    this.header = el('div', 'row header-row');
    this.header.setAttribute('role', 'row');
    this.header.setAttribute('aria-rowindex', '1');
    this.body = el('div', 'grid-body');
    this.body.setAttribute('role', 'rowgroup');
    this.element.append(this.header, this.body);
    this.spacer = el('div', 'grid-spacer');
    this.spacer.setAttribute('aria-hidden', 'true');
    this.scroller.append(this.element, this.spacer);
    parent.append(this.scroller);
  }

  /** Set the column layout; rebuilds rows only when it changed. */
  configure(bytesPerRow: number, grouping: number, digits: number): void {
    if (bytesPerRow === this.bytesPerRow && grouping === this.grouping && digits === this.digits) return;
    this.bytesPerRow = bytesPerRow;
    this.grouping = grouping;
    this.digits = digits;
    this.element.style.setProperty('--offset-digits', String(digits));
    this.element.style.setProperty('--bytes-per-row', String(bytesPerRow));
    this.element.setAttribute('aria-colcount', String(1 + 2 * bytesPerRow));
    this.buildHeader();
    const count = this.rows.length;
    this.body.replaceChildren();
    this.rows = [];
    this.activeEl = null;
    this.setRowElements(count);
  }

  /** Keep exactly `count` row elements in the DOM. */
  setRowElements(count: number): void {
    while (this.rows.length < count) {
      const row = this.buildRow();
      this.rows.push(row);
      this.body.append(row.el);
    }
    for (const row of this.rows.splice(count).reverse()) {
      if (this.activeEl && row.el.contains(this.activeEl)) this.activeEl = null;
      row.el.remove();
    }
  }

  setSizes(viewportHeight: number, spacerHeight: number, totalRows: number): void {
    this.element.style.height = `${viewportHeight}px`;
    this.spacer.style.height = `${Math.max(0, spacerHeight)}px`;
    this.element.setAttribute('aria-rowcount', String(totalRows + 1));
  }

  /** Paint rows starting at topRow; `describe` fills in each byte's look. */
  paint(topRow: number, size: number, describe: (offset: number, out: CellLook) => void): void {
    const bpr = this.bytesPerRow;
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      const first = (topRow + r) * bpr;
      if (first >= size) {
        if (!row.hidden) { row.el.hidden = true; row.hidden = true; }
        continue;
      }
      if (row.hidden) { row.el.hidden = false; row.hidden = false; }
      if (row.firstOffset !== first) {
        row.firstOffset = first;
        row.offsetEl.textContent = formatOffset(first, this.digits);
        row.el.setAttribute('aria-rowindex', String(topRow + r + 2));
        for (let i = 0; i < bpr; i++) {
          const o = first + i;
          if (o < size) {
            row.hex[i].dataset.offset = String(o);
            row.text[i].dataset.offset = String(o);
          } else {
            delete row.hex[i].dataset.offset;
            delete row.text[i].dataset.offset;
          }
        }
      }
      for (let i = 0; i < bpr; i++) this.paintCell(row, i, size, describe);
    }
  }

  /**
   * Paint again only these offsets (those not on screen are skipped): after a live poll,
   * when nothing but some bytes and their heat changed since the last paint().
   */
  paintCells(offsets: Iterable<number>, size: number, describe: (offset: number, out: CellLook) => void): void {
    const bpr = this.bytesPerRow;
    const top = this.rows.length > 0 ? this.rows[0].firstOffset : -1;
    if (top < 0 || bpr === 0) return;
    for (const o of offsets) {
      if (o < top || o >= size) continue;
      const row = this.rows[Math.floor((o - top) / bpr)] as RowView | undefined;
      const i = row ? o - row.firstOffset : -1;
      if (row && !row.hidden && i >= 0 && i < bpr) this.paintCell(row, i, size, describe);
    }
  }

  /** Write the look of a row's i-th byte, touching the DOM only where it changed. */
  private paintCell(row: RowView, i: number, size: number, describe: (offset: number, out: CellLook) => void): void {
    const o = row.firstOffset + i;
    const look = this.look;
    if (o < size) {
      describe(o, look);
    } else {
      look.hex = '';
      look.text = '';
      look.hexClass = 'hex-cell past-end';
      look.textClass = 'text-cell past-end';
    }
    if (this.grouping > 1 && i > 0 && i % this.grouping === 0) look.hexClass += ' group-start';
    if (i === 0) look.textClass += ' text-first';
    if (row.hexText[i] !== look.hex) { row.hex[i].textContent = look.hex; row.hexText[i] = look.hex; }
    if (row.textText[i] !== look.text) { row.text[i].textContent = look.text; row.textText[i] = look.text; }
    if (row.hexClass[i] !== look.hexClass) { row.hex[i].className = look.hexClass; row.hexClass[i] = look.hexClass; }
    if (row.textClass[i] !== look.textClass) { row.text[i].className = look.textClass; row.textClass[i] = look.textClass; }
  }

  /** aria-busy while rows wait for their bytes. */
  setBusy(busy: boolean): void {
    if (this.busy === busy) return;
    this.busy = busy;
    this.element.setAttribute('aria-busy', String(busy));
  }

  /** Point aria-activedescendant at the cursor's cell (if it is on screen). */
  setActive(offset: number, column: Column): void {
    const cell = this.cellAt(offset, column);
    if (cell === this.activeEl) return;
    this.activeEl?.removeAttribute('id');
    this.activeEl = cell;
    if (cell) {
      cell.id = 'active-cell';
      this.element.setAttribute('aria-activedescendant', 'active-cell');
    } else {
      this.element.removeAttribute('aria-activedescendant');
    }
  }

  /** The on-screen cell of offset in a column, if any. */
  cellAt(offset: number, column: Column): HTMLElement | null {
    for (const row of this.rows) {
      if (row.hidden) continue;
      const i = offset - row.firstOffset;
      if (i >= 0 && i < this.bytesPerRow) return column === 'hex' ? row.hex[i] : row.text[i];
    }
    return null;
  }

  /** Bounding box of the row area (below the header). */
  bodyRect(): DOMRect {
    return this.body.getBoundingClientRect();
  }

  headerHeight(): number {
    return this.header.getBoundingClientRect().height;
  }

  private buildHeader(): void {
    const cells: HTMLElement[] = [];
    const offsetHead = el('span', 'offset');
    offsetHead.textContent = 'Offset';
    offsetHead.setAttribute('role', 'columnheader');
    cells.push(offsetHead);
    for (let i = 0; i < this.bytesPerRow; i++) {
      const c = el('span', 'hex-cell' + (this.grouping > 1 && i > 0 && i % this.grouping === 0 ? ' group-start' : ''));
      c.textContent = hex2(i);
      c.setAttribute('role', 'columnheader');
      cells.push(c);
    }
    const textHead = el('span', 'text-head');
    textHead.textContent = 'Decoded text';
    textHead.setAttribute('role', 'columnheader');
    cells.push(textHead);
    this.header.replaceChildren(...cells);
  }

  private buildRow(): RowView {
    const rowEl = el('div', 'row');
    rowEl.setAttribute('role', 'row');
    const offsetEl = el('span', 'offset');
    offsetEl.setAttribute('role', 'rowheader');
    rowEl.append(offsetEl);
    const hex: HTMLElement[] = [];
    const text: HTMLElement[] = [];
    for (let i = 0; i < this.bytesPerRow; i++) {
      const c = el('span', 'hex-cell');
      c.setAttribute('role', 'gridcell');
      hex.push(c);
    }
    for (let i = 0; i < this.bytesPerRow; i++) {
      const c = el('span', 'text-cell');
      c.setAttribute('role', 'gridcell');
      text.push(c);
    }
    rowEl.append(...hex, ...text);
    const blank = () => new Array<string>(this.bytesPerRow).fill('\u0000');
    return { el: rowEl, offsetEl, hex, text, hexText: blank(), hexClass: blank(), textText: blank(), textClass: blank(), firstOffset: -1, hidden: false };
  }
}

export function el(tag: string, className: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}
