// Small text helpers for offsets and bytes. Pure functions: no DOM.

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).toUpperCase().padStart(2, '0'));

/** Two upper-case hex digits of a byte. */
export function hex2(byte: number): string {
  return HEX2[byte & 0xff];
}

/** Upper-case hex digit of a nibble. */
export function hexDigit(nibble: number): string {
  return '0123456789ABCDEF'[nibble & 0xf];
}

/** How many hex digits the offset column needs for a segment of this size (at least 8). */
export function offsetDigits(size: number): number {
  const last = Math.max(0, size - 1);
  return Math.max(8, last.toString(16).length);
}

/** Offset as zero-padded upper-case hex, without prefix. */
export function formatOffset(offset: number, digits: number): string {
  return offset.toString(16).toUpperCase().padStart(digits, '0');
}

/** `0x`-prefixed hex of a number (offsets, lengths). */
export function hexNumber(n: number): string {
  return '0x' + n.toString(16).toUpperCase();
}

export function isPrintable(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e;
}

/** The decoded-text column's character for a byte: printable ASCII, '.' otherwise. */
export function charOf(byte: number): string {
  return isPrintable(byte) ? String.fromCharCode(byte) : '.';
}

/** Thousands separators; made once (toLocaleString builds a formatter at every call: the live status line formats ten times a second). */
const GROUPED = new Intl.NumberFormat('en-US');

/** "1 byte" / "4 bytes". */
export function plural(n: number, word: string): string {
  return `${GROUPED.format(n)} ${word}${n === 1 ? '' : 's'}`;
}
