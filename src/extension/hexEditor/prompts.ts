// The document's questions as VS Code modal dialogs. vscode.window is looked up at call time.
import * as vscode from 'vscode';
import type { ConflictAnswer, DocumentPrompts, HexDocument } from './document';

export const OVERWRITE = 'Overwrite';
export const RELOAD = 'Reload Those Bytes';
export const SAVE_AS = 'Save As…';

export const vscodePrompts: DocumentPrompts = {
  async conflict(_doc, _conflicts, text, options): Promise<ConflictAnswer> {
    const choices = options?.canReload === false ? [OVERWRITE] : [OVERWRITE, RELOAD];
    const pick = await vscode.window.showWarningMessage(text.message, { modal: true, detail: text.detail }, ...choices);
    return pick === OVERWRITE ? 'overwrite' : pick === RELOAD ? 'reload' : undefined;
  },

  async saveGone(doc: HexDocument, message: string): Promise<void> {
    const pick = await vscode.window.showWarningMessage(message, { modal: true }, SAVE_AS);
    if (pick !== SAVE_AS) return;
    // After this save has settled: VS Code's Save As of the active editor (this document's).
    setTimeout(() => {
      void vscode.commands.executeCommand('workbench.action.files.saveAs', doc.uri).then(undefined, (err: unknown) => {
        void vscode.window.showErrorMessage(`Save As failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }, 0);
  },
};
