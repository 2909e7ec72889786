// How a `view` push carries its bytes. Small spans (what a live poll usually finds) travel as
// hex text: a typed array sends VS Code's webview message down its binary path (the buffer
// extracted, a mixed-argument RPC, a binary websocket frame read back through a Blob), which
// at ten pushes a second cost the extension host and the browser more than the bytes are worth.
// Larger spans (a whole window) stay a Uint8Array, where the binary path pays off.

/** Spans up to this many bytes are sent as hex text. */
export const HEX_MAX = 4096;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** What a push's `data` is: bytes, or the same bytes as lowercase hex text. */
export type ViewData = Uint8Array | string;

export function encodeViewData(bytes: Uint8Array): ViewData {
  if (bytes.length > HEX_MAX) return bytes;
  let s = '';
  for (const b of bytes) s += HEX[b];
  return s;
}

/** The bytes of a push's `data`; a malformed hex text gives none (the host never sends one). */
export function decodeViewData(data: ViewData): Uint8Array {
  if (typeof data !== 'string') return data;
  if (data.length % 2 !== 0 || !/^[0-9a-f]*$/.test(data)) return new Uint8Array(0);
  const out = new Uint8Array(data.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(data.slice(2 * i, 2 * i + 2), 16);
  return out;
}
