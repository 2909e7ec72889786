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
