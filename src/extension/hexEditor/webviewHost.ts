// The host end of one hex editor webview: its HTML (strict CSP, nonce per load, resources
// through asWebviewUri), the Rpc over postMessage with the validated handlers, and the
// document's events passed on as `changed` / `state`, plus `settings` and `goto`.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { Rpc } from '../../protocol/rpc';
import type { ByteRange, HexSettings, HostToWebview, HostToWebviewEvents, WebviewEvents, WebviewToHost } from '../../protocol/webview';
import type { HexDocument } from './document';
import { createHandlers, type HandlerDeps } from './handlers';
import { renderHexEditorHtml } from './html';

/** Requests to the webview (selection) give up after this long. */
const REQUEST_TIMEOUT_MS = 5000;

export class WebviewHost implements vscode.Disposable {
  private readonly rpc: Rpc<WebviewToHost, HostToWebview, WebviewEvents, HostToWebviewEvents>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly doc: HexDocument,
    extensionUri: vscode.Uri,
    deps: HandlerDeps,
  ) {
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    webview.html = renderHexEditorHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'hexEditor.css')).toString(),
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
      title: `Shared memory segment ${doc.info.id} (key ${doc.info.keyHex})`,
    });

    this.rpc = new Rpc<WebviewToHost, HostToWebview, WebviewEvents, HostToWebviewEvents>(
      (m) => {
        if (this.disposed) throw new Error('the hex editor was closed');
        webview.postMessage(m).then(undefined, () => undefined);
      },
      createHandlers(doc, deps),
      { timeoutMs: REQUEST_TIMEOUT_MS },
    );
    this.subscriptions.push(
      webview.onDidReceiveMessage((m: unknown) => {
        try {
          this.rpc.receive(m);
        } catch (err) {
          console.error('[shm-inspector] bad message from the hex editor webview:', err);
        }
      }),
      doc.onDidChangeBytes((ranges: ByteRange[] | 'all') => this.rpc.notify('changed', { ranges })),
      doc.onDidChangeState((state) => this.rpc.notify('state', state)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  get active(): boolean {
    return !this.disposed && this.panel.active;
  }

  sendSettings(settings: HexSettings): void {
    this.rpc.notify('settings', settings);
  }

  goto(offset: number, length?: number): void {
    this.rpc.notify('goto', length === undefined ? { offset } : { offset, length });
  }

  /** The webview's selection and cursor. */
  selection(): Promise<ByteRange & { cursor: number }> {
    return this.rpc.request('selection', {});
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rpc.close(new Error('the hex editor was closed'));
    for (const d of this.subscriptions) d.dispose();
    this.subscriptions.length = 0;
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}
