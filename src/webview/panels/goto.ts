// The Go to Offset box (Ctrl+G): a small input above the grid. Accepts 0x… (hex),
// digits (decimal) and +N / -N (relative to the cursor); explains invalid input in place.

import { el } from '../grid/grid';
import { parseOffset } from '../util/hexParse';

export interface GotoHost {
  cursor(): number;
  size(): number;
  /** Jump there and give focus back to the grid. */
  go(offset: number): void;
  /** Closed without jumping: give focus back to the grid. */
  cancel(): void;
}

export class GotoBox {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly error: HTMLElement;

  constructor(parent: HTMLElement, private readonly host: GotoHost) {
    this.element = el('form', 'goto');
    this.element.setAttribute('role', 'search');
    this.element.hidden = true;
    const label = document.createElement('label');
    label.className = 'goto-label';
    label.textContent = 'Go to offset';
    this.input = document.createElement('input');
    this.input.className = 'goto-input';
    this.input.type = 'text';
    this.input.spellcheck = false;
    this.input.autocomplete = 'off';
    this.input.placeholder = '0x1000, 4096, +0x10, -16';
    this.input.id = 'goto-input';
    this.input.setAttribute('aria-describedby', 'goto-error');
    label.htmlFor = this.input.id;
    this.error = el('span', 'goto-error');
    this.error.id = 'goto-error';
    this.error.setAttribute('role', 'alert');
    this.element.append(label, this.input, this.error);
    parent.append(this.element);

    this.element.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.close();
        this.host.cancel();
      }
    });
    this.input.addEventListener('input', () => this.setError(''));
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  open(): void {
    this.element.hidden = false;
    this.setError('');
    this.input.value = '';
    this.input.focus();
  }

  close(): void {
    this.element.hidden = true;
    this.setError('');
  }

  private submit(): void {
    const r = parseOffset(this.input.value, this.host.cursor(), this.host.size());
    if (!r.ok) {
      this.setError(r.error);
      this.input.select();
      return;
    }
    this.close();
    this.host.go(r.value);
  }

  private setError(text: string): void {
    this.error.textContent = text;
    this.error.hidden = text === '';
    if (text) this.input.setAttribute('aria-invalid', 'true');
    else this.input.removeAttribute('aria-invalid');
  }
}
