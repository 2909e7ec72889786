// Snapshots of a segment and differences (the store: ../../inspect/snapshots.ts): take one,
// compare the live segment or two snapshots, delete them. The differences found are kept per
// document and marked in all its editors until cleared.
import * as vscode from 'vscode';
import type { DiffView, SnapshotInfo } from '../../../protocol/webview';
import type { AgentClient } from '../../agent/client';
import { diffReport, diffView, formatTime, snapshotInfo, snapshotName, summarizeDiff } from '../../inspect/describe';
import { SnapshotStore, snapshotGroup, type SnapshotMeta } from '../../inspect/snapshots';
import { bytesText } from '../../inspect/transfer';
import { errorMessage } from '../byteSource';
import type { HexDocument } from '../document';
import type { InspectPrompts } from './prompts';
import { Cancelled, failedOn, withProgress } from './progress';
import { type InspectEditors, checkLive, segmentName, segmentRef } from './target';

const MAX_LABEL = 200;
const REPORT = 'Open as Text Report';

export class Snapshots {
  readonly store: SnapshotStore;
  private readonly diffs = new WeakMap<HexDocument, DiffView>();

  /** `prompts` is asked for at each call: tests replace them. */
  constructor(
    root: string,
    private readonly agent: AgentClient,
    private readonly prompts: () => InspectPrompts,
    private readonly editors: InspectEditors,
  ) {
    this.store = new SnapshotStore(root);
  }

  of(doc: HexDocument): SnapshotMeta[] {
    return this.store.list(segmentRef(doc));
  }

  async take(doc: HexDocument): Promise<SnapshotInfo | null> {
    checkLive(doc, 'Take Snapshot');
    // A timeline saves the moment it shows (Save Frame as Snapshot).
    const moment = doc.source.timeline?.position;
    const label = await this.prompts().text({
      title: moment ? `Save frame ${moment.frame} (${moment.t.toFixed(3)} ms) as a snapshot of ${segmentName(doc)}` : `Take a snapshot of ${segmentName(doc)}`,
      prompt: 'Label of the snapshot',
      value: moment ? `frame ${moment.frame} (${moment.t.toFixed(3)} ms)` : formatTime(Date.now()),
      validate: (v) => (v.trim().length > MAX_LABEL ? `At most ${MAX_LABEL} characters` : undefined),
    });
    if (label === undefined) return null;
    let meta: SnapshotMeta;
    try {
      meta = await withProgress(`Snapshot of ${segmentName(doc)} (${bytesText(doc.size)})`, undefined, (opts) =>
        this.store.take(doc, label.trim(), opts),
      ).catch((err: unknown) => failedOn(doc, err));
    } catch (err) {
      if (err instanceof Cancelled) return null;
      throw new Error(`Snapshot failed: ${errorMessage(err)}`);
    }
    const note = doc.hasPendingEdits ? ' It holds the segment\'s bytes: unsaved edits are not in it.' : '';
    void this.prompts().info(`Took ${snapshotName(meta)} of ${segmentName(doc)} (${bytesText(meta.size)}).${note}`);
    return snapshotInfo(meta);
  }

  /** Pick one of this segment's snapshots (unless given) and compare the live segment with it; returns what was sent. */
  async compareLive(doc: HexDocument, pick?: SnapshotMeta): Promise<DiffView | undefined> {
    checkLive(doc, 'Compare with Snapshot');
    const metas = this.of(doc);
    if (!metas.length && !pick) {
      void this.prompts().info(`There are no snapshots of ${segmentName(doc)} yet: take one first (Shared Memory: Take Snapshot).`);
      return undefined;
    }
    const meta = pick ?? await this.prompts().snapshot(`Compare ${segmentName(doc)} with a snapshot`, 'Snapshots of this segment, newest first', metas, doc.size);
    if (!meta) return undefined;
    let result;
    try {
      result = await withProgress(`Comparing ${segmentName(doc)} with ${snapshotName(meta)}`, undefined, (opts) =>
        this.store.compareLive(doc, meta, opts),
      ).catch((err: unknown) => failedOn(doc, err));
    } catch (err) {
      if (err instanceof Cancelled) return undefined;
      throw new Error(`Compare failed: ${errorMessage(err)}`);
    }
    const diff = diffView(snapshotName(meta), result);
    this.setDiff(doc, diff);
    void this.prompts().info(`${summarizeDiff(diff)} between ${segmentName(doc)} and ${snapshotName(meta)}.${diff.bytes ? ' They are marked in the editor (F7 / Shift+F7 move between them).' : ''}`);
    return diff;
  }

  /**
   * Compare two snapshots of this segment with each other (picked unless given). The grid shows
   * live bytes, so the result is summarized in a notification (with Open as Text Report) and
   * also sent to the editor to mark the offsets.
   */
  async compareTwo(doc: HexDocument, picks?: [SnapshotMeta, SnapshotMeta]): Promise<DiffView | undefined> {
    const pair = picks ?? await this.pickTwo(doc);
    if (!pair) return undefined;
    // Older first: "what changed from a to b".
    const [older, newer] = pair[0].created > pair[1].created ? [pair[1], pair[0]] : pair;
    let result;
    try {
      result = await withProgress(`Comparing ${snapshotName(older)} with ${snapshotName(newer)}`, undefined, (opts) =>
        this.store.compareSnapshots(this.agent, older, newer, opts),
      );
    } catch (err) {
      if (err instanceof Cancelled) return undefined;
      throw new Error(`Compare failed: ${errorMessage(err)}`);
    }
    const diff = diffView(`${snapshotName(older)} vs ${snapshotName(newer)}`, result);
    this.setDiff(doc, diff);
    const marked = diff.bytes ? ' Their offsets are marked in the editor, which shows the live bytes.' : '';
    void this.prompts().info(`${summarizeDiff(diff)} between ${snapshotName(older)} and ${snapshotName(newer)}.${marked}`, REPORT).then(async (choice) => {
      if (choice !== REPORT) return;
      const text = diffReport(`Snapshots of ${segmentName(doc)}`, [`A: ${snapshotName(older)}, ${older.file}`, `B: ${snapshotName(newer)}, ${newer.file}`], result);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' }));
    }).then(undefined, (err: unknown) => this.prompts().error(`Could not open the report: ${errorMessage(err)}`));
    return diff;
  }

  /** The differences shown in the document's editors, if any. */
  diffOf(doc: HexDocument): DiffView | undefined {
    return this.diffs.get(doc);
  }

  clearDiff(doc: HexDocument): void {
    this.setDiff(doc, null);
  }

  /** Delete snapshots: this segment's listed first, then every other segment's. Returns how many. */
  async delete(doc: HexDocument | undefined): Promise<number> {
    const all = this.store.listAll();
    const group = doc ? snapshotGroup(segmentRef(doc)) : undefined;
    const current = all.filter((m) => group !== undefined && snapshotGroup(m) === group);
    const others = all.filter((m) => group === undefined || snapshotGroup(m) !== group);
    if (!all.length) {
      void this.prompts().info('There are no snapshots to delete.');
      return 0;
    }
    const picked = await this.prompts().snapshots('Delete Snapshots', current, others);
    if (!picked?.length) return 0;
    const total = picked.reduce((n, m) => n + m.size, 0);
    const names = picked.slice(0, 5).map((m) => `'${m.label}'`).join(', ') + (picked.length > 5 ? ', …' : '');
    const ok = await this.prompts().confirm(
      `Delete ${picked.length === 1 ? '1 snapshot' : `${picked.length} snapshots`} (${bytesText(total)})?`,
      `${names}. This cannot be undone.`,
      'Delete',
    );
    if (!ok) return 0;
    for (const m of picked) this.store.remove(m);
    return picked.length;
  }

  /** Ask for two different snapshots of the segment; undefined when there are not two or the user cancelled. */
  private async pickTwo(doc: HexDocument): Promise<[SnapshotMeta, SnapshotMeta] | undefined> {
    const metas = this.of(doc);
    if (metas.length < 2) {
      void this.prompts().info(`Comparing two snapshots needs two snapshots of ${segmentName(doc)}; there ${metas.length === 1 ? 'is 1' : `are ${metas.length}`}. Take one with Shared Memory: Take Snapshot.`);
      return undefined;
    }
    const a = await this.prompts().snapshot('Compare Two Snapshots (1 of 2)', 'The first snapshot', metas, undefined);
    if (!a) return undefined;
    const b = await this.prompts().snapshot(`Compare Two Snapshots (2 of 2): with ${snapshotName(a)}`, 'The second snapshot', metas.filter((m) => m.name !== a.name), undefined);
    return b ? [a, b] : undefined;
  }

  private setDiff(doc: HexDocument, diff: DiffView | null): void {
    if (diff) this.diffs.set(doc, diff);
    else this.diffs.delete(doc);
    for (const h of this.editors.hostsOf(doc)) h.post('diff', { diff });
  }
}
