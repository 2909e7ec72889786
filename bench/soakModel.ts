// What one soak segment must contain: the bytes saved or written through the host, the edits
// still pending in its document, and the writer process's region (the last bytes), whose
// contents follow from the generation the writer last finished (or is writing now).

/** Byte i of the writer's region at generation gen (0 = never written: zeros). */
export function writerByte(gen: number, i: number): number {
  return gen === 0 ? 0 : (gen * 31 + i * 7 + 1) & 0xff;
}

export class SegmentModel {
  /** The segment's bytes below the writer's region, as the host last wrote them. */
  readonly saved: Uint8Array;
  /** Edits in the document not saved yet: offset -> value. */
  readonly pending = new Map<number, number>();
  /** A write whose answer was lost (the agent died): the byte may hold this value instead. */
  readonly either = new Map<number, number>();
  /** The writer's last finished generation, and the one it is writing now. */
  writerGen = 0;
  writerNext: number | null = null;

  constructor(readonly size: number, readonly writerOffset: number) {
    this.saved = new Uint8Array(writerOffset);
  }

  get writerLength(): number {
    return this.size - this.writerOffset;
  }

  /**
   * Compare what the document shows (pending edits applied) or the raw segment (`raw`: a
   * pending byte may hold its old or new value, a failed save may have written it) with the
   * model; returns the offsets that are wrong. An uncertain byte becomes certain once seen.
   * The writer's region may show any generation from `fromGen` (the one finished when the read
   * started) to the one being written now.
   */
  check(offset: number, got: Uint8Array, opts: { raw?: boolean; fromGen: number }): number[] {
    const raw = !!opts.raw;
    const lastGen = this.writerNext ?? this.writerGen;
    const wrong: number[] = [];
    for (let i = 0; i < got.length; i++) {
      const o = offset + i;
      const b = got[i];
      if (o >= this.writerOffset) {
        const w = o - this.writerOffset;
        let ok = false;
        for (let g = opts.fromGen; g <= lastGen && !ok; g++) ok = b === writerByte(g, w);
        if (!ok) wrong.push(o);
        continue;
      }
      const p = this.pending.get(o);
      if (p !== undefined && !raw) {
        if (b !== p) wrong.push(o);
        continue;
      }
      if (p !== undefined && b === p) continue;
      if (b === this.saved[o]) { this.either.delete(o); continue; }
      if (this.either.get(o) === b) { this.saved[o] = b; this.either.delete(o); continue; }
      wrong.push(o);
    }
    return wrong;
  }

  edited(offset: number, data: Uint8Array): void {
    data.forEach((b, i) => this.pending.set(offset + i, b));
  }

  /** Save succeeded: every pending byte is in the segment. Returns the offsets saved. */
  savedAll(): number[] {
    const offsets = [...this.pending.keys()];
    for (const [o, b] of this.pending) { this.saved[o] = b; this.either.delete(o); }
    this.pending.clear();
    return offsets;
  }

  /**
   * Save failed (the agent died): the document keeps the ranges it did not see written, but a
   * write whose answer was lost may have landed, so the segment may hold either value.
   */
  saveFailed(): void {
    for (const [o, b] of this.pending) if (this.saved[o] !== b) this.either.set(o, b);
  }

  reverted(): void {
    this.pending.clear();
  }

  /** A write through the host: done, or (lost answer) perhaps done. */
  wrote(offset: number, data: Uint8Array, certain: boolean): void {
    data.forEach((b, i) => {
      const o = offset + i;
      if (certain) { this.saved[o] = b; this.either.delete(o); } else if (this.saved[o] !== b) this.either.set(o, b);
    });
  }

  /** Whether [offset, offset+length) holds no pending edit (a direct write there cannot conflict with a save). */
  clearOfPending(offset: number, length: number): boolean {
    for (let o = offset; o < offset + length; o++) if (this.pending.has(o)) return false;
    return true;
  }
}
