// Layout and scrolling of the grid: measures a row, sets bytes per row (fit to the width or
// chosen), keeps the top row, and turns scroll and wheel events into rows. The grid holds
// only the rows on screen, so the scroll bar follows a model of all rows (layout.ts).

import type { HexSettings } from '../../protocol/webview';
import { offsetDigits } from '../util/format';
import { el, type Grid } from './grid';
import { fitBytesPerRow, maxTopRow, rowForScrollTop, type ScrollModel, scrollRange, scrollTopForRow } from './layout';

export type LayoutChoice = Pick<HexSettings, 'bytesPerRow' | 'grouping'>;

export interface ScrollHost {
  /** The user scrolled to another top row: paint it and remember it. */
  scrolled(): void;
  /** The grid or the font changed size: lay out again (soon). */
  resized(): void;
}

export class Scrolling {
  topRow: number;
  bytesPerRow: number;
  grouping: HexSettings['grouping'] = 1;
  rowHeight = 20;
  charWidth = 8;
  visibleRows = 1;
  /** Bring the cursor's column into view after the next paint (a narrow editor scrolls sideways). */
  revealColumnPending = false;
  private rowElements = 0;
  private expectedScrollTop = 0;
  private wheelRows = 0;
  private readonly probe: HTMLElement;
  private readonly probeCh: HTMLElement;

  /** topOffset: the first byte to show at the top; relayout() turns it into a row. */
  constructor(private readonly grid: Grid, private readonly size: number, topOffset: number, private readonly host: ScrollHost) {
    this.topRow = topOffset;
    this.bytesPerRow = 1;
    this.probe = el('div', 'row probe');
    this.probe.setAttribute('aria-hidden', 'true');
    this.probeCh = el('span', 'probe-ch');
    this.probe.append(this.probeCh);
    grid.element.append(this.probe);
    grid.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    grid.scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    new ResizeObserver(() => host.resized()).observe(grid.scroller);
    new ResizeObserver(() => host.resized()).observe(this.probe);
  }

  get topOffset(): number {
    return this.topRow * this.bytesPerRow;
  }

  /** Measure, apply the layout choice and keep the top byte (and a visible cursor) on screen. */
  relayout(choice: LayoutChoice, cursor: number): void {
    this.measure();
    const topOffset = this.topOffset;
    const cursorRow = Math.floor(cursor / this.bytesPerRow);
    const cursorWasVisible = cursorRow >= this.topRow && cursorRow < this.topRow + this.visibleRows;
    const digits = offsetDigits(this.size);
    this.grouping = choice.grouping;
    this.bytesPerRow = choice.bytesPerRow || fitBytesPerRow(this.grid.scroller.clientWidth, this.charWidth, this.grouping, digits);
    this.grid.configure(this.bytesPerRow, this.grouping, digits);
    const clientHeight = this.grid.scroller.clientHeight;
    const rowCount = Math.ceil(this.size / this.bytesPerRow);
    this.visibleRows = Math.max(1, Math.floor((clientHeight - this.rowHeight) / this.rowHeight));
    this.rowElements = Math.min(rowCount, this.visibleRows + 1);
    this.grid.setRowElements(this.rowElements);
    this.grid.setSizes(clientHeight, scrollRange(this.model()), rowCount);
    this.setTopRow(Math.floor(topOffset / this.bytesPerRow));
    if (cursorWasVisible) this.reveal(cursor, false);
  }

  setTopRow(row: number): void {
    const model = this.model();
    this.topRow = Math.max(0, Math.min(Math.round(row), maxTopRow(model)));
    const top = scrollTopForRow(this.topRow, model);
    this.expectedScrollTop = top;
    if (Math.abs(this.grid.scroller.scrollTop - top) >= 0.5) this.grid.scroller.scrollTop = top;
  }

  /** Scroll so that offset's row is on screen; `center` puts a far row in the middle. */
  reveal(offset: number, center: boolean): void {
    this.revealColumnPending = true;
    const row = Math.floor(offset / this.bytesPerRow);
    if (row >= this.topRow && row < this.topRow + this.visibleRows) return;
    if (center) this.setTopRow(row - Math.floor(this.visibleRows / 2));
    else if (row < this.topRow) this.setTopRow(row);
    else this.setTopRow(row - this.visibleRows + 1);
  }

  /** After a paint: scroll sideways, if a reveal asked for it, until the cursor's cell is in view. */
  revealColumn(cursorCell: () => HTMLElement | null): void {
    if (!this.revealColumnPending) return;
    this.revealColumnPending = false;
    const cell = cursorCell();
    if (!cell) return;
    const scroller = this.grid.scroller;
    const left = scroller.getBoundingClientRect().left;
    const box = cell.getBoundingClientRect();
    const margin = this.charWidth;
    if (box.left < left) scroller.scrollLeft -= left - box.left + margin;
    else if (box.right > left + scroller.clientWidth) scroller.scrollLeft += box.right - (left + scroller.clientWidth) + margin;
  }

  /** The bytes of the rows on screen. */
  visibleRange(): { start: number; end: number } {
    const start = this.topOffset;
    return { start, end: Math.min(this.size, start + this.rowElements * this.bytesPerRow) };
  }

  private measure(): void {
    const h = this.probe.getBoundingClientRect().height;
    const w = this.probeCh.getBoundingClientRect().width / 100;
    if (h > 0) this.rowHeight = Math.max(8, Math.round(h));
    if (w > 0) this.charWidth = w;
    this.grid.element.style.setProperty('--row-px', `${this.rowHeight}px`);
  }

  private model(): ScrollModel {
    return {
      rowCount: Math.ceil(this.size / this.bytesPerRow),
      visibleRows: this.visibleRows,
      rowHeight: this.rowHeight,
      clientHeight: this.grid.scroller.clientHeight,
    };
  }

  private onScroll(): void {
    const st = this.grid.scroller.scrollTop;
    if (Math.abs(st - this.expectedScrollTop) < 1.5) return;
    this.expectedScrollTop = st;
    const row = rowForScrollTop(st, this.model());
    if (row === this.topRow) return;
    this.topRow = row;
    this.host.scrolled();
  }

  private onWheel(e: WheelEvent): void {
    if (e.ctrlKey || e.metaKey) return; // zoom belongs to VS Code
    e.preventDefault();
    let dy = e.deltaY;
    let dx = e.deltaX;
    if (e.shiftKey && dx === 0) { dx = dy; dy = 0; }
    const unit = e.deltaMode === 1 ? this.rowHeight : e.deltaMode === 2 ? this.visibleRows * this.rowHeight : 1;
    if (dx) this.grid.scroller.scrollLeft += dx * (e.deltaMode === 0 ? 1 : this.charWidth * 3);
    if (!dy) return;
    this.wheelRows += (dy * unit) / this.rowHeight;
    const rows = Math.trunc(this.wheelRows);
    if (!rows) return;
    this.wheelRows -= rows;
    this.setTopRow(this.topRow + rows);
    this.host.scrolled();
  }
}
