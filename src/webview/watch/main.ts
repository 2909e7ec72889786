// Entry of the "Shared Memory: Watch" view's webview (dist/watchView.js): asks the host for the
// watches and the session's state, then plots what the host pushes. Every event payload is
// checked (incoming.ts); a malformed one is dropped and the view goes on.

import { Rpc } from '../../protocol/rpc';
import type { WatchHostEvents, WatchHostToView, WatchViewEvents, WatchViewToHost } from '../../protocol/watch';
import { batchesOf, markersOf, stateOf, watchesOf } from './incoming';
import { WatchView } from './view';

function start(): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('root') as HTMLElement;
  let view: WatchView | undefined;
  const rpc = new Rpc<WatchHostToView, WatchViewToHost, WatchHostEvents, WatchViewEvents>((m) => vscode.postMessage(m), {}, { timeoutMs: 0 });
  window.addEventListener('message', (e: MessageEvent) => rpc.receive(e.data));
  rpc.on('watches', (p) => {
    const watches = watchesOf(p);
    if (watches) view?.onWatches(watches);
  });
  rpc.on('samples', (p) => view?.onSamples(batchesOf(p)));
  rpc.on('markers', (p) => view?.onMarkers(markersOf(p)));
  rpc.on('state', (p) => {
    const s = stateOf(p);
    if (s) view?.onState(s);
  });
  rpc.request('ready', {}).then((r) => {
    const state = stateOf(r.state);
    if (!state) throw new Error('the host sent no valid state');
    view = new WatchView(root, rpc, { watches: watchesOf(r) ?? [], state, markers: markersOf(r) }, { get: () => vscode.getState(), set: (s) => vscode.setState(s) });
  }).catch((e: unknown) => {
    root.textContent = `The watch view could not start: ${e instanceof Error ? e.message : String(e)}`;
    root.setAttribute('aria-busy', 'false');
  });
}

start();
