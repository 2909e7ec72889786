// A toolbar button that opens a small menu (WAI-ARIA menu button): Enter/Space/ArrowDown
// open it on the first item, arrows/Home/End move, Enter runs, Escape closes and gives the
// focus back to the button, Tab or a click elsewhere closes it.

import { el } from '../grid/grid';

export interface MenuItem {
  id: string;
  label: string;
  /** Shown after the label (a key, a note). */
  hint?: string;
  run(): void;
}

export class MenuButton {
  readonly element: HTMLElement;
  readonly button: HTMLButtonElement;
  private readonly menu: HTMLElement;
  private readonly items: HTMLButtonElement[] = [];
  private readonly onOutside = (e: Event) => {
    if (!this.element.contains(e.target as Node)) this.close(false);
  };

  constructor(className: string, text: string, title: string, private readonly entries: readonly MenuItem[]) {
    this.element = el('span', `menu-wrap ${className}-wrap`);
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = className;
    this.button.textContent = text;
    this.button.title = title;
    this.button.setAttribute('aria-haspopup', 'menu');
    this.button.setAttribute('aria-expanded', 'false');
    this.menu = el('div', 'menu');
    this.menu.setAttribute('role', 'menu');
    this.menu.id = `${className}-menu`;
    this.menu.setAttribute('aria-label', title);
    this.menu.hidden = true;
    this.button.setAttribute('aria-controls', this.menu.id);
    for (const entry of entries) {
      const item = document.createElement('button');
      item.type = 'button';
      item.className = 'menu-item';
      item.dataset.id = entry.id;
      item.setAttribute('role', 'menuitem');
      item.tabIndex = -1;
      const label = el('span', 'menu-label');
      label.textContent = entry.label;
      item.append(label);
      if (entry.hint) {
        const hint = el('span', 'menu-hint');
        hint.textContent = entry.hint;
        item.append(hint);
      }
      item.addEventListener('click', () => this.activate(entry));
      this.items.push(item);
      this.menu.append(item);
    }
    this.element.append(this.button, this.menu);

    this.button.addEventListener('click', () => (this.isOpen ? this.close(true) : this.open()));
    this.button.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.open(e.key === 'ArrowUp' ? this.items.length - 1 : 0);
      }
    });
    this.menu.addEventListener('keydown', (e) => this.onKey(e));
    this.menu.addEventListener('focusout', (e) => {
      if (this.isOpen && !this.element.contains(e.relatedTarget as Node | null)) this.close(false);
    });
  }

  get isOpen(): boolean {
    return !this.menu.hidden;
  }

  /** Open on item `index` (idempotent: an open menu just takes the focus). */
  open(index = 0): void {
    if (!this.isOpen) {
      this.menu.hidden = false;
      this.button.setAttribute('aria-expanded', 'true');
      document.addEventListener('pointerdown', this.onOutside, true);
    }
    this.items[Math.max(0, Math.min(index, this.items.length - 1))]?.focus();
  }

  close(returnFocus: boolean): void {
    if (!this.isOpen) return;
    this.menu.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', this.onOutside, true);
    if (returnFocus) this.button.focus();
  }

  private activate(entry: MenuItem): void {
    this.close(false);
    entry.run();
  }

  private onKey(e: KeyboardEvent): void {
    const i = this.items.indexOf(document.activeElement as HTMLButtonElement);
    const n = this.items.length;
    let to = -1;
    switch (e.key) {
      case 'ArrowDown': to = (i + 1) % n; break;
      case 'ArrowUp': to = (i - 1 + n) % n; break;
      case 'Home': to = 0; break;
      case 'End': to = n - 1; break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        this.close(true);
        return;
      case 'Tab':
        this.close(false);
        return;
      default: {
        // First letter jumps to the next item starting with it.
        if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
          const k = e.key.toLowerCase();
          for (let s = 1; s <= n; s++) {
            const j = (i + s) % n;
            if (this.entries[j].label.toLowerCase().startsWith(k)) { to = j; break; }
          }
        }
      }
    }
    if (to >= 0) {
      e.preventDefault();
      e.stopPropagation();
      this.items[to].focus();
    }
  }
}
