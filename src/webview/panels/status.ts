// The status line (cursor offset, selection, value under the cursor, live-refresh counter,
// document flags), the transient message area and the banner for destroyed segments.

import { charOf, hex2, hexNumber, isPrintable, plural } from '../util/format';
import { el } from '../grid/grid';
import { UNREADABLE } from '../live/viewWindow';
import type { HexDocState } from '../../protocol/webview';
import { type ReadVia, describeReadVia, readViaLabel } from '../../protocol/segment';

export interface StatusInfo {
  cursor: number;
  selectionStart: number;
  selectionLength: number;
  /** Byte under the cursor, or UNLOADED / UNREADABLE. */
  value: number;
  readOnly: boolean;
  dirty: boolean;
  /** How the host reads the bytes: a short label, the whole sentence as its tooltip. */
  via: ReadVia | undefined;
}

export class StatusLine {
  readonly element: HTMLElement;
  private readonly offset = el('span', 'status-item status-offset');
  private readonly selection = el('span', 'status-item status-selection');
  private readonly value = el('span', 'status-item status-value');
  private readonly live = el('span', 'status-item status-live');
  private readonly flags = el('span', 'status-item status-flags');
  private last = '';

  constructor(parent: HTMLElement) {
    this.element = el('div', 'status');
    this.element.append(this.offset, this.selection, this.value, this.live, this.flags);
    parent.append(this.element);
  }

  update(s: StatusInfo): void {
    const key = `${s.cursor}|${s.selectionStart}|${s.selectionLength}|${s.value}|${s.readOnly}|${s.dirty}|${s.via ? describeReadVia(s.via) : ''}`;
    if (key === this.last) return;
    this.last = key;
    this.offset.textContent = `Offset ${hexNumber(s.cursor)} (${s.cursor})`;
    this.selection.textContent = s.selectionLength > 0
      ? `Selected ${plural(s.selectionLength, 'byte')} (${hexNumber(s.selectionStart)}–${hexNumber(s.selectionStart + s.selectionLength - 1)})`
      : 'No selection';
    if (s.value >= 0) {
      const ch = isPrintable(s.value) ? `'${charOf(s.value)}'` : 'non-printable';
      this.value.textContent = `u8 ${s.value} · 0x${hex2(s.value)} · ${ch}`;
    } else {
      this.value.textContent = s.value === UNREADABLE ? 'u8 unreadable' : 'u8 …';
    }
    this.flags.textContent = [s.via ? readViaLabel(s.via) : '', s.readOnly ? 'Read-only' : '', s.dirty ? 'Modified' : ''].filter(Boolean).join(' · ');
    this.flags.title = s.via ? `Bytes are ${describeReadVia(s.via)}.` : '';
  }

  setLive(text: string): void {
    if (this.live.textContent !== text) this.live.textContent = text;
    this.live.hidden = text === '';
  }
}

/** One message at a time, announced to screen readers, cleared after a while. */
export class MessageArea {
  readonly element: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(parent: HTMLElement) {
    this.element = el('div', 'message');
    this.element.setAttribute('role', 'status');
    this.element.setAttribute('aria-live', 'polite');
    this.element.hidden = true;
    parent.append(this.element);
  }

  show(text: string, kind: 'info' | 'error' = 'info', ms = 6000): void {
    this.element.textContent = text;
    this.element.className = `message message-${kind}`;
    this.element.hidden = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.clear(), ms);
  }

  clear(): void {
    this.element.hidden = true;
    this.element.textContent = '';
  }
}

/** The banner above the grid for a destroyed or doomed segment. */
export class Banner {
  readonly element: HTMLElement;

  constructor(parent: HTMLElement) {
    this.element = el('div', 'banner');
    this.element.setAttribute('role', 'alert');
    this.element.hidden = true;
    parent.append(this.element);
  }

  update(state: HexDocState): void {
    let text = '';
    let kind = '';
    // The host's message says what happened to this segment; the fixed text is only a fallback
    // for what happened, plus, when gone, what it means for the bytes shown.
    if (state.gone) {
      text = `${state.message ?? 'Segment was destroyed (or its id now names another segment).'} The bytes shown may be stale; edits cannot be saved.`;
      kind = 'banner-gone';
    } else if (state.dest) {
      text = state.message ?? 'Segment is marked for destruction: it will be removed when the last process detaches.';
      kind = 'banner-dest';
    }
    this.element.textContent = text;
    this.element.className = `banner ${kind}`;
    this.element.hidden = text === '';
  }
}
