// Which bytes this webview changed since the document was last clean. The host owns the
// undo stack and does not say which bytes are pending, so the webview remembers what it
// sent in `edit` and marks a byte while its current value is still the one written
// (an undo restores another value and the mark goes away; a redo brings it back).
// Everything is forgotten when the host reports the document clean (saved or reverted).

interface SentEdit {
  offset: number;
  data: Uint8Array;
}

/** Memory bound: beyond this many remembered bytes the oldest edits are forgotten. */
const MAX_REMEMBERED_BYTES = 16 * 1024 * 1024;
/** Consecutive typing is merged into one record up to this length. */
const MERGE_LIMIT = 4096;

export class PendingEdits {
  private edits: SentEdit[] = [];
  private bytes = 0;

  get isEmpty(): boolean {
    return this.edits.length === 0;
  }

  record(offset: number, data: Uint8Array): void {
    const last = this.edits[this.edits.length - 1];
    if (last && last.offset + last.data.length === offset && last.data.length + data.length <= MERGE_LIMIT) {
      const merged = new Uint8Array(last.data.length + data.length);
      merged.set(last.data);
      merged.set(data, last.data.length);
      last.data = merged;
    } else {
      this.edits.push({ offset, data: data.slice() });
    }
    this.bytes += data.length;
    while (this.bytes > MAX_REMEMBERED_BYTES && this.edits.length > 1) {
      this.bytes -= this.edits.shift()!.data.length;
    }
  }

  clear(): void {
    this.edits = [];
    this.bytes = 0;
  }

  /** offset -> last value written, for offsets in [start, end). */
  valuesIn(start: number, end: number): Map<number, number> {
    const m = new Map<number, number>();
    for (const e of this.edits) {
      const from = Math.max(start, e.offset);
      const to = Math.min(end, e.offset + e.data.length);
      for (let o = from; o < to; o++) m.set(o, e.data[o - e.offset]);
    }
    return m;
  }
}

/**
 * Which bytes to show as edited-but-unsaved. The host's `state.pending` ranges are the truth
 * when it sends them; the local record covers edits whose answer has not arrived yet (and
 * everything, for a host that does not send ranges).
 */
export class EditMarks {
  private readonly local = new PendingEdits();
  private hostPending: ReadonlyArray<{ offset: number; length: number }> | null = null;
  private inFlight = 0;
  private localValues: Map<number, number> | null = null;
  private hostMask: Uint8Array | null = null;
  private start = 0;

  /** A state from the host (also the one `ready` answered with). */
  setState(state: { dirty: boolean; pending?: { offset: number; length: number }[] }): void {
    this.hostPending = state.pending ?? null;
    if (!state.dirty || (this.hostPending && this.inFlight === 0)) this.local.clear();
  }

  /** True while an `edit` request has no answer yet. */
  get editing(): boolean {
    return this.inFlight > 0;
  }

  /** An `edit` request was sent. */
  sent(offset: number, data: Uint8Array): void {
    this.local.record(offset, data);
    this.inFlight++;
  }

  /**
   * Its answer arrived (either way). The host posts `changed`/`state` before it answers, so
   * once nothing is in flight a host that reports ranges has reported ours too.
   * Returns true if the marks may have changed.
   */
  settled(): boolean {
    this.inFlight--;
    if (this.hostPending && this.inFlight === 0 && !this.local.isEmpty) {
      this.local.clear();
      return true;
    }
    return false;
  }

  /** Get ready to answer isMarked for offsets in [start, end). */
  prepare(start: number, end: number): void {
    this.start = start;
    this.localValues = this.local.isEmpty ? null : this.local.valuesIn(start, end);
    this.hostMask = null;
    if (!this.hostPending || end <= start) return;
    for (const r of this.hostPending) {
      const from = Math.max(start, r.offset);
      const to = Math.min(end, r.offset + r.length);
      if (from >= to) continue;
      this.hostMask ??= new Uint8Array(end - start);
      this.hostMask.fill(1, from - start, to - start);
    }
  }

  /** The byte at offset (now showing value) is edited and not saved. */
  isMarked(offset: number, value: number): boolean {
    if (this.hostMask && this.hostMask[offset - this.start]) return true;
    return !!this.localValues && this.localValues.get(offset) === value;
  }
}
