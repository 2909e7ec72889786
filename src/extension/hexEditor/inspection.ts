// Live inspection (issue 5), host side: export a range (pending edits included), import a file
// as one undoable edit, bookmarks per segment key, snapshots and comparisons. The webview's
// requests (handlers.ts) and the palette commands (inspectCommands.ts) both end up here; the
// dialogs go through InspectPrompts, long work runs with a cancellable progress notification.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentClient } from '../agent/client';
import type { RequestOptions } from '../../protocol/rpc';
import type { Bookmark, BookmarkColor, ByteRange, DiffView, SnapshotInfo } from '../../protocol/webview';
import { BOOKMARK_COLORS, BookmarkStore, bookmarkKey, type MementoLike } from '../inspect/bookmarks';
import { diffReport, diffView, formatTime, snapshotInfo, snapshotName, summarizeDiff } from '../inspect/describe';
import { SnapshotStore, snapshotGroup, type SnapshotMeta } from '../inspect/snapshots';
import { MAX_IMPORT, bytesText, exportFileName, importRefusal, readFileChunked, sizeText } from '../inspect/transfer';
import type { HexDocument } from './document';
import { exportRange } from './exportFile';
import type { InspectOps } from './handlers';
import { vscodeInspectPrompts, type InspectPrompts } from './inspectPrompts';
import { errorCode, errorMessage } from './byteSource';
import { MAX_BOOKMARK_NAME } from './validate';
import type { WebviewHost } from './webviewHost';

/** The open hex editors, as the provider knows them. */
export interface InspectEditors {
  documents(): HexDocument[];
  hostsOf(doc: HexDocument): readonly WebviewHost[];
}

/** What the stores key a segment by. */
export interface SegmentRef {
  id: number;
  key: number;
  keyHex: string;
  cpid: number;
  size: number;
}

export function segmentRef(doc: HexDocument): SegmentRef {
  const i = doc.info;
  return { id: i.id, key: i.key, keyHex: i.keyHex, cpid: doc.source.identity.cpid, size: doc.size };
}

/** The user cancelled a long operation (progress notification or webview). */
class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;
const CHUNK = 4 << 20;

function segmentName(doc: HexDocument): string {
  const i = doc.info;
  return `segment ${i.key === 0 ? 'private' : i.keyHex} (id ${i.id})`;
}

function rangeText(r: ByteRange): string {
  return `${hex(r.offset)}–${hex(r.offset + r.length - 1)}`;
}

export class LiveInspection implements InspectOps {
  /** Questions and messages; tests may replace them. */
  prompts: InspectPrompts = vscodeInspectPrompts;
  readonly bookmarkStore: BookmarkStore;
  readonly snapshotStore: SnapshotStore;
  private readonly diffs = new WeakMap<HexDocument, DiffView>();
  private lastFolder: vscode.Uri | undefined;

  constructor(
    memento: MementoLike,
    readonly snapshotRoot: string,
    private readonly agent: AgentClient,
    private readonly editors: InspectEditors,
  ) {
    this.bookmarkStore = new BookmarkStore(memento);
    this.snapshotStore = new SnapshotStore(snapshotRoot);
  }

  /** The same operations, but a failure is also shown as a notification (the webview asked: the dialogs were ours). */
  forWebview(): InspectOps {
    const shown = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
      try {
        return await fn(...a);
      } catch (err) {
        this.prompts.error(errorMessage(err));
        throw err;
      }
    };
    return {
      initial: (d) => this.initial(d),
      exportRange: shown((d, r, s) => this.exportRange(d, r, s)),
      importFile: shown((d, o) => this.importFile(d, o)),
      addBookmark: shown((d, r) => this.addBookmark(d, r)),
      removeBookmark: shown((d, n) => this.removeBookmark(d, n)),
      takeSnapshot: shown((d) => this.takeSnapshot(d)),
      compareWithSnapshot: shown((d) => this.compareWithSnapshot(d)),
      clearDiff: (d) => this.clearDiff(d),
    };
  }

  /** What a fresh webview of the document shows at start (in its `ready` answer). */
  initial(doc: HexDocument): { bookmarks: Bookmark[]; diff: DiffView | null } {
    return { bookmarks: this.bookmarksOf(doc), diff: this.diffs.get(doc) ?? null };
  }

  // ---- export / import --------------------------------------------------------------------

  async exportRange(doc: HexDocument, range: ByteRange, signal?: AbortSignal): Promise<{ path: string; bytes: number } | null> {
    checkInside(doc, range, 'Export');
    const whole = range.offset === 0 && range.length === doc.size;
    const what = whole ? segmentName(doc) : `${rangeText(range)} of ${segmentName(doc)}`;
    const target = await this.prompts.saveTarget(`Export ${what}`, vscode.Uri.joinPath(this.folder(), exportFileName(doc.info, range, whole)));
    if (!target) return null;
    this.remember(target);
    const title = `Exporting ${bytesText(range.length)} of ${segmentName(doc)}`;
    let patched: number;
    try {
      patched = target.scheme === 'file'
        ? await this.exportToFile(doc, range, target.fsPath, title, signal)
        : await this.exportThroughVscode(doc, range, target, title, signal);
    } catch (err) {
      if (err instanceof Cancelled) return null;
      throw new Error(`Export failed: ${errorMessage(err)}`);
    }
    const name = target.scheme === 'file' ? target.fsPath : target.toString();
    const note = patched ? ` (with ${bytesText(patched)} of unsaved edits)` : '';
    void this.prompts.info(`Exported ${bytesText(range.length)} (${rangeText(range)}) of ${segmentName(doc)} to ${name}${note}.`);
    return { path: name, bytes: range.length };
  }

  /** The document writes the range as the user sees it into a temporary file; then it takes the name. */
  private async exportToFile(doc: HexDocument, range: ByteRange, file: string, title: string, signal?: AbortSignal): Promise<number> {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
    let renamed = false;
    try {
      const patched = await this.progress(title, signal, (opts) => exportRange(doc, tmp, range, opts)).catch((err: unknown) => this.failed(doc, err));
      await fs.promises.rename(tmp, file);
      renamed = true;
      return patched;
    } finally {
      if (!renamed) await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  /** Another file system (remote, virtual): read through the document (edits applied), one write. */
  private async exportThroughVscode(doc: HexDocument, range: ByteRange, target: vscode.Uri, title: string, signal?: AbortSignal): Promise<number> {
    if (range.length > MAX_IMPORT) throw new Error(`${target.toString()} is not a local file: exports there are limited to ${bytesText(MAX_IMPORT)}`);
    const all = new Uint8Array(range.length);
    await this.progress(title, signal, async ({ signal: s, onProgress }) => {
      for (let at = 0; at < range.length; at += CHUNK) {
        if (s?.aborted) throw new Cancelled();
        all.set(await doc.read(range.offset + at, Math.min(CHUNK, range.length - at)), at);
        onProgress?.(Math.min(range.length, at + CHUNK), range.length);
      }
    });
    await vscode.workspace.fs.writeFile(target, all);
    return 0;
  }

  async importFile(doc: HexDocument, offset: number): Promise<{ path: string; bytes: number } | null> {
    const info = doc.info;
    if (info.readOnly) {
      throw new Error(`Segment ${info.id} is read-only (${info.readOnlyReason ?? 'attached read-only'}): a file cannot be imported into it.`);
    }
    const early = importRefusal('The file', 1, offset, doc.size);
    if (early) throw new Error(early);
    const source = await this.prompts.openSource(`Import a file at ${hex(offset)} of ${segmentName(doc)}`, this.folder());
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
        ? await this.progress(`Reading ${base} (${bytesText(size)})`, undefined, (opts) => readFileChunked(source.fsPath, opts))
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

  // ---- bookmarks ----------------------------------------------------------------------------

  bookmarksOf(doc: HexDocument): Bookmark[] {
    return this.bookmarkStore.list(segmentRef(doc)).filter((b) => b.offset + b.length <= doc.size);
  }

  async addBookmark(doc: HexDocument, range: ByteRange): Promise<Bookmark | null> {
    checkInside(doc, range, 'Add Bookmark');
    const existing = this.bookmarksOf(doc);
    const names = new Set(existing.map((b) => b.name));
    const name = await this.prompts.text({
      title: `Bookmark ${range.length === 1 ? hex(range.offset) : rangeText(range)} (${bytesText(range.length)}): name (1/2)`,
      prompt: 'Name of the bookmark (an existing name is replaced)',
      value: names.has(hex(range.offset)) ? `${hex(range.offset)} (${existing.length + 1})` : hex(range.offset),
      validate: (v) => {
        const t = v.trim();
        if (!t) return 'Enter a name';
        if (t.length > MAX_BOOKMARK_NAME) return `At most ${MAX_BOOKMARK_NAME} characters`;
        return undefined;
      },
    });
    if (name === undefined || !name.trim()) return null;
    const used = new Set(existing.map((b) => b.color));
    const suggestion: BookmarkColor = BOOKMARK_COLORS.find((c) => !used.has(c)) ?? BOOKMARK_COLORS[existing.length % BOOKMARK_COLORS.length];
    const color = await this.prompts.color(`Bookmark '${name.trim()}': colour (2/2)`, suggestion);
    if (!color) return null;
    const bookmark: Bookmark = { name: name.trim(), offset: range.offset, length: range.length, color };
    await this.bookmarkStore.add(segmentRef(doc), bookmark);
    this.broadcastBookmarks(doc);
    return bookmark;
  }

  async removeBookmark(doc: HexDocument, name: string): Promise<void> {
    const ref = segmentRef(doc);
    if (!this.bookmarkStore.list(ref).some((b) => b.name === name)) throw new Error(`${segmentName(doc)} has no bookmark named '${name}'.`);
    await this.bookmarkStore.remove(ref, name);
    this.broadcastBookmarks(doc);
  }

  /** Every open editor of a segment with the same bookmarks (same key, or same private segment) gets them. */
  private broadcastBookmarks(doc: HexDocument): void {
    const key = bookmarkKey(segmentRef(doc));
    for (const d of this.editors.documents()) {
      if (bookmarkKey(segmentRef(d)) !== key) continue;
      const bookmarks = this.bookmarksOf(d);
      for (const h of this.editors.hostsOf(d)) h.post('bookmarks', { bookmarks });
    }
  }

  // ---- snapshots and differences -------------------------------------------------------

  snapshotsOf(doc: HexDocument): SnapshotMeta[] {
    return this.snapshotStore.list(segmentRef(doc));
  }

  async takeSnapshot(doc: HexDocument): Promise<SnapshotInfo | null> {
    this.checkLive(doc, 'Take Snapshot');
    const label = await this.prompts.text({
      title: `Take a snapshot of ${segmentName(doc)}`,
      prompt: 'Label of the snapshot',
      value: formatTime(Date.now()),
      validate: (v) => (v.trim().length > 200 ? 'At most 200 characters' : undefined),
    });
    if (label === undefined) return null;
    let meta: SnapshotMeta;
    try {
      meta = await this.progress(`Snapshot of ${segmentName(doc)} (${bytesText(doc.size)})`, undefined, (opts) =>
        this.snapshotStore.take(doc, label.trim(), opts),
      ).catch((err: unknown) => this.failed(doc, err));
    } catch (err) {
      if (err instanceof Cancelled) return null;
      throw new Error(`Snapshot failed: ${errorMessage(err)}`);
    }
    const note = doc.hasPendingEdits ? ' It holds the segment\'s bytes: unsaved edits are not in it.' : '';
    void this.prompts.info(`Took ${snapshotName(meta)} of ${segmentName(doc)} (${bytesText(meta.size)}).${note}`);
    return snapshotInfo(meta);
  }

  async compareWithSnapshot(doc: HexDocument): Promise<void> {
    await this.compareLive(doc);
  }

  /** Pick one of this segment's snapshots and compare the live segment with it; returns what was sent. */
  async compareLive(doc: HexDocument, pick?: SnapshotMeta): Promise<DiffView | undefined> {
    this.checkLive(doc, 'Compare with Snapshot');
    const metas = this.snapshotsOf(doc);
    if (!metas.length && !pick) {
      void this.prompts.info(`There are no snapshots of ${segmentName(doc)} yet: take one first (Shared Memory: Take Snapshot).`);
      return undefined;
    }
    const meta = pick ?? await this.prompts.snapshot(`Compare ${segmentName(doc)} with a snapshot`, 'Snapshots of this segment, newest first', metas, doc.size);
    if (!meta) return undefined;
    let result;
    try {
      result = await this.progress(`Comparing ${segmentName(doc)} with ${snapshotName(meta)}`, undefined, (opts) =>
        this.snapshotStore.compareLive(doc, meta, opts),
      ).catch((err: unknown) => this.failed(doc, err));
    } catch (err) {
      if (err instanceof Cancelled) return undefined;
      throw new Error(`Compare failed: ${errorMessage(err)}`);
    }
    const diff = diffView(snapshotName(meta), result);
    this.setDiff(doc, diff);
    void this.prompts.info(`${summarizeDiff(diff)} between ${segmentName(doc)} and ${snapshotName(meta)}.${diff.bytes ? ' They are marked in the editor (F7 / Shift+F7 move between them).' : ''}`);
    return diff;
  }

  /**
   * Compare two snapshots of this segment with each other. The grid shows live bytes, so the
   * result is summarized in a notification (with Open as Text Report) and also sent to the
   * editor to mark the offsets.
   */
  async compareSnapshots(doc: HexDocument, picks?: [SnapshotMeta, SnapshotMeta]): Promise<DiffView | undefined> {
    const metas = this.snapshotsOf(doc);
    let a: SnapshotMeta | undefined;
    let b: SnapshotMeta | undefined;
    if (picks) {
      [a, b] = picks;
    } else {
      if (metas.length < 2) {
        void this.prompts.info(`Comparing two snapshots needs two snapshots of ${segmentName(doc)}; there ${metas.length === 1 ? 'is 1' : `are ${metas.length}`}. Take one with Shared Memory: Take Snapshot.`);
        return undefined;
      }
      a = await this.prompts.snapshot('Compare Two Snapshots (1 of 2)', 'The first snapshot', metas, undefined);
      if (!a) return undefined;
      const first = a;
      b = await this.prompts.snapshot(`Compare Two Snapshots (2 of 2): with ${snapshotName(first)}`, 'The second snapshot', metas.filter((m) => m.name !== first.name), undefined);
      if (!b) return undefined;
    }
    if (a.created > b.created) [a, b] = [b, a]; // older first: "what changed from a to b"
    const older = a;
    const newer = b;
    let result;
    try {
      result = await this.progress(`Comparing ${snapshotName(older)} with ${snapshotName(newer)}`, undefined, (opts) =>
        this.snapshotStore.compareSnapshots(this.agent, older, newer, opts),
      );
    } catch (err) {
      if (err instanceof Cancelled) return undefined;
      throw new Error(`Compare failed: ${errorMessage(err)}`);
    }
    const diff = diffView(`${snapshotName(older)} vs ${snapshotName(newer)}`, result);
    this.setDiff(doc, diff);
    const REPORT = 'Open as Text Report';
    const marked = diff.bytes ? ' Their offsets are marked in the editor, which shows the live bytes.' : '';
    void this.prompts.info(`${summarizeDiff(diff)} between ${snapshotName(older)} and ${snapshotName(newer)}.${marked}`, REPORT).then(async (choice) => {
      if (choice !== REPORT) return;
      const text = diffReport(`Snapshots of ${segmentName(doc)}`, [`A: ${snapshotName(older)}, ${older.file}`, `B: ${snapshotName(newer)}, ${newer.file}`], result);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' }));
    }).then(undefined, (err: unknown) => this.prompts.error(`Could not open the report: ${errorMessage(err)}`));
    return diff;
  }

  clearDiff(doc: HexDocument): void {
    this.setDiff(doc, null);
  }

  diffOf(doc: HexDocument): DiffView | undefined {
    return this.diffs.get(doc);
  }

  /** Delete snapshots: this segment's listed first, then every other segment's. Returns how many. */
  async deleteSnapshots(doc: HexDocument | undefined): Promise<number> {
    const all = this.snapshotStore.listAll();
    const group = doc ? snapshotGroup(segmentRef(doc)) : undefined;
    const current = all.filter((m) => group !== undefined && snapshotGroup(m) === group);
    const others = all.filter((m) => group === undefined || snapshotGroup(m) !== group);
    if (!all.length) {
      void this.prompts.info('There are no snapshots to delete.');
      return 0;
    }
    const picked = await this.prompts.snapshots('Delete Snapshots', current, others);
    if (!picked?.length) return 0;
    const total = picked.reduce((n, m) => n + m.size, 0);
    const names = picked.slice(0, 5).map((m) => `'${m.label}'`).join(', ') + (picked.length > 5 ? ', …' : '');
    const ok = await this.prompts.confirm(
      `Delete ${picked.length === 1 ? '1 snapshot' : `${picked.length} snapshots`} (${bytesText(total)})?`,
      `${names}. This cannot be undone.`,
      'Delete',
    );
    if (!ok) return 0;
    for (const m of picked) this.snapshotStore.remove(m);
    return picked.length;
  }

  private setDiff(doc: HexDocument, diff: DiffView | null): void {
    if (diff) this.diffs.set(doc, diff);
    else this.diffs.delete(doc);
    for (const h of this.editors.hostsOf(doc)) h.post('diff', { diff });
  }

  // ---- helpers --------------------------------------------------------------------------

  /** Snapshots and comparisons need a source that still exists (before any question is asked). */
  private checkLive(doc: HexDocument, what: string): void {
    if (!doc.source.dumpTo || !doc.source.diffWith) throw new Error(`${what} needs a live segment; this editor's bytes do not come from one.`);
    if (doc.state.gone) throw new Error(doc.state.message ?? `Segment ${doc.info.id} is gone.`);
  }

  /** A failed agent request: let the document notice a gone segment (banner), then rethrow. */
  private async failed(doc: HexDocument, err: unknown): Promise<never> {
    if (!(err instanceof Cancelled)) {
      const state = await doc.refreshStatus().catch(() => doc.state);
      if (state.gone && state.message) throw new Error(state.message);
    }
    throw err;
  }

  /**
   * Run fn under a cancellable progress notification. Cancel (there, or through `external`)
   * aborts the signal fn gets; a cancelled run throws Cancelled.
   */
  private progress<T>(title: string, external: AbortSignal | undefined, fn: (opts: RequestOptions) => Promise<T>): Promise<T> {
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
              progress.report({ increment: ((done - reported) / total) * 100, message: `${sizeText(done)} of ${sizeText(total)}` });
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

  private folder(): vscode.Uri {
    if (this.lastFolder) return this.lastFolder;
    const ws = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    return ws?.uri ?? vscode.Uri.file(os.homedir());
  }

  private remember(uri: vscode.Uri): void {
    this.lastFolder = vscode.Uri.joinPath(uri, '..');
  }
}

function checkInside(doc: HexDocument, r: ByteRange, what: string): void {
  if (!Number.isSafeInteger(r.offset) || !Number.isSafeInteger(r.length) || r.offset < 0 || r.length < 1 || r.offset + r.length > doc.size) {
    throw new RangeError(`${what}: offset ${r.offset} + length ${r.length} is outside ${segmentName(doc)} (${doc.size} bytes)`);
  }
}
