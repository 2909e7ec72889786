// What the live-inspection parts (inspector, search, copy as, differences, bookmarks, actions)
// may do with the hex editor: a narrow interface, so they never reach into its internals and
// the editor does not have to know them beyond this file.

import type { Rpc } from '../protocol/rpc';
import type { HexDocInfo, HostToWebview, HostToWebviewEvents, WebviewEvents, WebviewToHost } from '../protocol/webview';

export type HexRpc = Rpc<HostToWebview, WebviewToHost, HostToWebviewEvents, WebviewEvents>;

export interface EditorPort {
  readonly doc: HexDocInfo;
  readonly rpc: HexRpc;
  cursor(): number;
  /** The selection; length 0 when only the cursor is set. */
  selection(): { start: number; length: number };
  /**
   * Up to `max` bytes from offset out of the watched window. Stops early at the end of the
   * segment, at an unreadable byte, or (missing = true) at a byte not loaded yet.
   */
  peek(offset: number, max: number): { bytes: Uint8Array; missing: boolean };
  /** One `read` request (at most 1 MiB). */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** Why edits are refused (read-only, empty), or null if they are allowed. */
  editRefusal(): string | null;
  /** Overwrite bytes as one undoable edit with this label (the caller checked editRefusal). */
  write(offset: number, data: Uint8Array, label: string): void;
  /** Select [offset, offset + length) (length <= 1: just the cursor), cursor on the first byte, and scroll it into view. */
  select(offset: number, length: number): void;
  /** The on-screen cell of the cursor in the active column, if it is on screen. */
  cursorCell(): HTMLElement | null;
  /** Live refresh's heat of the byte at offset: 0 (not recently changed) .. MAX_HEAT. */
  heat(offset: number): number;
  /** Live refresh's cooling steps so far (LiveRefresh.steps). */
  heatSteps(): number;
  /** A short line in the message area. */
  message(text: string, kind?: 'info' | 'error', ms?: number): void;
  /** Paint again soon (marks changed). */
  redraw(): void;
  focusGrid(): void;
  /** Something in the saved view state changed. */
  stateChanged(): void;
}
