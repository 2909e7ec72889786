// The DOM events the editor answers besides scrolling: keys in the grid, Ctrl+G anywhere,
// paste / copy / cut outside text inputs, the mouse (pointer.ts), focus and visibility.

import type { Column, Grid } from '../grid/grid';
import { commandForKey, type KeyCommand } from './keyboard';
import { PointerSelection } from './pointer';

export interface InputHost {
  readonly isMac: boolean;
  column(): Column;
  run(cmd: KeyCommand): void;
  openGoto(): void;
  paste(text: string): void;
  copy(e: ClipboardEvent): void;
  /** A click or drag put the cursor on offset in column (extend: Shift or a drag). */
  pointAt(offset: number, column: Column, extend: boolean): void;
  /** A drag past the top or bottom edge: scroll one row that way and extend the selection. */
  dragScroll(direction: -1 | 1): void;
  visibleHeight(): number;
  focusGrid(): void;
  focused(): void;
  visibilityChanged(): void;
}

export function listenToInput(grid: Grid, host: InputHost): void {
  const g = grid.element;
  g.addEventListener('keydown', (e) => {
    const cmd = commandForKey(e, host.column(), host.isMac);
    if (!cmd) return;
    e.preventDefault();
    e.stopPropagation();
    host.run(cmd);
  });
  document.addEventListener('keydown', (e) => {
    const mod = host.isMac ? e.metaKey : e.ctrlKey;
    if (mod && !e.altKey && (e.key === 'g' || e.key === 'G')) {
      e.preventDefault();
      e.stopPropagation();
      host.openGoto();
    }
  });
  document.addEventListener('paste', (e) => {
    if (isTextInput(e.target)) return;
    e.preventDefault();
    host.paste(e.clipboardData?.getData('text/plain') ?? '');
  });
  document.addEventListener('copy', (e) => {
    if (isTextInput(e.target)) return;
    host.copy(e);
  });
  document.addEventListener('cut', (e) => {
    if (isTextInput(e.target)) return;
    e.preventDefault();
    host.copy(e);
  });
  new PointerSelection({
    element: g,
    bodyRect: () => grid.bodyRect(),
    visibleHeight: () => host.visibleHeight(),
    pointAt: (offset, column, extend) => host.pointAt(offset, column, extend),
    dragScroll: (direction) => host.dragScroll(direction),
    focus: () => host.focusGrid(),
  });
  g.addEventListener('focus', () => host.focused());
  document.addEventListener('visibilitychange', () => host.visibilityChanged());
  // When VS Code focuses the webview, keys should reach the grid.
  window.addEventListener('focus', () => {
    if (document.activeElement === document.body || document.activeElement === null) host.focusGrid();
  });
}

function isTextInput(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
}
