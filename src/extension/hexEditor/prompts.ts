// The document's questions as VS Code dialogs. vscode.window is looked up at call time.
import * as vscode from 'vscode';
import type { ConflictAnswer, DocumentPrompts, HexDocument } from './document';

export const OVERWRITE = 'Overwrite';
export const RELOAD = 'Reload Those Bytes';
export const SAVE_AS = 'Save As…';

/** VS Code's Save As of this document's editor, after the caller has settled. */
export function startSaveAs(doc: HexDocument): void {
  setTimeout(() => {
    void vscode.commands.executeCommand('workbench.action.files.saveAs', doc.uri).then(undefined, (err: unknown) => {
      void vscode.window.showErrorMessage(`Save As failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  }, 0);
}

export const vscodePrompts: DocumentPrompts = {
  async conflict(_doc, _conflicts, text, options): Promise<ConflictAnswer> {
    const choices = options?.canReload === false ? [OVERWRITE] : [OVERWRITE, RELOAD];
    const pick = await vscode.window.showWarningMessage(text.message, { modal: true, detail: text.detail }, ...choices);
    return pick === OVERWRITE ? 'overwrite' : pick === RELOAD ? 'reload' : undefined;
  },

  async saveGone(doc: HexDocument, message: string): Promise<void> {
    const pick = await vscode.window.showWarningMessage(message, { modal: true }, SAVE_AS);
    if (pick === SAVE_AS) startSaveAs(doc);
  },
};

/** A restored backup whose segment is gone: what to do with its edits (undefined = not now, they stay). */
export type OrphanAnswer = 'saveAs' | 'apply' | undefined;
export type OrphanPrompt = (doc: HexDocument, message: string, applyLabel: string | undefined) => Promise<OrphanAnswer>;

/** Not modal: it comes up while the window restores; dismissing it keeps the edits in the editor. */
export const vscodeOrphanPrompt: OrphanPrompt = async (_doc, message, applyLabel) => {
  const pick = await vscode.window.showWarningMessage(message, SAVE_AS, ...(applyLabel ? [applyLabel] : []));
  return pick === SAVE_AS ? 'saveAs' : pick !== undefined && pick === applyLabel ? 'apply' : undefined;
};
