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
  // The host posts events only after it answered `ready` (that answer carries the initial state).
  rpc.on('state', (p) => editor?.onState(p));
  rpc.on('settings', (p) => editor?.onSettings(p));
  rpc.on('goto', (p) => editor?.onGoto(p.offset, p.length));
  rpc.on('view', (p) => editor?.onView(p));
  rpc.on('bookmarks', (p) => editor?.inspection.onBookmarks(p.bookmarks));
  rpc.on('diff', (p) => editor?.inspection.onDiff(p.diff));
  rpc.on('overlays', (p) => editor?.inspection.onOverlays(p.overlays));
  rpc.on('action', (p: { action?: unknown } | null) => editor?.inspection.onAction(p?.action)); // onAction checks it
  rpc.on('timeline', (p) => editor?.onTimeline(p));

  try {
    const { doc, settings, state, bookmarks, diff, overlays, timeline } = await rpc.request('ready', {});
    editor = new HexEditor(root, rpc, vscode, doc, settings, state, timeline ?? null);
    editor.inspection.onBookmarks(bookmarks);
    if (diff) editor.inspection.onDiff(diff);
    if (Array.isArray(overlays) && overlays.length) editor.inspection.onOverlays(overlays);
  } catch (err) {
    root.textContent = `Could not open the segment: ${err instanceof Error ? err.message : String(err)}`;
    root.className = 'load-error';
    root.setAttribute('role', 'alert');
    root.setAttribute('aria-busy', 'false');
  }
}

void main();
