// The "Shared Memory: Watch" view in the panel (issue 12): a webview view rendering watchHtml with
// a fresh nonce, served over the shared Rpc. Every request from the webview is checked by
// watchValidate before it reaches the session; the session (watchSession.ts) does the work per
// batch, and this provider forwards its events while the webview is ready. One session at a time:
// watching a value of another segment starts a new one (the view drops what it held).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Rpc, type RpcMessage } from '../../protocol/rpc';
import { type Footprint, type SegmentInfo, identityOf } from '../../protocol/segment';
import type { WatchHostEvents, WatchHostToView, WatchState, WatchViewEvents, WatchViewToHost } from '../../protocol/watch';
import type { AgentClient } from '../agent/client';
import { SnapshotStore, type SnapshotSource } from '../inspect/snapshots';
import { setting } from '../manifest';
import { renderWatchViewHtml } from './watchHtml';
import { type WatchSession, type WatchSpec, WatchSession as Session } from './watchSession';
import { checkExportCsv, checkSeek, checkSetPaused, checkSetRate, checkSetTrigger, checkWatchId, checkWatchNoParams } from './watchValidate';

export const WATCH_VIEW = setting('watch'); // shmInspector.watch
/** Samples per second of a new session (the view's rate selector changes it). */
export const DEFAULT_WATCH_HZ = 100;
/** The view's state with no session (a valid rate: the view drops states without one). */
const idleState = () => ({ sessionStart: Date.now(), rateHz: DEFAULT_WATCH_HZ, paused: false });
/** Requests the host sends the webview (none yet) give up after this long. */
const REQUEST_TIMEOUT_MS = 5000;

export type PostedWatchEvent = { [K in keyof WatchHostEvents]: { name: K; payload: WatchHostEvents[K] } }[keyof WatchHostEvents];

type ViewRpc = Rpc<WatchViewToHost, WatchHostToView, WatchViewEvents, WatchHostEvents>;

export class WatchViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private rpc: ViewRpc | undefined;
  private ready = false;
  private current: WatchSession | undefined;
  private sessionSubs: { dispose(): void }[] = [];
  private viewSubs: vscode.Disposable[] = [];
  private readonly postEmitter = new vscode.EventEmitter<PostedWatchEvent>();
  /** Every event posted to the webview (for tests and diagnostics). */
  readonly onDidPost = this.postEmitter.event;
  private readonly endEmitter = new vscode.EventEmitter<{ segment: SegmentInfo; message: string }>();
  /** A session ended by itself (segment destroyed, agent gone). */
  readonly onDidEndSession = this.endEmitter.event;
  private readonly snapshots: SnapshotStore;
  /** A plot was clicked at this wall-clock moment: scrub the open recordings of the segment there. */
  seekRecordings: ((segment: SegmentInfo, wallMs: number) => void) | undefined;
  /** The wall-clock span (ms since the epoch) the open recordings of a segment cover, if any: the plot shows it as a band. */
  recordedSpan: ((segment: SegmentInfo) => { from: number; to: number } | undefined) | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly agent: AgentClient, snapshotDir: string) {
    this.snapshots = new SnapshotStore(snapshotDir);
  }

  get session(): WatchSession | undefined {
    return this.current;
  }

  /** The webview has loaded and got its answer to `ready` (events reach it). */
  get webviewReady(): boolean {
    return this.ready;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const webview = view.webview;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    webview.html = renderWatchViewHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'watchView.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'watchView.css')).toString(),
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
    });
    let readyId: number | undefined;
    const rpc: ViewRpc = new Rpc<WatchViewToHost, WatchHostToView, WatchViewEvents, WatchHostEvents>(
      (m: RpcMessage) => {
        webview.postMessage(m).then(undefined, () => undefined);
        if (m.rpc === 'res' && m.id === readyId) {
          readyId = undefined;
          if (m.ok) { this.ready = true; this.sendHeld(); }
        }
      },
      this.handlers(),
      { timeoutMs: REQUEST_TIMEOUT_MS },
    );
    this.rpc = rpc;
    this.ready = false;
    this.viewSubs.push(
      webview.onDidReceiveMessage((m: unknown) => {
        try {
          const req = m as { rpc?: unknown; method?: unknown; id?: unknown } | null;
          if (req?.rpc === 'req' && req.method === 'ready' && typeof req.id === 'number') readyId = req.id;
          rpc.receive(m);
        } catch (err) {
          console.error('[shm-inspector] bad message from the watch view:', err);
        }
      }),
      view.onDidDispose(() => { if (this.view === view) this.disposeView(); }),
    );
  }

  /** Watches a value of `segment` (a new session if it is another segment, or the last one ended). */
  async watch(segment: SegmentInfo, spec: WatchSpec, options: { hz: number; footprint?: Footprint }): Promise<number> {
    const s = this.current;
    const same = s && !s.isEnded && s.segment.id === segment.id && s.segment.ctime === segment.ctime && s.segment.cpid === segment.cpid;
    let id: number;
    if (same) {
      id = (await s.add(spec)).id;
    } else {
      // Another segment: a new session, which replaces the plot only once its first watch runs.
      const session = this.newSession(segment, options);
      try {
        id = (await session.add(spec)).id;
      } catch (err) {
        await session.dispose();
        throw err;
      }
      this.install(session);
    }
    await vscode.commands.executeCommand(`${WATCH_VIEW}.focus`).then(undefined, () => undefined);
    return id;
  }

  /** The hex editor saved edits to a segment: a marker if it is the one watched. */
  markSave(saved: { id: number; key: number; size: number }): void {
    const s = this.current;
    if (!s || s.isEnded || s.segment.id !== saved.id || s.segment.key !== saved.key || s.segment.size !== saved.size) return;
    s.mark('save', 'saved from the hex editor');
  }

  /** Ends the session (the view shows an empty plot). */
  async clear(): Promise<void> {
    const s = this.current;
    this.current = undefined;
    for (const d of this.sessionSubs) d.dispose();
    this.sessionSubs = [];
    if (s) await s.dispose();
    this.post('watches', { watches: [] });
    this.post('state', idleState());
  }

  dispose(): void {
    void this.clear();
    this.disposeView();
    this.postEmitter.dispose();
    this.endEmitter.dispose();
  }

  private newSession(segment: SegmentInfo, options: { hz: number; footprint?: Footprint }): WatchSession {
    return new Session(this.agent, segment, {
      ...options,
      snapshot: async (seg) => (await this.snapshots.take(this.snapshotSource(seg, options.footprint), 'watch trigger')).name,
    });
  }

  /** Makes session the one the view shows (the old one stops); called between its batches. */
  private install(session: WatchSession): void {
    const old = this.current;
    for (const d of this.sessionSubs) d.dispose();
    if (old) void old.dispose();
    this.current = session;
    this.sessionSubs = [
      session.onPost((name, payload) => { this.post(name, payload); }),
      session.onDidEnd((message) => { this.endEmitter.fire({ segment: session.segment, message }); }),
    ];
    // A new sessionStart: the view drops what it held, then gets this session's.
    const { watches, state, markers } = session.ready();
    this.post('state', state);
    this.post('watches', { watches });
    this.post('markers', { markers });
    this.post('samples', session.samplesHeld());
  }

  /** The open recordings changed: the plot's band follows. */
  recordingsChanged(): void {
    const s = this.current;
    if (s && !s.isEnded) this.post('state', s.state);
  }

  /** A state with the span the open recordings cover, in the session's times. */
  private withRecorded(session: WatchSession, state: WatchState): WatchState {
    const span = this.recordedSpan?.(session.segment);
    if (!span || span.to < session.sessionStart) return state;
    return { ...state, recorded: { from: Math.max(0, span.from - session.sessionStart), to: span.to - session.sessionStart } };
  }

  private post<K extends keyof WatchHostEvents>(name: K, payload: WatchHostEvents[K]): void {
    if (name === 'state' && this.current) payload = this.withRecorded(this.current, payload as WatchState) as WatchHostEvents[K];
    if (this.ready) this.rpc?.notify(name, payload);
    this.postEmitter.fire({ name, payload } as PostedWatchEvent);
  }

  /** After `ready`: the samples the session holds. */
  private sendHeld(): void {
    const s = this.current;
    if (s) this.post('samples', s.samplesHeld());
  }

  private need(): WatchSession {
    const s = this.current;
    if (!s) throw new Error('nothing is being watched');
    return s;
  }

  /** The webview's request handlers, as it calls them (validated first): for tests. */
  webviewHandlers(): ReturnType<WatchViewProvider['handlers']> {
    return this.handlers();
  }

  private handlers(): { [K in keyof WatchViewToHost]: (p: unknown) => WatchViewToHost[K]['result'] | Promise<WatchViewToHost[K]['result']> } {
    return {
      ready: (p) => {
        checkWatchNoParams('ready', p);
        const s = this.current;
        if (!s) return { watches: [], state: idleState(), markers: [] };
        const r = s.ready();
        return { ...r, state: this.withRecorded(s, r.state) };
      },
      setRate: async (p) => { await this.need().setRate(checkSetRate(p).hz); return null; },
      setPaused: async (p) => { await this.need().setPaused(checkSetPaused(p).paused); return null; },
      removeWatch: async (p) => { const s = this.need(); await s.remove(checkWatchId('removeWatch', p, s.ids).id); return null; },
      setTrigger: (p) => {
        const s = this.need();
        const { id, ...trigger } = checkSetTrigger(p, s.ids);
        s.setTrigger(id, trigger);
        return null;
      },
      clearTrigger: (p) => { const s = this.need(); s.setTrigger(checkWatchId('clearTrigger', p, s.ids).id, undefined); return null; },
      seek: (p) => {
        const { t } = checkSeek(p);
        const s = this.current;
        if (s) this.seekRecordings?.(s.segment, s.sessionStart + t);
        return null;
      },
      exportCsv: async (p) => {
        const { from, to } = checkExportCsv(p);
        const s = this.need();
        const target = await vscode.window.showSaveDialog({ title: 'Export Watched Values as CSV', filters: { CSV: ['csv'] }, defaultUri: vscode.Uri.file(`shm-${s.segment.id}-watch.csv`) });
        if (!target) return null;
        const { text, rows } = s.csv(from, to);
        await fs.promises.writeFile(target.fsPath, text, { mode: 0o644 });
        return { path: target.fsPath, rows };
      },
    };
  }

  /** The segment's bytes for a 'snapshot' trigger: read-only through the agent, the same segment only. */
  private snapshotSource(seg: SegmentInfo, footprint: Footprint | undefined): SnapshotSource {
    const agent = this.agent;
    return {
      identity: identityOf(seg),
      async dumpTo(file) {
        const { handle } = await agent.request('open', { id: seg.id, readOnly: true, expect: identityOf(seg), ...(footprint ? { footprint } : {}) });
        try {
          await agent.request('dump', { handle, path: file });
        } finally {
          await agent.request('close', { handle }).catch(() => undefined);
        }
      },
      diffWith: () => Promise.reject(new Error('a watch snapshot is not compared here')),
    };
  }

  private disposeView(): void {
    for (const d of this.viewSubs) d.dispose();
    this.viewSubs = [];
    this.rpc?.close(new Error('the watch view was closed'));
    this.rpc = undefined;
    this.view = undefined;
    this.ready = false;
  }
}
