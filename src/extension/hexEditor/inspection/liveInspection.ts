// Live inspection (issue 5), host side: one object for the webview's requests (handlers.ts,
// through forWebview) and the palette commands (commands.ts). The work is done by one module
// per concern: exportImport.ts, bookmarks.ts, snapshots.ts; their dialogs go through
// InspectPrompts (prompts.ts), long work through progress.ts.
import { hasSegmentOffsets, partialRecordingReason } from '../byteSource';
import type { Bookmark, ByteRange, DiffView, SnapshotInfo } from '../../../protocol/webview';
import type { AgentClient } from '../../agent/client';
import type { BookmarkStore, MementoLike } from '../../inspect/bookmarks';
import type { SnapshotMeta, SnapshotStore } from '../../inspect/snapshots';
import { errorMessage } from '../byteSource';
import type { HexDocument } from '../document';
import type { InspectOps } from '../handlers';
import { Bookmarks } from './bookmarks';
import { ExportImport, type Transferred } from './exportImport';
import { vscodeInspectPrompts, type InspectPrompts } from './prompts';
import { Snapshots } from './snapshots';
import type { InspectEditors } from './target';

export class LiveInspection implements InspectOps {
  /** Questions and messages; tests may replace them. */
  prompts: InspectPrompts = vscodeInspectPrompts;
  private readonly transfer: ExportImport;
  private readonly bookmarks: Bookmarks;
  private readonly snapshots: Snapshots;

  constructor(memento: MementoLike, snapshotRoot: string, agent: AgentClient, editors: InspectEditors) {
    const prompts = () => this.prompts;
    this.transfer = new ExportImport(prompts);
    this.bookmarks = new Bookmarks(memento, prompts, editors);
    this.snapshots = new Snapshots(snapshotRoot, agent, prompts, editors);
  }

  get bookmarkStore(): BookmarkStore {
    return this.bookmarks.store;
  }

  get snapshotStore(): SnapshotStore {
    return this.snapshots.store;
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
    return { bookmarks: this.bookmarksOf(doc), diff: this.diffOf(doc) ?? null };
  }

  exportRange(doc: HexDocument, range: ByteRange, signal?: AbortSignal): Promise<Transferred> {
    return this.transfer.exportRange(doc, range, signal);
  }

  importFile(doc: HexDocument, offset: number): Promise<Transferred> {
    return this.transfer.importFile(doc, offset);
  }

  bookmarksOf(doc: HexDocument): Bookmark[] {
    return hasSegmentOffsets(doc.source) ? this.bookmarks.of(doc) : [];
  }

  addBookmark(doc: HexDocument, range: ByteRange): Promise<Bookmark | null> {
    const partial = partialRecordingReason(doc.source, 'Bookmarks');
    if (partial) return Promise.reject(new Error(partial));
    return this.bookmarks.add(doc, range);
  }

  removeBookmark(doc: HexDocument, name: string): Promise<void> {
    return this.bookmarks.remove(doc, name);
  }

  snapshotsOf(doc: HexDocument): SnapshotMeta[] {
    return this.snapshots.of(doc);
  }

  takeSnapshot(doc: HexDocument): Promise<SnapshotInfo | null> {
    return this.snapshots.take(doc);
  }

  async compareWithSnapshot(doc: HexDocument): Promise<void> {
    await this.snapshots.compareLive(doc);
  }

  /** Compare the live segment with `pick` (asked for when absent); returns the differences sent. */
  compareLive(doc: HexDocument, pick?: SnapshotMeta): Promise<DiffView | undefined> {
    return this.snapshots.compareLive(doc, pick);
  }

  /** Compare two snapshots (asked for when absent); returns the differences sent. */
  compareSnapshots(doc: HexDocument, picks?: [SnapshotMeta, SnapshotMeta]): Promise<DiffView | undefined> {
    return this.snapshots.compareTwo(doc, picks);
  }

  diffOf(doc: HexDocument): DiffView | undefined {
    return this.snapshots.diffOf(doc);
  }

  clearDiff(doc: HexDocument): void {
    this.snapshots.clearDiff(doc);
  }

  deleteSnapshots(doc: HexDocument | undefined): Promise<number> {
    return this.snapshots.delete(doc);
  }
}
