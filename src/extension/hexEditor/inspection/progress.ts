// Long inspection work (export, import, snapshot, compare) under a cancellable progress
// notification, and what a failure of it says.
import * as vscode from 'vscode';
import type { RequestOptions } from '../../../protocol/rpc';
import { formatSize } from '../../../protocol/size';
import { errorCode } from '../byteSource';
import type { HexDocument } from '../document';

/** The user cancelled a long operation (progress notification or webview). */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/**
 * Run fn under a cancellable progress notification. Cancel (there, or through `external`)
 * aborts the signal fn gets; a cancelled run throws Cancelled.
 */
export function withProgress<T>(title: string, external: AbortSignal | undefined, fn: (opts: RequestOptions) => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const onExternal = () => abort.abort();
      external?.addEventListener('abort', onExternal, { once: true });
      if (external?.aborted) abort.abort();
      const sub = token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      try {
        return await fn({
          signal: abort.signal,
          onProgress: (done, total) => {
            if (total <= 0 || done <= reported) return;
            progress.report({ increment: ((done - reported) / total) * 100, message: `${formatSize(done)} of ${formatSize(total)}` });
            reported = done;
          },
        });
      } catch (err) {
        if (abort.signal.aborted || errorCode(err) === 'ECANCELED') throw new Cancelled();
        throw err;
      } finally {
        sub.dispose();
        external?.removeEventListener('abort', onExternal);
      }
    },
  ));
}

/** A failed agent request: let the document notice a gone segment (banner, and its message), else rethrow. */
export async function failedOn(doc: HexDocument, err: unknown): Promise<never> {
  if (!(err instanceof Cancelled)) {
    const state = await doc.refreshStatus().catch(() => doc.state);
    if (state.gone && state.message) throw new Error(state.message);
  }
  throw err;
}
