// The hex editor controller: owns the cursor/selection and the watched window (viewWindow.ts:
// the bytes the host pushes, with their pending-edit marks) and paints the grid from them.
// The rest is in its own modules, wired here: scrolling and layout (grid/scrolling.ts),
// typing and paste (input/editing.ts), copy (input/copy.ts), DOM events (input/events.ts),
// live refresh, toolbar, status line, saved state (vscodeApi.ts); live inspection (inspector,
// Find, Copy as, differences, bookmarks) lives in features.ts behind an EditorPort. A recording
// opened as a timeline adds the strip above the grid (timeline/timeline.ts).

import type { TimelinePosition, TimelineView } from '../protocol/timeline';
import type { ByteRange, HexDocInfo, HexDocState, HexSettings, ViewUpdate } from '../protocol/webview';
import { LiveInspection } from './features';
import { type CellLook, type Column, el, Grid } from './grid/grid';
import { type LayoutChoice, Scrolling } from './grid/scrolling';
import { copySelection, readFromHost } from './input/copy';
import { Editing } from './input/editing';
import { listenToInput } from './input/events';
import { type KeyCommand, moveTarget } from './input/keyboard';
import { Selection } from './input/selection';
import { LiveRefresh } from './live/liveRefresh';
import { UNLOADED, UNREADABLE, ViewWindow } from './live/viewWindow';
import { GotoBox } from './panels/goto';
import { Banner, MessageArea, StatusLine } from './panels/status';
import { Toolbar } from './panels/toolbar';
import { Timeline } from './timeline/timeline';
import type { EditorPort, HexRpc } from './port';
import { formatSize } from '../protocol/size';
import { charOf, hex2, hexDigit, isPrintable, plural } from './util/format';
import { type SavedViewState, savedViewState, StateSaver, type VsCodeApi } from './vscodeApi';

export type { HexRpc } from './port';

/** Longest time the previous rows stay on screen while new ones are being read. */
const HOLD_PAINT_MS = 120;

export class HexEditor {
  private readonly sel: Selection;
  private readonly view: ViewWindow;
  private readonly live: LiveRefresh;
  private readonly editing: Editing;
  private readonly saver: StateSaver;
  private readonly grid: Grid;
  private readonly scroll: Scrolling;
  private readonly toolbar: Toolbar;
  private readonly goto: GotoBox;
  private readonly banner: Banner;
  private readonly status: StatusLine;
  private readonly messages: MessageArea;
  private readonly features: LiveInspection;
  /** A recording's strip; null for a live segment. */
  private readonly timeline: Timeline | null = null;
  /** A recording: nothing to poll (its bytes change only when it moves). */
  private readonly isRecording: boolean;
  /** Cmd instead of Ctrl: decided as VS Code decides it (navigator.platform is deprecated). */
  private readonly isMac = navigator.userAgent.includes('Macintosh');

  private column: Column = 'hex';
  /** Bytes per row / grouping picked in the toolbar; undefined: the settings decide. */
  private layoutChoice: LayoutChoice | undefined;
  private unloadedCells = 0;
  private firstRowsPainted = false;
  /** A frame is requested: it paints everything (renderQueued) or only dirtyCells. */
  private frameQueued = false;
  private renderQueued = false;
  private readonly dirtyCells = new Set<number>();
  private holdSince = 0;
  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  private layoutQueued = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly rpc: HexRpc,
    vscode: VsCodeApi,
    private readonly doc: HexDocInfo,
    private settings: HexSettings,
    private docState: HexDocState,
    timeline: TimelineView | null = null,
  ) {
    this.isRecording = timeline !== null;
    this.sel = new Selection(doc.size);
    this.view = new ViewWindow(doc.size);
    this.live = new LiveRefresh({ refreshed: (cells) => { if (cells) this.scheduleCells(cells); else this.scheduleRender(); } });
    this.editing = new Editing({
      doc, rpc, sel: this.sel,
      column: () => this.column,
      message: (text, kind) => this.messages.show(text, kind),
      moveCursor: (offset, extend) => this.moveCursor(offset, extend),
      selectionChanged: () => this.showCursor(false),
      render: () => this.render(),
    });
    this.saver = new StateSaver(vscode, () => this.savedState());

    const saved = savedViewState(vscode, doc.id);
    if (saved) {
      this.sel.anchor = this.sel.clamp(saved.anchor);
      this.sel.cursor = this.sel.clamp(saved.cursor);
      this.column = saved.column;
      this.layoutChoice = saved.layout;
      if (saved.livePaused) this.live.setPaused(true);
    }
    const topOffset = saved ? Math.max(0, Math.min(Math.floor(saved.topOffset), doc.size - 1)) : 0;
    this.live.setPeriod(this.livePeriod());
    // Watch the first rows before building the DOM: their bytes then arrive while the first
    // frame is being prepared instead of after it (relayout watches the exact rows).
    this.syncWatch(topOffset, topOffset + 1);

    root.replaceChildren();
    root.classList.add('hex-editor');
    this.toolbar = new Toolbar(root, {
      setLayout: (bytesPerRow, grouping) => this.chooseLayout({ bytesPerRow, grouping }),
      openGoto: () => this.goto.open(),
      toggleLive: () => this.toggleLive(),
    });
    this.banner = new Banner(root);
    this.goto = new GotoBox(root, {
      cursor: () => this.sel.cursor,
      size: () => this.doc.size,
      go: (offset) => { this.jumpTo(offset, 0); this.focusGrid(); },
      cancel: () => this.focusGrid(),
    });
    if (timeline) {
      this.timeline = new Timeline(root, timeline, {
        rpc,
        range: () => this.changeRange(),
        message: (text, kind) => this.messages.show(text, kind),
        moved: () => this.live.moved(),
      });
    }
    const bars = el('div', 'bars');
    root.append(bars);
    this.messages = new MessageArea(root);
    const body = el('div', 'hex-body');
    root.append(body);
    this.grid = new Grid(body, `Bytes of shared-memory segment ${doc.id} (key ${doc.keyHex}, ${formatSize(doc.size)})`);
    this.grid.element.setAttribute('aria-readonly', String(doc.readOnly));
    const side = el('div', 'side-panel');
    body.append(side);
    this.status = new StatusLine(root);
    this.scroll = new Scrolling(this.grid, doc.size, topOffset, {
      scrolled: () => { this.render(); this.saver.soon(); },
      resized: () => this.scheduleLayout(),
    });
    this.features = new LiveInspection(this.port(), {
      addToToolbar: (...controls) => this.toolbar.insert(...controls),
      bars,
      body,
      side,
    }, settings, saved?.inspect, this.isMac);

    if (doc.size === 0) this.messages.show('The segment is empty (0 bytes).', 'info', 60_000);
    this.toolbar.setInfo(`shmid ${doc.id} · key ${doc.keyHex} · ${formatSize(doc.size)}${doc.readOnly ? ' · read-only' : ''}`);
    this.banner.update(docState);
    this.toolbar.showLive(this.live.enabled, this.live.paused);
    this.listen();
    this.relayout();
    this.focusGrid();
  }

  // ---- host events -------------------------------------------------------------------

  /** The host's push of the watched window (on watch, after edits, at live polls). */
  onView(update: ViewUpdate): void {
    const r = this.view.apply(update);
    if (!r) return; // for a window no longer watched
    if (r.cause === 'error') this.messages.show(this.view.readError ?? 'Could not read the segment', 'error'); // the host's words ("Read failed: …", "Segment 42 was removed …")
    if (r.bytesChanged) this.features.onChanged();
    // A poll that changed bytes but not which are pending: live refresh asks to repaint those
    // cells and the ones whose heat changed, and nothing else.
    const cellsOnly = !r.pendingChanged && ((r.cause === 'poll' && this.live.polling) || r.cause === 'frame');
    if (r.cause === 'poll') this.live.polled(r.changed);
    if (r.cause === 'frame') this.live.framed(r.changed); // heat as a poll's, though nothing polls a recording
    // While holding the picture for missing bytes, paint as soon as they are here.
    if (this.holdSince) this.render();
    else if (!cellsOnly) this.scheduleRender();
  }

  onState(state: HexDocState): void {
    this.docState = state;
    this.banner.update(state);
    this.scheduleRender();
  }

  onSettings(settings: HexSettings): void {
    this.settings = settings;
    this.features.onSettings(settings);
    this.live.setPeriod(this.livePeriod());
    this.toolbar.showLive(this.live.enabled, this.live.paused);
    this.syncWatch();
    if (!this.layoutChoice) this.relayout();
    this.scheduleRender();
  }

  onGoto(offset: number, length?: number): void {
    if (!(offset >= 0 && offset < this.doc.size)) {
      this.messages.show(`Offset ${offset} is outside the segment (${plural(this.doc.size, 'byte')})`, 'error');
      return;
    }
    this.jumpTo(offset, length ?? 0);
    this.focusGrid();
  }

  /** A recording's timeline moved (here, in another editor, or from a Watch plot). */
  onTimeline(position: TimelinePosition): void {
    this.timeline?.show(position);
  }

  /** Live inspection: gets the host's `bookmarks`, `diff` and `action` events. */
  get inspection(): LiveInspection {
    return this.features;
  }

  selection(): ByteRange & { cursor: number } {
    const r = this.sel.range();
    return { offset: r.start, length: r.length, cursor: this.sel.cursor };
  }

  private livePeriod(): number {
    return this.isRecording ? 0 : this.settings.liveRefreshMs;
  }

  /** The bytes "previous / next change" of a timeline looks at: the selection, else the byte under the cursor. */
  private changeRange(): ByteRange | null {
    if (this.doc.size === 0) return null;
    const r = this.sel.range();
    return r.length > 0 ? { offset: r.start, length: r.length } : { offset: this.sel.cursor, length: 1 };
  }

  // ---- layout and the watched window -------------------------------------------------

  private relayout(): void {
    this.layoutQueued = false;
    const choice = this.layoutChoice ?? { bytesPerRow: this.settings.bytesPerRow, grouping: this.settings.grouping };
    this.toolbar.showLayout(choice.bytesPerRow, choice.grouping);
    this.scroll.relayout(choice, this.sel.cursor);
    this.render();
  }

  private chooseLayout(choice: LayoutChoice): void {
    this.layoutChoice = choice;
    this.relayout();
    this.saver.soon();
  }

  /** The visible bytes plus those the inspector shows after a cursor on screen (kept in the window). */
  private shownRange(): { start: number; end: number } {
    const r = this.scroll.visibleRange();
    const c = this.sel.cursor;
    const extra = this.features.inspectedBytes;
    if (extra > 0 && c >= r.start && c < r.end) r.end = Math.min(this.doc.size, Math.max(r.end, c + extra));
    return r;
  }

  /** Tell the host which window to push and whether to poll it, if that changed. */
  private syncWatch(start?: number, end?: number): void {
    if (start === undefined || end === undefined) ({ start, end } = this.shownRange());
    const w = this.view.want(start, end, this.live.polling);
    if (w) this.rpc.notify('watch', w);
  }

  private toggleLive(): void {
    this.live.setPaused(!this.live.paused);
    this.toolbar.showLive(this.live.enabled, this.live.paused);
    this.syncWatch();
    this.render();
    this.saver.soon();
  }

  // ---- painting ----------------------------------------------------------------------

  private scheduleLayout(): void {
    if (this.layoutQueued) return;
    this.layoutQueued = true;
    requestAnimationFrame(() => this.relayout());
  }

  private scheduleRender(): void {
    this.renderQueued = true;
    this.queueFrame();
  }

  /** Paint these cells in the next frame (everything if a full render is queued by then). */
  private scheduleCells(cells: readonly number[]): void {
    for (const o of cells) this.dirtyCells.add(o);
    this.queueFrame();
  }

  private queueFrame(): void {
    if (this.frameQueued) return;
    this.frameQueued = true;
    requestAnimationFrame(() => {
      this.frameQueued = false;
      if (this.renderQueued) this.render();
      else if (this.dirtyCells.size > 0) this.render(this.dirtyCells);
    });
  }

  /** Paint the grid (only `cells` if given: nothing else changed since the last paint) and the status. */
  private render(cells?: ReadonlySet<number>): void {
    if (!cells) this.renderQueued = false;
    const { start, end } = this.scroll.visibleRange();
    this.syncWatch();
    const r = this.sel.range();
    this.status.update({
      cursor: this.sel.cursor,
      selectionStart: r.start,
      selectionLength: r.length,
      value: this.view.byteAt(this.sel.cursor),
      readOnly: this.doc.readOnly,
      dirty: this.docState.dirty,
      via: this.docState.via,
    });
    this.status.setLive(this.live.statusText());
    this.grid.element.dataset.windowBytes = String(this.view.heldBytes);
    if (this.holdForData(start, end)) {
      this.grid.setBusy(true);
      return;
    }
    this.features.prepare(start, end);
    if (cells) {
      this.grid.paintCells(cells, this.doc.size, this.describe);
      this.dirtyCells.clear();
      this.features.painted();
      return;
    }
    this.dirtyCells.clear();
    this.unloadedCells = 0;
    this.grid.paint(this.scroll.topRow, this.doc.size, this.describe);
    this.grid.setActive(this.sel.cursor, this.column);
    this.scroll.revealColumn(() => this.cursorCell());
    this.features.painted();
    this.grid.setBusy(this.unloadedCells > 0);
    if (!this.firstRowsPainted && this.unloadedCells === 0) {
      this.firstRowsPainted = true;
      this.root.setAttribute('aria-busy', 'false');
      performance.mark('shm-hex-first-rows');
    }
  }

  /**
   * After a jump or scroll to rows that are not cached, keep the previous picture for a
   * moment instead of painting placeholders: the bytes usually arrive within a frame, and
   * painting twice would delay them (the read's answer waits for the placeholder frame).
   */
  private holdForData(start: number, end: number): boolean {
    if (this.view.isSettled(start, end)) {
      this.clearHold();
      return false;
    }
    const now = performance.now();
    if (!this.holdSince) this.holdSince = now;
    if (now - this.holdSince >= HOLD_PAINT_MS) {
      this.clearHold();
      return false;
    }
    if (!this.holdTimer) {
      this.holdTimer = setTimeout(() => {
        this.holdTimer = undefined;
        this.render();
      }, HOLD_PAINT_MS - (now - this.holdSince));
    }
    return true;
  }

  private clearHold(): void {
    this.holdSince = 0;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }

  /** How the byte at offset looks (passed to Grid.paint; arrow keeps `this`). */
  private readonly describe = (o: number, out: CellLook): void => {
    const v = this.view.byteAt(o);
    let hexClass = 'hex-cell';
    let textClass = 'text-cell';
    if (v === UNLOADED) {
      out.hex = '··';
      out.text = ' ';
      hexClass += ' unloaded';
      textClass += ' unloaded';
      this.unloadedCells++;
    } else if (v === UNREADABLE) {
      out.hex = '??';
      out.text = '?';
      hexClass += ' unreadable';
      textClass += ' unreadable';
    } else {
      out.hex = hex2(v);
      out.text = charOf(v);
      if (!isPrintable(v)) textClass += ' nonprint';
      if (this.view.isPending(o)) {
        hexClass += ' edited';
        textClass += ' edited';
      }
      const heat = this.live.heatOf(o);
      if (heat > 0) { hexClass += ` heat-${heat}`; textClass += ` heat-${heat}`; }
    }
    const nibble = this.editing.nibble;
    if (nibble && nibble.offset === o) {
      out.hex = hexDigit(nibble.high) + '_';
      hexClass += ' nibble-pending';
    }
    const extra = this.features.classAt(o);
    if (extra) { hexClass += extra; textClass += extra; }
    if (this.sel.contains(o)) { hexClass += ' selected'; textClass += ' selected'; }
    if (o === this.sel.cursor) {
      if (this.column === 'hex') { hexClass += ' cursor'; textClass += ' cursor-mirror'; }
      else { textClass += ' cursor'; hexClass += ' cursor-mirror'; }
    }
    out.hexClass = hexClass;
    out.textClass = textClass;
  };

  // ---- cursor and commands -----------------------------------------------------------

  private moveCursor(offset: number, extend: boolean): void {
    const before = this.sel.cursor;
    this.sel.moveTo(offset, extend);
    if (this.sel.cursor !== before) this.editing.nibble = null;
    this.showCursor(false);
  }

  /** Select a found range (match, difference, bookmark) with the cursor on its first byte, and show it. */
  private selectRange(offset: number, length: number): void {
    this.editing.nibble = null;
    if (length > 1) this.sel.selectFromStart(offset, length);
    else this.sel.moveTo(offset, false);
    this.showCursor(true);
  }

  private jumpTo(offset: number, length: number): void {
    this.editing.nibble = null;
    if (length > 1) this.sel.select(offset, length);
    else this.sel.moveTo(offset, false);
    this.showCursor(true);
  }

  /** Scroll the cursor into view (`center`: a far one to the middle), paint, remember. */
  private showCursor(center: boolean): void {
    this.scroll.reveal(this.sel.cursor, center);
    this.render();
    this.saver.soon();
  }

  private cursorCell(): HTMLElement | null {
    return this.grid.cellAt(this.sel.cursor, this.column);
  }

  private run(cmd: KeyCommand): void {
    switch (cmd.kind) {
      case 'move': {
        const { bytesPerRow, visibleRows, topRow } = this.scroll;
        const to = moveTarget(cmd.to, this.sel.cursor, bytesPerRow, visibleRows, this.doc.size);
        if (cmd.to === 'pageUp') this.scroll.setTopRow(topRow - visibleRows);
        if (cmd.to === 'pageDown') this.scroll.setTopRow(topRow + visibleRows);
        this.moveCursor(to, cmd.extend);
        return;
      }
      case 'hexDigit': this.editing.typeNibble(cmd.value); return;
      case 'char': this.editing.typeText(cmd.text); return;
      case 'switchColumn':
        this.column = this.column === 'hex' ? 'text' : 'hex';
        this.editing.nibble = null;
        this.scroll.revealColumnPending = true;
        this.render();
        this.saver.soon();
        return;
      case 'goto': this.goto.open(); return;
      case 'selectAll':
        this.sel.selectAll();
        this.editing.nibble = null;
        this.render();
        return;
      case 'escape':
        this.editing.nibble = null;
        if (this.features.escape()) return; // first closes the Find bar (like VS Code's editor), then the selection
        this.sel.moveTo(this.sel.cursor, false);
        this.render();
        return;
    }
  }

  /** Up to max bytes from offset out of the window (stops at the end, an unreadable or a missing byte). */
  private peek(offset: number, max: number): { bytes: Uint8Array; missing: boolean } {
    const n = Math.max(0, Math.min(max, this.doc.size - offset));
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = this.view.byteAt(offset + i);
      if (v < 0) return { bytes: out.subarray(0, i), missing: v === UNLOADED };
      out[i] = v;
    }
    return { bytes: out, missing: false };
  }

  /** What live inspection may do with the editor. */
  private port(): EditorPort {
    return {
      doc: this.doc,
      rpc: this.rpc,
      cursor: () => this.sel.cursor,
      selection: () => this.sel.range(),
      peek: (offset, max) => this.peek(offset, max),
      read: (offset, length, signal) => readFromHost(this.rpc, offset, length, signal),
      editRefusal: () => this.editing.refusal(),
      write: (offset, data, label) => this.editing.write(offset, data, label),
      select: (offset, length) => this.selectRange(offset, length),
      cursorCell: () => this.cursorCell(),
      heat: (offset) => this.live.heatOf(offset),
      heatSteps: () => this.live.steps,
      message: (text, kind, ms) => this.messages.show(text, kind, ms),
      redraw: () => this.scheduleRender(),
      focusGrid: () => this.focusGrid(),
      stateChanged: () => this.saver.soon(),
    };
  }

  private listen(): void {
    listenToInput(this.grid, {
      isMac: this.isMac,
      column: () => this.column,
      run: (cmd) => this.run(cmd),
      openGoto: () => this.goto.open(),
      paste: (text) => this.editing.paste(text),
      copy: (e) => copySelection({
        size: this.doc.size,
        rpc: this.rpc,
        sel: this.sel,
        view: this.view,
        column: () => this.column,
        read: (offset, length, signal) => readFromHost(this.rpc, offset, length, signal),
        message: (text, kind) => this.messages.show(text, kind),
      }, e),
      pointAt: (offset, column, extend) => {
        if (column !== this.column) this.editing.nibble = null;
        this.column = column;
        this.moveCursor(offset, extend);
      },
      dragScroll: (direction) => {
        this.scroll.setTopRow(this.scroll.topRow + direction);
        this.moveCursor(this.sel.cursor + direction * this.scroll.bytesPerRow, true);
      },
      visibleHeight: () => this.scroll.visibleRows * this.scroll.rowHeight,
      focusGrid: () => this.focusGrid(),
      focused: () => this.render(),
      visibilityChanged: () => {
        this.syncWatch();
        if (!document.hidden) this.scheduleRender();
      },
    });
  }

  private focusGrid(): void {
    this.grid.element.focus({ preventScroll: true });
  }

  private savedState(): SavedViewState {
    return {
      version: 1,
      docId: this.doc.id,
      cursor: this.sel.cursor,
      anchor: this.sel.anchor,
      column: this.column,
      topOffset: this.scroll.topOffset,
      layout: this.layoutChoice,
      livePaused: this.live.paused || undefined,
      inspect: this.features.saved(),
    };
  }
}
