// The host end of one hex editor webview: its HTML (strict CSP, nonce per load, resources
// through asWebviewUri), the Rpc over postMessage with the validated handlers, and the
// document's events passed on as `changed` / `state`, plus `settings`, `goto`, `action`,
// `bookmarks` and `diff` (the last two also right after each `ready`: the webview reloads
// whenever its tab is shown again), and `live` pushes of the watched range (liveWatch.ts).
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { Rpc, type Handlers } from '../../protocol/rpc';
import type { ByteRange, HexSettings, HostToWebview, HostToWebviewEvents, WebviewEvents, WebviewToHost } from '../../protocol/webview';
import type { HexDocument } from './document';
import { createHandlers, type HandlerDeps } from './handlers';
import { renderHexEditorHtml } from './html';
import { LiveWatch } from './liveWatch';
import { checkWatch } from './validate';

/** Requests to the webview (selection) give up after this long. */
const REQUEST_TIMEOUT_MS = 5000;

export type WebviewAction = HostToWebviewEvents['action']['action'];

/** An event as posted to the webview. */
export type PostedEvent = { [K in keyof HostToWebviewEvents]: { name: K; payload: HostToWebviewEvents[K] } }[keyof HostToWebviewEvents];

export class WebviewHost implements vscode.Disposable {
  private readonly rpc: Rpc<WebviewToHost, HostToWebview, WebviewEvents, HostToWebviewEvents>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  private readonly postEmitter = new vscode.EventEmitter<PostedEvent>();
  /** Every event posted to the webview (for tests and diagnostics). */
  readonly onDidPost = this.postEmitter.event;
  private readonly last = new Map<string, unknown>();
  private markReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => { this.markReady = resolve; });
  /** Live refresh: polls the range the webview watches, pushes what changed. */
  readonly live: LiveWatch;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly doc: HexDocument,
    extensionUri: vscode.Uri,
    deps: HandlerDeps,
    /** Called after each answered `ready` (a fresh webview): send it what it cannot ask for. */
    onReady?: (host: WebviewHost) => void,
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
      this.withReadyHook(createHandlers(doc, deps), onReady),
      { timeoutMs: REQUEST_TIMEOUT_MS },
    );
    this.live = new LiveWatch({
      read: (offset, length) => doc.read(offset, length),
      push: (update) => this.post('live', update),
      active: () => this.visible && !doc.state.gone,
      agent: doc.source.segment?.client, // pause while the agent is down
    });
    this.live.setPeriod(deps.settings().liveRefreshMs);
    this.rpc.on('watch', (p) => {
      try {
        this.live.watch(checkWatch(p, doc.size));
      } catch (err) {
        console.error('[shm-inspector] bad watch from the hex editor webview:', err);
      }
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((m: unknown) => {
        try {
          this.rpc.receive(m);
        } catch (err) {
          console.error('[shm-inspector] bad message from the hex editor webview:', err);
        }
      }),
      doc.onDidChangeBytes((ranges: ByteRange[] | 'all') => {
        this.post('changed', { ranges });
        this.live.resync();
      }),
      doc.onDidChangeState((state) => {
        this.post('state', state);
        this.live.update();
      }),
      panel.onDidChangeViewState(() => this.live.update()),
      panel.onDidDispose(() => this.dispose()),
      this.postEmitter,
    );
  }

  private withReadyHook(handlers: Handlers<WebviewToHost>, onReady?: (host: WebviewHost) => void): Handlers<WebviewToHost> {
    const ready = handlers.ready;
    return {
      ...handlers,
      ready: async (p, ctx) => {
        const r = await ready(p, ctx);
        // After the answer is posted: the webview has its document when these arrive.
        setTimeout(() => {
          if (this.disposed) return;
          onReady?.(this);
          this.markReady();
        }, 0);
        return r;
      },
    };
  }

  /** Resolves once the webview has loaded and asked for its document (its first `ready`). */
  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  /** Post an event to the webview (dropped once it is closed). */
  post<K extends keyof HostToWebviewEvents & string>(name: K, payload: HostToWebviewEvents[K]): void {
    if (this.disposed) return;
    this.last.set(name, payload);
    this.rpc.notify(name, payload);
    this.postEmitter.fire({ name, payload } as PostedEvent);
  }

  /** The last payload posted under this name, if any. */
  lastPosted<K extends keyof HostToWebviewEvents & string>(name: K): HostToWebviewEvents[K] | undefined {
    return this.last.get(name) as HostToWebviewEvents[K] | undefined;
  }

  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  get active(): boolean {
    return !this.disposed && this.panel.active;
  }

  sendSettings(settings: HexSettings): void {
    this.post('settings', settings);
    this.live.setPeriod(settings.liveRefreshMs);
  }

  goto(offset: number, length?: number): void {
    this.post('goto', length === undefined ? { offset } : { offset, length });
  }

  /** Run a webview action (Find, Next Difference...) as if its key was pressed there. */
  action(action: WebviewAction): void {
    this.post('action', { action });
  }

  /** The webview's selection and cursor. */
  selection(): Promise<ByteRange & { cursor: number }> {
    return this.rpc.request('selection', {});
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.live.dispose();
    this.rpc.close(new Error('the hex editor was closed'));
    for (const d of this.subscriptions) d.dispose();
    this.subscriptions.length = 0;
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}
