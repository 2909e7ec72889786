// The Find bar's controls (above the grid): hex / text mode, the pattern, ignore case,
// Previous / Next / All, a progress line with Cancel, a note line and the list of matches.
// Only the view: what the buttons do is search.ts.

import { formatSize } from '../../protocol/size';
import { hexNumber } from '../util/format';
import { button } from '../util/dom';
import { el } from '../grid/grid';

export type SearchMode = 'hex' | 'text';

export interface SearchBarHost {
  step(direction: 1 | -1): void;
  findAll(): void;
  cancel(): void;
  close(): void;
  /** Mode, text or ignore-case changed. */
  queryChanged(): void;
  /** A match in the list was chosen (focusGrid: Enter, go there). */
  choose(index: number, focusGrid: boolean): void;
}

export class SearchBar {
  readonly element: HTMLFormElement;
  readonly input: HTMLInputElement;
  private readonly mode: HTMLSelectElement;
  private readonly ignoreCase: HTMLButtonElement;
  private readonly note: HTMLElement;
  private readonly error: HTMLElement;
  private readonly progressLine: HTMLElement;
  private readonly progressText: HTMLElement;
  private readonly progressBar: HTMLProgressElement;
  private readonly results: HTMLSelectElement;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(parent: HTMLElement, private readonly host: SearchBarHost) {
    this.element = document.createElement('form');
    this.element.className = 'search-bar';
    this.element.setAttribute('role', 'search');
    this.element.setAttribute('aria-label', 'Find in the segment');
    this.element.hidden = true;
    this.element.noValidate = true;

    const row = el('div', 'search-row');
    this.mode = document.createElement('select');
    this.mode.className = 'search-mode';
    this.mode.setAttribute('aria-label', 'Search for');
    for (const [v, label] of [['hex', 'Hex'], ['text', 'Text']]) {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = label;
      this.mode.append(o);
    }
    this.input = document.createElement('input');
    this.input.type = 'text';
    this.input.className = 'search-input';
    this.input.id = 'search-input';
    this.input.spellcheck = false;
    this.input.autocomplete = 'off';
    this.input.setAttribute('aria-label', 'Find');
    this.input.setAttribute('aria-describedby', 'search-error search-note');
    this.ignoreCase = button('search-case', 'Aa', 'Ignore case (text, ASCII letters)');
    this.ignoreCase.setAttribute('aria-pressed', 'false');
    this.ignoreCase.setAttribute('aria-label', 'Ignore case');
    const prev = button('search-prev', '↑', 'Previous match (Shift+Enter, Shift+F3)');
    prev.setAttribute('aria-label', 'Previous match');
    const next = button('search-next', '↓', 'Next match (Enter, F3)');
    next.setAttribute('aria-label', 'Next match');
    const all = button('search-all', 'All', 'Find all matches (up to 1000)');
    const close = button('search-close', '×', 'Close (Escape)');
    close.setAttribute('aria-label', 'Close the Find bar');
    this.note = el('span', 'search-note');
    this.note.id = 'search-note';
    this.note.setAttribute('role', 'status');
    row.append(this.mode, this.input, this.ignoreCase, prev, next, all, this.note, close);

    this.error = el('div', 'search-error');
    this.error.id = 'search-error';
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;

    this.progressLine = el('div', 'search-progress');
    this.progressLine.hidden = true;
    this.progressText = el('span', 'search-progress-text');
    this.progressText.setAttribute('role', 'status');
    this.progressBar = document.createElement('progress');
    this.progressBar.className = 'search-progress-bar';
    this.progressBar.max = 1;
    this.progressBar.setAttribute('aria-label', 'Search progress');
    const cancel = button('search-cancel', 'Cancel', 'Stop searching');
    this.progressLine.append(this.progressText, this.progressBar, cancel);

    this.results = document.createElement('select');
    this.results.className = 'search-results';
    this.results.size = 6;
    this.results.setAttribute('aria-label', 'Matches');
    this.results.hidden = true;

    this.element.append(row, this.error, this.progressLine, this.results);
    parent.append(this.element);

    this.element.addEventListener('submit', (e) => e.preventDefault());
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.isComposing) {
        e.preventDefault();
        this.host.step(e.shiftKey ? -1 : 1);
      }
    });
    this.input.addEventListener('input', () => this.host.queryChanged());
    this.mode.addEventListener('change', () => {
      this.syncCase();
      this.host.queryChanged();
    });
    this.ignoreCase.addEventListener('click', () => {
      this.ignoreCase.setAttribute('aria-pressed', String(!this.caseInsensitive));
      this.host.queryChanged();
    });
    prev.addEventListener('click', () => this.host.step(-1));
    next.addEventListener('click', () => this.host.step(1));
    all.addEventListener('click', () => this.host.findAll());
    cancel.addEventListener('click', () => this.host.cancel());
    close.addEventListener('click', () => this.host.close());
    this.results.addEventListener('change', () => {
      if (this.results.selectedIndex >= 0) this.host.choose(this.results.selectedIndex, false);
    });
    this.results.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && this.results.selectedIndex >= 0) {
        e.preventDefault();
        this.host.choose(this.results.selectedIndex, true);
      }
    });
    // A click on the already selected match does not fire `change`: go there anyway.
    this.results.addEventListener('click', () => {
      if (this.results.selectedIndex >= 0) this.host.choose(this.results.selectedIndex, false);
    });
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.host.close();
      }
    });
    this.syncCase();
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  get searchMode(): SearchMode {
    return this.mode.value === 'text' ? 'text' : 'hex';
  }

  get text(): string {
    return this.input.value;
  }

  get caseInsensitive(): boolean {
    return this.ignoreCase.getAttribute('aria-pressed') === 'true';
  }

  restore(mode: SearchMode, text: string, caseInsensitive: boolean): void {
    this.mode.value = mode;
    this.input.value = text;
    this.ignoreCase.setAttribute('aria-pressed', String(caseInsensitive));
    this.syncCase();
  }

  open(): void {
    this.element.hidden = false;
    this.input.focus();
    this.input.select();
  }

  /** Show the bar without taking the focus (F3 from the grid: its notes must be seen). */
  show(): void {
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
    this.setBusy(false);
  }

  setError(text: string): void {
    this.error.textContent = text;
    this.error.hidden = text === '';
    if (text) this.input.setAttribute('aria-invalid', 'true');
    else this.input.removeAttribute('aria-invalid');
  }

  setNote(text: string): void {
    if (this.note.textContent !== text) this.note.textContent = text;
  }

  /** Searching: show the progress line (after a moment, so quick searches do not flicker). */
  setBusy(busy: boolean, label = 'Searching…'): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    if (!busy) {
      this.progressLine.hidden = true;
      this.element.removeAttribute('aria-busy');
      return;
    }
    this.element.setAttribute('aria-busy', 'true');
    this.progressText.textContent = label;
    this.progressBar.removeAttribute('value'); // indeterminate until the first report
    this.progressTimer = setTimeout(() => { this.progressLine.hidden = false; }, 150);
  }

  progress(done: number, total: number, label = 'Searching…'): void {
    if (total <= 0) return;
    const frac = Math.min(1, done / total);
    this.progressBar.value = frac;
    this.progressText.textContent = `${label} ${Math.floor(frac * 100)}% (${formatSize(done)} of ${formatSize(total)})`;
    if (this.progressTimer) {
      clearTimeout(this.progressTimer);
      this.progressTimer = undefined;
    }
    this.progressLine.hidden = false;
  }

  /** The list of matches (empty list hides it). */
  showResults(offsets: readonly number[]): void {
    const options = offsets.map((o, i) => {
      const opt = document.createElement('option');
      opt.value = String(i);
      opt.textContent = `${hexNumber(o)}  (${o})`;
      return opt;
    });
    this.results.replaceChildren(...options);
    this.results.size = Math.max(2, Math.min(8, offsets.length));
    this.results.hidden = offsets.length === 0;
  }

  /** Mark the list entry of the current match (-1: none). */
  selectResult(index: number): void {
    if (this.results.hidden) return;
    if (this.results.selectedIndex !== index) this.results.selectedIndex = index;
  }

  private syncCase(): void {
    const text = this.searchMode === 'text';
    this.ignoreCase.disabled = !text;
    this.input.placeholder = text ? 'text (UTF-8)' : 'hex bytes, ?? = any byte: de ad ?? ef';
  }
}
