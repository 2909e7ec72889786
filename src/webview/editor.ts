// The hex editor controller: owns the cursor/selection, the top row and the watched window
// (viewWindow.ts: the bytes the host pushes, with their pending-edit marks); wires the grid,
// keyboard, mouse, clipboard, Go to Offset, live refresh, toolbar and status line to the host
// through the protocol. Live inspection
// (inspector, Find, Copy as, differences, bookmarks) lives in features.ts behind an EditorPort.

import type { ByteRange, HexDocInfo, HexDocState, HexSettings, ViewUpdate } from '../protocol/webview';
import { bytesFromClipboard, clipboardText, COPY_CHUNK, MAX_COPY_BYTES, MAX_PASTE_BYTES } from './input/clipboard';
import { LiveInspection, type SavedInspection } from './features';
import { charOf, formatSize, hex2, hexDigit, isPrintable, offsetDigits, plural } from './util/format';
import { GotoBox } from './panels/goto';
import { type CellLook, type Column, el, Grid } from './grid/grid';
import { commandForKey, type KeyCommand } from './input/keyboard';
import { fitBytesPerRow, maxTopRow, rowForScrollTop, type ScrollModel, scrollRange, scrollTopForRow } from './grid/layout';
import { LiveRefresh } from './live/liveRefresh';
import { PointerSelection } from './input/pointer';
import type { EditorPort, HexRpc } from './port';
import { Selection } from './input/selection';
import { Banner, MessageArea, StatusLine } from './panels/status';
import { type BytesPerRow, type Grouping, Toolbar } from './panels/toolbar';
import { UNLOADED, UNREADABLE, ViewWindow } from './live/viewWindow';
import { isSavedViewState, type SavedViewState, type VsCodeApi } from './vscodeApi';

export type { HexRpc } from './port';

/** Longest time the previous rows stay on screen while new ones are being read. */
const HOLD_PAINT_MS = 120;

export class HexEditor {
  private readonly sel: Selection;
  private readonly view: ViewWindow;
  private readonly live: LiveRefresh;
  private readonly grid: Grid;
  private readonly toolbar: Toolbar;
  private readonly goto: GotoBox;
  private readonly banner: Banner;
  private readonly status: StatusLine;
  private readonly messages: MessageArea;
  private readonly probe: HTMLElement;
  private readonly probeCh: HTMLElement;
  private readonly features: LiveInspection;
  /** Cmd instead of Ctrl: decided as VS Code decides it (navigator.platform is deprecated). */
  private readonly isMac = navigator.userAgent.includes('Macintosh');

  private column: Column = 'hex';
  private topRow = 0;
  private bytesPerRow = 16;
  private grouping: Grouping = 1;
  private layoutChoice: SavedViewState['layout'];
  private rowHeight = 20;
  private charWidth = 8;
  private visibleRows = 1;
  private rowElements = 0;
  private expectedScrollTop = 0;
  private wheelRows = 0;
  private nibble: { offset: number; high: number } | null = null;
  private unloadedCells = 0;
  private firstRowsPainted = false;
  private renderQueued = false;
  private revealColumnPending = false;
  private holdSince = 0;
  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  private layoutQueued = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private savedInspection: SavedInspection | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly rpc: HexRpc,
    private readonly vscode: VsCodeApi,
    private readonly doc: HexDocInfo,
    private settings: HexSettings,
    private docState: HexDocState,
  ) {
    this.sel = new Selection(doc.size);
    this.view = new ViewWindow(doc.size);
    this.live = new LiveRefresh({ refreshed: () => this.scheduleRender() });

    this.restoreState();
    this.live.setPeriod(settings.liveRefreshMs);
    // Watch the first rows before building the DOM: their bytes then arrive while the first
    // frame is being prepared instead of after it (relayout watches the exact rows).
    const top = this.topRow * this.bytesPerRow;
    this.syncWatch(top, top + 1);

    root.replaceChildren();
    root.classList.add('hex-editor');
    this.toolbar = new Toolbar(root, {
      setLayout: (bpr, grouping) => this.chooseLayout(bpr, grouping),
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
    this.probe = el('div', 'row probe');
    this.probe.setAttribute('aria-hidden', 'true');
    this.probeCh = el('span', 'probe-ch');
    this.probe.append(this.probeCh);
    this.grid.element.append(this.probe);
    this.features = new LiveInspection(this.port(), {
      addToToolbar: (...controls) => this.toolbar.insert(...controls),
      bars,
      body,
      side,
    }, settings, this.savedInspection, this.isMac);

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
    if (r.cause === 'poll') this.live.polled(r.changed);
    // While holding the picture for missing bytes, paint as soon as they are here.
    if (this.holdSince) this.render();
    else this.scheduleRender();
  }

  onState(state: HexDocState): void {
    this.docState = state;
    this.banner.update(state);
    this.scheduleRender();
  }

  onSettings(settings: HexSettings): void {
    this.settings = settings;
    this.features.onSettings(settings);
    this.live.setPeriod(settings.liveRefreshMs);
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

  /** Live inspection: gets the host's `bookmarks`, `diff` and `action` events. */
  get inspection(): LiveInspection {
    return this.features;
  }

  selection(): ByteRange & { cursor: number } {
    const r = this.sel.range();
    return { offset: r.start, length: r.length, cursor: this.sel.cursor };
  }

  // ---- layout and scrolling ----------------------------------------------------------

  private measure(): void {
    const h = this.probe.getBoundingClientRect().height;
    const w = this.probeCh.getBoundingClientRect().width / 100;
    if (h > 0) this.rowHeight = Math.max(8, Math.round(h));
    if (w > 0) this.charWidth = w;
    this.grid.element.style.setProperty('--row-px', `${this.rowHeight}px`);
  }

  private scrollModel(): ScrollModel {
    return {
      rowCount: Math.ceil(this.doc.size / this.bytesPerRow),
      visibleRows: this.visibleRows,
      rowHeight: this.rowHeight,
      clientHeight: this.grid.scroller.clientHeight,
    };
  }

  private relayout(): void {
    this.layoutQueued = false;
    this.measure();
    const topOffset = this.topRow * this.bytesPerRow;
    const cursorRow = Math.floor(this.sel.cursor / this.bytesPerRow);
    const cursorWasVisible = cursorRow >= this.topRow && cursorRow < this.topRow + this.visibleRows;
    const digits = offsetDigits(this.doc.size);
    const choice = this.layoutChoice ?? { bytesPerRow: this.settings.bytesPerRow, grouping: this.settings.grouping };
    this.grouping = choice.grouping;
    this.bytesPerRow = choice.bytesPerRow || fitBytesPerRow(this.grid.scroller.clientWidth, this.charWidth, this.grouping, digits);
    this.toolbar.showLayout(choice.bytesPerRow, choice.grouping);
    this.grid.configure(this.bytesPerRow, this.grouping, digits);
    const clientHeight = this.grid.scroller.clientHeight;
    const rowCount = Math.ceil(this.doc.size / this.bytesPerRow);
    this.visibleRows = Math.max(1, Math.floor((clientHeight - this.rowHeight) / this.rowHeight));
    this.rowElements = Math.min(rowCount, this.visibleRows + 1);
    this.grid.setRowElements(this.rowElements);
    const model = this.scrollModel();
    this.grid.setSizes(clientHeight, scrollRange(model), rowCount);
    this.setTopRow(Math.floor(topOffset / this.bytesPerRow));
    if (cursorWasVisible) this.reveal(this.sel.cursor, false);
    this.render();
  }

  private setTopRow(row: number): void {
    const model = this.scrollModel();
    this.topRow = Math.max(0, Math.min(Math.round(row), maxTopRow(model)));
    const top = scrollTopForRow(this.topRow, model);
    this.expectedScrollTop = top;
    if (Math.abs(this.grid.scroller.scrollTop - top) >= 0.5) this.grid.scroller.scrollTop = top;
  }

  private onScroll(): void {
    const st = this.grid.scroller.scrollTop;
    if (Math.abs(st - this.expectedScrollTop) < 1.5) return;
    this.expectedScrollTop = st;
    const row = rowForScrollTop(st, this.scrollModel());
    if (row === this.topRow) return;
    this.topRow = row;
    this.render();
    this.saveStateSoon();
  }

  private onWheel(e: WheelEvent): void {
    if (e.ctrlKey || e.metaKey) return; // zoom belongs to VS Code
    e.preventDefault();
    let dy = e.deltaY;
    let dx = e.deltaX;
    if (e.shiftKey && dx === 0) { dx = dy; dy = 0; }
    const unit = e.deltaMode === 1 ? this.rowHeight : e.deltaMode === 2 ? this.visibleRows * this.rowHeight : 1;
    if (dx) this.grid.scroller.scrollLeft += dx * (e.deltaMode === 0 ? 1 : this.charWidth * 3);
    if (!dy) return;
    this.wheelRows += (dy * unit) / this.rowHeight;
    const rows = Math.trunc(this.wheelRows);
    if (!rows) return;
    this.wheelRows -= rows;
    this.setTopRow(this.topRow + rows);
    this.render();
    this.saveStateSoon();
  }

  /**
   * Scroll so that offset's row is on screen; `center` puts a far row in the middle. Its column
   * is brought into view after the next paint (a narrow editor scrolls sideways).
   */
  private reveal(offset: number, center: boolean): void {
    this.revealColumnPending = true;
    const row = Math.floor(offset / this.bytesPerRow);
    if (row >= this.topRow && row < this.topRow + this.visibleRows) return;
    if (center) this.setTopRow(row - Math.floor(this.visibleRows / 2));
    else if (row < this.topRow) this.setTopRow(row);
    else this.setTopRow(row - this.visibleRows + 1);
  }

  /** Scroll sideways, if needed, until the cursor's cell is inside the grid's viewport. */
  private revealCursorColumn(): void {
    const cell = this.grid.cellAt(this.sel.cursor, this.column);
    if (!cell) return;
    const scroller = this.grid.scroller;
    const left = scroller.getBoundingClientRect().left;
    const box = cell.getBoundingClientRect();
    const margin = this.charWidth;
    if (box.left < left) scroller.scrollLeft -= left - box.left + margin;
    else if (box.right > left + scroller.clientWidth) scroller.scrollLeft += box.right - (left + scroller.clientWidth) + margin;
  }

  private visibleRange(): { start: number; end: number } {
    const start = this.topRow * this.bytesPerRow;
    return { start, end: Math.min(this.doc.size, start + this.rowElements * this.bytesPerRow) };
  }

  /** The visible bytes plus those the inspector shows after a cursor on screen (kept in the window). */
  private shownRange(): { start: number; end: number } {
    const r = this.visibleRange();
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

  private chooseLayout(bytesPerRow: BytesPerRow, grouping: Grouping): void {
    this.layoutChoice = { bytesPerRow, grouping };
    this.relayout();
    this.saveStateSoon();
  }

  private toggleLive(): void {
    this.live.setPaused(!this.live.paused);
    this.toolbar.showLive(this.live.enabled, this.live.paused);
    this.syncWatch();
    this.render();
    this.saveStateSoon();
  }

  // ---- painting ----------------------------------------------------------------------

  private scheduleLayout(): void {
    if (this.layoutQueued) return;
    this.layoutQueued = true;
    requestAnimationFrame(() => this.relayout());
  }

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.renderQueued = false;
    const { start, end } = this.visibleRange();
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
    this.unloadedCells = 0;
    this.grid.paint(this.topRow, this.doc.size, this.describe);
    this.grid.setActive(this.sel.cursor, this.column);
    if (this.revealColumnPending) {
      this.revealColumnPending = false;
      this.revealCursorColumn();
    }
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
    if (this.nibble && this.nibble.offset === o) {
      out.hex = hexDigit(this.nibble.high) + '_';
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
    if (this.sel.cursor !== before) this.nibble = null;
    this.reveal(this.sel.cursor, false);
    this.render();
    this.saveStateSoon();
  }

  /** Select a found range (match, difference, bookmark) with the cursor on its first byte, and show it. */
  private selectRange(offset: number, length: number): void {
    this.nibble = null;
    if (length > 1) this.sel.selectFromStart(offset, length);
    else this.sel.moveTo(offset, false);
    this.reveal(this.sel.cursor, true);
    this.render();
    this.saveStateSoon();
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
      read: (offset, length, signal) => this.read(offset, length, signal),
      editRefusal: () => this.editRefusal(),
      write: (offset, data, label) => this.writeBytes(offset, data, label),
      select: (offset, length) => this.selectRange(offset, length),
      cursorCell: () => this.grid.cellAt(this.sel.cursor, this.column),
      message: (text, kind, ms) => this.messages.show(text, kind, ms),
      redraw: () => this.scheduleRender(),
      focusGrid: () => this.focusGrid(),
      stateChanged: () => this.saveStateSoon(),
    };
  }

  private jumpTo(offset: number, length: number): void {
    this.nibble = null;
    if (length > 1) this.sel.select(offset, length);
    else this.sel.moveTo(offset, false);
    this.reveal(this.sel.cursor, true);
    this.render();
    this.saveStateSoon();
  }

  private run(cmd: KeyCommand): void {
    const bpr = this.bytesPerRow;
    const c = this.sel.cursor;
    const last = this.doc.size - 1;
    switch (cmd.kind) {
      case 'move': {
        let to = c;
        switch (cmd.to) {
          case 'left': to = c - 1; break;
          case 'right': to = c + 1; break;
          case 'up': to = c - bpr >= 0 ? c - bpr : c; break;
          case 'down': to = c + bpr <= last ? c + bpr : Math.floor(c / bpr) < Math.floor(last / bpr) ? last : c; break;
          case 'pageUp': to = c - this.visibleRows * bpr >= 0 ? c - this.visibleRows * bpr : c % bpr; break;
          case 'pageDown': to = Math.min(last, c + this.visibleRows * bpr); break;
          case 'rowStart': to = c - (c % bpr); break;
          case 'rowEnd': to = Math.min(last, c - (c % bpr) + bpr - 1); break;
          case 'docStart': to = 0; break;
          case 'docEnd': to = last; break;
        }
        if (cmd.to === 'pageUp') this.setTopRow(this.topRow - this.visibleRows);
        if (cmd.to === 'pageDown') this.setTopRow(this.topRow + this.visibleRows);
        this.moveCursor(to, cmd.extend);
        return;
      }
      case 'hexDigit': this.typeNibble(cmd.value); return;
      case 'char': this.typeText(cmd.text); return;
      case 'switchColumn':
        this.column = this.column === 'hex' ? 'text' : 'hex';
        this.nibble = null;
        this.revealColumnPending = true;
        this.render();
        this.saveStateSoon();
        return;
      case 'goto': this.goto.open(); return;
      case 'selectAll':
        this.sel.selectAll();
        this.nibble = null;
        this.render();
        return;
      case 'escape':
        this.nibble = null;
        if (this.features.escape()) return; // first closes the Find bar (like VS Code's editor), then the selection
        this.sel.moveTo(this.sel.cursor, false);
        this.render();
        return;
    }
  }

  // ---- editing -----------------------------------------------------------------------

  /** Why edits are refused, or null. */
  private editRefusal(): string | null {
    if (this.doc.size <= 0) return 'The segment is empty: nothing to edit';
    if (this.doc.readOnly) return `Read-only: ${this.doc.readOnlyReason ?? 'this segment is open read-only'}. Nothing was changed.`;
    return null;
  }

  private refuseIfReadOnly(): boolean {
    const refusal = this.editRefusal();
    if (refusal) this.messages.show(refusal, 'error');
    return refusal !== null;
  }

  private typeNibble(value: number): void {
    if (this.refuseIfReadOnly()) return;
    const at = this.sel.cursor;
    if (this.sel.hasRange) this.sel.moveTo(at, false);
    if (!this.nibble || this.nibble.offset !== at) {
      this.nibble = { offset: at, high: value };
      this.render();
      return;
    }
    const byte = (this.nibble.high << 4) | value;
    this.nibble = null;
    this.writeBytes(at, Uint8Array.of(byte), 'Typing');
    this.moveCursor(Math.min(at + 1, this.doc.size - 1), false);
  }

  private typeText(text: string): void {
    if (this.refuseIfReadOnly()) return;
    const at = this.sel.cursor;
    const bytes = new TextEncoder().encode(text).slice(0, this.doc.size - at);
    if (bytes.length === 0) return;
    this.writeBytes(at, bytes, 'Typing');
    this.moveCursor(Math.min(at + bytes.length, this.doc.size - 1), false);
  }

  private paste(text: string): void {
    if (this.refuseIfReadOnly()) return;
    const parsed = bytesFromClipboard(text, this.column);
    if (!parsed.ok) {
      this.messages.show(`Cannot paste: ${parsed.error}`, 'error');
      return;
    }
    let data = parsed.value;
    if (data.length > MAX_PASTE_BYTES) {
      this.messages.show(`Cannot paste ${formatSize(data.length)}: at most ${formatSize(MAX_PASTE_BYTES)} at a time`, 'error');
      return;
    }
    if (data.length === 0) {
      this.messages.show('Nothing to paste', 'info');
      return;
    }
    const start = this.sel.hasRange ? this.sel.range().start : this.sel.cursor;
    const room = this.doc.size - start;
    const total = data.length;
    if (total > room) {
      data = data.slice(0, room);
      this.messages.show(`Pasted ${plural(room, 'byte')} of ${total}: the rest would be past the end of the segment`, 'info');
    }
    this.nibble = null;
    this.writeBytes(start, data, 'Paste');
    this.sel.select(start, data.length);
    this.reveal(this.sel.cursor, false);
    this.render();
    this.saveStateSoon();
  }

  /** Ask the host for the edit; the bytes (and their pending mark) come back pushed in `view`. */
  private writeBytes(offset: number, data: Uint8Array, label: string): void {
    const bytes = data.slice(); // compact copy: structured clone sends the whole buffer
    this.rpc.request('edit', { offset, data: bytes, label }).then(undefined, (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      this.messages.show(`Edit refused: ${message}`, 'error');
    });
  }

  private copyRange(): { start: number; length: number } {
    const r = this.sel.range();
    return r.length > 0 ? r : { start: this.sel.cursor, length: this.doc.size > 0 ? 1 : 0 };
  }

  private onCopy(e: ClipboardEvent): void {
    const { start, length } = this.copyRange();
    if (length === 0) return;
    e.preventDefault();
    if (length > MAX_COPY_BYTES) {
      this.messages.show(`Selection too large to copy (${formatSize(length)}; at most ${formatSize(MAX_COPY_BYTES)})`, 'error');
      return;
    }
    if (e.clipboardData && this.view.hasRange(start, start + length)) {
      e.clipboardData.setData('text/plain', clipboardText(this.view.slice(start, start + length), this.column));
      return;
    }
    void this.copyViaHost(start, length);
  }

  private async copyViaHost(start: number, length: number): Promise<void> {
    try {
      const out = new Uint8Array(length);
      for (let o = 0; o < length; o += COPY_CHUNK) {
        out.set(await this.read(start + o, Math.min(COPY_CHUNK, length - o)), o);
      }
      await this.rpc.request('copy', { text: clipboardText(out, this.column) });
      this.messages.show(`Copied ${plural(length, 'byte')}`, 'info');
    } catch (err) {
      this.messages.show(`Copy failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  private async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    const r = await this.rpc.request('read', { offset, length }, { signal });
    const data: unknown = r.data;
    if (data instanceof Uint8Array) return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    throw new Error('host sent bytes in an unexpected form');
  }

  // ---- input wiring ------------------------------------------------------------------

  private listen(): void {
    const g = this.grid.element;
    g.addEventListener('keydown', (e) => {
      const cmd = commandForKey(e, this.column, this.isMac);
      if (!cmd) return;
      e.preventDefault();
      e.stopPropagation();
      this.run(cmd);
    });
    document.addEventListener('keydown', (e) => {
      const mod = this.isMac ? e.metaKey : e.ctrlKey;
      if (mod && !e.altKey && (e.key === 'g' || e.key === 'G')) {
        e.preventDefault();
        e.stopPropagation();
        this.goto.open();
      }
    });
    document.addEventListener('paste', (e) => {
      if (isTextInput(e.target)) return;
      e.preventDefault();
      this.paste(e.clipboardData?.getData('text/plain') ?? '');
    });
    document.addEventListener('copy', (e) => {
      if (isTextInput(e.target)) return;
      this.onCopy(e);
    });
    document.addEventListener('cut', (e) => {
      if (isTextInput(e.target)) return;
      e.preventDefault();
      this.onCopy(e);
    });
    this.grid.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.grid.scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    new PointerSelection({
      element: g,
      bodyRect: () => this.grid.bodyRect(),
      visibleHeight: () => this.visibleRows * this.rowHeight,
      pointAt: (offset, column, extend) => {
        if (column !== this.column) this.nibble = null;
        this.column = column;
        this.moveCursor(offset, extend);
      },
      dragScroll: (direction) => {
        this.setTopRow(this.topRow + direction);
        this.moveCursor(this.sel.cursor + direction * this.bytesPerRow, true);
      },
      focus: () => this.focusGrid(),
    });
    g.addEventListener('focus', () => this.render());
    new ResizeObserver(() => this.scheduleLayout()).observe(this.grid.scroller);
    new ResizeObserver(() => this.scheduleLayout()).observe(this.probe);
    document.addEventListener('visibilitychange', () => {
      this.syncWatch();
      if (!document.hidden) this.scheduleRender();
    });
    // When VS Code focuses the webview, keys should reach the grid.
    window.addEventListener('focus', () => {
      if (document.activeElement === document.body || document.activeElement === null) this.focusGrid();
    });
  }

  private focusGrid(): void {
    this.grid.element.focus({ preventScroll: true });
  }

  // ---- persistence -------------------------------------------------------------------

  private restoreState(): void {
    const s = this.vscode.getState();
    if (!isSavedViewState(s) || s.docId !== this.doc.id) return;
    this.sel.anchor = this.sel.clamp(s.anchor);
    this.sel.cursor = this.sel.clamp(s.cursor);
    this.column = s.column;
    this.layoutChoice = s.layout;
    if (s.livePaused) this.live.setPaused(true);
    this.savedInspection = s.inspect;
    // relayout() turns this into a row for the bytes per row in effect.
    this.bytesPerRow = 1;
    this.topRow = Math.max(0, Math.min(Math.floor(s.topOffset), this.doc.size - 1));
  }

  private saveStateSoon(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.saveState(), 150);
  }

  private saveState(): void {
    this.saveTimer = undefined;
    const state: SavedViewState = {
      version: 1,
      docId: this.doc.id,
      cursor: this.sel.cursor,
      anchor: this.sel.anchor,
      column: this.column,
      topOffset: this.topRow * this.bytesPerRow,
      layout: this.layoutChoice,
      livePaused: this.live.paused || undefined,
      inspect: this.features.saved(),
    };
    this.vscode.setState(state);
  }
}

function isTextInput(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
}
