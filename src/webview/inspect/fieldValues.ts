// Values of the overlay panel's rows: decoded from the bytes of the row's own span (so a row
// needs only its bytes, wherever they come from) and encoded back from the user's text.
// Bytes outside the watched window are read in one bounded request for all rows in view and
// kept until the bytes change. Pure except FieldBytes, which asks the port.

import type { CLeaf } from '../../protocol/cValues';
import { decodeLeaf, formatValue, isString, parseValue, viewOf, writeLeaf } from '../../protocol/cValues';
import type { EditorPort } from '../port';
import type { FieldRow } from './fieldTree';

/** Most bytes one read for the rows in view asks for (the host's limit). */
export const MAX_FIELD_READ = 1 << 20;

/** The row's field as a leaf of its own span (offset 0, bits from its first byte); null if it has no value. */
export function localLeaf(row: FieldRow): CLeaf | null {
  const t = row.type;
  if (row.kind !== 'leaf' || !t || t.kind === 'opaque' || (t.kind === 'array' && !isString(t)) || t.kind === 'struct' || t.kind === 'union') return null;
  if (row.bitSize !== undefined && row.bitShift !== undefined) return { path: row.cpath, offset: 0, type: t, bitOffset: row.bitShift, bitSize: row.bitSize };
  return { path: row.cpath, offset: 0, type: t };
}

/** The value of row from bytes (exactly its span), as text; '' for rows without a value. */
export function valueText(row: FieldRow, bytes: Uint8Array): string {
  const leaf = localLeaf(row);
  if (!leaf) return row.type?.kind === 'opaque' ? `<${row.size} bytes>` : '';
  return formatValue(leaf, decodeLeaf(viewOf(bytes), 0, leaf));
}

/**
 * The row's new bytes for text: parsed and range-checked (CValueError, one line, if it does not
 * fit), written into a copy of current (the span's bytes now), so a bit-field keeps the other bits.
 */
export function encodeField(row: FieldRow, text: string, current: Uint8Array): Uint8Array {
  const leaf = localLeaf(row);
  if (!leaf) throw new Error(`${row.cpath || row.name} has no value to set`);
  const value = parseValue(leaf, text);
  const out = current.slice();
  writeLeaf(viewOf(out), 0, leaf, value);
  return out;
}

/** The text an edit starts from: the shown value without the quotes of a string. */
export function editText(row: FieldRow, shown: string): string {
  if (row.type && isString(row.type) && shown.startsWith('"')) {
    try {
      return JSON.parse(shown) as string;
    } catch {
      return shown;
    }
  }
  return shown;
}

/**
 * Bytes of the rows in view: from the watched window (peek), else from one read of the span of
 * all rows in view that missed (at most MAX_FIELD_READ), kept until the bytes change and shown
 * (stale) until the next read answers. One read at a time.
 */
export class FieldBytes {
  private block: { offset: number; data: Uint8Array } | null = null;
  private stale = false;
  private reading = false;
  private miss: { start: number; end: number } | null = null;
  private failed: string | null = null;
  /** Bumped when a read answers (the rows should be shown again). */
  version = 0;

  constructor(private readonly port: EditorPort, private readonly arrived: () => void) {}

  /** The bytes of [offset, offset + size), or null (not here yet: noted for the next read). */
  get(offset: number, size: number): Uint8Array | null {
    if (offset + size > this.port.doc.size || size > MAX_FIELD_READ) return null; // cut off by the segment's end, or too big to show
    const p = this.port.peek(offset, size);
    if (p.bytes.length === size) return p.bytes;
    const b = this.block;
    if (b && offset >= b.offset && offset + size <= b.offset + b.data.length) {
      if (this.stale) this.note(offset, size);
      return b.data.subarray(offset - b.offset, offset - b.offset + size);
    }
    if (p.missing || p.bytes.length < size) this.note(offset, size);
    return null;
  }

  /** The bytes changed: what was read is out of date (still shown until read again). */
  invalidate(): void {
    if (this.block) this.stale = true;
    this.failed = null;
  }

  /** After the rows in view asked: read what they missed (one request). */
  flush(): void {
    const m = this.miss;
    this.miss = null;
    if (!m || this.reading || this.failed) return;
    const start = m.start;
    const end = Math.min(m.end, start + MAX_FIELD_READ, this.port.doc.size);
    if (end <= start) return;
    this.reading = true;
    this.port.read(start, end - start).then(
      (data) => {
        this.block = { offset: start, data };
        this.stale = false;
        this.version++;
      },
      (err: unknown) => { this.failed = err instanceof Error ? err.message : String(err); },
    ).finally(() => {
      this.reading = false;
      this.arrived();
    });
  }

  /** Why the last read failed (until the bytes change). */
  get error(): string | null {
    return this.failed;
  }

  /** A miss joins the span to read unless that would make it longer than one read (the rest waits: no back and forth). */
  private note(offset: number, size: number): void {
    const m = this.miss;
    if (!m) {
      this.miss = { start: offset, end: offset + size };
      return;
    }
    const start = Math.min(m.start, offset);
    const end = Math.max(m.end, offset + size);
    if (end - start <= MAX_FIELD_READ) this.miss = { start, end };
  }
}
