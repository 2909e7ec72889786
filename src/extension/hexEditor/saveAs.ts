// Save As: the segment's current bytes with pending edits applied, streamed chunk by chunk
// into a file (a temporary file renamed into place, so a failure leaves no half file). The
// file is created with mode 0600, like dumps: segment memory can hold secrets. Once the
// segment is gone the bytes last read are written, and the user is told which were never read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HexDocument, SaveAsResult } from './document';
import { describeUnread } from './lastRead';

export async function saveDocumentAs(doc: HexDocument, destination: vscode.Uri, token: vscode.CancellationToken): Promise<void> {
  const result = await writeDocument(doc, destination, token);
  if (result.unread.length) {
    void vscode.window.showWarningMessage(`Segment ${doc.info.id} is gone: ${path.basename(destination.path)} holds the bytes last read and your edits; ` +
      `${describeUnread(result.unread)}.`);
  }
}

async function writeDocument(doc: HexDocument, destination: vscode.Uri, token: vscode.CancellationToken): Promise<SaveAsResult> {
  const isCancelled = () => token.isCancellationRequested;
  if (destination.scheme !== 'file') {
    // Another file system (virtual, remote): collect, then one write through VS Code.
    const all = new Uint8Array(doc.size);
    return doc.saveAs({
      write: (chunk, position) => {
        all.set(chunk, position);
        return Promise.resolve();
      },
      finish: () => Promise.resolve(vscode.workspace.fs.writeFile(destination, all)),
      isCancelled,
    });
  }
  const target = destination.fsPath;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await fs.promises.open(tmp, 'wx', 0o600);
  const done = { closed: false, renamed: false }; // set by finish(), which the document calls last
  try {
    return await doc.saveAs({
      write: async (chunk, position) => {
        let done = 0;
        while (done < chunk.length) done += (await fh.write(chunk, done, chunk.length - done, position + done)).bytesWritten;
      },
      finish: async () => {
        await fh.sync();
        await fh.close();
        done.closed = true;
        await fs.promises.rename(tmp, target);
        done.renamed = true;
      },
      isCancelled,
    });
  } finally {
    if (!done.closed) await fh.close().catch(() => undefined);
    if (!done.renamed) await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
  }
}
