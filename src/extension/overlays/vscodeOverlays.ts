// The vscode half of typed overlays: the workspace (its C headers, the C settings, file
// watching) and the questions of Apply C Type… as quick picks, dialogs and an output channel.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OverlayView } from '../../protocol/overlay';
import type { SpecContext } from '../../ctypes/overlayLayout';
import { setting } from '../manifest';
import { type HeaderTypes, type TypeChoice, fitText, shownPath, sortChoices } from './catalog';
import type { OverlayPrompts, OverlayWorkspace, TypePick } from './overlayService';

export const C_SECTION = setting('c');
/** Most workspace files the type pick lays out (a huge tree is cut here). */
const MAX_HEADERS = 200;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [];
}

function folderOf(file?: string): vscode.WorkspaceFolder | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  return (file ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) : undefined) ?? folders.at(0);
}

export const vscodeOverlayWorkspace: OverlayWorkspace = {
  context(header?: string): SpecContext {
    const folder = folderOf(header);
    const c = vscode.workspace.getConfiguration(C_SECTION, folder?.uri);
    return {
      root: folder?.uri.fsPath ?? (header ? path.dirname(header) : undefined),
      settings: { includeDirs: strings(c.get('includePath')), defines: strings(c.get('defines')) },
    };
  },

  async findHeaders(): Promise<string[]> {
    const uris = await vscode.workspace.findFiles('**/*.{h,hh,hpp,c}', '{**/node_modules/**,**/.git/**,**/out/**,**/dist/**}', MAX_HEADERS);
    const files = uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath);
    const isHeader = (f: string) => !f.endsWith('.c');
    return files.sort((a, b) => Number(isHeader(b)) - Number(isHeader(a)) || a.localeCompare(b));
  },

  watch(file: string, changed: () => void): { dispose(): void } {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
    w.onDidChange(changed);
    w.onDidCreate(changed);
    w.onDidDelete(changed);
    return w;
  },
};

type Item = vscode.QuickPickItem & { pick?: TypePick };

function choiceItem(c: TypeChoice, root: string | undefined): Item {
  return {
    label: c.typeName,
    description: `${c.size} bytes · ${fitText(c)}`,
    detail: c.header ? shownPath(c.header, root) : undefined,
    pick: { kind: 'type', choice: c },
  };
}

let output: vscode.OutputChannel | undefined;

export const vscodeOverlayPrompts: OverlayPrompts = {
  pickType(title: string, load: (add: (h: HeaderTypes) => void) => Promise<void>): Promise<TypePick | undefined> {
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = title;
    qp.placeholder = 'Type to filter: types that fill the segment come first';
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.busy = true;
    const root = vscode.workspace.workspaceFolders?.at(0)?.uri.fsPath;
    const extra: Item[] = [
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(file) Choose a Header File…', description: 'any .h or .c file', pick: { kind: 'file' } },
      { label: '$(edit) Type C Declarations…', description: 'e.g. struct s { int a; char name[16]; };', pick: { kind: 'text' } },
    ];
    let choices: TypeChoice[] = [];
    const failures: Item[] = [];
    const refresh = () => {
      qp.items = [...sortChoices(choices).map((c) => choiceItem(c, root)), ...failures, ...extra];
    };
    refresh();
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: TypePick | undefined) => {
        if (done) return;
        done = true;
        resolve(v);
        qp.dispose();
      };
      qp.onDidAccept(() => {
        const item = qp.selectedItems.at(0);
        if (item?.pick) finish(item.pick);
      });
      qp.onDidHide(() => finish(undefined));
      qp.show();
      load((h) => {
        if ('error' in h) failures.push({ label: `$(warning) ${shownPath(h.header, root)}`, description: h.error.split('\n')[0] });
        else choices = choices.concat(h.choices);
        if (!done) refresh();
      }).catch((err: unknown) => {
        failures.push({ label: '$(warning) the workspace\'s headers', description: err instanceof Error ? err.message : String(err) });
      }).finally(() => {
        if (done) return;
        qp.busy = false;
        refresh();
        if (!choices.length) qp.placeholder = 'No C types found in the workspace: choose a header file or type the declarations';
      });
    });
  },

  async pickTypeIn(title: string, choices: TypeChoice[]): Promise<TypeChoice | undefined> {
    const root = vscode.workspace.workspaceFolders?.at(0)?.uri.fsPath;
    const item = await vscode.window.showQuickPick(choices.map((c) => ({ ...choiceItem(c, root), choice: c })), { title, matchOnDescription: true });
    return item?.choice;
  },

  async chooseHeader(): Promise<string | undefined> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Apply C Type: the header that declares the type',
      canSelectMany: false,
      filters: { 'C headers and sources': ['h', 'hh', 'hpp', 'c'], 'All files': ['*'] },
    });
    return picked?.[0]?.fsPath;
  },

  declarations(): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showInputBox({
      title: 'Apply C Type: C declarations',
      prompt: 'Declarations as in a header (#define and #pragma pack work; no #include)',
      placeHolder: 'struct state { uint32_t magic; pid_t writer; char name[16]; };',
      ignoreFocusOut: true,
    }));
  },

  async pickPlace(title: string, cursor: number): Promise<number | undefined> {
    const items = [
      { label: `At the cursor (0x${cursor.toString(16)})`, offset: cursor },
      { label: 'At offset 0', offset: 0 },
    ];
    return (await vscode.window.showQuickPick(items, { title }))?.offset;
  },

  async pickCount(title: string, count: number): Promise<number | undefined> {
    const items = [
      { label: 'One value', count: 1 },
      { label: `An array filling the segment (${count.toLocaleString('en-US')} elements)`, count },
    ];
    return (await vscode.window.showQuickPick(items, { title }))?.count;
  },

  async pickOverlay(title: string, views: OverlayView[]): Promise<OverlayView | undefined> {
    if (views.length === 1) return views[0];
    const item = await vscode.window.showQuickPick(views.map((v) => ({ label: v.label, description: v.error, view: v })), { title });
    return item?.view;
  },

  info(message: string): void {
    void vscode.window.showInformationMessage(message);
  },

  error(message: string): void {
    void vscode.window.showErrorMessage(message);
  },

  report(lines: string[], summary: string, ok: boolean): void {
    output ??= vscode.window.createOutputChannel('SHM Inspector: C Layouts');
    for (const l of lines) output.appendLine(l);
    if (ok) {
      void vscode.window.showInformationMessage(summary);
    } else {
      output.show(true);
      void vscode.window.showErrorMessage(summary);
    }
  },
};
