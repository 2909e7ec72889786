// The watch view: a toolbar (pause, rate, live, zoom, export), one lane per watch, and a time
// axis shared by all lanes. The time range follows the newest sample ("live") until the user
// zooms (wheel, +/-) or pans (drag, arrow keys); Live (or End) returns to it. A cursor line
// under the pointer (or moved with , and .) reads every lane at one moment; a click asks the
// host to seek there. Markers are vertical lines with a tooltip. Drawing happens once per
// animation frame, whatever arrives in between.

import type { Rpc } from '../../protocol/rpc';
import {
  MAX_WATCH_RATE_HZ, MIN_WATCH_RATE_HZ, type SampleBatch, type Trigger, type WatchHostEvents, type WatchHostToView, type WatchInfo,
  type WatchMarker, type WatchState, type WatchViewEvents, type WatchViewToHost,
} from '../../protocol/watch';
import { button } from '../util/dom';
import { formatSpan, formatTime, niceStep, ticks } from './format';
import { Lane, SERIES_COLOURS } from './lane';
import type { LaneStyle } from './plot';

export type WatchRpc = Rpc<WatchHostToView, WatchViewToHost, WatchHostEvents, WatchViewEvents>;

/** Where the view keeps its zoom across a rebuild (vscode.getState / setState). */
export interface ViewStore { get(): unknown; set(state: unknown): void }

interface SavedWatchView { version: 1; sessionStart: number; live: boolean; span: number; end: number }

export const RATES_HZ = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;
const DEFAULT_SPAN_MS = 10_000;
const MIN_SPAN_MS = 10;
const MAX_SPAN_MS = 24 * 3600_000;
const ZOOM_STEP = 1.5;
/** Markers kept (the oldest go first) and drawn at once. */
const MAX_MARKERS = 10_000;
const MAX_MARKERS_SHOWN = 300;
/** A press that moves less than this (CSS px) is a click (seek), not a drag (pan). */
const DRAG_PX = 4;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class WatchView {
  private readonly lanes = new Map<number, Lane>();
  private markers: WatchMarker[] = [];
  private state: WatchState;
  private live = true;
  private span = DEFAULT_SPAN_MS;
  /** Right edge of the range when not live. */
  private end = DEFAULT_SPAN_MS;
  private cursorT: number | null = null;
  private nextColour = 0;
  private frame = 0;
  /** Full draws so far (shown as data-draws: however many batches arrive, at most one per frame). */
  private draws = 0;
  /** The next frame redraws the lanes (else only the cursor moved). */
  private full = false;

  private readonly lanesEl: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly cursorEl: HTMLElement;
  private readonly cursorLabel: HTMLElement;
  private readonly markersEl: HTMLElement;
  private readonly axis: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly status: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly pauseButton: HTMLButtonElement;
  private readonly liveButton: HTMLButtonElement;
  private readonly rateSelect: HTMLSelectElement;
  private readonly spanText: HTMLElement;
  private readonly plot: HTMLElement;
  private style: LaneStyle = { line: '#3794ff', grid: 'rgba(128,128,128,0.2)', level: '#cca700', lineWidth: 1.5 };
  private colours: string[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly rpc: WatchRpc,
    ready: { watches: WatchInfo[]; state: WatchState; markers: WatchMarker[] },
    private readonly store: ViewStore,
  ) {
    this.state = ready.state;
    this.restoreState();
    root.textContent = '';

    const bar = el('div', 'toolbar');
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Watch');
    this.pauseButton = button('pause', 'Pause', 'Pause sampling (the plot keeps what it has)');
    this.pauseButton.setAttribute('aria-pressed', 'false');
    const rateLabel = el('label', 'rate-label', 'Rate ');
    this.rateSelect = el('select', 'rate');
    this.rateSelect.title = 'Samples per second of every watch in this view';
    rateLabel.append(this.rateSelect);
    this.liveButton = button('live', 'Live', 'Follow the newest samples (End)');
    this.liveButton.setAttribute('aria-pressed', 'true');
    const zoomIn = button('zoom-in icon', '+', 'Zoom in (+)');
    zoomIn.setAttribute('aria-label', 'Zoom in');
    const zoomOut = button('zoom-out icon', '−', 'Zoom out (-)');
    zoomOut.setAttribute('aria-label', 'Zoom out');
    this.spanText = el('span', 'span-text');
    this.spanText.title = 'Time shown';
    const exportButton = button('export', 'Export CSV…', 'Save the samples as CSV (the time shown, or all while live)');
    this.status = el('span', 'status');
    this.status.setAttribute('role', 'status');
    bar.append(this.pauseButton, rateLabel, this.liveButton, zoomIn, zoomOut, this.spanText, exportButton, this.status);

    this.plot = el('div', 'plot');
    this.plot.tabIndex = 0;
    this.plot.setAttribute('role', 'group');
    this.plot.setAttribute('aria-roledescription', 'plot');
    this.plot.setAttribute('aria-label', 'Watched values over time. + and - zoom, arrow keys pan, End follows the newest samples, comma and period move the cursor, [ and ] go to the previous and next marker, Enter seeks to the cursor.');
    this.lanesEl = el('div', 'lanes');
    this.overlay = el('div', 'overlay');
    this.markersEl = el('div', 'markers');
    this.cursorEl = el('div', 'cursor');
    this.cursorEl.hidden = true;
    this.cursorLabel = el('span', 'cursor-time');
    this.cursorEl.append(this.cursorLabel);
    this.overlay.append(this.markersEl, this.cursorEl);
    this.axis = el('div', 'time-axis');
    this.axis.setAttribute('aria-hidden', 'true');
    this.empty = el('p', 'empty', 'Nothing is watched. Watch a field from the overlay panel, a value from the inspector, or an offset from the command palette.');
    this.plot.append(this.lanesEl, this.overlay, this.axis, this.empty);
    this.tooltip = el('div', 'tooltip');
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.hidden = true;
    root.append(bar, this.plot, this.tooltip);

    this.pauseButton.addEventListener('click', () => this.send('setPaused', { paused: !this.state.paused }));
    this.rateSelect.addEventListener('change', () => {
      const hz = Number(this.rateSelect.value);
      if (Number.isInteger(hz) && hz >= MIN_WATCH_RATE_HZ && hz <= MAX_WATCH_RATE_HZ) this.send('setRate', { hz });
    });
    this.liveButton.addEventListener('click', () => this.goLive());
    zoomIn.addEventListener('click', () => this.zoom(1 / ZOOM_STEP));
    zoomOut.addEventListener('click', () => this.zoom(ZOOM_STEP));
    exportButton.addEventListener('click', () => void this.exportCsv());
    this.listenPointer();
    this.plot.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.redraw()).observe(this.plot);
    new MutationObserver(() => this.readTheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

    this.readTheme();
    this.onWatches(ready.watches);
    this.onMarkers(ready.markers);
    this.onState(ready.state);
    root.setAttribute('aria-busy', 'false');
  }

  // ---- from the host ----

  onWatches(watches: WatchInfo[]): void {
    const keep = new Set(watches.map((w) => w.id));
    for (const [id, lane] of this.lanes) {
      if (!keep.has(id)) {
        lane.element.remove();
        this.lanes.delete(id);
      }
    }
    for (const w of watches) {
      const lane = this.lanes.get(w.id);
      if (lane) lane.update(w);
      else {
        const created = new Lane(w, this.nextColour++ % SERIES_COLOURS, {
          remove: (id) => this.send('removeWatch', { id }),
          setTrigger: (id, t: Trigger) => this.send('setTrigger', { id, ...t }),
          clearTrigger: (id) => this.send('clearTrigger', { id }),
          say: (text) => this.say(text),
        });
        this.lanes.set(w.id, created);
      }
    }
    // The host's order is the lanes' order.
    for (const w of watches) this.lanesEl.append((this.lanes.get(w.id) as Lane).element);
    this.empty.hidden = this.lanes.size > 0;
    this.redraw();
  }

  onSamples(batches: SampleBatch[]): void {
    for (const b of batches) this.lanes.get(b.id)?.series.push(b.t, b.v);
    this.redraw();
  }

  onMarkers(markers: WatchMarker[]): void {
    if (!markers.length) return;
    this.markers.push(...markers);
    this.markers.sort((a, b) => a.t - b.t);
    if (this.markers.length > MAX_MARKERS) this.markers = this.markers.slice(-MAX_MARKERS);
    this.redraw();
  }

  onState(s: WatchState): void {
    if (s.sessionStart !== this.state.sessionStart) this.newSession();
    this.state = s;
    this.pauseButton.textContent = s.paused ? 'Resume' : 'Pause';
    this.pauseButton.title = s.paused ? 'Resume sampling' : 'Pause sampling (the plot keeps what it has)';
    this.pauseButton.setAttribute('aria-pressed', String(s.paused));
    this.root.classList.toggle('paused', s.paused);
    this.fillRates(s.rateHz);
    this.say(s.message ?? (s.paused ? 'Paused' : ''));
    this.redraw();
  }

  /** A new session: its times start again at 0, so what the lanes hold no longer fits. */
  private newSession(): void {
    const infos = [...this.lanes.values()].map((l) => l.info);
    for (const lane of this.lanes.values()) lane.element.remove();
    this.lanes.clear();
    this.markers = [];
    this.live = true;
    this.onWatches(infos);
  }

  private fillRates(current: number): void {
    const rates: number[] = [...RATES_HZ];
    if (!rates.includes(current)) rates.push(current);
    rates.sort((a, b) => a - b);
    const want = rates.map(String).join(',');
    if ([...this.rateSelect.options].map((o) => o.value).join(',') !== want) {
      this.rateSelect.textContent = '';
      for (const r of rates) {
        const o = el('option', '', `${r} Hz`);
        o.value = String(r);
        this.rateSelect.append(o);
      }
    }
    this.rateSelect.value = String(current);
  }

  // ---- to the host ----

  /** A request whose answer is the host's next event (state, watches): only failures are shown. */
  private send<K extends keyof WatchViewToHost>(method: K, params: WatchViewToHost[K]['params']): void {
    void this.call(method, params);
  }

  private call<K extends keyof WatchViewToHost>(method: K, params: WatchViewToHost[K]['params']): Promise<WatchViewToHost[K]['result'] | undefined> {
    return this.rpc.request(method, params).catch((e: unknown) => {
      this.say(`${method}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    });
  }

  private say(text: string): void {
    this.status.textContent = text;
  }

  private async exportCsv(): Promise<void> {
    const params = this.live ? {} : (() => {
      const { t0, t1 } = this.range();
      return { from: Math.max(0, t0), to: Math.max(0, t1) };
    })();
    const r = await this.call('exportCsv', params);
    if (r) this.say(`Saved ${r.rows} rows to ${r.path}`);
  }

  // ---- the time range ----

  private latest(): number {
    let t = -Infinity;
    for (const lane of this.lanes.values()) {
      const last = lane.series.lastTime;
      if (last > t) t = last;
    }
    return Number.isFinite(t) ? t : 0;
  }

  /** The visible time range, ms since the session started. */
  range(): { t0: number; t1: number } {
    if (this.live) {
      const t1 = Math.max(this.latest(), this.span);
      return { t0: t1 - this.span, t1 };
    }
    return { t0: this.end - this.span, t1: this.end };
  }

  private leaveLive(): void {
    if (!this.live) return;
    this.end = this.range().t1;
    this.live = false;
  }

  private goLive(): void {
    this.live = true;
    this.redraw();
  }

  /** Zoom by factor (< 1: in) keeping time `at` (default: the middle) where it is. */
  private zoom(factor: number, at?: number): void {
    const { t0, t1 } = this.range();
    const pivot = at ?? (t0 + t1) / 2;
    const span = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, this.span * factor));
    const left = pivot - ((pivot - t0) * span) / this.span;
    this.leaveLive();
    this.span = span;
    this.end = left + span;
    this.redraw();
  }

  private pan(dt: number): void {
    this.leaveLive();
    this.end += dt;
    this.redraw();
  }

  // ---- input ----

  private plotWidth(): number {
    return this.overlay.clientWidth;
  }

  private timeAtX(clientX: number): number {
    const box = this.overlay.getBoundingClientRect();
    const { t0, t1 } = this.range();
    return t0 + ((clientX - box.left) / Math.max(1, box.width)) * (t1 - t0);
  }

  private listenPointer(): void {
    let press: { x: number; end: number; dragged: boolean; id: number } | undefined;
    this.overlay.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this.plot.focus();
      press = { x: e.clientX, end: this.range().t1, dragged: false, id: e.pointerId };
      this.overlay.setPointerCapture(e.pointerId);
    });
    this.overlay.addEventListener('pointermove', (e) => {
      if (press && e.pointerId === press.id) {
        const dx = e.clientX - press.x;
        if (!press.dragged && Math.abs(dx) >= DRAG_PX) {
          press.dragged = true;
          this.leaveLive();
        }
        if (press.dragged) {
          this.end = press.end - (dx / Math.max(1, this.plotWidth())) * this.span;
          this.overlay.classList.add('dragging');
          this.redraw();
        }
      }
      this.setCursor(this.timeAtX(e.clientX));
      this.hover(e);
    });
    const release = (e: PointerEvent, click: boolean): void => {
      if (!press || e.pointerId !== press.id) return;
      const wasDrag = press.dragged;
      press = undefined;
      this.overlay.classList.remove('dragging');
      if (click && !wasDrag) void this.call('seek', { t: Math.max(0, this.timeAtX(e.clientX)) });
    };
    this.overlay.addEventListener('pointerup', (e) => release(e, true));
    this.overlay.addEventListener('pointercancel', (e) => release(e, false));
    this.overlay.addEventListener('pointerleave', () => {
      if (press) return;
      this.setCursor(null);
      this.tooltip.hidden = true;
    });
    // Wheel zooms around the pointer; a sideways scroll (or Shift+wheel) pans.
    this.overlay.addEventListener('wheel', (e) => {
      e.preventDefault();
      const sideways = e.shiftKey ? e.deltaY || e.deltaX : Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : 0;
      if (sideways) {
        const px = e.deltaMode === 0 ? sideways : sideways * 20;
        this.pan((px / Math.max(1, this.plotWidth())) * this.span);
      } else if (e.deltaY) {
        this.zoom(e.deltaY > 0 ? ZOOM_STEP : 1 / ZOOM_STEP, this.timeAtX(e.clientX));
      }
    }, { passive: false });
  }

  /** The tooltip of the marker under the pointer. */
  private hover(e: PointerEvent): void {
    const target = e.target instanceof Element ? e.target.closest('.marker') : null;
    if (!(target instanceof HTMLElement)) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.textContent = target.dataset.text ?? '';
    this.tooltip.hidden = false;
    const box = this.root.getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(e.clientX - box.left + 12, box.width - this.tooltip.offsetWidth - 4)}px`;
    this.tooltip.style.top = `${e.clientY - box.top + 12}px`;
  }

  private setCursor(t: number | null): void {
    this.cursorT = t;
    this.schedule();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target !== this.plot) return;
    const { t0, t1 } = this.range();
    const span = t1 - t0;
    const handled = ((): boolean => {
      switch (e.key) {
        case '+': case '=': this.zoom(1 / ZOOM_STEP, this.cursorT ?? undefined); return true;
        case '-': case '_': this.zoom(ZOOM_STEP, this.cursorT ?? undefined); return true;
        case 'ArrowLeft': this.pan(-span * (e.shiftKey ? 0.5 : 0.1)); return true;
        case 'ArrowRight': this.pan(span * (e.shiftKey ? 0.5 : 0.1)); return true;
        case 'End': this.goLive(); return true;
        case 'Home': {
          let first = Infinity;
          for (const lane of this.lanes.values()) first = Math.min(first, lane.series.firstTime);
          if (Number.isFinite(first)) {
            this.leaveLive();
            this.end = first + this.span;
            this.redraw();
          }
          return true;
        }
        case ',': case '.': {
          const step = span / 50;
          const at = this.cursorT ?? (t0 + t1) / 2;
          this.setCursor(Math.min(t1, Math.max(t0, at + (e.key === ',' ? -step : step))));
          return true;
        }
        case '[': case ']': this.stepMarker(e.key === ']' ? 1 : -1); return true;
        case 'Escape': this.setCursor(null); return true;
        case 'Enter': if (this.cursorT !== null) void this.call('seek', { t: Math.max(0, this.cursorT) }); return true;
        default: return false;
      }
    })();
    if (handled) e.preventDefault();
  }

  /** Move the cursor to the next / previous marker (from the cursor, else the middle), bring it into view and say what it is. */
  private stepMarker(direction: 1 | -1): void {
    const { t0, t1 } = this.range();
    const from = this.cursorT ?? (t0 + t1) / 2;
    const i = direction > 0 ? lowerBound(this.markers, from + 1e-6) : lowerBound(this.markers, from - 1e-6) - 1;
    const m = this.markers[i] as WatchMarker | undefined;
    if (!m) {
      this.say(direction > 0 ? 'No marker after the cursor' : 'No marker before the cursor');
      return;
    }
    if (m.t < t0 || m.t > t1) {
      this.leaveLive();
      this.end = m.t + this.span / 2;
      this.redraw();
    }
    this.setCursor(m.t);
    this.say(this.markerText(m));
  }

  private markerText(m: WatchMarker): string {
    const lane = m.id === undefined ? undefined : this.lanes.get(m.id);
    return `${formatTime(m.t)} ${m.kind}${lane ? ` (${lane.info.label})` : ''}: ${m.text}`;
  }

  // ---- saved view (the panel's webview is rebuilt when it is shown again) ----

  private saveState(): void {
    const s: SavedWatchView = { version: 1, sessionStart: this.state.sessionStart, live: this.live, span: this.span, end: this.end };
    const old = this.store.get() as Partial<SavedWatchView> | undefined;
    if (old?.live !== s.live || old.span !== s.span || old.end !== s.end || old.sessionStart !== s.sessionStart) this.store.set(s);
  }

  private restoreState(): void {
    const s = this.store.get() as Partial<SavedWatchView> | undefined;
    if (!s || s.version !== 1 || s.sessionStart !== this.state.sessionStart) return;
    if (typeof s.span === 'number' && s.span >= MIN_SPAN_MS && s.span <= MAX_SPAN_MS) this.span = s.span;
    if (s.live === false && typeof s.end === 'number' && Number.isFinite(s.end)) {
      this.live = false;
      this.end = s.end;
    }
  }

  // ---- drawing ----

  private readTheme(): void {
    const css = getComputedStyle(document.body);
    const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
    this.colours = Array.from({ length: SERIES_COLOURS }, (_, i) => v(`--watch-series-${i}`, '#3794ff'));
    const hc = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
    this.style = {
      line: this.colours[0],
      grid: v('--watch-grid', 'rgba(128,128,128,0.2)'),
      level: v('--watch-level', '#cca700'),
      lineWidth: hc ? 2 : 1.5,
    };
    this.redraw();
  }

  /** Draw everything in the next frame. */
  redraw(): void {
    this.full = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const full = this.full;
      this.full = false;
      if (full) this.draw();
      else this.drawCursor();
    });
  }

  private draw(): void {
    const { t0, t1 } = this.range();
    const width = this.plotWidth();
    const step = niceStep(t1 - t0, Math.max(2, Math.floor(width / 110)));
    const tickTimes = ticks(Math.max(0, t0), t1, step);
    const x = (t: number): number => ((t - t0) / (t1 - t0)) * width;
    const gridX = tickTimes.map(x);
    const dpr = window.devicePixelRatio || 1;
    const lanes = [...this.lanes.values()];
    const sizes = lanes.map((lane) => lane.measure());
    lanes.forEach((lane, i) => {
      lane.draw({ t0, t1, dpr, gridX, ...sizes[i] }, { ...this.style, line: this.colours[lane.colour] ?? this.style.line });
    });

    this.axis.textContent = '';
    tickTimes.forEach((t, k) => {
      // Labels at the ends lean inwards rather than being cut in half.
      const edge = gridX[k] < 24 ? ' start' : gridX[k] > width - 24 ? ' end' : '';
      const tick = el('span', `tick${edge}`, formatTime(t, step));
      tick.style.left = `${gridX[k]}px`;
      this.axis.append(tick);
    });
    this.spanText.textContent = formatSpan(t1 - t0);
    this.liveButton.setAttribute('aria-pressed', String(this.live));
    this.liveButton.classList.toggle('active', this.live);
    this.plot.dataset.draws = String(++this.draws);
    this.plot.dataset.t0 = String(t0);
    this.plot.dataset.t1 = String(t1);
    const rec = this.state.recorded;
    if (rec && rec.to > t0 && rec.from < t1) {
      const band = el('span', 'recorded');
      band.title = `Recorded ${formatTime(rec.from)} to ${formatTime(rec.to)}: click the plot there to see the segment at that moment`;
      band.style.left = `${Math.max(0, x(rec.from))}px`;
      band.style.width = `${Math.min(width, x(rec.to)) - Math.max(0, x(rec.from))}px`;
      this.axis.prepend(band);
    }
    this.drawCursor();
    this.drawMarkers(t0, t1, x);
    this.saveState();
  }

  /** The cursor line and every lane's reading at it. */
  private drawCursor(): void {
    const { t0, t1 } = this.range();
    for (const lane of this.lanes.values()) lane.showCursor(this.cursorT);
    if (this.cursorT !== null && this.cursorT >= t0 && this.cursorT <= t1) {
      this.cursorEl.hidden = false;
      this.cursorEl.style.left = `${((this.cursorT - t0) / (t1 - t0)) * this.plotWidth()}px`;
      this.cursorLabel.textContent = formatTime(this.cursorT, (t1 - t0) / 100);
      this.cursorEl.dataset.t = String(this.cursorT);
    } else {
      this.cursorEl.hidden = true;
    }
  }

  private drawMarkers(t0: number, t1: number, x: (t: number) => number): void {
    this.markersEl.textContent = '';
    const from = lowerBound(this.markers, t0);
    const to = lowerBound(this.markers, t1 + 1e-9);
    const shown = this.markers.slice(Math.max(from, to - MAX_MARKERS_SHOWN), to);
    for (const m of shown) {
      const mark = el('div', `marker kind-${m.kind}`);
      const text = this.markerText(m);
      mark.dataset.text = text;
      mark.dataset.t = String(m.t);
      mark.setAttribute('role', 'img');
      mark.setAttribute('aria-label', text);
      mark.style.left = `${x(m.t)}px`;
      this.markersEl.append(mark);
    }
    const hidden = to - from - shown.length;
    this.markersEl.dataset.count = String(to - from);
    this.markersEl.title = hidden > 0 ? `${hidden} older markers in view are not drawn` : '';
  }
}

function lowerBound(markers: readonly WatchMarker[], t: number): number {
  let lo = 0;
  let hi = markers.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (markers[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
