// Export a range of a segment to a file (pending edits included, as the user sees it) and import
// a file into it as one undoable edit. Both start their dialogs in the folder last used.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ByteRange } from '../../../protocol/webview';
import { MAX_IMPORT, bytesText, exportFileName, importRefusal, readFileChunked } from '../../inspect/transfer';
import { errorMessage } from '../byteSource';
import { readChunked } from '../chunked';
import type { HexDocument } from '../document';
import { exportRange } from '../exportFile';
import type { InspectPrompts } from './prompts';
import { Cancelled, failedOn, withProgress } from './progress';
import { checkInside, hex, rangeText, segmentName } from './target';

export type Transferred = { path: string; bytes: number } | null;

export class ExportImport {
  private lastFolder: vscode.Uri | undefined;

  /** `prompts` is asked for at each call: tests replace them. */
  constructor(private readonly prompts: () => InspectPrompts) {}

  async exportRange(doc: HexDocument, range: ByteRange, signal?: AbortSignal): Promise<Transferred> {
    checkInside(doc, range, 'Export');
    const whole = range.offset === 0 && range.length === doc.size;
    const what = whole ? segmentName(doc) : `${rangeText(range)} of ${segmentName(doc)}`;
    const target = await this.prompts().saveTarget(`Export ${what}`, vscode.Uri.joinPath(this.folder(), exportFileName(doc.info, range, whole)));
    if (!target) return null;
    this.remember(target);
    const title = `Exporting ${bytesText(range.length)} of ${segmentName(doc)}`;
    let patched: number;
    try {
      patched = target.scheme === 'file'
        ? await exportToFile(doc, range, target.fsPath, title, signal)
        : await exportThroughVscode(doc, range, target, title, signal);
    } catch (err) {
      if (err instanceof Cancelled) return null;
      throw new Error(`Export failed: ${errorMessage(err)}`);
    }
    const name = target.scheme === 'file' ? target.fsPath : target.toString();
    const note = patched ? ` (with ${bytesText(patched)} of unsaved edits)` : '';
    void this.prompts().info(`Exported ${bytesText(range.length)} (${rangeText(range)}) of ${segmentName(doc)} to ${name}${note}.`);
    return { path: name, bytes: range.length };
  }

  async importFile(doc: HexDocument, offset: number): Promise<Transferred> {
    const info = doc.info;
    if (info.readOnly) {
      throw new Error(`Segment ${info.id} is read-only (${info.readOnlyReason ?? 'attached read-only'}): a file cannot be imported into it.`);
    }
    const early = importRefusal('The file', 1, offset, doc.size);
    if (early) throw new Error(early);
    const source = await this.prompts().openSource(`Import a file at ${hex(offset)} of ${segmentName(doc)}`, this.folder());
    if (!source) return null;
    this.remember(source);
    const name = source.scheme === 'file' ? source.fsPath : source.toString();
    const base = path.posix.basename(source.path);
    const size = source.scheme === 'file' ? (await fs.promises.stat(source.fsPath)).size : (await vscode.workspace.fs.stat(source)).size;
    const refusal = importRefusal(base, size, offset, doc.size);
    if (refusal) throw new Error(refusal);
    let data: Uint8Array;
    try {
      data = source.scheme === 'file'
        ? await withProgress(`Reading ${base} (${bytesText(size)})`, undefined, (opts) => readFileChunked(source.fsPath, opts))
        : await vscode.workspace.fs.readFile(source);
    } catch (err) {
      if (err instanceof Cancelled) return null;
      throw new Error(`Could not read ${name}: ${errorMessage(err)}`);
    }
    // The file may have changed between stat and read.
    const again = importRefusal(base, data.length, offset, doc.size);
    if (again) throw new Error(again);
    await doc.edit(offset, data, `Import ${base}`);
    return { path: name, bytes: data.length };
  }

  private folder(): vscode.Uri {
    if (this.lastFolder) return this.lastFolder;
    const ws = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    return ws?.uri ?? vscode.Uri.file(os.homedir());
  }

  private remember(uri: vscode.Uri): void {
    this.lastFolder = vscode.Uri.joinPath(uri, '..');
  }
}

/** The document writes the range as the user sees it into a temporary file; then it takes the name. */
async function exportToFile(doc: HexDocument, range: ByteRange, file: string, title: string, signal?: AbortSignal): Promise<number> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  let renamed = false;
  try {
    const patched = await withProgress(title, signal, (opts) => exportRange(doc, tmp, range, opts)).catch((err: unknown) => failedOn(doc, err));
    await fs.promises.rename(tmp, file);
    renamed = true;
    return patched;
  } finally {
    if (!renamed) await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Another file system (remote, virtual): read through the document (edits applied), one write. */
async function exportThroughVscode(doc: HexDocument, range: ByteRange, target: vscode.Uri, title: string, signal?: AbortSignal): Promise<number> {
  if (range.length > MAX_IMPORT) throw new Error(`${target.toString()} is not a local file: exports there are limited to ${bytesText(MAX_IMPORT)}`);
  const all = await withProgress(title, signal, ({ signal: s, onProgress }) => {
    if (s?.aborted) throw new Cancelled();
    return readChunked((o, n) => doc.read(o, n), range.offset, range.length, (done, total) => {
      if (s?.aborted) throw new Cancelled();
      onProgress?.(done, total);
    });
  });
  await vscode.workspace.fs.writeFile(target, all);
  return 0;
}
