// The toolbar: bytes per row, grouping, Go to Offset, live-refresh pause/resume, and a
// short description of the segment.

import { BYTES_PER_ROW, type BytesPerRow, GROUPING, type Grouping } from '../../protocol/settings';
import { el } from '../grid/grid';
import { button } from '../util/dom';

export interface ToolbarHost {
  setLayout(bytesPerRow: BytesPerRow, grouping: Grouping): void;
  openGoto(): void;
  toggleLive(): void;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly bpr: HTMLSelectElement;
  private readonly grouping: HTMLSelectElement;
  private readonly live: HTMLButtonElement;
  private readonly info: HTMLElement;

  constructor(parent: HTMLElement, host: ToolbarHost) {
    this.element = el('div', 'toolbar');
    this.element.setAttribute('role', 'toolbar');
    this.element.setAttribute('aria-label', 'Hex editor');
    this.bpr = select('bytes-per-row', BYTES_PER_ROW.choices.map((n) => [String(n), n === 0 ? 'Fit' : String(n)]));
    this.grouping = select('grouping', GROUPING.choices.map((n) => [String(n), String(n)]));
    const onLayout = () => host.setLayout(Number(this.bpr.value) as BytesPerRow, Number(this.grouping.value) as Grouping);
    this.bpr.addEventListener('change', onLayout);
    this.grouping.addEventListener('change', onLayout);
    const goto = button('goto-button', 'Go to…', 'Go to offset (Ctrl+G)');
    goto.addEventListener('click', () => host.openGoto());
    this.live = button('live-toggle', 'Pause', 'Pause live refresh');
    this.live.addEventListener('click', () => host.toggleLive());
    this.info = el('span', 'doc-info');
    this.element.append(labelled('Bytes per row', this.bpr), labelled('Group', this.grouping), goto, this.live, this.info);
    parent.append(this.element);
  }

  showLayout(bytesPerRow: BytesPerRow, grouping: Grouping): void {
    this.bpr.value = String(bytesPerRow);
    this.grouping.value = String(grouping);
  }

  showLive(enabled: boolean, paused: boolean): void {
    this.live.hidden = !enabled;
    this.live.textContent = paused ? 'Resume' : 'Pause';
    this.live.title = paused ? 'Resume live refresh' : 'Pause live refresh';
    this.live.setAttribute('aria-pressed', String(paused));
  }

  /** Add controls after the built-in ones (before the segment description). */
  insert(...controls: HTMLElement[]): void {
    for (const c of controls) this.element.insertBefore(c, this.info);
  }

  setInfo(text: string): void {
    this.info.textContent = text;
  }
}

function select(className: string, options: [string, string][]): HTMLSelectElement {
  const s = document.createElement('select');
  s.className = className;
  for (const [value, label] of options) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    s.append(o);
  }
  return s;
}

function labelled(text: string, control: HTMLElement): HTMLElement {
  const label = el('label', 'toolbar-field');
  const span = el('span', 'toolbar-label');
  span.textContent = text;
  label.append(span, control);
  return label;
}

