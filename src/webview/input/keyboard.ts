// Keyboard: which command a key press means in the grid. Pure mapping from the event's
// key and modifiers; the editor carries the commands out.

export type KeyCommand =
  | { kind: 'move'; to: 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'rowStart' | 'rowEnd' | 'docStart' | 'docEnd'; extend: boolean }
  | { kind: 'hexDigit'; value: number }
  | { kind: 'char'; text: string }
  | { kind: 'switchColumn' }
  | { kind: 'goto' }
  | { kind: 'selectAll' }
  | { kind: 'escape' };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  isComposing?: boolean;
}

/** The command for a key press in the grid, or null to let it through (e.g. Ctrl+Z to VS Code). */
export function commandForKey(e: KeyLike, column: 'hex' | 'text', isMac: boolean): KeyCommand | null {
  if (e.isComposing) return null;
  const mod = isMac ? e.metaKey : e.ctrlKey;
  const extend = e.shiftKey;
  if (e.altKey) return null;
  switch (e.key) {
    case 'ArrowLeft': return mod ? null : { kind: 'move', to: 'left', extend };
    case 'ArrowRight': return mod ? null : { kind: 'move', to: 'right', extend };
    case 'ArrowUp': return mod ? null : { kind: 'move', to: 'up', extend };
    case 'ArrowDown': return mod ? null : { kind: 'move', to: 'down', extend };
    case 'PageUp': return { kind: 'move', to: 'pageUp', extend };
    case 'PageDown': return { kind: 'move', to: 'pageDown', extend };
    case 'Home': return { kind: 'move', to: mod ? 'docStart' : 'rowStart', extend };
    case 'End': return { kind: 'move', to: mod ? 'docEnd' : 'rowEnd', extend };
    // Tab moves hex -> text, Shift+Tab text -> hex; otherwise focus leaves the grid (no trap).
    case 'Tab':
      if (mod) return null;
      return (column === 'hex') !== e.shiftKey ? { kind: 'switchColumn' } : null;
    case 'Escape': return { kind: 'escape' };
  }
  if (mod) {
    if (e.key === 'g' || e.key === 'G') return { kind: 'goto' };
    if (e.key === 'a' || e.key === 'A') return { kind: 'selectAll' };
    return null; // Ctrl+Z/Y/S/C/V... belong to VS Code or the clipboard events
  }
  if (isMac && e.ctrlKey) return null;
  if (e.key.length !== 1 && !/^[\ud800-\udbff][\udc00-\udfff]$/.test(e.key)) return null;
  if (column === 'hex') {
    const v = parseInt(e.key, 16);
    return /^[0-9a-fA-F]$/.test(e.key) ? { kind: 'hexDigit', value: v } : null;
  }
  return { kind: 'char', text: e.key };
}

export type MoveTo = Extract<KeyCommand, { kind: 'move' }>['to'];

/** Where a move takes the cursor in a segment of `size` bytes, with `pageRows` rows on screen. */
export function moveTarget(to: MoveTo, cursor: number, bytesPerRow: number, pageRows: number, size: number): number {
  const c = cursor;
  const bpr = bytesPerRow;
  const last = size - 1;
  switch (to) {
    case 'left': return c - 1;
    case 'right': return c + 1;
    case 'up': return c - bpr >= 0 ? c - bpr : c;
    case 'down': return c + bpr <= last ? c + bpr : Math.floor(c / bpr) < Math.floor(last / bpr) ? last : c;
    case 'pageUp': return c - pageRows * bpr >= 0 ? c - pageRows * bpr : c % bpr;
    case 'pageDown': return Math.min(last, c + pageRows * bpr);
    case 'rowStart': return c - (c % bpr);
    case 'rowEnd': return Math.min(last, c - (c % bpr) + bpr - 1);
    case 'docStart': return 0;
    case 'docEnd': return last;
  }
}
