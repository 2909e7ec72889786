// The hex editor's commands: Open Segment in Hex Editor… (pick a segment, or type an id or a
// key) and Go to Offset… (in the active hex editor).
import * as vscode from 'vscode';
import type { AgentClient } from '../agent/client';
import type { SegmentInfo } from '../../protocol/segment';
import { formatKey } from '../../protocol/segment';
import { formatSize } from '../../protocol/size';
import { HEX_EDITOR } from '../manifest';
import { NOT_VISIBLE } from '../segments/state';
import { segmentUri } from '../shmUri';
import { errorMessage } from './byteSource';
import { parseOffset } from './validate';
import type { WebviewHost } from './webviewHost';

type SegmentPick = vscode.QuickPickItem & { info?: SegmentInfo; typed?: Typed };
type Typed = { kind: 'id'; id: number } | { kind: 'key'; key: number };

/** What the user typed: a decimal id, or a 0x… key. */
export function parseTyped(text: string): Typed | undefined {
  const t = text.trim().replace(/_/g, '');
  if (/^0x[0-9a-f]{1,8}$/i.test(t)) return { kind: 'key', key: Number.parseInt(t.slice(2), 16) >>> 0 };
  if (/^\d{1,10}$/.test(t) && Number(t) <= 0x7fffffff) return { kind: 'id', id: Number(t) };
  return undefined;
}

function pickOf(info: SegmentInfo): SegmentPick {
  const state = info.dest ? ' · destroyed' : !info.creatorVisible ? ` · creator ${NOT_VISIBLE}` : !info.creatorAlive ? ' · creator exited' : '';
  return {
    info,
    label: `${info.key === 0 ? 'private' : formatKey(info.key)}  id ${info.id}`,
    description: `${formatSize(info.size)} · ${info.perms} · ${info.user || info.uid}`,
    detail: `${info.nattch} attached${state}${info.creatorCommand ? ` · created by ${info.creatorCommand} (${info.cpid})` : info.creatorVisible ? ` · creator pid ${info.cpid}` : ''}`,
  };
}

export async function openSegmentInEditor(info: Pick<SegmentInfo, 'id' | 'key' | 'cpid' | 'size' | 'ctime'>): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', segmentUri(info), HEX_EDITOR);
}

async function resolveTyped(agent: AgentClient, typed: Typed): Promise<SegmentInfo> {
  if (typed.kind === 'id') {
    try {
      return await agent.request('stat', { id: typed.id });
    } catch (err) {
      throw new Error(`No segment with id ${typed.id}: ${errorMessage(err)}`);
    }
  }
  if (typed.key === 0) throw new Error('Key 0x00000000 is IPC_PRIVATE: private segments have no key; pick one by id');
  const { segments } = await agent.request('list', {});
  const found = segments.find((s) => s.key === typed.key);
  if (!found) throw new Error(`No segment with key ${formatKey(typed.key)}`);
  return found;
}

/** Open Segment in Hex Editor…: a quick pick of the segments; typing an id or 0x key works too. */
export async function openSegmentCommand(agent: AgentClient, arg?: unknown): Promise<void> {
  // Called with a segment (or an id) by another command or a test: open it directly.
  if (typeof arg === 'number') return openSegmentInEditor(await resolveTyped(agent, { kind: 'id', id: arg }));
  if (arg && typeof arg === 'object' && typeof (arg as SegmentInfo).id === 'number' && typeof (arg as SegmentInfo).cpid === 'number') {
    return openSegmentInEditor(arg as SegmentInfo);
  }

  const qp = vscode.window.createQuickPick<SegmentPick>();
  qp.title = 'Open Segment in Hex Editor';
  qp.placeholder = 'Pick a segment, or type an id (32769) or a key (0x5348d001)';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  let listed: SegmentInfo[] = [];
  const refreshItems = () => {
    const typed = parseTyped(qp.value);
    const exact = typed && listed.some((s) => (typed.kind === 'id' ? s.id === typed.id : s.key === typed.key));
    const extra: SegmentPick[] = typed && !exact
      ? [{ label: typed.kind === 'id' ? `Open segment id ${typed.id}` : `Open segment with key ${formatKey(typed.key)}`, alwaysShow: true, typed }]
      : [];
    qp.items = [...extra, ...listed.map(pickOf)];
  };
  qp.onDidChangeValue(refreshItems);
  agent.request('list', {}).then(
    ({ segments }) => {
      listed = segments;
      qp.busy = false;
      if (!listed.length) qp.placeholder = 'No segments listed: type an id or a key (0x…)';
      refreshItems();
    },
    (err: unknown) => {
      qp.busy = false;
      qp.placeholder = `Could not list segments (${errorMessage(err)}): type an id or a key (0x…)`;
    },
  );

  const choice = await new Promise<{ info: SegmentInfo } | { typed: Typed } | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const sel = qp.selectedItems.at(0); // none when the typed text matches no item
      const typed = sel ? sel.typed : parseTyped(qp.value);
      if (sel?.info) resolve({ info: sel.info });
      else if (typed) resolve({ typed });
      else qp.title = 'Open Segment in Hex Editor: pick a segment, or type an id (decimal) or a key (0x…)';
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!choice) return;
  try {
    const info = 'info' in choice ? choice.info : await resolveTyped(agent, choice.typed);
    await openSegmentInEditor(info);
  } catch (err) {
    void vscode.window.showErrorMessage(errorMessage(err));
  }
}

/** Go to Offset… in the active hex editor (an offset argument skips the input box). */
export async function goToOffsetCommand(active: WebviewHost | undefined, arg?: unknown): Promise<void> {
  if (!active) {
    void vscode.window.showInformationMessage('Go to Offset works in a shared-memory hex editor: open a segment first.');
    return;
  }
  const size = active.doc.size;
  if (typeof arg === 'number' && Number.isSafeInteger(arg) && arg >= 0 && arg < size) {
    active.goto(arg);
    return;
  }
  let cursor: number | undefined;
  try {
    // The webview's answer is checked like any message from it: it may be anything.
    const answer = (await active.selection()) as { cursor?: unknown } | null | undefined;
    const c = answer?.cursor;
    cursor = typeof c === 'number' && Number.isSafeInteger(c) && c >= 0 && c < size ? c : undefined;
  } catch {
    cursor = undefined; // still loading: absolute offsets only
  }
  const last = Math.max(0, size - 1);
  const value = await vscode.window.showInputBox({
    title: `Go to Offset (segment ${active.doc.info.id})`,
    prompt: `0 to ${last} (0x${last.toString(16)}); +N / -N moves from the cursor${cursor !== undefined ? ` (now 0x${cursor.toString(16)})` : ''}`,
    placeHolder: '0x1000',
    validateInput: (text) => {
      if (!text.trim()) return undefined;
      const r = parseOffset(text, cursor, size);
      return 'error' in r ? r.error : undefined;
    },
  });
  if (value === undefined || !value.trim()) return;
  const r = parseOffset(value, cursor, size);
  if ('offset' in r) active.goto(r.offset);
}
