// Entry of the hex editor webview (bundled as an iife into dist/webview.js). Connects to
// the host with the shared Rpc class, asks for the document, then hands over to HexEditor.

import { Rpc } from '../protocol/rpc';
import type { HostToWebview, HostToWebviewEvents, WebviewEvents, WebviewToHost } from '../protocol/webview';
import { HexEditor } from './editor';
import './vscodeApi';

async function main(): Promise<void> {
  performance.mark('shm-hex-start');
  const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
  const vscode = acquireVsCodeApi();
  let editor: HexEditor | undefined;
  const rpc = new Rpc<HostToWebview, WebviewToHost, HostToWebviewEvents, WebviewEvents>(
    (m) => vscode.postMessage(m),
    {
      selection: () => {
        if (!editor) throw new Error('the hex editor is still loading');
        return editor.selection();
      },
    },
    { timeoutMs: 10000 },
  );
  window.addEventListener('message', (e: MessageEvent) => rpc.receive(e.data));
  // Events that arrive before the editor exists are covered by the `ready` answer.
  rpc.on('changed', (p) => editor?.onChanged(p.ranges));
  rpc.on('state', (p) => editor?.onState(p));
  rpc.on('settings', (p) => editor?.onSettings(p));
  rpc.on('goto', (p) => editor?.onGoto(p.offset, p.length));
  rpc.on('live', (p) => editor?.onLive(p));
  // Bookmarks and differences are sent right after `ready`: keep the latest until the editor exists.
  let early: { bookmarks?: HostToWebviewEvents['bookmarks']; diff?: HostToWebviewEvents['diff'] } = {};
  rpc.on('bookmarks', (p) => (editor ? editor.inspection.onBookmarks(p.bookmarks) : (early.bookmarks = p)));
  rpc.on('diff', (p) => (editor ? editor.inspection.onDiff(p.diff) : (early.diff = p)));
  rpc.on('action', (p) => editor?.inspection.onAction(p?.action));

  try {
    const { doc, settings, state } = await rpc.request('ready', {});
    editor = new HexEditor(root, rpc, vscode, doc, settings, state);
    if (early.bookmarks) editor.inspection.onBookmarks(early.bookmarks.bookmarks);
    if (early.diff) editor.inspection.onDiff(early.diff.diff);
    early = {};
  } catch (err) {
    root.textContent = `Could not open the segment: ${err instanceof Error ? err.message : String(err)}`;
    root.className = 'load-error';
    root.setAttribute('role', 'alert');
    root.setAttribute('aria-busy', 'false');
  }
}

void main();
