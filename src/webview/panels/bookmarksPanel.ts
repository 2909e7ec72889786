// Bookmarks of the segment (the host's `bookmarks` event): tinted in the grid with their
// colour, listed in a collapsible panel at the right of the grid where each one can be
// jumped to or removed, and added for the current selection (the host asks name and colour).

import type { Bookmark } from '../../protocol/webview';
import { button } from '../util/dom';
import { hexNumber, plural } from '../util/format';
import { el } from '../grid/grid';
import type { EditorPort } from '../port';
import { RangeSet } from '../util/rangeSet';

export interface BookmarksHost {
  port: EditorPort;
  setBookmarks(set: RangeSet<Bookmark>): void;
  /** The panel opened or closed (the side column may change). */
  openChanged(): void;
}

export class BookmarksPanel {
  readonly element: HTMLElement;
  /** The toolbar button that opens and closes the panel. */
  readonly toggle: HTMLButtonElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private bookmarks: Bookmark[] = [];

  constructor(private readonly host: BookmarksHost) {
    this.toggle = button('bookmarks-toggle', 'Bookmarks', 'Show or hide the bookmarks of this segment');
    this.toggle.setAttribute('aria-expanded', 'false');
    this.toggle.setAttribute('aria-controls', 'bookmarks-panel');
    this.element = el('section', 'bookmarks');
    this.element.id = 'bookmarks-panel';
    this.element.setAttribute('aria-labelledby', 'bookmarks-title');
    this.element.hidden = true;
    const head = el('div', 'bookmarks-head');
    const title = el('h2', 'bookmarks-title');
    title.id = 'bookmarks-title';
    title.textContent = 'Bookmarks';
    const add = button('bookmark-add', 'Add…', 'Bookmark the selection (or the byte at the cursor)');
    const close = button('bookmarks-close', '×', 'Hide the bookmarks');
    close.setAttribute('aria-label', 'Hide the bookmarks');
    head.append(title, add, close);
    this.list = el('ul', 'bookmark-list');
    this.list.setAttribute('aria-labelledby', 'bookmarks-title');
    this.empty = el('p', 'bookmarks-empty');
    this.empty.textContent = 'No bookmarks yet. Select some bytes and choose Add.';
    this.element.append(head, this.list, this.empty);

    this.toggle.addEventListener('click', () => this.setOpen(!this.isOpen, true));
    add.addEventListener('click', () => void this.add());
    close.addEventListener('click', () => {
      this.setOpen(false);
      this.toggle.focus();
    });
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.host.port.focusGrid();
      }
    });
    this.render();
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  setOpen(open: boolean, focus = false): void {
    if (open !== this.isOpen) {
      this.element.hidden = !open;
      this.toggle.setAttribute('aria-expanded', String(open));
      this.host.openChanged();
    }
    if (open && focus) (this.list.querySelector<HTMLElement>('.bookmark-go') ?? this.element.querySelector<HTMLElement>('.bookmark-add'))?.focus();
  }

  /** The host's `bookmarks` event. */
  set(bookmarks: readonly (Bookmark | null)[]): void {
    this.bookmarks = bookmarks.filter((b): b is Bookmark => b !== null && typeof b.name === 'string' && Number.isSafeInteger(b.offset) && Number.isSafeInteger(b.length) && b.length > 0)
      .slice().sort((a, b) => a.offset - b.offset || a.name.localeCompare(b.name));
    this.host.setBookmarks(new RangeSet(this.bookmarks));
    this.render();
    this.host.port.redraw();
  }

  /** Bookmark the selection (or the cursor's byte): the host asks for a name and a colour. */
  async add(): Promise<void> {
    const port = this.host.port;
    if (port.doc.size === 0) {
      port.message('The segment is empty: nothing to bookmark', 'error');
      return;
    }
    const sel = port.selection();
    const range = sel.length > 0 ? { offset: sel.start, length: sel.length } : { offset: port.cursor(), length: 1 };
    try {
      const b = await port.rpc.request('addBookmark', range, { timeoutMs: 0 });
      if (b) {
        port.message(`Bookmark '${b.name}' added at ${hexNumber(b.offset)} (${plural(b.length, 'byte')})`, 'info');
        this.setOpen(true);
      }
    } catch (err) {
      // The host already showed the error as a notification.
      port.message(`Bookmark not added: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  private async remove(b: Bookmark): Promise<void> {
    const port = this.host.port;
    try {
      await port.rpc.request('removeBookmark', { name: b.name }, { timeoutMs: 0 });
      port.message(`Bookmark '${b.name}' removed`, 'info');
    } catch (err) {
      port.message(`Bookmark not removed: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  private go(b: Bookmark): void {
    this.host.port.select(b.offset, b.length);
  }

  private render(): void {
    const items = this.bookmarks.map((b) => {
      const li = el('li', 'bookmark');
      li.dataset.name = b.name;
      const range = b.length === 1 ? hexNumber(b.offset) : `${hexNumber(b.offset)}–${hexNumber(b.offset + b.length - 1)}`;
      const go = button('bookmark-go', '', `Go to bookmark '${b.name}' (${range}, ${plural(b.length, 'byte')})`);
      go.setAttribute('aria-label', `${b.name}, ${b.color}, ${range}, ${plural(b.length, 'byte')}`);
      const swatch = el('span', `bookmark-swatch bm-swatch-${b.color}`);
      swatch.setAttribute('aria-hidden', 'true');
      const name = el('span', 'bookmark-name');
      name.textContent = b.name;
      const where = el('span', 'bookmark-range');
      where.textContent = range;
      go.append(swatch, name, where);
      go.addEventListener('click', () => this.go(b));
      const remove = button('bookmark-remove', '×', `Remove bookmark '${b.name}'`);
      remove.setAttribute('aria-label', `Remove bookmark ${b.name}`);
      remove.addEventListener('click', () => void this.remove(b));
      li.append(go, remove);
      return li;
    });
    this.list.replaceChildren(...items);
    this.list.hidden = items.length === 0;
    this.empty.hidden = items.length > 0;
    this.toggle.textContent = this.bookmarks.length ? `Bookmarks (${this.bookmarks.length})` : 'Bookmarks';
  }
}
