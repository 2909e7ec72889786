// One hex document: a live byte source (the segment, attached once) plus an overlay of pending
// edits, the undo stack's bookkeeping as VS Code keeps it (edit index, save point), Save with
// conflict detection, Revert, Save As and backups. Operations that change the overlay run one
// at a time, in order. vscode-free at run time (the Uri is only a type), so it is unit-tested
// in plain node with a fake source.
import type { Uri } from 'vscode';
import type { DiffResult, SearchResult } from '../../protocol/agent';
import { BULK_CHUNK } from '../../protocol/chunks';
import type { RequestOptions } from '../../protocol/rpc';
import type { SegmentIdentity } from '../../protocol/segment';
import type { ByteRange, HexDocInfo, HexDocState } from '../../protocol/webview';
import type { BackupData } from './backup';
import { conflictIn, describeConflicts, type Conflict, type ConflictContext } from './conflicts';
import { EditModel, type EditRecord, type Run } from './editModel';
import { Emitter } from './emitter';
import { LastRead, type ByteSpan } from './lastRead';
import { errorMessage, isGoneError, type ByteSource, type LiveSink, type SearchQuery, type SourceStatus } from './byteSource';

export type ConflictAnswer = 'overwrite' | 'reload' | undefined;

/** Questions the document asks the user (modal dialogs in VS Code; scripted in tests). */
export interface DocumentPrompts {
  /** canReload false: offer only Overwrite and Cancel ('reload' then counts as Cancel). */
  conflict(doc: HexDocument, conflicts: Conflict[], text: { message: string; detail: string }, options?: { canReload?: boolean }): Promise<ConflictAnswer>;
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

/** What Save As wrote without the segment: ranges never read, zeros in the file. */
export interface SaveAsResult {
  unread: ByteSpan[];
}

/** Where Save writes: the document's own source, or another segment (a restored backup's). */
interface SaveTarget {
  read(offset: number, length: number): Promise<Uint8Array>;
  write(offset: number, data: Uint8Array): Promise<void>;
}

/** Runs cut into pieces of at most BULK_CHUNK bytes, the unit Save checks and writes (views, no copies). */
function splitRuns(runs: readonly Run[]): Run[] {
  const out: Run[] = [];
  for (const r of runs) {
    for (let at = 0; at < r.value.length; at += BULK_CHUNK) {
      const to = Math.min(r.value.length, at + BULK_CHUNK);
      out.push({ offset: r.offset + at, value: r.value.subarray(at, to), base: r.base.subarray(at, to) });
    }
  }
  return out;
}

const rangeOf = (r: Run): ByteRange => ({ offset: r.offset, length: r.value.length });

export class HexDocument {
  readonly uri: Uri;
  private readonly model = new EditModel();
  /** The segment bytes last read or written: Save As writes them once the segment is gone. */
  private readonly lastRead = new LastRead();
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
  /** Bytes or pending edits changed (edit, undo, redo, save, revert): webviews get them pushed. */
  readonly onDidChangeBytes = this.changedEmitter.event;
  readonly onDidChangeState = this.stateEmitter.event;
  /** A new undoable edit (the provider passes it on to VS Code). */
  readonly onDidEdit = this.editEmitter.event;
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(readonly source: ByteSource, private readonly options: DocumentOptions) {
    this.uri = options.uri;
    if (options.backup?.runs.length) {
      this.model.restore(options.backup.runs);
      // The bytes the user saw under the edits: Save As can write them even if the segment is gone.
      for (const r of options.backup.runs) this.lastRead.record(r.offset, r.base);
      this.fromBackup = true;
    }
  }

  get info(): HexDocInfo {
    return this.source.info;
  }

  get size(): number {
    return this.source.size;
  }

  get identity(): SegmentIdentity {
    return this.source.identity;
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
      gone: this.status.gone,
      dest: this.status.dest,
      message: this.status.message,
      via: this.status.via,
    };
  }

  /** Pending edits, adjacent ones joined (what Save would write). */
  pendingRanges(): Run[] {
    return this.model.overlay.ranges();
  }

  /** Ranges with pending edits (adjacent ones joined), clipped to [offset, offset+length). */
  pendingSpans(offset = 0, length = this.size): ByteRange[] {
    const end = offset + length;
    const out: ByteRange[] = [];
    for (const r of this.model.overlay.spans()) {
      const from = Math.max(offset, r.offset);
      const to = Math.min(end, r.offset + r.length);
      if (from < to) out.push({ offset: from, length: to - from });
    }
    return out;
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
      const segment = await this.readSource(offset, length);
      return this.model.view(offset, segment);
    } catch (err) {
      throw await this.failed('read', err);
    }
  }

  /** Segment bytes the caller holds (live refresh's sampling) as the user sees them; kept for Save As like a read's. */
  viewOf(offset: number, segment: Uint8Array): Uint8Array {
    this.checkRange(offset, segment.length);
    this.lastRead.record(offset, segment.slice()); // the caller goes on changing its array
    return this.model.view(offset, segment);
  }

  /** Live refresh: the source's sampling of `range` (undefined: its bytes do not change by themselves). */
  sample(range: ByteRange, hz: number, batchMs: number, sink: LiveSink): { dispose(): void } | undefined {
    return this.source.sample?.(range, hz, batchMs, sink);
  }

  /** Searches the live segment (not pending edits: they are not in the segment yet). */
  search(query: SearchQuery, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<SearchResult> {
    return this.source.search(query, signal, onProgress).catch(async (err: unknown) => {
      throw await this.failed('search', err);
    });
  }

  // ---- bulk copies: export, snapshots, comparisons ----------------------------------

  /** The source can copy its bytes into a file itself (dumpTo); otherwise they go through read(). */
  get canDump(): boolean {
    return !!this.source.dumpTo;
  }

  /** Copy the source's own bytes of `range` (all when undefined; no pending edits: they are not in the segment) into a new file. */
  async dumpTo(path: string, range: ByteRange | undefined, opts: RequestOptions = {}): Promise<void> {
    if (!this.source.dumpTo) throw new Error(`Segment ${this.info.id}: this editor's bytes do not come from a live segment, so there is nothing to copy.`);
    await this.source.dumpTo(path, range, opts).catch(async (err: unknown) => { throw await this.failed('copy', err); });
  }

  /** Which of the source's bytes differ from a file (a snapshot); pending edits are not compared. */
  async diffWith(path: string, opts: RequestOptions = {}): Promise<DiffResult> {
    if (!this.source.diffWith) throw new Error(`Segment ${this.info.id}: this editor's bytes do not come from a live segment, so there is nothing to compare.`);
    return this.source.diffWith(path, opts).catch(async (err: unknown) => { throw await this.failed('compare', err); });
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
        const segment = await this.readSource(offset, data.length);
        if (this.options.writeThrough()) {
          await this.writeSource(offset, data);
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
      const wasApplied = rec.applied;
      if (wasApplied) {
        if (rec.kind === 'write') {
          // Write back what was there, unless another process has changed the bytes since.
          await this.writeBack('Undo', rec.offset, rec.segmentBefore, rec.after);
          this.model.undo(rec);
        } else {
          this.model.undo(rec, await this.segmentIfNeeded(rec));
        }
      }
      const i = this.edits.indexOf(rec);
      if (i >= 0) this.currentIndex = i - 1;
      if (wasApplied) this.changed([{ offset: rec.offset, length: rec.after.length }]);
      else this.emitState();
    });
  }

  redo(rec: EditRecord): Promise<void> {
    return this.serialize(async () => {
      const wasUndone = !rec.applied;
      if (wasUndone) {
        if (rec.kind === 'write') {
          await this.writeBack('Redo', rec.offset, rec.after, rec.segmentBefore);
          this.model.redo(rec);
        } else {
          this.model.redo(rec, await this.segmentIfNeeded(rec));
        }
      }
      const i = this.edits.indexOf(rec);
      if (i >= 0) this.currentIndex = i;
      if (wasUndone) this.changed([{ offset: rec.offset, length: rec.after.length }]);
      else this.emitState();
    });
  }

  // ---- save, revert, save as --------------------------------------------------------

  /**
   * Write the pending ranges, and only those. All are re-read first: bytes another process
   * changed since they were edited are a conflict, and the user decides (Overwrite, Reload
   * Those Bytes, or Cancel: throws SaveCancelled, nothing lost). Then each range is read and
   * compared again right before it is written, so a change made while the prompt was open
   * is never overwritten silently: it is asked about in a new prompt.
   */
  save(): Promise<void> {
    return this.serialize(async () => {
      const id = this.source.info.id;
      if (this.model.isEmpty) {
        this.markSaved([]);
        return;
      }
      if (this.status.gone) {
        const why = this.status.message ?? `Segment ${id} is gone.`;
        await this.options.prompts.saveGone(this, `${why} Your edits cannot be written back to it; use Save As… to keep them in a file.`);
        throw new SaveCancelled(`Not saved: segment ${id} is gone (use Save As…)`);
      }
      const info = this.source.info;
      if (info.readOnly) {
        throw new Error(`Segment ${id} is read-only (${info.readOnlyReason ?? 'attached read-only'}): use Save As… to keep the edits in a file.`);
      }
      await this.writePending(id, { read: (o, l) => this.readSource(o, l), write: (o, d) => this.writeSource(o, d) });
    });
  }

  /**
   * Write the pending edits into another segment (a restored backup whose segment is gone,
   * applied to the one that has its key now), with the same conflict checks against the bytes
   * the user saw. On success the document is clean; on failure or Cancel nothing is lost.
   */
  saveTo(target: ByteSource): Promise<void> {
    return this.serialize(async () => {
      const { id, readOnly, readOnlyReason } = target.info;
      if (readOnly) throw new Error(`Segment ${id} is read-only (${readOnlyReason ?? 'attached read-only'}): the edits were not applied.`);
      const runs = this.model.overlay.ranges();
      const last = runs.at(-1);
      if (last && last.offset + last.value.length > target.size) {
        throw new Error(`The edits reach byte ${last.offset + last.value.length} but segment ${id} has only ${target.size}: they were not applied.`);
      }
      await this.writePending(id, target);
    });
  }

  /** Save's core: check, ask, then per piece re-read, compare and write; ask again for what changed meanwhile. */
  private async writePending(id: number, target: SaveTarget): Promise<void> {
    const all = this.model.overlay.ranges();
    let todo = splitRuns(all);
    const total = todo.length;
    /** Per piece: the bytes the user agreed to overwrite. */
    const accepted = new Map<Run, Uint8Array>();
    const written: Run[] = [];
    const dropped: Run[] = [];
    let done = false;
    try {
      // Check everything before writing anything: Cancel at the first prompt saves nothing.
      let conflicts: Conflict[] = [];
      for (const r of todo) {
        const c = conflictIn(r, await target.read(r.offset, r.value.length));
        if (c) conflicts.push(c);
      }
      let context: ConflictContext = { kind: 'save' };
      for (;;) {
        if (conflicts.length) {
          const answer = await this.options.prompts.conflict(this, conflicts, describeConflicts(id, conflicts, context));
          if (answer === undefined) {
            throw new SaveCancelled(written.length
              ? `Saved ${written.length} of ${total} changed ranges of segment ${id}; the others changed under your edits and are still pending`
              : `Not saved: bytes of segment ${id} changed under your edits`);
          }
          const hit = new Set(conflicts.map((c) => c.run));
          if (answer === 'reload') {
            dropped.push(...hit);
            todo = todo.filter((r) => !hit.has(r));
          } else {
            for (const c of conflicts) accepted.set(c.run, c.current);
          }
        }
        conflicts = [];
        const changed: Run[] = [];
        for (const r of todo) {
          // Compare right before writing: the prompt may have been open for minutes.
          const c = conflictIn(r, await target.read(r.offset, r.value.length), accepted.get(r));
          if (c) {
            conflicts.push(c);
            changed.push(r);
            continue;
          }
          await target.write(r.offset, r.value);
          written.push(r);
        }
        todo = changed;
        if (!conflicts.length) break;
        context = { kind: 'again', saved: written.length };
      }
      done = true;
    } catch (err) {
      if (err instanceof SaveCancelled) throw err;
      const failure = await this.failed('save', err);
      throw new Error(`Saved ${written.length} of ${total} changed ranges of segment ${id}; the others are still pending. ${errorMessage(failure)}`);
    } finally {
      if (done) {
        this.model.commit();
        this.markSaved(all.map(rangeOf));
      } else if (written.length || dropped.length) {
        const ranges = [...written, ...dropped].map(rangeOf);
        this.model.dropRanges(ranges);
        this.changed(ranges);
      }
    }
  }

  /** Drop every pending edit and show the segment as it is now. */
  revert(): Promise<void> {
    // VS Code does not wait for a revert before it closes the editor: nothing to revert then.
    return this.serialize(() => {
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
   * Once the segment is gone it writes the bytes last read instead (see LastRead), zeros
   * where none were ever read; those ranges are returned, so the user can be told.
   */
  saveAs(sink: SaveAsSink): Promise<SaveAsResult> {
    return this.serialize(async () => {
      const unread: ByteSpan[] = [];
      let live = true; // until a read says the segment is gone
      for (let at = 0; at < this.size; at += BULK_CHUNK) {
        if (sink.isCancelled?.()) throw new SaveCancelled('Save As cancelled');
        const len = Math.min(BULK_CHUNK, this.size - at);
        let segment: Uint8Array | undefined;
        if (live) {
          try {
            segment = await this.readSource(at, len);
          } catch (err) {
            const failure = await this.failed('save as', err);
            if (!this.status.gone) throw failure;
            live = false;
          }
        }
        if (!segment) {
          segment = new Uint8Array(len);
          for (const m of this.lastRead.fill(at, segment)) addUnread(unread, m, this.model.overlay.spans());
        }
        await sink.write(this.model.view(at, segment), at);
      }
      await sink.finish();
      this.model.reset();
      this.markSaved('all');
      return { unread };
    });
  }

  // ---- status -------------------------------------------------------------------------

  /** Ask the source whether it still exists; tells the webviews when that changes. */
  async refreshStatus(): Promise<HexDocState> {
    if (this.disposed) return this.state;
    const s = await this.source.status();
    const via = (v: SourceStatus['via']) => (v ? JSON.stringify(v) : '');
    const changed = s.gone !== this.status.gone || s.dest !== this.status.dest || s.message !== this.status.message || via(s.via) !== via(this.status.via);
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
  private serialize<T>(fn: () => T | Promise<T>, whenDisposed: 'reject' | 'skip' = 'reject'): Promise<T> {
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

  /** Every read of the segment goes through here: it keeps the bytes for Save As. */
  private async readSource(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.source.read(offset, length);
    this.lastRead.record(offset, bytes);
    return bytes;
  }

  private async writeSource(offset: number, data: Uint8Array): Promise<void> {
    await this.source.write(offset, data);
    this.lastRead.record(offset, data);
  }

  private async segmentIfNeeded(rec: EditRecord): Promise<Uint8Array | undefined> {
    if (!this.model.needsSegment(rec)) return undefined;
    try {
      return await this.readSource(rec.offset, rec.after.length);
    } catch {
      return undefined; // the model assumes the bytes last saved
    }
  }

  /**
   * Undo/redo of a write-through edit: write `data` if the segment still holds `expected`
   * (what the edit left there). If another process changed those bytes since, ask; unless
   * the user says Overwrite, refuse with a message and write nothing.
   */
  private async writeBack(op: 'Undo' | 'Redo', offset: number, data: Uint8Array, expected: Uint8Array): Promise<void> {
    const id = this.source.info.id;
    let current: Uint8Array;
    try {
      current = await this.readSource(offset, data.length);
    } catch (err) {
      throw await this.failed(op.toLowerCase(), err);
    }
    const c = conflictIn({ offset, value: data, base: expected }, current);
    if (c) {
      const answer = await this.options.prompts.conflict(this, [c], describeConflicts(id, [c], { kind: 'undo', op }), { canReload: false });
      if (answer !== 'overwrite') {
        throw new Error(`${op} not done: another process changed ${c.count === 1 ? '1 byte' : `${c.count} bytes`} of segment ${id} ` +
          `at 0x${c.first.toString(16)} since the edit; nothing was written.`);
      }
    }
    try {
      await this.writeSource(offset, data);
    } catch (err) {
      throw await this.failed(op.toLowerCase(), err);
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

/** Add `gap` minus the pending edits (their bytes are known) to `unread`, joining adjacent spans. */
function addUnread(unread: ByteSpan[], gap: ByteSpan, pending: readonly ByteRange[]): void {
  let at = gap.offset;
  const to = gap.offset + gap.length;
  const push = (from: number, till: number) => {
    if (till <= from) return;
    const last = unread.at(-1);
    if (last && last.offset + last.length === from) last.length += till - from;
    else unread.push({ offset: from, length: till - from });
  };
  for (const p of pending) {
    if (p.offset + p.length <= at) continue;
    if (p.offset >= to) break;
    push(at, p.offset);
    at = Math.max(at, p.offset + p.length);
  }
  push(at, to);
}
