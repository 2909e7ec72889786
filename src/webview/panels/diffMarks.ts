// Differences against a snapshot (the host's `diff` event): the differing bytes are marked in
// the grid, a line above it says how many and against what, and Next / Previous difference
// (buttons, F7 / Shift+F7, the palette) move the cursor from range to range (binary search).

import type { DiffView } from '../../protocol/webview';
import { hexNumber, plural } from '../util/format';
import { button } from '../util/dom';
import { el } from '../grid/grid';
import type { EditorPort } from '../port';
import { RangeSet, type Span, stepRange } from '../util/rangeSet';

export interface DiffHost {
  port: EditorPort;
  setDiff(ranges: RangeSet): void;
}

export class DiffMarks {
  readonly element: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly note: HTMLElement;
  private diff: DiffView | null = null;
  private ranges = new RangeSet<Span>([]);

  constructor(parent: HTMLElement, private readonly host: DiffHost) {
    this.element = el('div', 'diff-bar');
    this.element.setAttribute('role', 'region');
    this.element.setAttribute('aria-label', 'Differences');
    this.element.hidden = true;
    this.summary = el('span', 'diff-summary');
    this.summary.setAttribute('role', 'status');
    const prev = button('diff-prev', '↑ Previous', 'Previous difference (Shift+F7)');
    const next = button('diff-next', '↓ Next', 'Next difference (F7)');
    const clear = button('diff-clear', 'Clear', 'Stop showing the differences');
    this.note = el('span', 'diff-note');
    this.element.append(this.summary, prev, next, clear, this.note);
    parent.append(this.element);
    prev.addEventListener('click', () => this.step(-1));
    next.addEventListener('click', () => this.step(1));
    clear.addEventListener('click', () => void this.clear());
  }

  get active(): boolean {
    return this.diff !== null;
  }

  /** The host's `diff` event (null: no differences shown any more). */
  show(diff: DiffView | null): void {
    this.diff = diff && Array.isArray(diff.ranges) ? diff : null;
    this.ranges = new RangeSet(this.diff ? this.diff.ranges.filter((r) => r.length > 0) : []);
    this.host.setDiff(this.ranges);
    this.note.textContent = '';
    if (!this.diff) {
      this.element.hidden = true;
      this.summary.textContent = '';
    } else {
      const d = this.diff;
      const n = this.ranges.size;
      let text = d.bytes === 0
        ? `No bytes differ from ${d.against}`
        : `${plural(d.bytes, 'byte')} ${d.bytes === 1 ? 'differs' : 'differ'} in ${plural(n, 'range')} vs ${d.against}`;
      if (d.truncated) text += ` (only the first ${plural(n, 'range')} are marked)`;
      this.summary.textContent = text;
      this.element.hidden = false;
    }
    this.host.port.redraw();
  }

  /** Next (1) or previous (-1) differing range from the cursor, wrapping around. */
  step(direction: 1 | -1): void {
    const port = this.host.port;
    if (!this.diff) {
      port.message('No differences to go to: compare with a snapshot first (… menu, Compare with snapshot)', 'info');
      return;
    }
    const r = stepRange(this.ranges, port.cursor(), direction);
    if (!r) {
      port.message(`No bytes differ from ${this.diff.against}`, 'info');
      return;
    }
    const range = this.ranges.items[r.index];
    port.select(range.offset, range.length);
    const where = `Difference ${(r.index + 1).toLocaleString('en-US')} of ${this.ranges.size.toLocaleString('en-US')}: ${hexNumber(range.offset)}, ${plural(range.length, 'byte')}`;
    this.note.textContent = r.wrapped ? `${where} · wrapped around to the ${direction > 0 ? 'first' : 'last'}` : where;
  }

  async clear(): Promise<void> {
    try {
      await this.host.port.rpc.request('clearDiff', {});
      this.show(null); // the host also sends `diff: null`; showing it twice is harmless
    } catch (err) {
      this.host.port.message(`Could not clear the differences: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }
}
