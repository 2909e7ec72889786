// The host end of one hex editor webview: its HTML (strict CSP, nonce per load, resources
// through asWebviewUri), the Rpc over postMessage with the validated handlers (the `ready`
// answer carries all initial state), the viewport subscription (viewport.ts: the window the
// webview watches, pushed as `view` on watch, after every change made through the editor and
// at each live poll), and the events `state`, `settings`, `goto`, `action`, `bookmarks`, `diff`.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { Rpc } from '../../protocol/rpc';
import type { ByteRange, HexSettings, HostToWebview, HostToWebviewEvents, WebviewEvents, WebviewToHost } from '../../protocol/webview';
import type { HexDocument } from './document';
import type { Disposable } from './emitter';
import { createHandlers, type HandlerDeps } from './handlers';
import { renderHexEditorHtml } from './html';
import { TestPings } from './testPings';
import { checkWatch } from './validate';
import { Viewport } from './viewport';

/** Requests to the webview (selection) give up after this long. */
const REQUEST_TIMEOUT_MS = 5000;

export type WebviewAction = HostToWebviewEvents['action']['action'];

/** An event as posted to the webview. */
export type PostedEvent = { [K in keyof HostToWebviewEvents]: { name: K; payload: HostToWebviewEvents[K] } }[keyof HostToWebviewEvents];

export class WebviewHost implements vscode.Disposable {
  private readonly rpc: Rpc<WebviewToHost, HostToWebview, WebviewEvents, HostToWebviewEvents>;
  /** Anything with dispose(): vscode's emitters and the document's listeners are not vscode.Disposable instances. */
  private readonly subscriptions: Disposable[] = [];
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  private readonly postEmitter = new vscode.EventEmitter<PostedEvent>();
  /** Every event posted to the webview (for tests and diagnostics). */
  readonly onDidPost = this.postEmitter.event;
  private readonly last = new Map<string, unknown>();
  private markReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => { this.markReady = resolve; });
  /** The id of the webview's `ready` request until it is answered. */
  private readyId: number | undefined;
  /** Pushes the window the webview watches. */
  readonly viewport: Viewport;

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
        // Events posted from now on reach a webview that has its document.
        if (m.rpc === 'res' && m.id === this.readyId) {
          this.readyId = undefined;
          if (m.ok) this.markReady();
        }
      },
      createHandlers(doc, deps),
      { timeoutMs: REQUEST_TIMEOUT_MS },
    );
    this.viewport = new Viewport({
      source: doc,
      push: (update) => this.post('view', update),
      // A timeline's bytes change only when it moves (pushed then): nothing to poll.
      active: () => this.visible && !doc.state.gone && !doc.source.timeline,
      agent: doc.source.segment?.client, // pause while the agent is down
    });
    this.viewport.setPeriod(deps.settings().liveRefreshMs);
    this.rpc.on('watch', (p) => {
      try {
        this.viewport.watch(checkWatch(p, doc.size));
      } catch (err) {
        console.error('[shm-inspector] bad watch from the hex editor webview:', err);
      }
    });
    // Test hooks only (SHM_INSPECTOR_TEST_HOOKS=1): `npm run bench:ui`'s message floor.
    const testPings = TestPings.create(process.env, (m) => {
      if (this.disposed) throw new Error('the hex editor was closed');
      webview.postMessage(m).then(undefined, () => undefined);
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((m: unknown) => {
        try {
          if (testPings?.receive(m)) return;
          if (isRequest(m, 'ready')) this.readyId = m.id;
          this.rpc.receive(m);
        } catch (err) {
          console.error('[shm-inspector] bad message from the hex editor webview:', err);
        }
      }),
      doc.onDidChangeBytes(() => this.viewport.changed()),
      doc.onDidChangeState((state) => {
        this.post('state', state);
        this.viewport.update();
      }),
      panel.onDidChangeViewState(() => this.viewport.update()),
      ...(doc.source.timeline ? [doc.source.timeline.onDidMove((position) => {
        this.viewport.moved();
        this.post('timeline', position);
      })] : []),
      panel.onDidDispose(() => this.dispose()),
      this.postEmitter,
      ...(testPings ? [testPings] : []),
    );
  }

  /** Resolves once the webview has loaded and got its answer to `ready` (the first time). */
  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  /** Post an event to the webview (dropped once it is closed). */
  post<K extends keyof HostToWebviewEvents>(name: K, payload: HostToWebviewEvents[K]): void {
    if (this.disposed) return;
    this.last.set(name, payload);
    this.rpc.notify(name, payload);
    this.postEmitter.fire({ name, payload } as PostedEvent);
  }

  /** The last payload posted under this name, if any. */
  lastPosted<K extends keyof HostToWebviewEvents>(name: K): HostToWebviewEvents[K] | undefined {
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
    this.viewport.setPeriod(settings.liveRefreshMs);
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
    this.viewport.dispose();
    this.rpc.close(new Error('the hex editor was closed'));
    for (const d of this.subscriptions) d.dispose();
    this.subscriptions.length = 0;
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}

function isRequest(m: unknown, method: string): m is { id: number } {
  const r = m as { rpc?: unknown; method?: unknown; id?: unknown } | null;
  return !!r && r.rpc === 'req' && r.method === method && typeof r.id === 'number';
}
