// Live inspection in the webview, put together: data inspector, Find, Copy as, differences,
// bookmarks, C type overlays, the "…" menu and the actions from keys and the host. The editor gives it an
// EditorPort and a few places in its DOM, asks it for the extra classes of each byte, and
// tells it when it painted, when bytes changed and what the host sent.

import { INSPECTOR, pick } from '../protocol/settings';
import type { OverlayView } from '../protocol/overlay';
import type { Bookmark, DiffView, HexSettings } from '../protocol/webview';
import { type Action, ActionRouter, moreActionsMenu } from './input/actions';
import { BookmarksPanel } from './panels/bookmarksPanel';
import { CopyAs } from './input/copyMenu';
import { DiffMarks } from './panels/diffMarks';
import { button } from './util/dom';
import { STRING_PREVIEW } from './inspect/values';
import { InspectorPanel } from './panels/inspectorPanel';
import { Overlays } from './grid/overlays';
import { OverlayPanel } from './panels/overlayPanel';
import type { EditorPort } from './port';
import { isSavedSearch, Search, type SavedSearch } from './search/search';

/** The part of the saved view state that belongs to live inspection. */
export interface SavedInspection {
  littleEndian?: boolean;
  search?: SavedSearch;
  bookmarksOpen?: boolean;
  overlaysOpen?: boolean;
}

export interface InspectionPlaces {
  /** Where toolbar controls go. */
  addToToolbar(...controls: HTMLElement[]): void;
  /** Above the grid (Find bar, differences line). */
  bars: HTMLElement;
  /** The grid's box (position: relative), for the hover popup. */
  body: HTMLElement;
  /** The column at the right of the grid. */
  side: HTMLElement;
}

export class LiveInspection {
  private readonly overlays = new Overlays();
  private readonly inspector: InspectorPanel;
  private readonly search: Search;
  private readonly copyAs: CopyAs;
  private readonly diff: DiffMarks;
  private readonly bookmarks: BookmarksPanel;
  private readonly types: OverlayPanel;
  private readonly actions: ActionRouter;
  private readonly side: HTMLElement;
  /** Bytes at the cursor read for the inspector when the cache does not have them. */
  private fallback: { offset: number; data: Uint8Array } | null = null;
  private fetching = false;
  private fetchFailedAt = -1;
  private endianChosen: boolean;

  constructor(private readonly port: EditorPort, places: InspectionPlaces, settings: HexSettings, saved: SavedInspection | undefined, isMac: boolean) {
    this.side = places.side;
    this.endianChosen = typeof saved?.littleEndian === 'boolean';
    this.inspector = new InspectorPanel(places.side, places.body, {
      port,
      bytesAt: (offset, max) => this.bytesAt(offset, max),
      endianChanged: () => {
        this.endianChosen = true;
        port.stateChanged();
      },
    }, saved?.littleEndian ?? settings.littleEndian);
    this.search = new Search(places.bars, {
      port,
      setMatches: (all, current) => this.overlays.setMatches(all, current),
    });
    if (isSavedSearch(saved?.search)) this.search.restore(saved.search);
    this.diff = new DiffMarks(places.bars, { port, setDiff: (set) => this.overlays.setDiff(set) });
    this.bookmarks = new BookmarksPanel({
      port,
      setBookmarks: (set) => this.overlays.setBookmarks(set),
      openChanged: () => {
        this.updateSide();
        port.stateChanged();
      },
    });
    places.side.append(this.bookmarks.element);
    this.types = new OverlayPanel({
      port,
      setFields: (marks) => this.overlays.setFields(marks),
      setHover: (span) => this.overlays.setHover(span),
      openChanged: () => {
        this.updateSide();
        port.stateChanged();
      },
    });
    places.side.append(this.types.element);
    this.copyAs = new CopyAs(port);
    const find = button('find-button', 'Find…', 'Find hex bytes or text (Ctrl+F)');
    find.addEventListener('click', () => this.search.open());
    const more = moreActionsMenu({ port, addBookmark: () => void this.bookmarks.add(), clearDiff: () => void this.diff.clear() });
    places.addToToolbar(find, this.copyAs.menu.element, this.bookmarks.toggle, this.types.toggle, more.element);
    this.actions = new ActionRouter((a) => this.run(a), isMac);
    document.addEventListener('keydown', (e) => this.actions.fromKey(e));
    if (saved?.bookmarksOpen) this.bookmarks.setOpen(true);
    if (saved?.overlaysOpen) this.types.setOpen(true);
    this.inspector.setMode(pick(settings.inspector, INSPECTOR));
    this.updateSide();
  }

  // ---- from the host -----------------------------------------------------------------

  onSettings(settings: HexSettings): void {
    this.inspector.setMode(pick(settings.inspector, INSPECTOR));
    if (!this.endianChosen) this.inspector.setLittleEndian(settings.littleEndian);
    this.updateSide();
  }

  onBookmarks(bookmarks: readonly Bookmark[]): void {
    this.bookmarks.set(Array.isArray(bookmarks) ? bookmarks : []);
  }

  onDiff(diff: DiffView | null): void {
    this.diff.show(diff);
  }

  /** The C types applied over the segment (ready answer and `overlays` events). */
  onOverlays(overlays: readonly OverlayView[]): void {
    this.types.setOverlays(overlays);
  }

  onAction(action: unknown): void {
    this.actions.fromHost(action);
  }

  /** Bytes changed on the host (edit, undo, revert...). */
  onChanged(): void {
    this.fallback = null;
    this.fetchFailedAt = -1;
    this.types.bytesChanged();
  }

  /** Bytes after the cursor the inspector shows (0 when it is off). */
  get inspectedBytes(): number {
    return this.inspector.displayMode === 'off' ? 0 : STRING_PREVIEW;
  }

  // ---- from the editor ---------------------------------------------------------------

  /** Before painting rows [start, end). */
  prepare(start: number, end: number): void {
    this.overlays.prepare(start, end);
  }

  /** Extra classes of the byte at offset (after prepare). */
  classAt(offset: number): string {
    return this.overlays.classAt(offset);
  }

  /** After painting: the inspector follows the cursor and the bytes. */
  painted(): void {
    this.inspector.update();
    this.types.update();
  }

  /** Escape in the grid: close the Find bar if it is open. True if it did. */
  escape(): boolean {
    if (!this.search.isOpen) return false;
    this.search.close();
    return true;
  }

  saved(): SavedInspection {
    return {
      littleEndian: this.endianChosen ? this.inspector.littleEndian : undefined,
      search: this.search.saved(),
      bookmarksOpen: this.bookmarks.isOpen || undefined,
      overlaysOpen: this.types.saved() || undefined,
    };
  }

  // ---- internals ---------------------------------------------------------------------

  private run(action: Action): void {
    switch (action) {
      case 'find': this.search.open(); break;
      case 'findNext': void this.search.step(1); break;
      case 'findPrevious': void this.search.step(-1); break;
      case 'nextDifference': this.diff.step(1); break;
      case 'previousDifference': this.diff.step(-1); break;
      case 'copyAs': this.copyAs.open(); break;
    }
  }

  private updateSide(): void {
    this.side.hidden = !(this.inspector.displayMode === 'side' || this.bookmarks.isOpen || this.types.isOpen);
    this.side.classList.toggle('with-overlays', this.types.isOpen);
  }

  private bytesAt(offset: number, max: number): { bytes: Uint8Array; missing: boolean } {
    const p = this.port.peek(offset, max);
    if (!p.missing) return p;
    const f = this.fallback;
    if (f && f.offset === offset) return { bytes: f.data.subarray(0, max), missing: false };
    // On screen the host pushes them with the watched window; off screen, read them here.
    if (!this.fetching && this.fetchFailedAt !== offset && !this.port.cursorCell()) {
      this.fetching = true;
      const length = Math.min(max, this.port.doc.size - offset);
      this.port.read(offset, length).then(
        (data) => {
          this.fallback = { offset, data };
          this.port.redraw();
        },
        () => { this.fetchFailedAt = offset; }, // shown as not loaded; the window's push reports read errors
      ).finally(() => { this.fetching = false; });
    }
    return p;
  }
}
