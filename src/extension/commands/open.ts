// Open in Hex Editor (tree click / context menu) and Open for Writing… (root opening another
// user's segment writable, after a modal naming the owner). The palette's "Open Segment in Hex
// Editor…" belongs to the hex editor (hexEditor/commands.ts).
import * as vscode from 'vscode';
import { type SegmentInfo, describeIdentity, sameSegment } from '../../protocol/segment';
import { formatKeyLabel } from '../format';
import { openSegmentInEditor } from '../hexEditor/commands';
import { ownerLabel, ownerReadOnlyReason } from '../hexEditor/writePolicy';
import { HEX_EDITOR, SCHEME } from '../manifest';
import { parseSegmentUri, segmentUri } from '../shmUri';
import { type CommandContext, SegmentOpError, UserError, targetSegments } from './context';

export function openInHexEditor(info: SegmentInfo): Promise<void> {
  return openSegmentInEditor(info);
}

export async function openHexEditorCommand(ctx: CommandContext, item?: unknown, selected?: unknown): Promise<void> {
  const infos = targetSegments(ctx, item, selected);
  if (infos.length === 0) throw new UserError('select a segment in the Shared Memory view first');
  for (const info of infos.slice(0, 10)) await openInHexEditor(info);
}

const OPEN_FOR_WRITING = 'Open for Writing';

/** The modal's text: who owns the segment and what writing to it means. */
export function openForWritingText(info: Pick<SegmentInfo, 'id' | 'key' | 'uid' | 'user'>): { message: string; detail: string } {
  const owner = ownerLabel(info.uid, info.user);
  return {
    message: `Open segment ${formatKeyLabel(info.key)} (id ${info.id}) for writing? It belongs to ${owner}.`,
    detail: `You are root: the kernel lets you change any segment, and the processes of ${owner} that use this one see what you save at once.`,
  };
}

function hexTabs(): { tab: vscode.Tab; uri: vscode.Uri }[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).flatMap((tab) => {
    const input = tab.input;
    return input instanceof vscode.TabInputCustom && input.viewType === HEX_EDITOR && input.uri.scheme === SCHEME ? [{ tab, uri: input.uri }] : [];
  });
}

function tryParse(uri: vscode.Uri): ReturnType<typeof parseSegmentUri> | undefined {
  try {
    return parseSegmentUri(uri);
  } catch {
    return undefined;
  }
}

/** The segment a shm: URI names, checked to be still the one it pinned. */
async function segmentOfUri(ctx: CommandContext, uri: vscode.Uri): Promise<SegmentInfo> {
  const ref = parseSegmentUri(uri);
  const info = await ctx.agent.request('stat', { id: ref.id });
  if (ref.expect && !sameSegment(info, ref.expect)) throw new UserError(`segment ${ref.id} is gone: the id now names another segment (${describeIdentity(info)})`);
  return info;
}

function activeEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === HEX_EDITOR && input.uri.scheme === SCHEME ? input.uri : undefined;
}

/**
 * shmInspector.openForWriting: the segment given (tree row, id, SegmentInfo, shm: URI), else
 * the active hex editor's, else the view's selection. Another user's segment, for root, needs a modal
 * confirmation; then it opens writable in place of its read-only editors. Resolves whether it
 * opened.
 */
export async function openForWritingCommand(ctx: CommandContext, item?: unknown, selected?: unknown): Promise<boolean> {
  const given = item !== undefined || (Array.isArray(selected) && selected.length > 0);
  const uri = item instanceof vscode.Uri ? item : given ? undefined : activeEditorUri();
  const infos = uri ? [await segmentOfUri(ctx, uri)] : targetSegments(ctx, item, selected);
  if (infos.length === 0) throw new UserError('open a segment in the hex editor or select one in the Shared Memory view first');
  if (infos.length > 1) throw new UserError('Open for Writing takes one segment: select only one');
  const info = infos[0];
  const reason = ownerReadOnlyReason({ euid: process.geteuid?.(), ownerUid: info.uid, ownerName: info.user, write: false });
  if (!reason) {
    await openSegmentInEditor(info); // opens writable anyway (if the kernel allows)
    return true;
  }
  const { message, detail } = openForWritingText(info);
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, OPEN_FOR_WRITING);
  if (choice !== OPEN_FOR_WRITING) return false;
  // Its read-only editors hold no edits (they cannot): the writable one takes their place.
  const readOnly = hexTabs().filter(({ tab, uri }) => {
    const ref = tryParse(uri);
    return ref?.id === info.id && !ref.write && !ref.readOnly && !tab.isDirty;
  });
  const column = readOnly[0]?.tab.group.viewColumn;
  try {
    await vscode.commands.executeCommand('vscode.openWith', segmentUri(info, { write: true }), HEX_EDITOR, column);
  } catch (err) {
    throw new SegmentOpError(err, info);
  }
  if (readOnly.length) await vscode.window.tabGroups.close(readOnly.map((t) => t.tab));
  return true;
}
