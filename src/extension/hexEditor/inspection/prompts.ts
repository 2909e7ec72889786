// Live inspection's questions and messages (file dialogs, input boxes, quick picks,
// notifications) behind one interface: VS Code's by default; integration tests script them
// the way they script the document's prompts. vscode.window is looked up at call time.
import * as vscode from 'vscode';
import type { Bookmark, BookmarkColor } from '../../../protocol/webview';
import { BOOKMARK_COLORS } from '../../inspect/bookmarks';
import { snapshotPickText } from '../../inspect/describe';
import type { SnapshotMeta } from '../../inspect/snapshots';

export interface TextQuestion {
  title: string;
  prompt: string;
  value: string;
  /** An error text for the value, or undefined when it is acceptable. */
  validate?(value: string): string | undefined;
}

export interface InspectPrompts {
  /** Where to export; undefined = cancelled. */
  saveTarget(title: string, defaultUri: vscode.Uri): Promise<vscode.Uri | undefined>;
  /** Which file to import; undefined = cancelled. */
  openSource(title: string, defaultUri: vscode.Uri | undefined): Promise<vscode.Uri | undefined>;
  text(q: TextQuestion): Promise<string | undefined>;
  color(title: string, suggestion: BookmarkColor): Promise<BookmarkColor | undefined>;
  /** One snapshot (newest first as given). */
  snapshot(title: string, placeHolder: string, items: SnapshotMeta[], segmentSize: number | undefined): Promise<SnapshotMeta | undefined>;
  /** Any number of snapshots: this segment's first, then the others. */
  snapshots(title: string, current: SnapshotMeta[], others: SnapshotMeta[]): Promise<SnapshotMeta[] | undefined>;
  bookmarks(title: string, items: Bookmark[], canPickMany: boolean): Promise<Bookmark[] | undefined>;
  /** A modal question with one action; true if it was chosen. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  /** A notification; resolves with the button chosen (when it is dismissed). */
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  error(message: string): void;
}

/** A filled circle in the bookmark's colour (a codicon: emoji need a font the workbench may lack). */
function colorIcon(color: BookmarkColor): vscode.ThemeIcon {
  return new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor(`charts.${color}`));
}

type SnapshotItem = vscode.QuickPickItem & { meta?: SnapshotMeta };

function snapshotItem(meta: SnapshotMeta, segmentSize?: number): SnapshotItem {
  return { ...snapshotPickText(meta, segmentSize), meta };
}

export const vscodeInspectPrompts: InspectPrompts = {
  async saveTarget(title, defaultUri) {
    return vscode.window.showSaveDialog({ title, defaultUri, saveLabel: 'Export', filters: { 'Binary files': ['bin'], 'All files': ['*'] } });
  },

  async openSource(title, defaultUri) {
    const picked = await vscode.window.showOpenDialog({ title, defaultUri, openLabel: 'Import', canSelectMany: false, canSelectFiles: true, canSelectFolders: false });
    return picked?.[0];
  },

  async text(q) {
    return vscode.window.showInputBox({
      title: q.title,
      prompt: q.prompt,
      value: q.value,
      valueSelection: [0, q.value.length],
      validateInput: q.validate?.bind(q),
    });
  },

  async color(title, suggestion) {
    const items = BOOKMARK_COLORS.map((c) => ({ label: c, iconPath: colorIcon(c), color: c, picked: c === suggestion }));
    const ordered = [...items.filter((i) => i.color === suggestion), ...items.filter((i) => i.color !== suggestion)];
    const pick = await vscode.window.showQuickPick(ordered, { title, placeHolder: 'Colour of the bookmark' });
    return pick?.color;
  },

  async snapshot(title, placeHolder, items, segmentSize) {
    const pick = await vscode.window.showQuickPick(items.map((m) => snapshotItem(m, segmentSize)), { title, placeHolder, matchOnDescription: true, matchOnDetail: true });
    return pick?.meta;
  },

  async snapshots(title, current, others) {
    const items: SnapshotItem[] = [];
    if (current.length) items.push({ label: 'this segment', kind: vscode.QuickPickItemKind.Separator }, ...current.map((m) => snapshotItem(m)));
    if (others.length) items.push({ label: 'other segments', kind: vscode.QuickPickItemKind.Separator }, ...others.map((m) => snapshotItem(m)));
    const picks = await vscode.window.showQuickPick(items, { title, canPickMany: true, placeHolder: 'Snapshots to delete', matchOnDescription: true, matchOnDetail: true });
    return picks?.flatMap((p) => (p.meta ? [p.meta] : []));
  },

  async bookmarks(title, items, canPickMany) {
    const picks = items.map((b) => ({
      label: b.name,
      iconPath: colorIcon(b.color),
      description: `0x${b.offset.toString(16)}${b.length > 1 ? ` – 0x${(b.offset + b.length - 1).toString(16)}` : ''}`,
      detail: `${b.length} ${b.length === 1 ? 'byte' : 'bytes'} at offset ${b.offset}`,
      bookmark: b,
    }));
    if (canPickMany) {
      const chosen = await vscode.window.showQuickPick(picks, { title, canPickMany: true, matchOnDescription: true });
      return chosen?.map((c) => c.bookmark);
    }
    const chosen = await vscode.window.showQuickPick(picks, { title, matchOnDescription: true });
    return chosen ? [chosen.bookmark] : undefined;
  },

  async confirm(message, detail, action) {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
  },

  async info(message, ...actions) {
    return vscode.window.showInformationMessage(message, ...actions);
  },

  error(message) {
    void vscode.window.showErrorMessage(message);
  },
};
