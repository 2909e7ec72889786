// Live inspection in the command palette (and keybindings): Find / Find Next / Find Previous,
// Next / Previous Difference and Copy Selection As… run in the active hex editor's webview
// (`action` events); bookmarks, export/import, snapshots and comparisons run here, on the
// active editor's document and selection. Arguments (from tests or keybinding `args`) skip
// the questions they answer.
import * as vscode from 'vscode';
import type { Bookmark, ByteRange, DiffView, SnapshotInfo } from '../../../protocol/webview';
import { command } from '../../manifest';
import { reported } from '../../reported';
import type { LiveInspection } from './liveInspection';
import { errorMessage } from '../byteSource';
import type { WebviewAction, WebviewHost } from '../webviewHost';

export interface InspectCommandTarget {
  activeEditor(): WebviewHost | undefined;
  readonly inspection: LiveInspection;
}

/** Palette command name -> webview action and title. */
export const ACTION_COMMANDS: Record<string, { action: WebviewAction; title: string }> = {
  find: { action: 'find', title: 'Find' },
  findNext: { action: 'findNext', title: 'Find Next' },
  findPrevious: { action: 'findPrevious', title: 'Find Previous' },
  nextDifference: { action: 'nextDifference', title: 'Next Difference' },
  previousDifference: { action: 'previousDifference', title: 'Previous Difference' },
  copyAs: { action: 'copyAs', title: 'Copy Selection As' },
};

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A range argument ({offset, length}) inside the segment, else undefined. */
function rangeArg(v: unknown, size: number): ByteRange | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const { offset, length } = v as { offset?: unknown; length?: unknown };
  return isCount(offset) && isCount(length) && length > 0 && offset + length <= size ? { offset, length } : undefined;
}

/** The webview's selection and cursor, checked like any message from it. */
export async function selectionOf(host: WebviewHost): Promise<ByteRange & { cursor: number }> {
  let answer: unknown;
  try {
    // A webview still loading cannot answer yet: give it a moment (the request itself times out too).
    await Promise.race([host.whenReady(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    answer = await host.selection();
  } catch (err) {
    throw new Error(`The hex editor did not say what is selected (${errorMessage(err)}); try again when it has loaded.`);
  }
  const size = host.doc.size;
  const a = (answer ?? {}) as { offset?: unknown; length?: unknown; cursor?: unknown };
  const cursor = isCount(a.cursor) && a.cursor < size ? a.cursor : 0;
  if (isCount(a.offset) && isCount(a.length) && a.offset + a.length <= size) return { offset: a.offset, length: a.length, cursor };
  return { offset: cursor, length: 0, cursor };
}

function noEditor(what: string): void {
  void vscode.window.showInformationMessage(`${what} works in a shared-memory hex editor: open a segment first (Shared Memory: Open Segment in Hex Editor…).`);
}


export function registerInspectCommands(target: InspectCommandTarget, register: (id: string, fn: (...args: unknown[]) => unknown) => vscode.Disposable): vscode.Disposable[] {
  const ins = () => target.inspection;
  const withEditor = <R>(what: string, fn: (host: WebviewHost, ...args: unknown[]) => R | Promise<R>) =>
    reported(async (...args: unknown[]): Promise<R | undefined> => {
      const host = target.activeEditor();
      if (host) return fn(host, ...args);
      noEditor(what);
      return undefined;
    });

  const disposables: vscode.Disposable[] = [];
  for (const [name, { action, title }] of Object.entries(ACTION_COMMANDS)) {
    disposables.push(register(command(name), withEditor(title, (host) => { host.action(action); })));
  }

  disposables.push(
    register(command('addBookmark'), withEditor('Add Bookmark', async (host, arg): Promise<Bookmark | null> => {
      let range = rangeArg(arg, host.doc.size);
      if (!range) {
        const sel = await selectionOf(host);
        range = sel.length > 0 ? { offset: sel.offset, length: sel.length } : { offset: sel.cursor, length: 1 };
      }
      return ins().addBookmark(host.doc, range);
    })),

    register(command('goToBookmark'), withEditor('Go to Bookmark', async (host, arg): Promise<Bookmark | undefined> => {
      const list = ins().bookmarksOf(host.doc);
      if (!list.length) {
        void vscode.window.showInformationMessage(`Segment ${host.doc.info.id} has no bookmarks yet (Shared Memory: Add Bookmark…).`);
        return undefined;
      }
      const b = typeof arg === 'string' ? list.find((x) => x.name === arg) : (await ins().prompts.bookmarks('Go to Bookmark', list, false))?.[0];
      if (!b) return undefined;
      host.goto(b.offset, b.length);
      return b;
    })),

    register(command('removeBookmark'), withEditor('Remove Bookmark', async (host, arg): Promise<string[]> => {
      const list = ins().bookmarksOf(host.doc);
      if (!list.length) {
        void vscode.window.showInformationMessage(`Segment ${host.doc.info.id} has no bookmarks.`);
        return [];
      }
      const names = typeof arg === 'string' ? [arg] : (await ins().prompts.bookmarks('Remove Bookmarks', list, true))?.map((b) => b.name) ?? [];
      for (const n of names) await ins().removeBookmark(host.doc, n);
      return names;
    })),

    register(command('exportSelection'), withEditor('Export Selection', async (host, arg) => {
      let range = rangeArg(arg, host.doc.size);
      if (!range) {
        const sel = await selectionOf(host);
        // Nothing selected: the whole segment.
        range = sel.length > 0 ? { offset: sel.offset, length: sel.length } : { offset: 0, length: host.doc.size };
      }
      return ins().exportRange(host.doc, range);
    })),

    register(command('importFile'), withEditor('Import File', async (host, arg) => {
      const offset = isCount(arg) && arg < host.doc.size ? arg : (await selectionOf(host)).cursor;
      return ins().importFile(host.doc, offset);
    })),

    register(command('takeSnapshot'), withEditor('Take Snapshot', async (host): Promise<SnapshotInfo | null> => ins().takeSnapshot(host.doc))),

    register(command('compareWithSnapshot'), withEditor('Compare with Snapshot', async (host, arg): Promise<DiffView | undefined> => {
      const pick = typeof arg === 'string' ? ins().snapshotsOf(host.doc).find((m) => m.name === arg) : undefined;
      if (typeof arg === 'string' && !pick) throw new Error(`No snapshot named ${arg} of segment ${host.doc.info.id}`);
      return ins().compareLive(host.doc, pick);
    })),

    register(command('compareSnapshots'), withEditor('Compare Two Snapshots', async (host, a, b): Promise<DiffView | undefined> => {
      if (typeof a === 'string' && typeof b === 'string') {
        const metas = ins().snapshotsOf(host.doc);
        const ma = metas.find((m) => m.name === a);
        const mb = metas.find((m) => m.name === b);
        if (!ma || !mb) throw new Error(`No snapshot named ${!ma ? a : b} of segment ${host.doc.info.id}`);
        return ins().compareSnapshots(host.doc, [ma, mb]);
      }
      return ins().compareSnapshots(host.doc);
    })),

    register(command('clearDifferences'), withEditor('Clear Differences', (host) => { ins().clearDiff(host.doc); })),

    // Works without an editor too: then every segment's snapshots are listed.
    register(command('deleteSnapshots'), reported(async () => ins().deleteSnapshots(target.activeEditor()?.doc))),
  );
  return disposables;
}
