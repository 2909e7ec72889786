// "Copy as": the selection (or the byte at the cursor) as hex, a C array, Base64 or text, from
// a toolbar menu or the `copyAs` action. The bytes are read through `read` in chunks of at
// most 1 MiB (pending edits included), and the text goes to the clipboard through the host.

import { MAX_COPY_CHARS } from '../../protocol/webview';
import { COPY_CHUNK, MAX_COPY_BYTES } from './clipboard';
import { formatSize } from '../../protocol/size';
import { plural } from '../util/format';
import { COPY_FORMATS, formatBytes, type CopyFormat } from '../inspect/copyFormats';
import { MenuButton } from './menu';
import type { EditorPort } from '../port';

/** Read [start, start + length) in requests of at most COPY_CHUNK bytes. */
export async function readRange(port: EditorPort, start: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let o = 0; o < length; o += COPY_CHUNK) {
    const n = Math.min(COPY_CHUNK, length - o);
    const data = await port.read(start + o, n, signal);
    if (data.length !== n) throw new Error(`short read at 0x${(start + o).toString(16)}: ${data.length} of ${n} bytes`);
    out.set(data, o);
  }
  return out;
}

export class CopyAs {
  readonly menu: MenuButton;
  private busy = false;

  constructor(private readonly port: EditorPort) {
    this.menu = new MenuButton('copy-as', 'Copy as…', 'Copy the selection as hex, C array, Base64 or text',
      COPY_FORMATS.map((f) => ({ id: f.format, label: f.label, run: () => void this.copy(f.format) })));
  }

  /** The `copyAs` action: open the menu on its first format (idempotent). */
  open(): void {
    this.menu.open(0);
  }

  async copy(format: CopyFormat): Promise<void> {
    const port = this.port;
    const label = COPY_FORMATS.find((f) => f.format === format)?.label ?? format;
    const sel = port.selection();
    const start = sel.length > 0 ? sel.start : port.cursor();
    const length = sel.length > 0 ? sel.length : port.doc.size > 0 ? 1 : 0;
    if (length === 0) {
      port.message('Nothing to copy: the segment is empty', 'error');
      return;
    }
    if (length > MAX_COPY_BYTES) {
      port.message(`Selection too large to copy (${formatSize(length)}; at most ${formatSize(MAX_COPY_BYTES)})`, 'error');
      return;
    }
    if (this.busy) {
      port.message('A copy is still running', 'info');
      return;
    }
    this.busy = true;
    try {
      if (length > COPY_CHUNK) port.message(`Reading ${formatSize(length)} to copy…`, 'info', 60_000);
      const bytes = await readRange(port, start, length);
      const text = formatBytes(bytes, format);
      if (text.length > MAX_COPY_CHARS) {
        port.message(`Too much text for the clipboard: ${formatSize(length)} as ${label} is ${formatSize(text.length)} characters (at most ${formatSize(MAX_COPY_CHARS)})`, 'error');
        return;
      }
      await port.rpc.request('copy', { text }, { timeoutMs: 60_000 });
      port.message(`Copied ${plural(length, 'byte')} as ${label}`, 'info');
    } catch (err) {
      port.message(`Copy failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
    } finally {
      this.busy = false;
    }
  }
}
