// Mouse selection: a click puts the cursor on a cell (and in its column), Shift+click
// extends, dragging extends and scrolls when the pointer leaves the rows at the top or
// bottom edge.

import type { Column } from '../grid/grid';

export interface PointerHost {
  /** The grid element (listens, captures the pointer). */
  element: HTMLElement;
  /** Bounding box of the rows area. */
  bodyRect(): DOMRect;
  /** Pixels of the rows that are entirely visible. */
  visibleHeight(): number;
  /** Cursor onto offset in column; extend keeps the anchor. */
  pointAt(offset: number, column: Column, extend: boolean): void;
  /** Dragging past an edge: scroll one row (-1 up, +1 down) and extend the selection there. */
  dragScroll(direction: -1 | 1): void;
  focus(): void;
}

/** The cell under an event target: its offset and column, or null. */
export function cellFromTarget(target: EventTarget | null): { offset: number; column: Column } | null {
  const cell = target instanceof Element ? target.closest<HTMLElement>('[data-offset]') : null;
  if (!cell || cell.dataset.offset === undefined) return null;
  return { offset: Number(cell.dataset.offset), column: cell.classList.contains('text-cell') ? 'text' : 'hex' };
}

const AUTOSCROLL_MS = 50;

export class PointerSelection {
  private drag: { pointerId: number; column: Column; x: number; y: number; timer: ReturnType<typeof setInterval> | undefined } | null = null;

  constructor(private readonly host: PointerHost) {
    const g = host.element;
    g.addEventListener('pointerdown', (e) => this.down(e));
    g.addEventListener('pointermove', (e) => this.move(e));
    g.addEventListener('pointerup', (e) => this.end(e));
    g.addEventListener('pointercancel', (e) => this.end(e));
  }

  private down(e: PointerEvent): void {
    if (e.button !== 0) return;
    const hit = cellFromTarget(e.target);
    this.host.focus();
    if (!hit) return;
    e.preventDefault();
    this.host.pointAt(hit.offset, hit.column, e.shiftKey);
    this.host.element.setPointerCapture(e.pointerId);
    this.drag = { pointerId: e.pointerId, column: hit.column, x: e.clientX, y: e.clientY, timer: undefined };
  }

  private move(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.pointerId !== e.pointerId) return;
    d.x = e.clientX;
    d.y = e.clientY;
    this.extend();
    const body = this.host.bodyRect();
    const outside = e.clientY < body.top || e.clientY > body.top + this.host.visibleHeight();
    if (outside && !d.timer) d.timer = setInterval(() => this.extend(), AUTOSCROLL_MS);
    if (!outside && d.timer) {
      clearInterval(d.timer);
      d.timer = undefined;
    }
  }

  /** Extend to the cell under the pointer; past the top or bottom edge, scroll a row. */
  private extend(): void {
    const d = this.drag;
    if (!d) return;
    const body = this.host.bodyRect();
    const bottom = body.top + this.host.visibleHeight();
    if (d.y < body.top) {
      this.host.dragScroll(-1);
      return;
    }
    if (d.y >= bottom) {
      this.host.dragScroll(1);
      return;
    }
    const hit = cellFromTarget(document.elementFromPoint(d.x, d.y));
    if (hit) this.host.pointAt(hit.offset, d.column, true);
  }

  private end(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.pointerId !== e.pointerId) return;
    if (d.timer) clearInterval(d.timer);
    this.drag = null;
    if (this.host.element.hasPointerCapture(e.pointerId)) this.host.element.releasePointerCapture(e.pointerId);
  }
}
