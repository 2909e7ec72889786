// A fake VS Code host for the hex editor webview, run inside the test page (bundled with
// esbuild and injected before the page's scripts). It provides `acquireVsCodeApi()` and
// serves the real protocol with the same Rpc class over a virtual segment whose bytes are
// computed from the offset, so a 1 GiB segment costs no memory. Tests drive it through
// `window.fakeHost` (page.evaluate).
//
// Compiled twice: by esbuild for the browser, and by the repo's tsc (lib ES2022, no DOM)
// for type checking, hence the small local declarations instead of DOM types.

import { Rpc } from '../../src/protocol/rpc';
import type { ByteRange, HexDocInfo, HexDocState, HexSettings, HostToWebview, HostToWebviewEvents, WebviewEvents, WebviewToHost } from '../../src/protocol/webview';
import { baseByte, THEMES, type ThemeName } from './virtualSegment';

export type { ThemeName } from './virtualSegment';

export interface FakeHostConfig {
  size: number;
  docId?: number;
  readOnly?: boolean;
  readOnlyReason?: string;
  settings?: Partial<HexSettings>;
  state?: Partial<HexDocState>;
  /** What vscode.getState() returns at start (state saved by an earlier page). */
  savedState?: unknown;
  theme?: ThemeName;
  /** Delay of every read answer, ms. */
  readDelayMs?: number;
  /** Send HexDocState.pending like the real host (default true); false = an older host. */
  reportPending?: boolean;
}


export interface ReadRecord { offset: number; length: number }
export interface EditRecord { offset: number; bytes: number[]; label?: string }

export interface FakeHostStats {
  reads: number;
  bytesRead: number;
  maxReadLength: number;
  lastReads: ReadRecord[];
  edits: EditRecord[];
  copies: string[];
  savedState: unknown;
  setStateCalls: number;
}

// ---- the few browser APIs used, typed locally (the repo's tsconfig has no DOM lib) ----

interface StyleDecl { setProperty(name: string, value: string): void; removeProperty(name: string): void }
interface Elem { className: string; style: StyleDecl; setAttribute(name: string, value: string): void }
interface Doc { documentElement: Elem; body: Elem | null }
interface Port { postMessage(m: unknown): void; onmessage: ((e: { data: unknown }) => void) | null }
interface PageWindow {
  document: Doc;
  postMessage(message: unknown, targetOrigin: string): void;
  fakeHost?: FakeHostApi;
  __FAKE_HOST_CONFIG__?: FakeHostConfig;
  acquireVsCodeApi?: () => unknown;
}

export interface FakeHostApi {
  config: FakeHostConfig;
  byte(offset: number): number;
  stats(): FakeHostStats;
  resetStats(): void;
  /** Change the live segment's bytes (as another process would). No event is sent. */
  mutate(offset: number, bytes: number[]): void;
  /** Revert the last edit like VS Code's undo, then send `changed` (and `state` when clean). */
  undo(): boolean;
  /** Revert all edits and report the document clean, like Revert File. */
  revert(): void;
  /** Write the pending edits to the segment and report clean, like Save. */
  save(): void;
  sendChanged(ranges: ByteRange[] | 'all'): void;
  sendState(state: HexDocState): void;
  sendSettings(settings: Partial<HexSettings>): void;
  sendGoto(offset: number, length?: number): void;
  requestSelection(): Promise<ByteRange & { cursor: number }>;
  setTheme(theme: ThemeName): void;
  /** Make every following edit fail with this message (null: accept edits again). */
  failEdits(message: string | null): void;
  /** Make every following read fail with this message (null: read again). */
  failReads(message: string | null): void;
}

/** Install `acquireVsCodeApi` and `window.fakeHost` into the page. */
function install(): void {
  const w = globalThis as unknown as PageWindow;
  const config: FakeHostConfig = w.__FAKE_HOST_CONFIG__ ?? { size: 4096 };
  const size = config.size;

  const defaults: HexSettings = { bytesPerRow: 16, grouping: 1, liveRefreshMs: 0, inspector: 'off', littleEndian: true };
  let settings: HexSettings = { ...defaults, ...config.settings };
  let docState: HexDocState = { dirty: false, gone: false, dest: false, ...(config.reportPending !== false ? { pending: [] } : {}), ...config.state };
  const doc: HexDocInfo = {
    id: config.docId ?? 42,
    key: 0x1234abcd,
    keyHex: '0x1234abcd',
    size,
    readOnly: !!config.readOnly,
    readOnlyReason: config.readOnly ? (config.readOnlyReason ?? 'attached read-only') : undefined,
  };

  /** Bytes written to the "segment" by other processes (and by save). */
  const live = new Map<number, number>();
  /** Pending (unsaved) edits applied over the segment. */
  const overlay = new Map<number, number>();
  const undoStack: { offset: number; before: (number | undefined)[] }[] = [];

  let savedState: unknown = config.savedState;
  let editFailure: string | null = null;
  let readFailure: string | null = null;
  let setStateCalls = 0;
  let stats: FakeHostStats = freshStats();

  function freshStats(): FakeHostStats {
    return { reads: 0, bytesRead: 0, maxReadLength: 0, lastReads: [], edits: [], copies: [], savedState, setStateCalls };
  }

  function segmentByte(o: number): number {
    return live.get(o) ?? baseByte(o);
  }

  function viewByte(o: number): number {
    return overlay.get(o) ?? segmentByte(o);
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function checkRange(offset: number, length: number, op: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
      const err = new Error(`${op}: range ${offset}+${length} is outside the segment (${size} bytes)`) as Error & { code: string };
      err.code = 'ERANGE';
      throw err;
    }
  }

  /** Unsaved ranges (what the real host sends as HexDocState.pending). */
  function pendingSpans(): ByteRange[] {
    const spans: ByteRange[] = [];
    for (const o of [...overlay.keys()].sort((a, b) => a - b)) {
      const last = spans[spans.length - 1];
      if (last && last.offset + last.length === o) last.length++;
      else spans.push({ offset: o, length: 1 });
    }
    return spans;
  }

  /** Like the real host: after every change, the state (with the pending ranges unless disabled). */
  function emitState(dirty: boolean): void {
    const reportPending = config.reportPending !== false;
    if (!reportPending && docState.dirty === dirty) return;
    docState = { ...docState, dirty };
    if (reportPending) docState.pending = pendingSpans();
    host.notify('state', docState);
  }

  const channel = new MessageChannel() as unknown as { port1: Port; port2: Port };

  const host = new Rpc<WebviewToHost, HostToWebview, WebviewEvents, HostToWebviewEvents>(
    (m) => w.postMessage(m, '*'),
    {
      ready: () => ({ doc, settings, state: docState }),
      read: async ({ offset, length }) => {
        checkRange(offset, length, 'read');
        if (readFailure) throw new Error(readFailure);
        if (length > 64 * 1024 * 1024) throw new Error(`read: ${length} bytes is too much for one read`);
        stats.reads++;
        stats.bytesRead += length;
        stats.maxReadLength = Math.max(stats.maxReadLength, length);
        stats.lastReads.push({ offset, length });
        if (stats.lastReads.length > 50) stats.lastReads.shift();
        if (config.readDelayMs) await sleep(config.readDelayMs);
        const data = new Uint8Array(length);
        for (let i = 0; i < length; i++) data[i] = viewByte(offset + i);
        return { offset, data };
      },
      edit: ({ offset, data, label }) => {
        if (editFailure) throw new Error(editFailure);
        if (doc.readOnly) throw new Error(`the segment is read-only (${doc.readOnlyReason})`);
        if (!(data instanceof Uint8Array)) throw new Error('edit: data must be a Uint8Array');
        checkRange(offset, data.length, 'edit');
        stats.edits.push({ offset, bytes: Array.from(data), label });
        const before: (number | undefined)[] = [];
        for (let i = 0; i < data.length; i++) {
          before.push(overlay.get(offset + i));
          overlay.set(offset + i, data[i]);
        }
        undoStack.push({ offset, before });
        // The real host posts `changed` and `state` before it answers the edit.
        host.notify('changed', { ranges: [{ offset, length: data.length }] });
        emitState(true);
        return null;
      },
      copy: ({ text }) => {
        stats.copies.push(text);
        return null;
      },
      search: () => {
        throw new Error('search is not part of this fake host');
      },
    },
    { timeoutMs: 10000 },
  );
  channel.port2.onmessage = (e) => void host.receive(e.data);

  function applyTheme(theme: ThemeName): void {
    const t = THEMES[theme];
    const root = w.document.documentElement;
    for (const set of Object.values(THEMES)) for (const name of Object.keys(set.vars)) root.style.removeProperty(`--vscode-${name}`);
    for (const [name, value] of Object.entries(t.vars)) root.style.setProperty(`--vscode-${name}`, value);
    if (w.document.body) {
      w.document.body.className = t.bodyClass;
      w.document.body.setAttribute('data-vscode-theme-kind', t.kind);
    }
  }

  const api: FakeHostApi = {
    config,
    byte: viewByte,
    stats: () => ({ ...stats, savedState, setStateCalls, lastReads: [...stats.lastReads], edits: [...stats.edits], copies: [...stats.copies] }),
    resetStats: () => { stats = freshStats(); },
    mutate: (offset, bytes) => {
      checkRange(offset, bytes.length, 'mutate');
      bytes.forEach((b, i) => live.set(offset + i, b & 0xff));
    },
    undo: () => {
      const e = undoStack.pop();
      if (!e) return false;
      e.before.forEach((b, i) => {
        if (b === undefined) overlay.delete(e.offset + i);
        else overlay.set(e.offset + i, b);
      });
      host.notify('changed', { ranges: [{ offset: e.offset, length: e.before.length }] });
      emitState(undoStack.length > 0);
      return true;
    },
    revert: () => {
      overlay.clear();
      undoStack.length = 0;
      host.notify('changed', { ranges: 'all' });
      emitState(false);
    },
    save: () => {
      for (const [o, b] of overlay) live.set(o, b);
      overlay.clear();
      undoStack.length = 0;
      emitState(false);
    },
    sendChanged: (ranges) => host.notify('changed', { ranges }),
    sendState: (s) => {
      docState = s;
      host.notify('state', s);
    },
    sendSettings: (s) => {
      settings = { ...settings, ...s };
      host.notify('settings', settings);
    },
    sendGoto: (offset, length) => host.notify('goto', length === undefined ? { offset } : { offset, length }),
    requestSelection: () => host.request('selection', {}),
    setTheme: applyTheme,
    failEdits: (message) => { editFailure = message; },
    failReads: (message) => { readFailure = message; },
  };
  w.fakeHost = api;

  let acquired = false;
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    applyTheme(config.theme ?? 'dark');
    return {
      postMessage: (m: unknown) => channel.port1.postMessage(m),
      getState: () => savedState,
      setState: (s: unknown) => {
        savedState = structuredClone(s);
        setStateCalls++;
        return s;
      },
    };
  };
}

// Only in a browser page (importing this module in Node must have no effect).
if (typeof (globalThis as { document?: unknown }).document !== 'undefined') install();
