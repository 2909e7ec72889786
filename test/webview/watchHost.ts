// A fake VS Code host for the watch view's webview, run inside the test page (bundled with esbuild
// and injected before the page's scripts). It provides `acquireVsCodeApi()` and answers the view's
// requests with the real validators (watchValidate.ts) and the real trigger rule (triggerFires),
// recording each request; tests push watches, samples, markers and state through
// `window.watchHost` (page.evaluate), and raw messages to check that bad ones are ignored.
//
// Compiled twice: by esbuild for the browser, and by the repo's tsc (no DOM lib), hence the small
// local declarations.

import {
  checkExportCsv, checkSeek, checkSetPaused, checkSetRate, checkSetTrigger, checkWatchId, checkWatchNoParams,
} from '../../src/extension/timeline/watchValidate';
import { Rpc } from '../../src/protocol/rpc';
import type {
  SampleBatch, WatchHostEvents, WatchHostToView, WatchInfo, WatchMarker, WatchState, WatchViewEvents, WatchViewToHost,
} from '../../src/protocol/watch';
import { triggerFires } from '../../src/timeline/trigger';
import { THEMES, type ThemeName } from './virtualSegment';

export interface WatchHostConfig {
  watches: WatchInfo[];
  state?: Partial<WatchState>;
  markers?: WatchMarker[];
  theme?: ThemeName;
  /** What vscode.getState() returns at start (the view saved by an earlier page). */
  savedState?: unknown;
}

/** Generated signals: a ramp 0, 1, 2..., a sine of amplitude 100 and period 1000 samples, a square wave 0 / 10 of period 100. */
export type Shape = 'ramp' | 'sine' | 'square';
const SHAPES: Record<Shape, (i: number) => number> = {
  ramp: (i) => i,
  sine: (i) => 100 * Math.sin((2 * Math.PI * i) / 1000),
  square: (i) => (Math.floor(i / 50) % 2 ? 10 : 0),
};

export interface WatchCall { method: string; params: unknown; error?: string }

export interface WatchHostApi {
  /** Requests the view made, in order (rejected ones with the validator's message). */
  calls(): WatchCall[];
  sendWatches(watches: WatchInfo[]): void;
  /** Samples of one watch; the host's triggers are evaluated on them (markers sent first). */
  sendSamples(id: number, t: number[], v: number[]): void;
  /** n samples of one watch at t = t0 + i * dt, v = shape(i) made here (large batches without crossing the page boundary). */
  sendGenerated(id: number, n: number, t0: number, dt: number, shape: Shape): void;
  /**
   * A sampling session as the host streams it: `seconds` of samples of every watch in `ids` at
   * `hz`, one `samples` event per `batchMs` carrying every watch's batch (sine waves, one phase
   * per watch). Returns the number of events sent.
   */
  sendStream(ids: number[], seconds: number, hz: number, batchMs: number): number;
  sendMarkers(markers: WatchMarker[]): void;
  sendState(state: Partial<WatchState>): void;
  /** Post any message to the view as the host would (to check that malformed ones are ignored). */
  sendRaw(message: unknown): void;
  /** What exportCsv answers next (null: the user cancelled the save dialog). */
  exportAnswer(answer: { path: string; rows: number } | null): void;
  setTheme(theme: ThemeName): void;
  /** What the view last passed to vscode.setState. */
  saved(): unknown;
}

interface StyleDecl { setProperty(name: string, value: string): void; removeProperty(name: string): void }
interface Elem { className: string; style: StyleDecl; setAttribute(name: string, value: string): void }
interface Port { postMessage(m: unknown): void; onmessage: ((e: { data: unknown }) => void) | null }
interface PageWindow {
  document: { documentElement: Elem; body: Elem | null };
  postMessage(message: unknown, targetOrigin: string): void;
  watchHost?: WatchHostApi;
  __WATCH_HOST_CONFIG__?: WatchHostConfig;
  acquireVsCodeApi?: () => unknown;
}

/** Chart colours as VS Code's Dark Modern / Light Modern / High Contrast themes define them. */
const CHARTS: Record<ThemeName, Record<string, string>> = {
  dark: { 'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7', 'charts-yellow': '#cca700', 'charts-red': '#f14c4c', 'panel-background': '#181818', foreground: '#cccccc' },
  light: { 'charts-blue': '#1a85ff', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90', 'charts-yellow': '#bf8803', 'charts-red': '#e51400', 'panel-background': '#f8f8f8', foreground: '#3b3b3b' },
  hc: { 'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7', 'charts-yellow': '#ffd700', 'charts-red': '#f48771', 'panel-background': '#000000', foreground: '#ffffff', contrastBorder: '#6fc3df' },
};

function install(): void {
  const w = globalThis as unknown as PageWindow;
  const config: WatchHostConfig = w.__WATCH_HOST_CONFIG__ ?? { watches: [] };
  let watches = [...config.watches];
  let state: WatchState = { sessionStart: 1_700_000_000_000, rateHz: 100, paused: false, ...config.state };
  const calls: WatchCall[] = [];
  const last = new Map<number, number>();
  let exportNext: { path: string; rows: number } | null = { path: '/tmp/watch.csv', rows: 0 };
  const known = (): Set<number> => new Set(watches.map((x) => x.id));

  const channel = new MessageChannel() as unknown as { port1: Port; port2: Port };
  /** Record a request, check it with the real validator, then answer. */
  const handle = <T, R>(method: string, params: unknown, check: () => T, answer: (p: T) => R): R => {
    try {
      const p = check();
      calls.push({ method, params: p });
      return answer(p);
    } catch (e) {
      calls.push({ method, params, error: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  };
  const host: Rpc<WatchViewToHost, WatchHostToView, WatchViewEvents, WatchHostEvents> = new Rpc<WatchViewToHost, WatchHostToView, WatchViewEvents, WatchHostEvents>(
    (m) => w.postMessage(m, '*'),
    {
      ready: (p) => handle('ready', p, () => checkWatchNoParams('ready', p), () => ({ watches, state, markers: config.markers ?? [] })),
      setRate: (p) => handle('setRate', p, () => checkSetRate(p), ({ hz }) => {
        state = { ...state, rateHz: hz };
        host.notify('state', state);
        return null;
      }),
      setPaused: (p) => handle('setPaused', p, () => checkSetPaused(p), ({ paused }) => {
        state = { ...state, paused };
        host.notify('state', state);
        return null;
      }),
      removeWatch: (p) => handle('removeWatch', p, () => checkWatchId('removeWatch', p, known()), ({ id }) => {
        watches = watches.filter((x) => x.id !== id);
        host.notify('watches', { watches });
        return null;
      }),
      exportCsv: (p) => handle('exportCsv', p, () => checkExportCsv(p), () => exportNext),
      setTrigger: (p) => handle('setTrigger', p, () => checkSetTrigger(p, known()), ({ id, ...trigger }) => {
        watches = watches.map((x) => (x.id === id ? { ...x, trigger } : x));
        host.notify('watches', { watches });
        return null;
      }),
      clearTrigger: (p) => handle('clearTrigger', p, () => checkWatchId('clearTrigger', p, known()), ({ id }) => {
        watches = watches.map((x) => (x.id === id ? { id: x.id, label: x.label, type: x.type, ...(x.unit ? { unit: x.unit } : {}) } : x));
        host.notify('watches', { watches });
        return null;
      }),
      seek: (p) => handle('seek', p, () => checkSeek(p), () => null),
    },
    { timeoutMs: 10000 },
  );
  channel.port2.onmessage = (e) => void host.receive(e.data);

  /** Trigger markers for a batch (the real host evaluates every sample the same way). */
  const fire = (b: SampleBatch): WatchMarker[] => {
    const watch = watches.find((x) => x.id === b.id);
    const out: WatchMarker[] = [];
    let prev = last.get(b.id);
    for (let i = 0; i < b.t.length; i++) {
      const v = b.v[i];
      if (watch?.trigger && triggerFires(watch.trigger, prev, v)) {
        out.push({ t: b.t[i], kind: 'trigger', id: b.id, text: `${watch.label} ${watch.trigger.kind} ${watch.trigger.level ?? ''}: ${v}` });
      }
      prev = v;
    }
    if (prev !== undefined) last.set(b.id, prev);
    return out;
  };
  const samples = (b: SampleBatch): void => {
    const markers = fire(b);
    host.notify('samples', { batches: [b] });
    if (markers.length) host.notify('markers', { markers });
  };

  function applyTheme(theme: ThemeName): void {
    const t = THEMES[theme];
    const root = w.document.documentElement;
    for (const [name, value] of Object.entries({ ...t.vars, ...CHARTS[theme] })) root.style.setProperty(`--vscode-${name}`, value);
    if (w.document.body) {
      w.document.body.className = t.bodyClass;
      w.document.body.setAttribute('data-vscode-theme-kind', t.kind);
    }
  }

  const api: WatchHostApi = {
    calls: () => calls.map((c) => ({ ...c })),
    sendWatches: (list) => {
      watches = [...list];
      host.notify('watches', { watches });
    },
    sendSamples: (id, t, v) => samples({ id, t: Float64Array.from(t), v: Float64Array.from(v) }),
    sendGenerated: (id, n, t0, dt, shape) => {
      const fn = SHAPES[shape];
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        t[i] = t0 + i * dt;
        v[i] = fn(i);
      }
      samples({ id, t, v });
    },
    sendStream: (ids, seconds, hz, batchMs) => {
      const perBatch = Math.round((hz * batchMs) / 1000);
      const batches = Math.round((seconds * 1000) / batchMs);
      for (let b = 0; b < batches; b++) {
        host.notify('samples', {
          batches: ids.map((id, k) => {
            const t = new Float64Array(perBatch);
            const v = new Float64Array(perBatch);
            for (let i = 0; i < perBatch; i++) {
              const n = b * perBatch + i;
              t[i] = (n * 1000) / hz;
              v[i] = Math.round(1000 * Math.sin(n / 500 + k));
            }
            return { id, t, v };
          }),
        });
      }
      return batches;
    },
    sendMarkers: (markers) => host.notify('markers', { markers }),
    sendState: (s) => {
      state = { ...state, ...s };
      host.notify('state', state);
    },
    sendRaw: (message) => w.postMessage(message, '*'),
    exportAnswer: (answer) => { exportNext = answer; },
    setTheme: applyTheme,
    saved: () => saved,
  };
  w.watchHost = api;

  let saved: unknown = config.savedState;
  let acquired = false;
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    applyTheme(config.theme ?? 'dark');
    return {
      postMessage: (m: unknown) => channel.port1.postMessage(m),
      getState: () => saved,
      setState: (s: unknown) => { saved = structuredClone(s); },
    };
  };
}

if (typeof (globalThis as { document?: unknown }).document !== 'undefined') install();
