// Save As: the segment's current bytes with pending edits applied, streamed chunk by chunk
// into a file (a temporary file renamed into place, so a failure leaves no half file).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HexDocument } from './document';

export async function saveDocumentAs(doc: HexDocument, destination: vscode.Uri, token: vscode.CancellationToken): Promise<void> {
  const isCancelled = () => token.isCancellationRequested;
  if (destination.scheme !== 'file') {
    // Another file system (virtual, remote): collect, then one write through VS Code.
    const all = new Uint8Array(doc.size);
    await doc.saveAs({
      write: async (chunk, position) => { all.set(chunk, position); },
      finish: () => Promise.resolve(vscode.workspace.fs.writeFile(destination, all)),
      isCancelled,
    });
    return;
  }
  const target = destination.fsPath;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await fs.promises.open(tmp, 'w', 0o644);
  let closed = false;
  let renamed = false;
  try {
    await doc.saveAs({
      write: async (chunk, position) => {
        let done = 0;
        while (done < chunk.length) done += (await fh.write(chunk, done, chunk.length - done, position + done)).bytesWritten;
      },
      finish: async () => {
        await fh.sync();
        await fh.close();
        closed = true;
        await fs.promises.rename(tmp, target);
        renamed = true;
      },
      isCancelled,
    });
  } finally {
    if (!closed) await fh.close().catch(() => undefined);
    if (!renamed) await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
  }
}
