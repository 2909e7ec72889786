// The VS Code webview API as this webview uses it, and the shape of its saved state.

import type { BytesPerRow, Grouping } from '../protocol/settings';
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
  layout?: { bytesPerRow: BytesPerRow; grouping: Grouping };
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

/** The view state saved for this document, if any (another segment's state is ignored). */
export function savedViewState(vscode: VsCodeApi, docId: number): SavedViewState | undefined {
  const s = vscode.getState();
  return isSavedViewState(s) && s.docId === docId ? s : undefined;
}

/** Saves the view state a moment after the last change (cursor moves come in bursts). */
export class StateSaver {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly vscode: VsCodeApi, private readonly state: () => SavedViewState) {}

  soon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.vscode.setState(this.state());
    }, 150);
  }
}
