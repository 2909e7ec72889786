// The segment bytes a document last read (or wrote), per range: what Save As can still write
// once the segment is gone. Bounded: at most `cap` bytes (64 MiB by default, so a document
// on a huge segment cannot hold a copy of it); when a new range would exceed the cap, the
// ranges recorded longest ago are dropped first. vscode-free.

export const LAST_READ_CAP = 64 << 20;

interface Piece {
  offset: number;
  bytes: Uint8Array;
  /** When it was recorded: the lowest goes first when over the cap. */
  seq: number;
}

export interface ByteSpan {
  offset: number;
  length: number;
}

export class LastRead {
  /** Sorted by offset, non-overlapping. */
  private pieces: Piece[] = [];
  private total = 0;
  private seq = 0;

  constructor(readonly cap = LAST_READ_CAP) {}

  /** Bytes recorded now. */
  get byteCount(): number {
    return this.total;
  }

  /** Record the segment's bytes [offset, offset+bytes.length) as just read; newer bytes replace older. */
  record(offset: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (bytes.length > this.cap) {
      // Keep the tail: the cap's worth nearest the end of this read.
      offset += bytes.length - this.cap;
      bytes = bytes.subarray(bytes.length - this.cap);
    }
    // A view into a larger buffer would keep all of it alive: keep a compact copy instead.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    this.clear(offset, own.length);
    const i = this.firstEndingAfter(offset);
    this.pieces.splice(i, 0, { offset, bytes: own, seq: this.seq++ });
    this.total += own.length;
    while (this.total > this.cap) this.dropOldest();
  }

  /**
   * Fill `out` with the recorded bytes of [offset, offset+out.length) (the rest is left as is)
   * and return the sub-ranges that hold no record.
   */
  fill(offset: number, out: Uint8Array): ByteSpan[] {
    const to = offset + out.length;
    const missing: ByteSpan[] = [];
    let at = offset;
    for (let i = this.firstEndingAfter(offset); i < this.pieces.length && this.pieces[i].offset < to; i++) {
      const p = this.pieces[i];
      const from = Math.max(offset, p.offset);
      const till = Math.min(to, p.offset + p.bytes.length);
      if (from > at) missing.push({ offset: at, length: from - at });
      out.set(p.bytes.subarray(from - p.offset, till - p.offset), from - offset);
      at = till;
    }
    if (at < to) missing.push({ offset: at, length: to - at });
    return missing;
  }

  private firstEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.pieces[mid];
      if (p.offset + p.bytes.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forget [offset, offset+length); the parts of pieces outside it stay (copied, so the rest can be freed). */
  private clear(offset: number, length: number): void {
    const to = offset + length;
    const i = this.firstEndingAfter(offset);
    let j = i;
    const keep: Piece[] = [];
    while (j < this.pieces.length && this.pieces[j].offset < to) {
      const p = this.pieces[j];
      const end = p.offset + p.bytes.length;
      if (p.offset < offset) keep.push({ offset: p.offset, bytes: p.bytes.slice(0, offset - p.offset), seq: p.seq });
      if (end > to) keep.push({ offset: to, bytes: p.bytes.slice(to - p.offset), seq: p.seq });
      this.total -= p.bytes.length;
      j++;
    }
    for (const k of keep) this.total += k.bytes.length;
    this.pieces.splice(i, j - i, ...keep);
  }

  private dropOldest(): void {
    let oldest = 0;
    for (let i = 1; i < this.pieces.length; i++) if (this.pieces[i].seq < this.pieces[oldest].seq) oldest = i;
    this.total -= this.pieces[oldest].bytes.length;
    this.pieces.splice(oldest, 1);
  }
}

/** "bytes 0x1000–0x1fff were never read and are zeros in the file" (at most `max` ranges named). */
export function describeUnread(unread: readonly ByteSpan[], max = 4): string {
  const hex = (n: number) => '0x' + n.toString(16);
  const named = unread.slice(0, max).map((s) => (s.length === 1 ? `byte ${hex(s.offset)}` : `${hex(s.offset)}–${hex(s.offset + s.length - 1)}`));
  const more = unread.length > max ? ` and ${unread.length - max} more ranges` : '';
  const bytes = unread.reduce((n, s) => n + s.length, 0);
  const what = unread.length === 1 && unread[0].length === 1 ? named[0] : `bytes ${named.join(', ')}${more}`;
  return `${what} ${bytes === 1 ? 'was' : 'were'} never read and ${bytes === 1 ? 'is a zero' : 'are zeros'} in the file`;
}
