// Cursor and selection over byte offsets. The selection runs from anchor to cursor
// (inclusive); anchor === cursor means nothing is selected beyond the cursor.

export interface SelectionRange {
  /** First selected byte. */
  start: number;
  /** Number of selected bytes; 0 when the selection is collapsed to the cursor. */
  length: number;
}

export class Selection {
  anchor = 0;
  cursor = 0;

  constructor(private size: number) {}

  get hasRange(): boolean {
    return this.anchor !== this.cursor;
  }

  range(): SelectionRange {
    if (!this.hasRange) return { start: this.cursor, length: 0 };
    const start = Math.min(this.anchor, this.cursor);
    return { start, length: Math.max(this.anchor, this.cursor) - start + 1 };
  }

  /** True if offset lies in a non-empty selection. */
  contains(offset: number): boolean {
    if (!this.hasRange) return false;
    return offset >= Math.min(this.anchor, this.cursor) && offset <= Math.max(this.anchor, this.cursor);
  }

  clamp(offset: number): number {
    if (this.size <= 0) return 0;
    return Math.min(Math.max(0, Math.floor(offset)), this.size - 1);
  }

  /** Move the cursor; with extend the anchor stays, otherwise the selection collapses. */
  moveTo(offset: number, extend: boolean): void {
    this.cursor = this.clamp(offset);
    if (!extend) this.anchor = this.cursor;
  }

  /** Select [start, start + length) with the cursor on the last byte. */
  select(start: number, length: number): void {
    const first = this.clamp(start);
    const last = this.clamp(start + Math.max(1, length) - 1);
    this.anchor = first;
    this.cursor = last;
  }

  /** Select [start, start + length) with the cursor on the first byte. */
  selectFromStart(start: number, length: number): void {
    this.select(start, length);
    [this.anchor, this.cursor] = [this.cursor, this.anchor];
  }

  selectAll(): void {
    this.anchor = 0;
    this.cursor = this.clamp(this.size - 1);
  }
}
