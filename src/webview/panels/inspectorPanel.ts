// The data inspector: the bytes at the cursor as int8…uint64, float32/64, binary, ASCII and
// UTF-8, in either byte order, as a panel at the right of the grid ('side') or a small popup
// under the cursor cell ('hover'). A value is edited in place (click or Enter): the typed
// value is encoded (range-checked) and written as one undoable edit of exactly its bytes.

import type { InspectorMode } from '../../protocol/settings';
import { el } from '../grid/grid';
import { decodeValue, encodeValue, STRING_PREVIEW, VALUE_TYPES, type ValueType, type ValueTypeInfo } from '../inspect/values';
import type { EditorPort } from '../port';
import { hexNumber } from '../util/format';


export interface InspectorHost {
  port: EditorPort;
  /** Bytes from offset for the inspector (cache, or a small read of its own when not cached). */
  bytesAt(offset: number, max: number): { bytes: Uint8Array; missing: boolean };
  /** The byte order was changed by the user (save it). */
  endianChanged(): void;
}

interface Row {
  info: ValueTypeInfo;
  cell: HTMLElement;
  value: HTMLButtonElement;
  text: string;
}

/** The inspector's types a watch can plot (numbers; not binary or text). */
const NUMBER_TYPE = /^(u?int(8|16|32|64)|float(32|64))$/;

const NOT_LOADED = '…';
const DOES_NOT_FIT = '—';

export class InspectorPanel {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly endian: HTMLSelectElement;
  private readonly error: HTMLElement;
  private readonly rows = new Map<ValueType, Row>();
  private mode: InspectorMode = 'off';
  private little: boolean;
  private lastKey = '';
  private editing: { row: Row; input: HTMLInputElement; offset: number } | null = null;
  private lastPos = '';

  constructor(private readonly side: HTMLElement, private readonly overlay: HTMLElement, private readonly host: InspectorHost, littleEndian: boolean) {
    this.little = littleEndian;
    this.element = el('section', 'inspector');
    this.element.setAttribute('aria-label', 'Data inspector');
    const head = el('div', 'inspector-head');
    this.title = el('span', 'inspector-title');
    this.title.id = 'inspector-title';
    this.endian = document.createElement('select');
    this.endian.className = 'inspector-endian';
    this.endian.setAttribute('aria-label', 'Byte order of multi-byte values');
    this.endian.title = 'Byte order of multi-byte values';
    for (const [value, label] of [['le', 'Little-endian'], ['be', 'Big-endian']]) {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = label;
      this.endian.append(o);
    }
    this.endian.value = this.little ? 'le' : 'be';
    this.endian.addEventListener('change', () => {
      this.little = this.endian.value === 'le';
      this.lastKey = '';
      this.update();
      this.host.endianChanged();
    });
    head.append(this.title, this.endian);

    const table = el('table', 'inspector-table');
    table.setAttribute('aria-labelledby', 'inspector-title');
    const body = document.createElement('tbody');
    for (const info of VALUE_TYPES) {
      const tr = el('tr', 'inspector-row');
      tr.dataset.type = info.type;
      const th = el('th', 'inspector-label');
      th.setAttribute('scope', 'row');
      th.id = `inspector-label-${info.type}`;
      th.textContent = info.label;
      const td = el('td', 'inspector-cell');
      const value = document.createElement('button');
      value.type = 'button';
      value.className = 'inspector-value';
      value.id = `inspector-value-${info.type}`;
      value.setAttribute('aria-labelledby', `${th.id} ${value.id}`);
      const watchable = NUMBER_TYPE.test(info.type);
      value.title = `Click or press Enter to set the ${info.label} value${watchable ? '; W: watch it over time' : ''}`;
      value.addEventListener('click', () => this.startEdit(row));
      if (watchable) {
        value.addEventListener('keydown', (e) => {
          if ((e.key !== 'w' && e.key !== 'W') || e.altKey || e.ctrlKey || e.metaKey) return;
          e.preventDefault();
          e.stopPropagation();
          void this.watch(info);
        });
      }
      td.append(value);
      tr.append(th, td);
      body.append(tr);
      const row: Row = { info, cell: td, value, text: '' };
      this.rows.set(info.type, row);
    }
    table.append(body);
    this.error = el('div', 'inspector-error');
    this.error.id = 'inspector-error';
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    this.element.append(head, table, this.error);
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !this.editing) {
        e.preventDefault();
        this.host.port.focusGrid();
      }
    });
  }

  /** Plot the value at the cursor over time in the Watch view (the host's Watch Value command), in the byte order shown. */
  private async watch(info: ValueTypeInfo): Promise<void> {
    const port = this.host.port;
    const type = info.size > 1 && !this.little ? `${info.type}be` : info.type;
    try {
      await port.rpc.request('watchValue', { offset: port.cursor(), type }, { timeoutMs: 0 });
    } catch (err) {
      port.message(`Not watched: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  get littleEndian(): boolean {
    return this.little;
  }

  get displayMode(): InspectorMode {
    return this.mode;
  }

  setLittleEndian(little: boolean): void {
    if (little === this.little) return;
    this.little = little;
    this.endian.value = little ? 'le' : 'be';
    this.lastKey = '';
    this.update();
  }

  setMode(mode: InspectorMode): void {
    if (mode === this.mode) return;
    this.cancelEdit(false);
    this.mode = mode;
    this.element.classList.toggle('inspector-hover', mode === 'hover');
    this.element.classList.toggle('inspector-side', mode === 'side');
    this.lastPos = '';
    this.element.hidden = false;
    this.element.style.removeProperty('left');
    this.element.style.removeProperty('top');
    if (mode === 'off') this.element.remove();
    else if (mode === 'side') this.side.prepend(this.element);
    else this.overlay.append(this.element);
    this.lastKey = '';
    this.update();
  }

  /** Show the values at the cursor (cheap when nothing changed: called on every paint). */
  update(): void {
    if (this.mode === 'off') return;
    const port = this.host.port;
    const offset = port.cursor();
    if (this.editing && this.editing.offset !== offset) this.cancelEdit(false);
    const { bytes, missing } = this.host.bytesAt(offset, STRING_PREVIEW);
    const key = `${offset}|${this.little}|${missing}|${bytes.join(',')}`;
    if (key !== this.lastKey) {
      if (this.lastKey && !this.lastKey.startsWith(`${offset}|`)) this.setError('');
      this.lastKey = key;
      this.title.textContent = port.doc.size > 0 ? `Values at ${hexNumber(offset)}` : 'Values';
      for (const row of this.rows.values()) this.show(row, this.textOf(row.info, bytes, missing));
    }
    if (this.mode === 'hover') this.place();
  }

  private textOf(info: ValueTypeInfo, bytes: Uint8Array, missing: boolean): string {
    const need = info.size || 1;
    if (bytes.length < need) return missing ? NOT_LOADED : DOES_NOT_FIT;
    return decodeValue(info.type, info.size ? bytes.subarray(0, info.size) : bytes, this.little) ?? DOES_NOT_FIT;
  }

  private show(row: Row, text: string): void {
    if (row.text === text) return;
    row.text = text;
    row.value.textContent = text;
    const unavailable = text === NOT_LOADED || text === DOES_NOT_FIT;
    row.value.classList.toggle('unavailable', unavailable);
    if (text === DOES_NOT_FIT) row.value.title = `Fewer than ${row.info.size} bytes remain before the end of the segment`;
    else row.value.title = `Click or press Enter to set the ${row.info.label} value`;
  }

  /**
   * The popup beside the cursor's row, right of the decoded text, so it hides no byte; where
   * the window is too narrow for that, under (or above) the cursor cell. Hidden when the
   * cursor is off screen.
   */
  private place(): void {
    const cell = this.host.port.cursorCell();
    if (!cell) {
      if (this.lastPos !== 'hidden') { this.element.hidden = true; this.lastPos = 'hidden'; }
      return;
    }
    const box = this.overlay.getBoundingClientRect();
    const c = cell.getBoundingClientRect();
    const rowEnd = cell.parentElement?.lastElementChild?.getBoundingClientRect().right ?? c.right;
    const w = this.element.offsetWidth || 300;
    const h = this.element.offsetHeight || 320;
    let left: number;
    let top: number;
    if (rowEnd + 16 + w <= box.right) {
      left = rowEnd - box.left + 16;
      top = Math.max(0, Math.min(c.top - box.top, box.height - h));
    } else {
      top = c.bottom - box.top + 4;
      if (top + h > box.height && c.top - box.top - h - 4 >= 0) top = c.top - box.top - h - 4;
      left = Math.max(0, Math.min(c.left - box.left, box.width - w - 4));
    }
    const pos = `${Math.round(left)},${Math.round(top)}`;
    if (pos === this.lastPos) return;
    this.lastPos = pos;
    this.element.hidden = false;
    this.element.style.left = `${Math.round(left)}px`;
    this.element.style.top = `${Math.round(top)}px`;
  }

  // ---- editing -----------------------------------------------------------------------

  private startEdit(row: Row): void {
    const port = this.host.port;
    const refusal = port.editRefusal();
    if (refusal) {
      this.setError(refusal);
      return;
    }
    if (row.text === DOES_NOT_FIT) {
      this.setError(`${row.info.label} needs ${row.info.size} bytes; fewer remain before the end of the segment.`);
      return;
    }
    if (row.text === NOT_LOADED) {
      this.setError('The bytes at the cursor are still being read; try again in a moment.');
      return;
    }
    this.cancelEdit(false);
    this.setError('');
    const input = document.createElement('input');
    input.type = 'text';
    input.className = 'inspector-input';
    input.spellcheck = false;
    input.autocomplete = 'off';
    input.setAttribute('aria-label', `New ${row.info.label} value (${this.little ? 'little' : 'big'}-endian)`);
    input.setAttribute('aria-describedby', 'inspector-error');
    const isString = row.info.size === 0;
    input.value = isString ? '' : row.text;
    input.placeholder = isString ? `text to write at ${hexNumber(port.cursor())}` : '';
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        e.stopPropagation();
        this.commit();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.cancelEdit(true);
      }
    });
    input.addEventListener('input', () => {
      input.removeAttribute('aria-invalid');
      this.setError('');
    });
    input.addEventListener('blur', () => {
      // Clicking elsewhere abandons the edit (nothing is written without Enter).
      setTimeout(() => { if (this.editing?.input === input && document.activeElement !== input) this.cancelEdit(false); }, 0);
    });
    row.value.hidden = true;
    row.cell.append(input);
    this.editing = { row, input, offset: port.cursor() };
    input.focus();
    input.select();
  }

  private commit(): void {
    const ed = this.editing;
    if (!ed) return;
    const port = this.host.port;
    const refusal = port.editRefusal();
    if (refusal) {
      this.setError(refusal);
      return;
    }
    const r = encodeValue(ed.row.info.type, ed.input.value, this.little);
    if ('error' in r) {
      ed.input.setAttribute('aria-invalid', 'true');
      this.setError(capitalize(r.error));
      ed.input.select();
      return;
    }
    const room = port.doc.size - ed.offset;
    if (r.bytes.length > room) {
      ed.input.setAttribute('aria-invalid', 'true');
      this.setError(`That needs ${r.bytes.length} bytes; only ${room} remain before the end of the segment.`);
      return;
    }
    this.cancelEdit(true);
    port.write(ed.offset, r.bytes, `Set ${ed.row.info.label}`);
  }

  private cancelEdit(refocus: boolean): void {
    const ed = this.editing;
    if (!ed) return;
    this.editing = null;
    ed.input.remove();
    ed.row.value.hidden = false;
    if (refocus) ed.row.value.focus();
  }

  private setError(text: string): void {
    if (this.error.textContent === text) return;
    this.error.textContent = text;
    this.error.hidden = text === '';
  }
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
