// Export: a range of a hex document as the user sees it, into a new private file. The document's
// source copies its own bytes (the agent's chunked dump for a live segment), then the pending
// edits the document holds are written over them (taken after the copy, so the newest are in).
// A source that cannot copy is read through the document (edits already applied).
import { BULK_CHUNK } from '../../protocol/chunks';
import type { RequestOptions } from '../../protocol/rpc';
import type { ByteRange } from '../../protocol/webview';
import { createPrivateFile, patchFile } from '../inspect/transfer';
import type { HexDocument } from './document';

/** Write `range` of doc into a new file at path. Returns how many bytes of pending edits it got. */
export async function exportRange(doc: HexDocument, path: string, range: ByteRange, opts: RequestOptions = {}): Promise<number> {
  if (doc.canDump) {
    await doc.dumpTo(path, range, opts);
    return patchFile(path, range.offset, doc.pendingIn(range.offset, range.length));
  }
  const fh = await createPrivateFile(path);
  try {
    for (let at = 0; at < range.length; at += BULK_CHUNK) {
      if (opts.signal?.aborted) throw Object.assign(new Error('export cancelled'), { code: 'ECANCELED' });
      const chunk = await doc.read(range.offset + at, Math.min(BULK_CHUNK, range.length - at));
      await fh.write(chunk, 0, chunk.length, at);
      opts.onProgress?.(at + chunk.length, range.length);
    }
  } finally {
    await fh.close();
  }
  return doc.pendingIn(range.offset, range.length).reduce((n, r) => n + r.value.length, 0);
}
