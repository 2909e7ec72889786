// Destroy… (one or many selected segments) and Destroy Stale Segments…. Every removal carries
// the identity the user saw (id, key, creator pid, size): if the id now names another segment,
// the agent refuses (ECHANGED) and nothing is removed.
import * as vscode from 'vscode';
import { identityOf, type SegmentInfo } from '../../protocol/segment';
import { formatSize } from '../../protocol/size';
import { formatKeyLabel, plural } from '../format';
import { errorCode, failureReason } from '../segments/errorText';
import { NOT_VISIBLE, isStale, unseenCreatorIdle, unseenCreatorNote } from '../segments/state';
import { type CommandContext, targetSegments } from './context';

const LIST_MAX = 12;

export type DestroyOutcome =
  /** deferred: still attached somewhere, removed at the last detach. */
  | { info: SegmentInfo; ok: true; deferred: boolean }
  | { info: SegmentInfo; ok: false; code?: string; reason: string };

/** "0x0000abcd (id 5, 4 MiB, owner postgres)". */
export function segmentLine(s: SegmentInfo): string {
  return `${formatKeyLabel(s.key)} (id ${s.id}, ${formatSize(s.size)}, owner ${s.user}${s.nattch ? `, ${s.nattch} attached` : ''})`;
}

function listLines(infos: readonly SegmentInfo[]): string {
  const lines = infos.slice(0, LIST_MAX).map((s) => `• ${segmentLine(s)}`);
  if (infos.length > LIST_MAX) lines.push(`• … and ${infos.length - LIST_MAX} more`);
  return lines.join('\n');
}

/** The modal's message and detail. */
export function confirmationText(infos: readonly SegmentInfo[]): { message: string; detail: string } {
  const attached = infos.filter((s) => s.nattch > 0 && !s.dest);
  const warn = attached.length === 0 ? ''
    : infos.length === 1
      ? `\n\n${plural(attached[0].nattch, 'process is', 'processes are')} still attached: removal is deferred until the last process detaches, but the key is released now.`
      : `\n\n${plural(attached.length, 'segment still has', 'segments still have')} processes attached: removal is deferred until the last process detaches, but their keys are released now.`;
  // Already marked (IPC_RMID done, processes still attached): destroying again changes nothing.
  const marked = infos.filter((s) => s.dest);
  const markedNote = marked.length === 0 ? ''
    : infos.length === 1
      ? `\n\nIt is already marked for destruction and ${plural(marked[0].nattch, 'process is', 'processes are')} still attached: it disappears when the last one detaches. Destroying it again changes nothing.`
      : `\n\n${plural(marked.length, 'segment is', 'segments are')} already marked for destruction: nothing changes for ${marked.length === 1 ? 'it' : 'those'}.`;
  if (infos.length === 1) {
    const s = infos[0];
    return {
      message: `Destroy segment ${formatKeyLabel(s.key)} (id ${s.id})?`,
      detail: `${formatSize(s.size)}, owned by ${s.user} (uid ${s.uid}), ${s.creatorVisible ? `created by pid ${s.cpid}${s.creatorCommand ? ` (${s.creatorCommand})` : ''}` : `creator ${NOT_VISIBLE}`}. Its contents are lost.${warn}${markedNote}`,
    };
  }
  return { message: `Destroy ${infos.length} segments?`, detail: `${listLines(infos)}\n\nTheir contents are lost.${warn}${markedNote}` };
}

export async function confirmDestroy(infos: readonly SegmentInfo[]): Promise<boolean> {
  const { message, detail } = confirmationText(infos);
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, 'Destroy');
  return choice === 'Destroy';
}

/** Remove each segment if it is still the one listed; never throws. */
export async function destroySegments(ctx: CommandContext, infos: readonly SegmentInfo[]): Promise<DestroyOutcome[]> {
  const out: DestroyOutcome[] = [];
  for (const info of infos) {
    try {
      const r = await ctx.agent.request('destroy', { expect: identityOf(info) });
      out.push({ info, ok: true, deferred: r.deferred });
    } catch (err) {
      out.push({ info, ok: false, code: errorCode(err), reason: failureReason(err, info) });
    }
  }
  return out;
}

/** One notification for the outcome of one or many removals. */
export function reportOutcomes(outcomes: readonly DestroyOutcome[], what = 'segment'): void {
  const ok = outcomes.filter((o) => o.ok);
  const failed = outcomes.filter((o) => !o.ok);
  const deferred = ok.filter((o) => o.deferred).length;
  const deferredText = deferred ? ` (${deferred === ok.length && ok.length === 1 ? 'removal deferred' : `${deferred} deferred`} until the last process detaches)` : '';
  if (failed.length === 0) {
    const text = ok.length === 1
      ? `Destroyed segment ${formatKeyLabel(ok[0].info.key)} (id ${ok[0].info.id})${deferredText}.`
      : `Destroyed ${plural(ok.length, what)}${deferredText}.`;
    void vscode.window.showInformationMessage(text);
    return;
  }
  if (outcomes.length === 1) {
    const f = failed[0];
    const prefix = f.code === 'ECHANGED' ? 'Nothing was removed: ' : `Could not destroy segment ${formatKeyLabel(f.info.key)} (id ${f.info.id}): `;
    void vscode.window.showErrorMessage(prefix + f.reason);
    return;
  }
  const reasons = failed.slice(0, 5).map((f) => `id ${f.info.id}: ${f.reason}`).join('; ');
  const more = failed.length > 5 ? `; and ${failed.length - 5} more` : '';
  void vscode.window.showErrorMessage(`Removed ${ok.length} of ${plural(outcomes.length, what)}${deferredText}; failed ${failed.length}: ${reasons}${more}`);
}

/** shmInspector.destroy: (clicked, selected) from the tree, ids/SegmentInfos, or the selection. */
export async function destroyCommand(ctx: CommandContext, item?: unknown, selected?: unknown): Promise<DestroyOutcome[] | undefined> {
  const infos = targetSegments(ctx, item, selected);
  if (infos.length === 0) {
    void vscode.window.showInformationMessage('Select one or more segments in the Shared Memory view to destroy.');
    return undefined;
  }
  if (!(await confirmDestroy(infos))) return undefined;
  const outcomes = await destroySegments(ctx, infos);
  await ctx.view.refreshNow();
  reportOutcomes(outcomes);
  return outcomes;
}

/** Why a segment is a cleanup candidate, for the picker. */
export function staleReason(s: SegmentInfo): string {
  return `nothing attached, creator pid ${s.cpid} has exited`;
}

type StaleItem = vscode.QuickPickItem & { info: SegmentInfo };

/** shmInspector.destroyStale: pick (all pre-picked), confirm once, remove, summarize. */
export async function destroyStaleCommand(ctx: CommandContext): Promise<DestroyOutcome[] | undefined> {
  const { provider } = ctx.view;
  if (!(await provider.refresh())) throw new Error(provider.lastError ?? 'could not list segments');
  const candidates = provider.segments().filter(isStale);
  // Core's stale needs a creator that is seen to be gone; say how many were left out for that.
  const unseen = unseenCreatorNote(unseenCreatorIdle(provider.segments()).length);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(unseen
      ? `No stale segments. ${unseen}`
      : 'No stale segments: every segment has processes attached or a running creator.');
    return [];
  }
  const items: StaleItem[] = candidates.map((info) => ({
    info,
    label: formatKeyLabel(info.key),
    description: `id ${info.id} · ${formatSize(info.size)} · owner ${info.user}`,
    detail: staleReason(info),
    picked: true,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Destroy Stale Segments',
    placeHolder: `${plural(candidates.length, 'stale segment')}: unpick those to keep, Enter to continue${unseen ? ` (${unseen.replace(/\.$/, '')})` : ''}`,
    canPickMany: true,
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  if (!picked || picked.length === 0) return undefined;
  const infos = picked.map((p) => p.info);
  if (!(await confirmDestroy(infos))) return undefined;
  const outcomes = await destroySegments(ctx, infos);
  await ctx.view.refreshNow();
  reportOutcomes(outcomes, 'stale segment');
  return outcomes;
}
