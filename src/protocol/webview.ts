// Messages between the hex editor's webview and the extension host.
// Bytes travel as Uint8Array (structured clone), never as arrays of numbers or hex strings.
import type { OverlayView } from './overlay';
import type { ReadVia } from './segment';
import type { ChangeDirection, TimelinePosition, TimelineSeek, TimelineView } from './timeline';
import type { BytesPerRow, Grouping, InspectorMode } from './settings';
import type { ViewData } from './viewData';

export interface HexDocInfo {
  id: number;
  key: number;
  keyHex: string;
  size: number;
  /** Attached read-only: edits are refused. */
  readOnly: boolean;
  /** Why it is read-only (no write permission, opened read-only...). */
  readOnlyReason?: string;
}

/** Most bytes one `edit` may carry (a paste): the host refuses more, the webview says so first. */
export const MAX_EDIT_BYTES = 16 << 20;
/** Longest text the host puts on the clipboard for the webview (`copy`). */
export const MAX_COPY_CHARS = 64 << 20;

/** Shortest live refresh period (the setting is raised to this). */
export const MIN_LIVE_REFRESH_MS = 50;
/** Longest live refresh period (the setting is lowered to this): the sampler's longest batch interval. */
export const MAX_LIVE_REFRESH_MS = 10_000;

/** The live refresh period a `liveRefresh` setting's value means (0: off; else whole ms, within the limits). */
export function liveRefreshPeriod(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(MAX_LIVE_REFRESH_MS, Math.max(MIN_LIVE_REFRESH_MS, Math.round(value)));
}

export interface HexSettings {
  bytesPerRow: BytesPerRow;
  grouping: Grouping;
  /** Live refresh period of the visible rows in ms; 0 = off. */
  liveRefreshMs: number;
  inspector: InspectorMode;
  littleEndian: boolean;
}

export interface ByteRange { offset: number; length: number }

/** The segment's state as the host last saw it. */
export interface HexDocState {
  dirty: boolean;
  /** The segment was removed, or its id now names another segment. */
  gone: boolean;
  /** Marked for destruction (still readable until the last detach). */
  dest: boolean;
  message?: string;
  /** How the host reads the segment now (its own attachment, another process's mapping, brief attaches). */
  via?: ReadVia;
}

/** Requests the webview sends to the host. */
export type WebviewToHost = {
  /** Everything the webview shows at start, so no event has to wait for it. */
  ready: { params: Record<string, never>; result: ReadyResult };
  /**
   * Bytes as the user sees them (segment contents with pending edits applied), for bytes
   * outside the watched window only: copy, the inspector at a far offset. The window's bytes
   * come pushed in `view`.
   */
  read: { params: ByteRange; result: { offset: number; data: Uint8Array } };
  /** Overwrite bytes at offset (one undoable edit). Rejects for read-only documents or ranges past the end. */
  edit: { params: { offset: number; data: Uint8Array; label?: string }; result: null };
  /** Put text on the clipboard (the webview cannot in all hosts). */
  copy: { params: { text: string }; result: null };
  /** Search the live segment in the agent (progress and cancel through the Rpc options). */
  search: { params: { pattern: Uint8Array; mask?: Uint8Array; caseInsensitive?: boolean; from: number; backwards?: boolean; max: number }; result: { offsets: number[]; truncated: boolean } };
  /** Save bytes [offset, offset+length) to a file the host asks for (save dialog, progress). null = cancelled. */
  exportRange: { params: ByteRange; result: { path: string; bytes: number } | null };
  /** Ask for a file and write it at offset as one undoable edit. null = cancelled. */
  importFile: { params: { offset: number }; result: { path: string; bytes: number } | null };
  /** Ask for a name and colour and bookmark the range; the host then sends `bookmarks`. null = cancelled. */
  addBookmark: { params: ByteRange; result: Bookmark | null };
  removeBookmark: { params: { name: string }; result: null };
  /** Take a snapshot of the live segment into the extension's storage. */
  takeSnapshot: { params: Record<string, never>; result: SnapshotInfo | null };
  /** Let the user pick a snapshot and compare the live segment with it; the host then sends `diff`. */
  compareWithSnapshot: { params: Record<string, never>; result: null };
  /** Stop showing differences. */
  clearDiff: { params: Record<string, never>; result: null };
  /**
   * Run "Apply C Type…" for this editor (the host asks for the type, where and how many; the
   * cursor is offered as the place). The host then sends `overlays`. False = cancelled.
   */
  applyCType: { params: { cursor: number }; result: boolean };
  /** Remove one overlay (by OverlayView.id); the host then sends `overlays`. */
  removeOverlay: { params: { id: string }; result: null };
  /** "Verify Layout with the Compiler" for one overlay: the host reports in a message and its output. */
  verifyOverlay: { params: { id: string }; result: null };
  /**
   * Watch a value over time in the Shared Memory: Watch view: a field of an overlay (its
   * OverlayView.id and the field's path as the panel writes it, `[2].hdr.seq`) or the value at an
   * offset read as an inspector type (`int32`, `float64be`). False: the user cancelled.
   */
  watchValue: { params: WatchTarget; result: boolean };
  /** A timeline (a recording opened in the editor) only: move to a frame, a time or a step; the grid's bytes follow in `view`. */
  timelineSeek: { params: TimelineSeek; result: TimelinePosition };
  /**
   * A timeline only: move to the previous (-1) or next (1) frame where any byte of the range
   * changed. null: there is none that way (the timeline stays).
   */
  timelineChange: { params: ByteRange & { direction: ChangeDirection }; result: TimelinePosition | null };
};

export type WatchTarget = { overlay: string; path: string } | { offset: number; type: string };

export interface ReadyResult {
  doc: HexDocInfo;
  settings: HexSettings;
  state: HexDocState;
  bookmarks: Bookmark[];
  /** Differences shown in this segment's editors, if any. */
  diff: DiffView | null;
  /** C types applied over this segment (the host sends `overlays` when they change). */
  overlays: OverlayView[];
  /** A recording opened as a timeline (read-only bytes of the moment shown), else null. */
  timeline: TimelineView | null;
}

export type BookmarkColor = 'red' | 'orange' | 'yellow' | 'green' | 'blue' | 'purple';

export interface Bookmark { name: string; offset: number; length: number; color: BookmarkColor }

export interface SnapshotInfo { name: string; label: string; created: number; size: number }

/** Differences between the live segment and a snapshot (or two snapshots). */
export interface DiffView {
  /** What the segment is compared with, e.g. "snapshot 'before' (12:01:33)". */
  against: string;
  /** Differing ranges, in offset order, adjacent bytes merged. */
  ranges: ByteRange[];
  /** Differing bytes in all. */
  bytes: number;
  /** More ranges differed than were sent. */
  truncated: boolean;
}

/** Notifications the host sends to the webview. */
export type HostToWebviewEvents = {
  state: HexDocState;
  settings: HexSettings;
  /** Move the cursor (from a command such as Go to Offset in the palette). */
  goto: { offset: number; length?: number };
  /** This segment's bookmarks, whenever they change (the ready answer has the first list). */
  bookmarks: { bookmarks: Bookmark[] };
  /** Differences to mark, or null to clear them (the ready answer has those shown at start). */
  diff: { diff: DiffView | null };
  /** Run a webview action from a palette command or keybinding. */
  action: { action: 'find' | 'findNext' | 'findPrevious' | 'nextDifference' | 'previousDifference' | 'copyAs' };
  /** The watched window as the user sees it (see ViewUpdate). */
  view: ViewUpdate;
  /** This segment's overlays, whenever they change (applied, removed, header re-read). */
  overlays: { overlays: OverlayView[] };
  /** A timeline moved (from this editor, another editor of the recording, or a Watch plot click). */
  timeline: TimelinePosition;
};

/**
 * The host's push of the window the webview `watch`es: the bytes from the first to the last
 * one that differ from the previous push, and the ranges of the window that hold pending edits
 * (always all of them). `cause` says why: 'all' (the whole window: after a `watch` or a failed
 * read), 'edit' (edit, undo, redo, save, revert: shown at once, no heat), 'poll' (live
 * refresh found another process's write), 'frame' (a timeline moved to another moment: heat
 * relative to the moment shown before). `data` is hex text for small spans (viewData.ts).
 * Or why the window could not be read.
 */
export type ViewUpdate =
  | { window: ByteRange; offset: number; data: ViewData; pending: ByteRange[]; cause: 'all' | 'edit' | 'poll' | 'frame' }
  | { window: ByteRange; error: string };

/** Requests the host sends to the webview. */
export type HostToWebview = {
  selection: { params: Record<string, never>; result: ByteRange & { cursor: number } };
};

/** Notifications the webview sends to the host. */
export type WebviewEvents = {
  /**
   * The window the webview shows (the rows in view plus a margin; length 0: none) and whether
   * live refresh should poll it (false while paused or hidden). The host pushes all of the
   * window at once, then what changes in it (`view`).
   */
  watch: WatchParams;
};

export interface WatchParams extends ByteRange {
  live: boolean;
}
