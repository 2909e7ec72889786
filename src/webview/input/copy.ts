// Copy (and cut, which copies: bytes are never removed) of the selection, or of the byte at the
// cursor: straight from the watched window when it holds the bytes, otherwise read from the
// host in bounded chunks and put on the clipboard by the host.

import type { ViewWindow } from '../live/viewWindow';
import type { EditorPort, HexRpc } from '../port';
import { formatSize } from '../../protocol/size';
import { plural } from '../util/format';
import type { Column } from '../grid/grid';
import { clipboardText, COPY_CHUNK, MAX_COPY_BYTES } from './clipboard';
import type { Selection } from './selection';

export interface CopyHost {
  readonly size: number;
  readonly rpc: HexRpc;
  readonly sel: Selection;
  readonly view: ViewWindow;
  column(): Column;
  read: EditorPort['read'];
  message(text: string, kind: 'info' | 'error'): void;
}

export function copySelection(host: CopyHost, e: ClipboardEvent): void {
  const { start, length } = copyRange(host);
  if (length === 0) return;
  e.preventDefault();
  if (length > MAX_COPY_BYTES) {
    host.message(`Selection too large to copy (${formatSize(length)}; at most ${formatSize(MAX_COPY_BYTES)})`, 'error');
    return;
  }
  if (e.clipboardData && host.view.hasRange(start, start + length)) {
    e.clipboardData.setData('text/plain', clipboardText(host.view.slice(start, start + length), host.column()));
    return;
  }
  void copyViaHost(host, start, length);
}

function copyRange(host: CopyHost): { start: number; length: number } {
  const r = host.sel.range();
  return r.length > 0 ? r : { start: host.sel.cursor, length: host.size > 0 ? 1 : 0 };
}

async function copyViaHost(host: CopyHost, start: number, length: number): Promise<void> {
  try {
    const out = new Uint8Array(length);
    for (let o = 0; o < length; o += COPY_CHUNK) {
      out.set(await host.read(start + o, Math.min(COPY_CHUNK, length - o)), o);
    }
    await host.rpc.request('copy', { text: clipboardText(out, host.column()) });
    host.message(`Copied ${plural(length, 'byte')}`, 'info');
  } catch (err) {
    host.message(`Copy failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
  }
}

/** One `read` request to the host (bytes outside the watched window). */
export async function readFromHost(rpc: HexRpc, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
  const r = await rpc.request('read', { offset, length }, { signal });
  const data: unknown = r.data;
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new Error('host sent bytes in an unexpected form');
}
