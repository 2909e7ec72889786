// The host's answers to a hex editor webview's requests. Each handler validates its params
// first (validate.ts) and rejects with a clear message; nothing here throws past the Rpc.
// vscode-free: the clipboard, settings and the live-inspection flows (dialogs, stores,
// progress) come in as functions.
import type { Handlers } from '../../protocol/rpc';
import type { OverlayView } from '../../protocol/overlay';
import type { Bookmark, ByteRange, DiffView, HexSettings, SnapshotInfo, WatchTarget, WebviewToHost } from '../../protocol/webview';
import type { HexDocument } from './document';
import {
  checkAddBookmark, checkApplyCType, checkCopy, checkEdit, checkExportRange, checkImportFile, checkNoParams, checkOverlayId, checkRead, checkRemoveBookmark, checkSearch, checkTimelineChange, checkTimelineSeek, checkWatchValue,
  InvalidRequest,
} from './validate';
import type { TimelineControl } from './byteSource';

/** Live inspection (issue 5) as the webview reaches it; params arrive validated. */
export interface InspectOps {
  /** What a fresh webview shows at start: the segment's bookmarks and the differences shown. */
  initial(doc: HexDocument): { bookmarks: Bookmark[]; diff: DiffView | null };
  /** Save dialog, then the range (pending edits included) to that file. null = cancelled. */
  exportRange(doc: HexDocument, range: ByteRange, signal?: AbortSignal): Promise<{ path: string; bytes: number } | null>;
  /** Open dialog, then the file at offset as one undoable edit. null = cancelled. */
  importFile(doc: HexDocument, offset: number): Promise<{ path: string; bytes: number } | null>;
  /** Name and colour from the user; every webview of the segment gets `bookmarks`. null = cancelled. */
  addBookmark(doc: HexDocument, range: ByteRange): Promise<Bookmark | null>;
  removeBookmark(doc: HexDocument, name: string): Promise<void>;
  takeSnapshot(doc: HexDocument): Promise<SnapshotInfo | null>;
  /** Pick a snapshot, compare, send `diff` to the document's webviews. */
  compareWithSnapshot(doc: HexDocument): Promise<void>;
  clearDiff(doc: HexDocument): void;
}

/** Typed overlays (issue 11) as the webview reaches them; params arrive validated. */
export interface OverlayOps {
  /** The overlays shown at start. */
  initial(doc: HexDocument): Promise<OverlayView[]>;
  /** "Apply C Type…" with the cursor offered as the place; every webview of the segment gets `overlays`. False = cancelled. */
  apply(doc: HexDocument, cursor: number): Promise<boolean>;
  remove(doc: HexDocument, id: string): Promise<void>;
  /** "Verify Layout with the Compiler" for one overlay (reports to the user itself). */
  verify(doc: HexDocument, id: string): Promise<void>;
}

export interface HandlerDeps {
  settings(): HexSettings;
  copy(text: string): Promise<void>;
  inspect: InspectOps;
  overlays: OverlayOps;
  /** Watch a value in the Watch view (already checked against the segment); false = cancelled. */
  watchValue(doc: HexDocument, target: WatchTarget): Promise<boolean>;
}

function timelineOf(doc: HexDocument, method: string): TimelineControl {
  const t = doc.source.timeline;
  if (!t) throw new InvalidRequest(method, 'this editor shows a live segment, not a recording');
  return t;
}

export function createHandlers(doc: HexDocument, deps: HandlerDeps): Handlers<WebviewToHost> {
  return {
    ready: async () => {
      // A fresh look at the segment, so a banner shows from the first paint.
      const state = await doc.refreshStatus().catch(() => doc.state);
      const overlays = await deps.overlays.initial(doc).catch(() => []);
      return { doc: doc.info, settings: deps.settings(), state, ...deps.inspect.initial(doc), overlays, timeline: doc.source.timeline?.view() ?? null };
    },

    // Bytes outside the watched window (the window's own are pushed: viewport.ts).
    read: async (p) => {
      const { offset, length } = checkRead(p, doc.size);
      return { offset, data: await doc.read(offset, length) };
    },

    edit: async (p) => {
      const { offset, data, label } = checkEdit(p, doc.size);
      await doc.edit(offset, data, label || 'Edit');
      return null;
    },

    copy: async (p) => {
      const { text } = checkCopy(p);
      await deps.copy(text);
      return null;
    },

    search: async (p, ctx) => {
      const q = checkSearch(p, doc.size);
      const r = await doc.search(q, ctx.signal, (done, total) => ctx.progress(done, total));
      return { offsets: [...r.offsets], truncated: r.truncated };
    },

    exportRange: async (p, ctx) => {
      const range = checkExportRange(p, doc.size);
      return deps.inspect.exportRange(doc, range, ctx.signal);
    },

    importFile: async (p) => {
      const { offset } = checkImportFile(p, doc.size);
      return deps.inspect.importFile(doc, offset);
    },

    addBookmark: async (p) => {
      const range = checkAddBookmark(p, doc.size);
      return deps.inspect.addBookmark(doc, range);
    },

    removeBookmark: async (p) => {
      const { name } = checkRemoveBookmark(p);
      await deps.inspect.removeBookmark(doc, name);
      return null;
    },

    takeSnapshot: async (p) => {
      checkNoParams('takeSnapshot', p);
      return deps.inspect.takeSnapshot(doc);
    },

    compareWithSnapshot: async (p) => {
      checkNoParams('compareWithSnapshot', p);
      await deps.inspect.compareWithSnapshot(doc);
      return null;
    },

    clearDiff: (p) => {
      checkNoParams('clearDiff', p);
      deps.inspect.clearDiff(doc);
      return null;
    },

    applyCType: async (p) => {
      const { cursor } = checkApplyCType(p, doc.size);
      return deps.overlays.apply(doc, cursor);
    },

    removeOverlay: async (p) => {
      const { id } = checkOverlayId('removeOverlay', p);
      await deps.overlays.remove(doc, id);
      return null;
    },

    verifyOverlay: async (p) => {
      const { id } = checkOverlayId('verifyOverlay', p);
      await deps.overlays.verify(doc, id);
      return null;
    },

    watchValue: (p) => deps.watchValue(doc, checkWatchValue(p, doc.size)),

    timelineSeek: (p) => timelineOf(doc, 'timelineSeek').seek(checkTimelineSeek(p)),

    timelineChange: (p) => {
      const { direction, ...range } = checkTimelineChange(p, doc.size);
      return timelineOf(doc, 'timelineChange').findChange(range, direction);
    },
  };
}
