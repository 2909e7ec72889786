// Actions of live inspection: the keys the webview handles itself (Ctrl+F, F3 / Shift+F3,
// F7 / Shift+F7), the same actions arriving from the host (`action` events of palette
// commands and keybindings), and the "…" menu of requests that open host dialogs (export,
// import, snapshots, comparison, bookmarks) with their outcome in the message line.
//
// In VS Code a key pressed in the webview is also passed on to the workbench, so one press
// of F3 can arrive twice: first as our own keydown, then as the host's `action` (the host
// only hears of the key through the webview). So each key press we handle cancels one
// `action` of the same kind arriving within DUPLICATE_MS; other actions (the palette) run.

import type { HostToWebviewEvents } from '../../protocol/webview';
import { formatSize } from '../../protocol/size';
import { hexNumber } from '../util/format';
import { MenuButton } from './menu';
import type { EditorPort } from '../port';

export type Action = HostToWebviewEvents['action']['action'];

const ACTIONS: readonly Action[] = ['find', 'findNext', 'findPrevious', 'nextDifference', 'previousDifference', 'copyAs'];
export const DUPLICATE_MS = 500;

export class ActionRouter {
  /** Key presses whose echo from the host is still expected: count, and until when. */
  private readonly echoes = new Map<Action, { count: number; until: number }>();

  constructor(private readonly run: (action: Action) => void, private readonly isMac: boolean) {}

  /** An `action` event from the host. */
  fromHost(action: unknown): void {
    if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) return;
    const echo = this.echoes.get(action as Action);
    if (echo && echo.count > 0 && performance.now() < echo.until) {
      echo.count--; // the host passing on a key press we already handled
      return;
    }
    this.run(action as Action);
  }

  /** A key press anywhere in the webview; true if it was one of ours (and handled). */
  fromKey(e: KeyboardEvent): boolean {
    const action = this.actionFor(e);
    if (!action) return false;
    e.preventDefault();
    e.stopPropagation();
    const now = performance.now();
    const echo = this.echoes.get(action);
    const pending = echo && now < echo.until ? echo.count : 0;
    this.echoes.set(action, { count: pending + 1, until: now + DUPLICATE_MS });
    if (e.repeat && action === 'find') return true;
    this.run(action);
    return true;
  }

  private actionFor(e: KeyboardEvent): Action | null {
    if (e.altKey || e.isComposing) return null;
    const mod = this.isMac ? e.metaKey : e.ctrlKey;
    if (mod && !e.shiftKey && (e.key === 'f' || e.key === 'F')) return 'find';
    if (mod) return null;
    if (e.key === 'F3') return e.shiftKey ? 'findPrevious' : 'findNext';
    if (e.key === 'F7') return e.shiftKey ? 'previousDifference' : 'nextDifference';
    return null;
  }
}

export interface MoreActionsHost {
  port: EditorPort;
  addBookmark(): void;
  clearDiff(): void;
}

/** The "…" menu: requests that go through host dialogs. */
export function moreActionsMenu(host: MoreActionsHost): MenuButton {
  const port = host.port;
  const fail = (what: string) => (err: unknown) => {
    // The host already showed a notification with the details: one short line here.
    port.message(`${what} failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
  };
  const exportSelection = async () => {
    const sel = port.selection();
    const range = sel.length > 0 ? { offset: sel.start, length: sel.length } : { offset: 0, length: port.doc.size };
    if (range.length === 0) {
      port.message('The segment is empty: nothing to export', 'error');
      return;
    }
    const r = await port.rpc.request('exportRange', range, { timeoutMs: 0 });
    port.message(r ? `Exported ${formatSize(r.bytes)} to ${r.path}` : 'Export cancelled', 'info');
  };
  const importFile = async () => {
    const refusal = port.editRefusal();
    if (refusal) {
      port.message(refusal, 'error');
      return;
    }
    const at = port.cursor();
    const r = await port.rpc.request('importFile', { offset: at }, { timeoutMs: 0 });
    port.message(r ? `Imported ${formatSize(r.bytes)} from ${r.path} at ${hexNumber(at)}` : 'Import cancelled', 'info');
  };
  const takeSnapshot = async () => {
    const r = await port.rpc.request('takeSnapshot', {}, { timeoutMs: 0 });
    port.message(r ? `Snapshot '${r.label || r.name}' taken (${formatSize(r.size)})` : 'Snapshot cancelled', 'info');
  };
  const compare = async () => {
    await port.rpc.request('compareWithSnapshot', {}, { timeoutMs: 0 });
  };
  return new MenuButton('more-actions', '…', 'More actions: export, import, snapshots, bookmarks', [
    { id: 'export', label: 'Export selection…', hint: 'whole segment if nothing is selected', run: () => void exportSelection().catch(fail('Export')) },
    { id: 'import', label: 'Import file at cursor…', run: () => void importFile().catch(fail('Import')) },
    { id: 'snapshot', label: 'Take snapshot…', run: () => void takeSnapshot().catch(fail('Snapshot')) },
    { id: 'compare', label: 'Compare with snapshot…', run: () => void compare().catch(fail('Compare')) },
    { id: 'clearDiff', label: 'Clear differences', run: () => host.clearDiff() },
    { id: 'bookmark', label: 'Add bookmark…', run: () => host.addBookmark() },
  ]);
}
