// A fake VS Code host for the hex editor webview, run inside the test page (bundled with
// esbuild and injected before the page's scripts). It provides `acquireVsCodeApi()` and runs
// the real, vscode-free host: the handlers (with their validation), a HexDocument and the
// Viewport, over a virtual byte source whose bytes are computed from the offset, so a 1 GiB
// segment costs no memory. Only what needs VS Code is faked here: dialogs, the clipboard,
// bookmarks and snapshots (InspectOps). Tests drive it through `window.fakeHost` (page.evaluate).
// With `timeline` in the config the segment is a recording (virtualTimeline.ts), wired as the
// real host wires one (webviewHost.ts): each move pushes the window's new bytes and a `timeline` event.
//
// Compiled twice: by esbuild for the browser, and by the repo's tsc (lib ES2022, no DOM)
// for type checking, hence the small local declarations instead of DOM types.

import type { ByteSource, LiveSink, SearchQuery, SourceStatus } from '../../src/extension/hexEditor/byteSource';
import type { Span } from '../../src/timeline/diff';
import { HexDocument } from '../../src/extension/hexEditor/document';
import type { EditRecord as HostEdit } from '../../src/extension/hexEditor/editModel';
import { createHandlers, type InspectOps } from '../../src/extension/hexEditor/handlers';
import { checkWatch } from '../../src/extension/hexEditor/validate';
import { Viewport } from '../../src/extension/hexEditor/viewport';
import type { SearchResult } from '../../src/protocol/agent';
import type { OverlayView } from '../../src/protocol/overlay';
import { Rpc } from '../../src/protocol/rpc';
import type { TimelinePosition, TimelineSeek } from '../../src/protocol/timeline';
import type {
  Bookmark, BookmarkColor, ByteRange, DiffView, HexDocInfo, HexDocState, HexSettings, HostToWebview, HostToWebviewEvents, WebviewEvents, WebviewToHost,
} from '../../src/protocol/webview';
import { baseByte, THEMES, type ThemeName } from './virtualSegment';
import { type TimelineConfig, VirtualTimeline } from './virtualTimeline';

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
  /** Bookmarks of the segment (in the `ready` answer, like the real host). */
  bookmarks?: Bookmark[];
  /** Differences shown at start (in the `ready` answer). */
  diff?: DiffView;
  /** Bytes the search scans per step (between progress reports); default 64 KiB. */
  searchChunk?: number;
  /** Delay after each search step, ms (to see progress and cancel). */
  searchDelayMs?: number;
  /** C types applied over the segment (in the `ready` answer, like the real host). */
  overlays?: OverlayView[];
  /** Open a recording of the segment instead (read-only; its frames are writes over the base bytes). */
  timeline?: TimelineConfig;
}

export type InspectMethod = 'exportRange' | 'importFile' | 'addBookmark' | 'removeBookmark' | 'takeSnapshot' | 'compareWithSnapshot' | 'clearDiff'
  | 'applyCType' | 'removeOverlay' | 'verifyOverlay' | 'watchValue';
export interface CallRecord { method: InspectMethod | 'search'; params: Record<string, unknown> }
export interface SearchRecord { pattern: number[]; mask?: number[]; caseInsensitive?: boolean; from: number; backwards?: boolean; max: number; cancelled: boolean; progressReports: number }


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
  /** Live-inspection requests (export, import, bookmarks, snapshots, diff) in order. */
  calls: CallRecord[];
  searches: SearchRecord[];
  /** timelineSeek / timelineChange requests as the webview sent them, in order. */
  timelineRequests: { method: 'timelineSeek' | 'timelineChange'; params: Record<string, unknown> }[];
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
  /** The segment's byte at offset (pending edits not applied). */
  byte(offset: number): number;
  stats(): FakeHostStats;
  resetStats(): void;
  /** Change the live segment's bytes (as another process would). No event is sent. */
  mutate(offset: number, bytes: number[]): void;
  /** Undo the last edit through the document, like VS Code's undo. False: nothing to undo. */
  undo(): Promise<boolean>;
  /** Drop all pending edits through the document, like Revert File. */
  revert(): Promise<void>;
  /** Save through the document (conflicts: Overwrite). */
  save(): Promise<void>;
  /** Push what changed in the watched window now (as after an edit), e.g. after mutate(). */
  pushNow(): void;
  /** An edit made in another editor of the same document: pending here too, pushed. */
  editElsewhere(offset: number, bytes: number[]): Promise<void>;
  sendState(state: HexDocState): void;
  sendSettings(settings: Partial<HexSettings>): void;
  sendGoto(offset: number, length?: number): void;
  requestSelection(): Promise<ByteRange & { cursor: number }>;
  setTheme(theme: ThemeName): void;
  /** Make every following edit fail with this message (null: accept edits again). */
  failEdits(message: string | null): void;
  /** Make every following read fail with this message (null: read again). */
  failReads(message: string | null): void;
  sendBookmarks(bookmarks: Bookmark[]): void;
  sendDiff(diff: DiffView | null): void;
  sendAction(action: HostToWebviewEvents['action']['action']): void;
  /** Dialog requests answer null (the user pressed Escape) while true. */
  cancelDialogs(cancel: boolean): void;
  /** Make one kind of request fail with this message (null: succeed again). */
  failRequest(method: InspectMethod, message: string | null): void;
  /** Name and colour the next addBookmark "asks" for. */
  nextBookmark(name: string, color: BookmarkColor): void;
  /** The live-segment bytes that differ from the base content, as the real host's diff would. */
  liveDiff(): DiffView;
  /** Searches still running. */
  searchesRunning(): number;
  /** Replace the segment's overlays and send them (`overlays`), as after Apply C Type or a header re-read. */
  sendOverlays(overlays: OverlayView[]): void;
  /** The overlay the next applyCType "picks" (null: the user cancels, the answer is false). */
  nextApply(overlay: OverlayView | null): void;
  /** The overlays the fake host holds now. */
  overlays(): OverlayView[];
  /** Move the recording from elsewhere (another editor, a Watch plot): the webview hears of it only by events. */
  timelineSeek(to: TimelineSeek): TimelinePosition;
  /** Where the recording is now. */
  timelinePosition(): TimelinePosition;
}

/** Install `acquireVsCodeApi` and `window.fakeHost` into the page. */
function install(): void {
  const w = globalThis as unknown as PageWindow;
  const config: FakeHostConfig = w.__FAKE_HOST_CONFIG__ ?? { size: 4096 };
  const size = config.size;

  const defaults: HexSettings = { bytesPerRow: 16, grouping: 1, liveRefreshMs: 0, inspector: 'off', littleEndian: true };
  let settings: HexSettings = { ...defaults, ...config.settings };
  /** What the source reports about the segment's existence (sendState changes it). */
  let sourceStatus: SourceStatus = { gone: !!config.state?.gone, dest: !!config.state?.dest, message: config.state?.message };
  const info: HexDocInfo = {
    id: config.docId ?? 42,
    key: 0x1234abcd,
    keyHex: '0x1234abcd',
    size,
    readOnly: !!config.readOnly || !!config.timeline,
    readOnlyReason: config.timeline ? 'a recording: the bytes as they were at the moment shown'
      : config.readOnly ? (config.readOnlyReason ?? 'attached read-only') : undefined,
  };
  const timeline = config.timeline ? new VirtualTimeline(config.timeline, baseByte) : undefined;

  /** Bytes written to the "segment" by other processes (and by save). */
  const live = new Map<number, number>();
  /** The document's applied edits, oldest first (what VS Code's undo stack would hold). */
  const undoStack: HostEdit[] = [];

  let savedState: unknown = config.savedState;
  let editFailure: string | null = null;
  let readFailure: string | null = null;
  let setStateCalls = 0;
  let stats: FakeHostStats = freshStats();

  function freshStats(): FakeHostStats {
    return { reads: 0, bytesRead: 0, maxReadLength: 0, lastReads: [], edits: [], copies: [], savedState, setStateCalls, calls: [], searches: [], timelineRequests: [] };
  }

  let bookmarks: Bookmark[] = [...(config.bookmarks ?? [])];
  let dialogsCancelled = false;
  const failures = new Map<InspectMethod, string>();
  let nextMark: { name: string; color: BookmarkColor } | null = null;
  let overlays: OverlayView[] = [...(config.overlays ?? [])];
  let applied: OverlayView | null = null;
  let searchesRunning = 0;

  /** Record a live-inspection request; throws if it was told to fail. */
  function call(method: InspectMethod, params: unknown): void {
    stats.calls.push({ method, params: { ...(params as Record<string, unknown>) } });
    const failure = failures.get(method);
    if (failure) throw new Error(failure);
  }

  function liveDiff(): DiffView {
    const ranges: ByteRange[] = [];
    let bytes = 0;
    for (const o of [...live.keys()].sort((a, b) => a - b)) {
      if (live.get(o) === baseByte(o)) continue;
      bytes++;
      const last = ranges.at(-1);
      if (last && last.offset + last.length === o) last.length++;
      else ranges.push({ offset: o, length: 1 });
    }
    return { against: "snapshot 'before' (12:00:00)", ranges, bytes, truncated: false };
  }

  const lowerAscii = (b: number) => (b >= 65 && b <= 90 ? b | 0x20 : b);

  /**
   * Search like the agent (src/core/search.ts): over the live segment (not the pending edits),
   * in chunks whose windows overlap by pattern length - 1, so matches across chunk (and page)
   * boundaries are found; forward = matches starting at >= from, backwards = at <= from.
   */
  async function search(p: SearchQuery, signal: AbortSignal | undefined, onProgress: ((done: number, total: number) => void) | undefined): Promise<SearchResult> {
    const record: SearchRecord = {
      pattern: Array.from(p.pattern), mask: p.mask ? Array.from(p.mask) : undefined, caseInsensitive: p.caseInsensitive,
      from: p.from, backwards: p.backwards, max: p.max, cancelled: false, progressReports: 0,
    };
    stats.searches.push(record);
    const n = p.pattern.length; // checked by the real handler (checkSearch)
    const ci = !!p.caseInsensitive;
    const pattern = ci ? p.pattern.map(lowerAscii) : p.pattern;
    const mask = p.mask;
    const last = size - n;
    const offsets: number[] = [];
    if (last < 0) return { offsets, truncated: false };
    const chunk = Math.max(config.searchChunk ?? 65536, n);
    const total = p.backwards ? Math.min(p.from, last) + 1 : Math.max(0, last - p.from + 1);
    let done = 0;
    const scan = (lo: number, hi: number): boolean => {
      const len = hi + n - lo;
      const buf = new Uint8Array(len);
      for (let i = 0; i < len; i++) buf[i] = ci ? lowerAscii(segmentByte(lo + i)) : segmentByte(lo + i);
      const found: number[] = [];
      for (let s = 0; s <= hi - lo; s++) {
        let ok = true;
        for (let i = 0; i < n && ok; i++) {
          const m = mask ? mask[i] : 0xff;
          if (m !== 0 && (buf[s + i] & m) !== (pattern[i] & m)) ok = false;
        }
        if (ok) found.push(lo + s);
      }
      if (p.backwards) found.reverse();
      for (const f of found) {
        offsets.push(f);
        if (offsets.length >= p.max) return true;
      }
      return false;
    };
    const step = async () => {
      onProgress?.(done, total);
      record.progressReports++;
      await sleep(config.searchDelayMs ?? 0);
      if (signal?.aborted) {
        record.cancelled = true;
        throw Object.assign(new Error('search cancelled'), { code: 'ECANCELED' });
      }
    };
    searchesRunning++;
    try {
      if (!p.backwards) {
        for (let lo = p.from; lo <= last; lo += chunk) {
          const hi = Math.min(lo + chunk - 1, last);
          if (scan(lo, hi)) return { offsets, truncated: true };
          done += hi - lo + 1;
          await step();
        }
      } else {
        for (let hi = Math.min(p.from, last); hi >= 0; hi -= chunk) {
          const lo = Math.max(0, hi - chunk + 1);
          if (scan(lo, hi)) return { offsets, truncated: true };
          done += hi - lo + 1;
          await step();
        }
      }
      return { offsets, truncated: false };
    } finally {
      searchesRunning--;
    }
  }

  function segmentByte(o: number): number {
    return live.get(o) ?? (timeline ? timeline.byteAt(o) : baseByte(o));
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** A fake's synchronous work settled as the real asynchronous operation's would: a throw rejects. */
  function settle<T>(work: () => T): Promise<T> {
    return new Promise((resolve) => { resolve(work()); });
  }

  function checkRange(offset: number, length: number, op: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
      const err = new Error(`${op}: range ${offset}+${length} is outside the segment (${size} bytes)`) as Error & { code: string };
      err.code = 'ERANGE';
      throw err;
    }
  }

  function fakeSampling(range: ByteRange, _hz: number, batchMs: number, sink: LiveSink): { dispose(): void } {
    let prev: Uint8Array | null = null;
    const tick = () => {
      if (readFailure) { clearInterval(timer); sink.ended(readFailure); return; }
      stats.reads++; // a sample is a read of the range
      stats.lastReads.push({ offset: range.offset, length: range.length });
      if (stats.lastReads.length > 50) stats.lastReads.shift();
      const cur = new Uint8Array(range.length);
      for (let i = 0; i < range.length; i++) cur[i] = segmentByte(range.offset + i);
      const spans: Span[] = [];
      if (!prev) spans.push({ offset: range.offset, bytes: cur });
      else {
        for (let i = 0; i < cur.length; i++) {
          if (cur[i] === prev[i]) continue;
          let j = i;
          while (j < cur.length && cur[j] !== prev[j]) j++;
          spans.push({ offset: range.offset + i, bytes: cur.slice(i, j) });
          i = j;
        }
      }
      prev = cur;
      if (spans.length) sink.changed(spans);
    };
    const timer = setInterval(tick, batchMs);
    setTimeout(tick, 0);
    return { dispose: () => { clearInterval(timer); } };
  }

  /** The virtual segment: bytes computed from the offset, plus what mutate() and saves wrote. */
  const source: ByteSource = {
    identity: { id: info.id, key: info.key, cpid: 1, size, ctime: 1 },
    size,
    info,
    read: async (offset, length) => {
      checkRange(offset, length, 'read');
      if (readFailure) throw new Error(readFailure);
      stats.reads++;
      stats.bytesRead += length;
      stats.maxReadLength = Math.max(stats.maxReadLength, length);
      stats.lastReads.push({ offset, length });
      if (stats.lastReads.length > 50) stats.lastReads.shift();
      if (config.readDelayMs) await sleep(config.readDelayMs);
      const data = new Uint8Array(length);
      for (let i = 0; i < length; i++) data[i] = segmentByte(offset + i);
      return data;
    },
    write: (offset, data) => settle(() => {
      checkRange(offset, data.length, 'write');
      data.forEach((b, i) => live.set(offset + i, b));
    }),
    search,
    status: () => Promise.resolve(sourceStatus),
    close: () => Promise.resolve(),
    timeline,
    // Live refresh as the agent's sampling engine does it (this runs in the page: no Node, so
    // not its Sampler): sample every batchMs, hand over the spans that changed, the whole range first.
    ...(timeline ? {} : { sample: fakeSampling }),
  };

  const doc = new HexDocument(source, {
    uri: { toString: () => `shm:/segment/${info.id}` } as never,
    prompts: { conflict: () => Promise.resolve('overwrite'), saveGone: () => Promise.resolve(undefined) },
    writeThrough: () => false,
  });
  doc.onDidEdit((rec) => undoStack.push(rec));

  /** Live inspection as the real host's InspectOps, with scripted dialogs. */
  const inspect: InspectOps = {
    initial: () => ({ bookmarks, diff: config.diff ?? null }),
    exportRange: (_d, p) => settle(() => {
      call('exportRange', p);
      return dialogsCancelled ? null : { path: '/tmp/shm-export.bin', bytes: p.length };
    }),
    importFile: async (d, offset) => {
      call('importFile', { offset });
      if (dialogsCancelled) return null;
      const data = Uint8Array.of(0x1a, 0x2b, 0x3c, 0x4d).slice(0, size - offset);
      await d.edit(offset, data, 'Import');
      return { path: '/tmp/import.bin', bytes: data.length };
    },
    addBookmark: (_d, p) => settle(() => {
      call('addBookmark', p);
      if (dialogsCancelled) return null;
      const b: Bookmark = { name: nextMark?.name ?? `bookmark ${bookmarks.length + 1}`, color: nextMark?.color ?? 'green', offset: p.offset, length: p.length };
      nextMark = null;
      bookmarks = [...bookmarks.filter((x) => x.name !== b.name), b];
      host.notify('bookmarks', { bookmarks });
      return b;
    }),
    removeBookmark: (_d, name) => settle(() => {
      call('removeBookmark', { name });
      if (!bookmarks.some((b) => b.name === name)) throw new Error(`no bookmark named '${name}'`);
      bookmarks = bookmarks.filter((b) => b.name !== name);
      host.notify('bookmarks', { bookmarks });
    }),
    takeSnapshot: () => settle(() => {
      call('takeSnapshot', {});
      return dialogsCancelled ? null : { name: 'snap-1', label: 'before', created: Date.now(), size };
    }),
    compareWithSnapshot: () => settle(() => {
      call('compareWithSnapshot', {});
      if (!dialogsCancelled) host.notify('diff', { diff: liveDiff() });
    }),
    clearDiff: () => {
      call('clearDiff', {});
      host.notify('diff', { diff: null });
    },
  };

  const handlers = createHandlers(doc, {
    settings: () => settings,
    copy: (text) => { stats.copies.push(text); return Promise.resolve(); },
    inspect,
    // As the real host's overlay service: apply adds the picked overlay and every webview gets
    // `overlays`; remove drops one; verify reports (here: records the call).
    overlays: {
      initial: () => Promise.resolve(overlays),
      apply: (_d, cursor) => settle(() => {
        call('applyCType', { cursor });
        const o = applied;
        applied = null;
        if (!o || dialogsCancelled) return false;
        overlays = [...overlays.filter((x) => x.id !== o.id), o];
        host.notify('overlays', { overlays });
        return true;
      }),
      remove: (_d, id) => settle(() => {
        call('removeOverlay', { id });
        if (!overlays.some((o) => o.id === id)) throw new Error('no such overlay');
        overlays = overlays.filter((o) => o.id !== id);
        host.notify('overlays', { overlays });
      }),
      verify: (_d, id) => settle(() => { call('verifyOverlay', { id }); }),
    },
    // As the real host: the Watch view's command runs (here: the call is recorded); false = cancelled.
    watchValue: (_d, target) => settle(() => { call('watchValue', { ...target }); return !dialogsCancelled; }),
  });

  const channel = new MessageChannel() as unknown as { port1: Port; port2: Port };

  const host = new Rpc<WebviewToHost, HostToWebview, WebviewEvents, HostToWebviewEvents>(
    (m) => w.postMessage(m, '*'),
    {
      ...handlers,
      // Recorded (and made to fail on request) before the real handler runs.
      edit: (p, ctx) => {
        if (editFailure) throw new Error(editFailure);
        const sent = p as Partial<typeof p> | undefined; // as the webview sent it: the real handler checks it
        if (sent?.data instanceof Uint8Array) stats.edits.push({ offset: p.offset, bytes: Array.from(p.data), label: p.label });
        return handlers.edit(p, ctx);
      },
      timelineSeek: (p, ctx) => {
        stats.timelineRequests.push({ method: 'timelineSeek', params: { ...(p as unknown as Record<string, unknown>) } });
        return handlers.timelineSeek(p, ctx);
      },
      timelineChange: (p, ctx) => {
        stats.timelineRequests.push({ method: 'timelineChange', params: { ...(p as unknown as Record<string, unknown>) } });
        return handlers.timelineChange(p, ctx);
      },
    },
    { timeoutMs: 10000 },
  );
  channel.port2.onmessage = (e) => void host.receive(e.data);

  // The window the webview watches is pushed like the real host does, with the real host's class.
  // A recording is never polled: its bytes change only when it moves.
  const viewport = new Viewport({ source: doc, push: (update) => host.notify('view', update), active: () => !doc.state.gone && !timeline });
  viewport.setPeriod(settings.liveRefreshMs);
  host.on('watch', (p) => viewport.watch(checkWatch(p, size)));
  doc.onDidChangeBytes(() => viewport.changed());
  doc.onDidChangeState((state) => {
    host.notify('state', state);
    viewport.update();
  });
  timeline?.onDidMove((position) => {
    viewport.moved();
    host.notify('timeline', position);
  });

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
    byte: segmentByte,
    stats: () => ({
      ...stats, savedState, setStateCalls, lastReads: [...stats.lastReads], edits: [...stats.edits], copies: [...stats.copies],
      calls: [...stats.calls], searches: stats.searches.map((r) => ({ ...r })), timelineRequests: [...stats.timelineRequests],
    }),
    resetStats: () => { stats = freshStats(); },
    mutate: (offset, bytes) => {
      checkRange(offset, bytes.length, 'mutate');
      bytes.forEach((b, i) => live.set(offset + i, b & 0xff));
    },
    undo: async () => {
      const rec = [...undoStack].reverse().find((r) => r.applied);
      if (!rec) return false;
      await doc.undo(rec);
      return true;
    },
    revert: () => doc.revert(),
    save: () => doc.save(),
    pushNow: () => viewport.changed(),
    editElsewhere: (offset, bytes) => doc.edit(offset, Uint8Array.from(bytes), 'Edit'),
    sendState: (s: HexDocState) => {
      sourceStatus = { gone: s.gone, dest: s.dest, message: s.message };
      void doc.refreshStatus();
    },
    sendSettings: (s) => {
      settings = { ...settings, ...s };
      host.notify('settings', settings);
      viewport.setPeriod(settings.liveRefreshMs);
    },
    sendGoto: (offset, length) => host.notify('goto', length === undefined ? { offset } : { offset, length }),
    requestSelection: () => host.request('selection', {}),
    setTheme: applyTheme,
    failEdits: (message) => { editFailure = message; },
    failReads: (message) => { readFailure = message; },
    sendBookmarks: (list) => {
      bookmarks = [...list];
      host.notify('bookmarks', { bookmarks });
    },
    sendDiff: (diff) => host.notify('diff', { diff }),
    sendAction: (action) => host.notify('action', { action }),
    cancelDialogs: (cancel) => { dialogsCancelled = cancel; },
    failRequest: (method, message) => {
      if (message === null) failures.delete(method);
      else failures.set(method, message);
    },
    nextBookmark: (name, color) => { nextMark = { name, color }; },
    liveDiff,
    searchesRunning: () => searchesRunning,
    sendOverlays: (list) => {
      overlays = [...list];
      host.notify('overlays', { overlays });
    },
    nextApply: (o) => { applied = o; },
    overlays: () => [...overlays],
    timelineSeek: (to) => {
      if (!timeline) throw new Error('not a recording: open the page with a timeline config');
      return timeline.seek(to);
    },
    timelinePosition: () => {
      if (!timeline) throw new Error('not a recording: open the page with a timeline config');
      return timeline.position;
    },
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
