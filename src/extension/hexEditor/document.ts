// One hex document: a live byte source (the segment, attached once) plus an overlay of pending
// edits, the undo stack's bookkeeping as VS Code keeps it (edit index, save point), Save with
// conflict detection, Revert, Save As and backups. Operations that change the overlay run one
// at a time, in order. vscode-free at run time (the Uri is only a type), so it is unit-tested
// in plain node with a fake source.
import type { Uri } from 'vscode';
import type { SearchResult } from '../../protocol/agent';
import type { ByteRange, HexDocInfo, HexDocState } from '../../protocol/webview';
import type { BackupData } from './backup';
import { describeConflicts, findConflicts, type Conflict } from './conflicts';
import { EditModel, type EditRecord, type Run } from './editModel';
import { Emitter } from './emitter';
import { errorMessage, isGoneError, type ByteSource, type SearchQuery, type SourceStatus } from './source';

export type ConflictAnswer = 'overwrite' | 'reload' | undefined;

/** Questions the document asks the user (modal dialogs in VS Code; scripted in tests). */
export interface DocumentPrompts {
  conflict(doc: HexDocument, conflicts: Conflict[], text: { message: string; detail: string }): Promise<ConflictAnswer>;
  /** Save on a gone segment: explain, offer Save As (the prompt starts it if chosen). */
  saveGone(doc: HexDocument, message: string): Promise<void>;
}

export interface DocumentOptions {
  uri: Uri;
  prompts: DocumentPrompts;
  /** Read at each edit: write every edit to the segment at once. */
  writeThrough: () => boolean;
  /** Pending edits from a backup (hot exit). */
  backup?: BackupData;
}

/** Save stopped by the user (Cancel): nothing written, the document stays dirty. */
export class SaveCancelled extends Error {
  constructor(message = 'Save cancelled') {
    super(message);
    this.name = 'SaveCancelled';
  }
}

/** Where Save As puts the bytes. */
export interface SaveAsSink {
  write(chunk: Uint8Array, position: number): Promise<void>;
  /** All bytes were written: make the file final. */
  finish(): Promise<void>;
  isCancelled?(): boolean;
}

/** Largest single Save As / conflict-check read. */
const CHUNK = 4 << 20;

export class HexDocument {
  readonly uri: Uri;
  private readonly model = new EditModel();
  /** Edits as VS Code's stack holds them; currentIndex = last applied, savePoint = at last save. */
  private edits: EditRecord[] = [];
  private currentIndex = -1;
  private savePoint = -1;
  private fromBackup = false;
  private status: SourceStatus = { gone: false, dest: false };
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private readonly changedEmitter = new Emitter<ByteRange[] | 'all'>();
  private readonly stateEmitter = new Emitter<HexDocState>();
  private readonly editEmitter = new Emitter<EditRecord>();
  private readonly disposeEmitter = new Emitter<void>();
  /** Bytes changed (edit, undo, redo, save, revert): webviews re-read them. */
  readonly onDidChangeBytes = this.changedEmitter.event;
  readonly onDidChangeState = this.stateEmitter.event;
  /** A new undoable edit (the provider passes it on to VS Code). */
  readonly onDidEdit = this.editEmitter.event;
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(readonly source: ByteSource, private readonly options: DocumentOptions) {
    this.uri = options.uri;
    if (options.backup?.runs.length) {
      this.model.restore(options.backup.runs);
      this.fromBackup = true;
    }
  }

  get info(): HexDocInfo {
    return this.source.info;
  }

  get size(): number {
    return this.source.size;
  }

  get isDirty(): boolean {
    return this.fromBackup || this.currentIndex !== this.savePoint;
  }

  get hasPendingEdits(): boolean {
    return !this.model.isEmpty;
  }

  get state(): HexDocState {
    return {
      dirty: this.isDirty,
      pending: this.model.overlay.spans(),
      gone: this.status.gone,
      dest: this.status.dest,
      message: this.status.message,
    };
  }

  /** Pending edits, adjacent ones joined (what Save would write). */
  pendingRanges(): Run[] {
    return this.model.overlay.ranges();
  }

  /** Pending bytes inside [offset, offset+length), clipped to it (copies), in offset order. */
  pendingIn(offset: number, length: number): Run[] {
    this.checkRange(offset, length);
    return this.model.overlay.pieces(offset, length);
  }

  backupData(): BackupData {
    return { uri: this.uri.toString(), identity: this.source.identity, runs: this.model.overlay.ranges() };
  }

  // ---- reading ------------------------------------------------------------------------

  /** The bytes the user sees: segment bytes with pending edits applied (a fresh, compact array). */
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.checkRange(offset, length);
    if (length === 0) return new Uint8Array(0);
    try {
      const segment = await this.source.read(offset, length);
      return this.model.view(offset, segment);
    } catch (err) {
      throw await this.failed('read', err);
    }
  }

  /** Searches the live segment (not pending edits: they are not in the segment yet). */
  search(query: SearchQuery, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<SearchResult> {
    return this.source.search(query, signal, onProgress).catch(async (err) => {
      throw await this.failed('search', err);
    });
  }

  // ---- edits --------------------------------------------------------------------------

  /** Overwrite bytes at offset: one undoable edit (pending, or written at once in write-through mode). */
  edit(offset: number, data: Uint8Array, label = 'Edit'): Promise<void> {
    return this.serialize(async () => {
      this.checkRange(offset, data.length);
      if (data.length === 0) return;
      const info = this.source.info;
      if (info.readOnly) throw new Error(`Segment ${info.id} is read-only (${info.readOnlyReason ?? 'attached read-only'}): edits are not possible.`);
      let rec: EditRecord;
      try {
        const segment = await this.source.read(offset, data.length);
        if (this.options.writeThrough()) {
          await this.source.write(offset, data);
          rec = this.model.applyWritten(offset, data, segment, label);
        } else {
          rec = this.model.apply(offset, data, segment, label);
        }
      } catch (err) {
        throw await this.failed('edit', err);
      }
      this.edits.splice(this.currentIndex + 1);
      this.edits.push(rec);
      this.currentIndex = this.edits.length - 1;
      this.editEmitter.fire(rec);
      this.changed([{ offset, length: data.length }]);
    });
  }

  undo(rec: EditRecord): Promise<void> {
    return this.serialize(async () => {
      const i = this.edits.indexOf(rec);
      if (i >= 0) this.currentIndex = i - 1;
      if (!rec.applied) return this.emitState();
      if (rec.kind === 'write') {
        await this.writeOrFail('undo', rec.offset, rec.segmentBefore!);
        this.model.undo(rec);
      } else {
        this.model.undo(rec, await this.segmentIfNeeded(rec));
      }
      this.changed([{ offset: rec.offset, length: rec.after.length }]);
    });
  }

  redo(rec: EditRecord): Promise<void> {
    return this.serialize(async () => {
      const i = this.edits.indexOf(rec);
      if (i >= 0) this.currentIndex = i;
      if (rec.applied) return this.emitState();
      if (rec.kind === 'write') {
        await this.writeOrFail('redo', rec.offset, rec.after);
        this.model.redo(rec);
      } else {
        this.model.redo(rec, await this.segmentIfNeeded(rec));
      }
      this.changed([{ offset: rec.offset, length: rec.after.length }]);
    });
  }

  // ---- save, revert, save as --------------------------------------------------------

  /**
   * Write the pending ranges, and only those. Each is re-read first: bytes another process
   * changed since they were edited are a conflict, and the user decides (Overwrite, Reload
   * Those Bytes, or Cancel: throws SaveCancelled, nothing lost).
   */
  save(): Promise<void> {
    return this.serialize(async () => {
      const id = this.source.info.id;
      if (this.model.isEmpty) return this.markSaved([]);
      if (this.status.gone) {
        const why = this.status.message ?? `Segment ${id} is gone.`;
        await this.options.prompts.saveGone(this, `${why} Your edits cannot be written back to it; use Save As… to keep them in a file.`);
        throw new SaveCancelled(`Not saved: segment ${id} is gone (use Save As…)`);
      }
      const info = this.source.info;
      if (info.readOnly) {
        throw new Error(`Segment ${id} is read-only (${info.readOnlyReason ?? 'attached read-only'}): use Save As… to keep the edits in a file.`);
      }
      const runs = this.model.overlay.ranges();
      let toWrite = runs;
      let conflicts: Conflict[];
      try {
        conflicts = await findConflicts(runs, (o, l) => this.source.read(o, l));
      } catch (err) {
        throw await this.failed('save', err);
      }
      if (conflicts.length) {
        const answer = await this.options.prompts.conflict(this, conflicts, describeConflicts(id, conflicts));
        if (answer === undefined) throw new SaveCancelled(`Not saved: bytes of segment ${id} changed under your edits`);
        if (answer === 'reload') {
          const dropped = new Set(conflicts.map((c) => c.run));
          toWrite = runs.filter((r) => !dropped.has(r));
          const ranges = conflicts.map((c) => ({ offset: c.run.offset, length: c.run.value.length }));
          this.model.dropRanges(ranges);
          this.changedEmitter.fire(ranges);
        }
      }
      const written: Run[] = [];
      try {
        for (const r of toWrite) {
          for (let at = 0; at < r.value.length; at += CHUNK) {
            await this.source.write(r.offset + at, r.value.subarray(at, Math.min(r.value.length, at + CHUNK)));
          }
          written.push(r);
        }
      } catch (err) {
        if (written.length) this.model.dropRanges(written.map((r) => ({ offset: r.offset, length: r.value.length })));
        const failure = await this.failed('save', err);
        throw new Error(`Saved ${written.length} of ${toWrite.length} changed ranges of segment ${id}; the others are still pending. ${errorMessage(failure)}`);
      }
      this.model.commit();
      this.markSaved(runs.map((r) => ({ offset: r.offset, length: r.value.length })));
    });
  }

  /** Drop every pending edit and show the segment as it is now. */
  revert(): Promise<void> {
    // VS Code does not wait for a revert before it closes the editor: nothing to revert then.
    return this.serialize(async () => {
      this.model.reset();
      this.currentIndex = this.savePoint;
      this.edits.splice(this.savePoint + 1);
      this.fromBackup = false;
      this.changed('all');
    }, 'skip');
  }

  /**
   * Save As: stream the segment's current bytes with pending edits applied to `sink`, in
   * chunks, then let it finish (flush, rename). Only then is the document clean (VS Code
   * moves the editor to the new file); if anything fails, nothing pending is lost.
   */
  saveAs(sink: SaveAsSink): Promise<void> {
    return this.serialize(async () => {
      for (let at = 0; at < this.size; at += CHUNK) {
        if (sink.isCancelled?.()) throw new SaveCancelled('Save As cancelled');
        const len = Math.min(CHUNK, this.size - at);
        let chunk: Uint8Array;
        try {
          chunk = this.model.view(at, await this.source.read(at, len));
        } catch (err) {
          throw await this.failed('save as', err);
        }
        await sink.write(chunk, at);
      }
      await sink.finish();
      this.model.reset();
      this.markSaved('all');
    });
  }

  // ---- status -------------------------------------------------------------------------

  /** Ask the source whether it still exists; tells the webviews when that changes. */
  async refreshStatus(): Promise<HexDocState> {
    if (this.disposed) return this.state;
    const s = await this.source.status();
    const changed = s.gone !== this.status.gone || s.dest !== this.status.dest || s.message !== this.status.message;
    this.status = s;
    if (changed) this.emitState();
    return this.state;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    void this.source.close();
    for (const e of [this.changedEmitter, this.stateEmitter, this.editEmitter, this.disposeEmitter]) e.dispose();
  }

  // ---- internals ----------------------------------------------------------------------

  /** Run fn after every operation queued before it; after dispose, reject (or skip: resolve undefined). */
  private serialize<T>(fn: () => Promise<T>, whenDisposed: 'reject' | 'skip' = 'reject'): Promise<T> {
    const run = this.queue.then(() => {
      if (this.disposed) {
        if (whenDisposed === 'skip') return undefined as T;
        throw new Error(`the hex editor for segment ${this.source.info.id} was closed`);
      }
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkRange(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset > this.size || length > this.size - offset) {
      throw new RangeError(`offset ${offset} + length ${length} is outside segment ${this.source.info.id} (${this.size} bytes)`);
    }
  }

  private async segmentIfNeeded(rec: EditRecord): Promise<Uint8Array | undefined> {
    if (!this.model.needsSegment(rec)) return undefined;
    try {
      return await this.source.read(rec.offset, rec.after.length);
    } catch {
      return undefined; // the model assumes the bytes last saved
    }
  }

  private async writeOrFail(op: string, offset: number, data: Uint8Array): Promise<void> {
    try {
      await this.source.write(offset, data);
    } catch (err) {
      throw await this.failed(op, err);
    }
  }

  /** A readable error for a failed operation (the gone message if that is why); keeps the code. */
  private async failed(op: string, err: unknown): Promise<Error> {
    if (isGoneError(err)) await this.refreshStatus().catch(() => undefined);
    const text = this.status.gone && this.status.message
      ? this.status.message
      : `${op[0].toUpperCase()}${op.slice(1)} failed: ${errorMessage(err)}`;
    const e = new Error(text) as Error & { code?: string };
    e.code = (err as { code?: unknown } | null)?.code as string | undefined;
    return e;
  }

  private markSaved(ranges: ByteRange[] | 'all'): void {
    this.savePoint = this.currentIndex;
    this.fromBackup = false;
    this.changed(ranges);
  }

  private changed(ranges: ByteRange[] | 'all'): void {
    if (ranges === 'all' || ranges.length) this.changedEmitter.fire(ranges);
    this.emitState();
  }

  private emitState(): void {
    this.stateEmitter.fire(this.state);
  }
}
