// Pending edits of one hex document as an overlay over the live segment: offset -> bytes,
// never a copy of the segment. Each overlaid byte also keeps its base: the segment's byte as
// read when the user first changed it, so Save can tell whether another process changed it
// since. vscode-free (unit-tested in plain node).

/** A run of overlaid bytes. value and base have the same length; never mutated once stored. */
export interface Run {
  offset: number;
  value: Uint8Array;
  base: Uint8Array;
}

export interface Range {
  offset: number;
  length: number;
}

function end(r: { offset: number; value: Uint8Array }): number {
  return r.offset + r.value.length;
}

function clip(r: Run, from: number, to: number): Run {
  const a = Math.max(from, r.offset) - r.offset;
  const b = Math.min(to, end(r)) - r.offset;
  return { offset: r.offset + a, value: r.value.subarray(a, b), base: r.base.subarray(a, b) };
}

/** Sorted, non-overlapping runs (adjacent runs are allowed; ranges() coalesces them). */
export class Overlay {
  private runs: Run[] = [];

  get isEmpty(): boolean {
    return this.runs.length === 0;
  }

  /** Number of overlaid bytes. */
  get byteCount(): number {
    let n = 0;
    for (const r of this.runs) n += r.value.length;
    return n;
  }

  /** The stored runs in order (read-only views). */
  list(): readonly Run[] {
    return this.runs;
  }

  /** Index of the first run that ends after `offset`. */
  private firstAfter(offset: number): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (end(this.runs[mid]) <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Copies (clipped to the range) of the runs intersecting [offset, offset+length). */
  pieces(offset: number, length: number): Run[] {
    const to = offset + length;
    const out: Run[] = [];
    for (let i = this.firstAfter(offset); i < this.runs.length && this.runs[i].offset < to; i++) {
      const p = clip(this.runs[i], offset, to);
      out.push({ offset: p.offset, value: p.value.slice(), base: p.base.slice() });
    }
    return out;
  }

  /** Drop overlaid bytes in [offset, offset+length); parts of runs outside it stay. */
  clear(offset: number, length: number): void {
    if (length <= 0) return;
    const to = offset + length;
    const i = this.firstAfter(offset);
    let j = i;
    const keep: Run[] = [];
    while (j < this.runs.length && this.runs[j].offset < to) {
      const r = this.runs[j];
      if (r.offset < offset) keep.push(clip(r, r.offset, offset));
      if (end(r) > to) keep.push(clip(r, to, end(r)));
      j++;
    }
    if (j > i || keep.length) this.runs.splice(i, j - i, ...keep);
  }

  clearAll(): void {
    this.runs = [];
  }

  /** Put runs back into ranges that hold no overlay (as pieces() returned them). */
  insert(pieces: readonly Run[]): void {
    for (const p of pieces) {
      if (p.value.length === 0) continue;
      const i = this.firstAfter(p.offset);
      const next = this.runs.at(i); // none when p goes after every run
      if (next && next.offset < end(p)) throw new Error(`overlay: insert over existing bytes at ${p.offset}`);
      this.runs.splice(i, 0, { offset: p.offset, value: p.value, base: p.base });
    }
  }

  /**
   * Overlay `value` at offset. Bytes already overlaid keep their base; the others take theirs
   * from `segment` (the segment's bytes for the same range, as read now).
   */
  set(offset: number, value: Uint8Array, segment: Uint8Array): void {
    if (segment.length !== value.length) throw new Error('overlay: value and segment bytes differ in length');
    if (value.length === 0) return;
    const base = segment.slice();
    for (const p of this.pieces(offset, value.length)) base.set(p.base, p.offset - offset);
    this.clear(offset, value.length);
    this.insert([{ offset, value: value.slice(), base }]);
  }

  /** Patch overlaid values into `buf`, which holds the segment's bytes [offset, offset+buf.length). */
  applyTo(offset: number, buf: Uint8Array): void {
    const to = offset + buf.length;
    for (let i = this.firstAfter(offset); i < this.runs.length && this.runs[i].offset < to; i++) {
      const p = clip(this.runs[i], offset, to);
      buf.set(p.value, p.offset - offset);
    }
  }

  /** Where the overlaid bytes are: offsets and lengths, adjacent runs joined (no copies). */
  spans(): Range[] {
    const out: Range[] = [];
    for (const r of this.runs) {
      const last = out.at(-1);
      if (last && last.offset + last.length === r.offset) last.length += r.value.length;
      else out.push({ offset: r.offset, length: r.value.length });
    }
    return out;
  }

  /** The runs with adjacent ones joined: what Save writes, one write per range. */
  ranges(): Run[] {
    const out: Run[] = [];
    let group: Run[] = [];
    const flush = () => {
      if (group.length === 0) return;
      if (group.length === 1) {
        out.push(group[0]);
      } else {
        const length = group.reduce((n, r) => n + r.value.length, 0);
        const value = new Uint8Array(length);
        const base = new Uint8Array(length);
        let at = 0;
        for (const r of group) {
          value.set(r.value, at);
          base.set(r.base, at);
          at += r.value.length;
        }
        out.push({ offset: group[0].offset, value, base });
      }
      group = [];
    };
    for (const r of this.runs) {
      if (group.length && end(group[group.length - 1]) !== r.offset) flush();
      group.push(r);
    }
    flush();
    return out;
  }
}

/** One undoable edit as the document's undo stack holds it. */
export type EditRecord = EditFields & (
  /** Pending until Save. */
  | { readonly kind: 'overlay'; readonly segmentBefore?: undefined }
  /** Written to the segment at once (write-through); segmentBefore: the segment's bytes before the write (what undo writes back). */
  | { readonly kind: 'write'; readonly segmentBefore: Uint8Array }
);

interface EditFields {
  readonly id: number;
  readonly offset: number;
  /** The bytes the edit wrote. */
  readonly after: Uint8Array;
  /** The bytes the user saw there before the edit (segment with pending edits applied). */
  readonly before: Uint8Array;
  readonly label: string;
  /** Overlay pieces of the range to put back when this edit's last transition is reversed. */
  restore: Run[];
  /** The overlay generation of that last transition. */
  generation: number;
  applied: boolean;
}

/**
 * The overlay plus undo/redo transitions. A transition (apply, undo, redo) remembers the
 * overlay pieces it replaced, so reversing it in the same generation restores the overlay
 * exactly. Save, revert and dropped conflicts change the overlay outside the undo stack and
 * start a new generation: reversing an older transition then sets the target bytes as new
 * pending edits over the segment's current bytes.
 */
export class EditModel {
  readonly overlay = new Overlay();
  private gen = 0;
  private nextId = 1;

  get generation(): number {
    return this.gen;
  }

  get isEmpty(): boolean {
    return this.overlay.isEmpty;
  }

  /** Segment bytes [offset, offset+segment.length) with pending edits applied (a new array). */
  view(offset: number, segment: Uint8Array): Uint8Array {
    const out = new Uint8Array(segment.length);
    out.set(segment);
    this.overlay.applyTo(offset, out);
    return out;
  }

  /** A pending edit: `segment` is the segment's bytes of the range as read now. */
  apply(offset: number, data: Uint8Array, segment: Uint8Array, label = 'Edit'): EditRecord {
    const before = this.view(offset, segment);
    const restore = this.overlay.pieces(offset, data.length);
    this.overlay.set(offset, data, segment);
    return { id: this.nextId++, offset, after: data.slice(), before, kind: 'overlay', label, restore, generation: this.gen, applied: true };
  }

  /**
   * A write-through edit, already written: the range holds no pending bytes any more.
   * `segmentBefore` is what the segment held before the write.
   */
  applyWritten(offset: number, data: Uint8Array, segmentBefore: Uint8Array, label = 'Edit'): EditRecord {
    const before = this.view(offset, segmentBefore);
    const restore = this.overlay.pieces(offset, data.length);
    this.overlay.clear(offset, data.length);
    return {
      id: this.nextId++, offset, after: data.slice(), before, kind: 'write', segmentBefore: segmentBefore.slice(),
      label, restore, generation: this.gen, applied: true,
    };
  }

  /** True if reversing rec's last transition needs the segment's current bytes of its range. */
  needsSegment(rec: EditRecord): boolean {
    return rec.kind === 'overlay' && rec.generation !== this.gen;
  }

  /**
   * Undo rec (for 'write' edits, after the caller wrote rec.segmentBefore back).
   * `segment`: the range's current segment bytes when needsSegment(rec); if they could not be
   * read, the bytes the edit wrote are assumed (true right after a Save).
   */
  undo(rec: EditRecord, segment?: Uint8Array): void {
    this.transition(rec, rec.before, segment ?? rec.after);
    rec.applied = false;
  }

  /** Redo rec (for 'write' edits, after the caller wrote rec.after again). */
  redo(rec: EditRecord, segment?: Uint8Array): void {
    this.transition(rec, rec.after, segment ?? rec.before);
    rec.applied = true;
  }

  private transition(rec: EditRecord, target: Uint8Array, segment: Uint8Array): void {
    const length = rec.after.length;
    const current = this.overlay.pieces(rec.offset, length);
    const sameGeneration = rec.generation === this.gen;
    if (rec.kind === 'write') {
      // Redo leaves the range clean (it was written); undo restores what was pending before.
      this.overlay.clear(rec.offset, length);
      if (sameGeneration && rec.applied) this.overlay.insert(rec.restore);
    } else if (sameGeneration) {
      this.overlay.clear(rec.offset, length);
      this.overlay.insert(rec.restore);
    } else {
      if (segment.length !== length) throw new Error('undo/redo: segment bytes of the wrong length');
      this.overlay.set(rec.offset, target, segment);
    }
    rec.restore = current;
    rec.generation = this.gen;
  }

  /** Everything pending was written (Save): the overlay empties. */
  commit(): void {
    this.overlay.clearAll();
    this.gen++;
  }

  /** Some ranges were written or dropped (partial save, "Reload Those Bytes"). */
  dropRanges(ranges: readonly Range[]): void {
    for (const r of ranges) this.overlay.clear(r.offset, r.length);
    this.gen++;
  }

  /** Revert: forget every pending edit. */
  reset(): void {
    this.overlay.clearAll();
    this.gen++;
  }

  /** Restore pending edits (from a backup) into an empty overlay. */
  restore(runs: readonly Run[]): void {
    const sorted = [...runs].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) {
      if (end(sorted[i - 1]) > sorted[i].offset) throw new Error(`overlapping pending edits at ${sorted[i].offset}`);
    }
    this.overlay.clearAll();
    this.overlay.insert(sorted.map((r) => ({ offset: r.offset, value: r.value.slice(), base: r.base.slice() })));
    this.gen++;
  }
}
