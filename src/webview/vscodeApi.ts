// The VS Code webview API as this webview uses it, and the shape of its saved state.

import type { SavedInspection } from './features';

export interface SavedViewState {
  version: 1;
  /** Document id the state belongs to (state of another segment is ignored). */
  docId: number;
  cursor: number;
  anchor: number;
  column: 'hex' | 'text';
  /** Offset of the first byte of the top visible row. */
  topOffset: number;
  /** Bytes per row / grouping the user picked in the toolbar (overrides the settings). */
  layout?: { bytesPerRow: 0 | 8 | 16 | 32; grouping: 1 | 2 | 4 | 8 };
  livePaused?: boolean;
  /** Inspector byte order, the Find bar's query, bookmarks panel open (features.ts). */
  inspect?: SavedInspection;
}

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

export function isSavedViewState(v: unknown): v is SavedViewState {
  if (!v || typeof v !== 'object') return false;
  const s = v as Partial<SavedViewState>;
  return s.version === 1 && typeof s.docId === 'number' && typeof s.cursor === 'number' && typeof s.anchor === 'number'
    && typeof s.topOffset === 'number' && (s.column === 'hex' || s.column === 'text');
}
