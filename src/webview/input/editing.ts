// Edits typed or pasted in the grid: a hex digit waits for its partner (the pending nibble),
// characters and pasted bytes overwrite from the cursor. Each edit is a request to the host;
// the new bytes and their pending mark come back in the pushed window (viewWindow.ts).

import type { HexDocInfo } from '../../protocol/webview';
import type { Column } from '../grid/grid';
import type { HexRpc } from '../port';
import { formatSize } from '../../protocol/size';
import { plural } from '../util/format';
import { bytesFromClipboard, MAX_PASTE_BYTES } from './clipboard';
import type { Selection } from './selection';

export interface EditHost {
  readonly doc: HexDocInfo;
  readonly rpc: HexRpc;
  readonly sel: Selection;
  column(): Column;
  message(text: string, kind: 'info' | 'error'): void;
  moveCursor(offset: number, extend: boolean): void;
  /** The selection changed: show it (scrolled into view) and remember it. */
  selectionChanged(): void;
  render(): void;
}

export class Editing {
  /** The first hex digit typed at offset, waiting for the second. */
  nibble: { offset: number; high: number } | null = null;

  constructor(private readonly host: EditHost) {}

  /** Why edits are refused, or null. */
  refusal(): string | null {
    const doc = this.host.doc;
    if (doc.size <= 0) return 'The segment is empty: nothing to edit';
    if (doc.readOnly) return `Read-only: ${doc.readOnlyReason ?? 'this segment is open read-only'}. Nothing was changed.`;
    return null;
  }

  typeNibble(value: number): void {
    if (this.refuse()) return;
    const sel = this.host.sel;
    const at = sel.cursor;
    if (sel.hasRange) sel.moveTo(at, false);
    if (!this.nibble || this.nibble.offset !== at) {
      this.nibble = { offset: at, high: value };
      this.host.render();
      return;
    }
    const byte = (this.nibble.high << 4) | value;
    this.nibble = null;
    this.write(at, Uint8Array.of(byte), 'Typing');
    this.host.moveCursor(Math.min(at + 1, this.host.doc.size - 1), false);
  }

  typeText(text: string): void {
    if (this.refuse()) return;
    const at = this.host.sel.cursor;
    const bytes = new TextEncoder().encode(text).slice(0, this.host.doc.size - at);
    if (bytes.length === 0) return;
    this.write(at, bytes, 'Typing');
    this.host.moveCursor(Math.min(at + bytes.length, this.host.doc.size - 1), false);
  }

  paste(text: string): void {
    if (this.refuse()) return;
    const { sel, doc } = this.host;
    const parsed = bytesFromClipboard(text, this.host.column());
    if (!parsed.ok) {
      this.host.message(`Cannot paste: ${parsed.error}`, 'error');
      return;
    }
    let data = parsed.value;
    if (data.length > MAX_PASTE_BYTES) {
      this.host.message(`Cannot paste ${formatSize(data.length)}: at most ${formatSize(MAX_PASTE_BYTES)} at a time`, 'error');
      return;
    }
    if (data.length === 0) {
      this.host.message('Nothing to paste', 'info');
      return;
    }
    const start = sel.hasRange ? sel.range().start : sel.cursor;
    const room = doc.size - start;
    const total = data.length;
    if (total > room) {
      data = data.slice(0, room);
      this.host.message(`Pasted ${plural(room, 'byte')} of ${total}: the rest would be past the end of the segment`, 'info');
    }
    this.nibble = null;
    this.write(start, data, 'Paste');
    sel.select(start, data.length);
    this.host.selectionChanged();
  }

  /** Ask the host for the edit; the bytes (and their pending mark) come back pushed in `view`. */
  write(offset: number, data: Uint8Array, label: string): void {
    const bytes = data.slice(); // compact copy: structured clone sends the whole buffer
    this.host.rpc.request('edit', { offset, data: bytes, label }).then(undefined, (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      this.host.message(`Edit refused: ${message}`, 'error');
    });
  }

  private refuse(): boolean {
    const refusal = this.refusal();
    if (refusal) this.host.message(refusal, 'error');
    return refusal !== null;
  }
}
