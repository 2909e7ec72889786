// Every offset and length is checked here before any pointer is touched.

function describe(v: unknown): string {
  return typeof v === 'number' ? String(v) : `${typeof v} ${String(v)}`;
}

/** A non-negative safe integer, or a RangeError naming what it was for. */
export function checkCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a whole number >= 0, got ${describe(value)}`);
  }
  return value;
}

/** [offset, offset+length) must lie inside a segment of `size` bytes. */
export function checkRange(op: string, offset: unknown, length: unknown, size: number, id: number): void {
  const off = checkCount(offset, `${op}: offset`);
  const len = checkCount(length, `${op}: length`);
  if (off > size || len > size - off) {
    throw new RangeError(`${op}: offset ${off} + length ${len} is past the end of segment ${id} (${size} bytes)`);
  }
}

/** Only byte buffers reach a copy: anything else would be converted by the FFI and lost. */
export function checkBuffer(b: unknown, op: string): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${op}: the buffer must be a Buffer or Uint8Array`);
}

/**
 * The checks of readInto(dst, start, length?): a byte buffer, a length that fits it (default: all
 * of it, taken after the buffer check), a range inside the segment. Returns the length.
 */
export function checkReadInto(dst: unknown, start: number, length: number | undefined, size: number, id: number): number {
  checkBuffer(dst, 'read');
  const n = checkCount(length ?? dst.length, 'read: length');
  if (n > dst.length) throw new RangeError(`read: length ${n} is larger than the buffer (${dst.length})`);
  checkRange('read', start, n, size, id);
  return n;
}
