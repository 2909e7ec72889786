// Clipboard formats: what a copy of the selection puts on the clipboard (hex pairs from the
// hex column, decoded text from the text column) and how pasted text becomes bytes.

import { MAX_EDIT_BYTES } from '../../protocol/webview';
import { charOf, hex2 } from '../util/format';
import { parseHexBytes, type ParseResult } from '../util/hexParse';

/** Largest selection copied to the clipboard. */
export const MAX_COPY_BYTES = 16 * 1024 * 1024;
/** Largest paste: one undoable edit, as large as the host accepts. */
export const MAX_PASTE_BYTES = MAX_EDIT_BYTES;
/** Read size when a copy needs bytes that are not cached. */
export const COPY_CHUNK = 1024 * 1024;

export function clipboardText(bytes: Uint8Array, column: 'hex' | 'text'): string {
  if (column === 'hex') return Array.from(bytes, hex2).join(' ');
  return Array.from(bytes, charOf).join('');
}

/** Bytes to write for pasted text: hex in the hex column, UTF-8 text in the text column. */
export function bytesFromClipboard(text: string, column: 'hex' | 'text'): ParseResult<Uint8Array> {
  if (column === 'hex') return parseHexBytes(text);
  return { ok: true, value: new TextEncoder().encode(text) };
}
