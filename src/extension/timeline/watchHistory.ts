// The samples a watch session holds: one time column (ms since the session started) and one value
// column per watch, a row per sample, the oldest rows dropped past a cap. 64-bit integer columns
// also keep the exact values (the plot gets doubles, the CSV the integers). vscode-free.
import type { SampleBatch } from '../../protocol/watch';

export class WatchHistory {
  private t: number[] = [];
  private readonly cols = new Map<number, { v: number[]; exact?: bigint[] }>();

  /** maxRows: 600,000 = 10 minutes at 1 kHz (16 watches: ~80 MB of doubles). */
  constructor(private readonly maxRows = 600_000) {}

  get rows(): number {
    return this.t.length;
  }

  get lastT(): number {
    return this.t.length ? this.t[this.t.length - 1] : -Infinity;
  }

  /** A new column; rows before it have no value (NaN). `exact`: keep bigint values too. */
  addColumn(id: number, exact = false): void {
    const v = new Array<number>(this.t.length).fill(NaN);
    this.cols.set(id, exact ? { v, exact: new Array<bigint>(this.t.length).fill(0n) } : { v });
  }

  removeColumn(id: number): void {
    this.cols.delete(id);
  }

  /** One row: `values` in the order of `ids` (bigint for 64-bit integers). */
  push(t: number, ids: readonly number[], values: readonly (number | bigint)[]): void {
    this.t.push(t);
    ids.forEach((id, i) => {
      const c = this.cols.get(id);
      if (!c) return;
      const x = values[i];
      c.v.push(Number(x));
      c.exact?.push(typeof x === 'bigint' ? x : 0n);
    });
    if (this.t.length > this.maxRows * 1.1) {
      const cut = this.t.length - this.maxRows;
      this.t = this.t.slice(cut);
      for (const c of this.cols.values()) {
        c.v = c.v.slice(cut);
        if (c.exact) c.exact = c.exact.slice(cut);
      }
    }
  }

  /** Rows [from, t.length) as one batch per watch. */
  batchesSince(fromRow: number): SampleBatch[] {
    const t = Float64Array.from(this.t.slice(Math.max(0, fromRow)));
    if (t.length === 0) return [];
    return [...this.cols].map(([id, c]) => ({ id, t, v: Float64Array.from(c.v.slice(Math.max(0, fromRow))) }));
  }

  /** Rows with from <= t <= to, each as [t, ...values in the order of ids]; NaN: no value. */
  *between(ids: readonly number[], from = -Infinity, to = Infinity): Generator<[number, ...(number | bigint)[]]> {
    const cols = ids.map((id) => this.cols.get(id));
    for (let r = 0; r < this.t.length; r++) {
      const t = this.t[r];
      if (t < from || t > to) continue;
      yield [t, ...cols.map((c) => {
        const v = c?.v[r] ?? NaN;
        return c?.exact && !Number.isNaN(v) ? c.exact[r] : v;
      })];
    }
  }
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV as `shm-inspector watch --csv` writes it: t_ms (3 decimals), then one column per watch; no value = empty. */
export function historyCsv(history: WatchHistory, columns: readonly { id: number; label: string; format: (v: number | bigint) => string }[], from?: number, to?: number): { text: string; rows: number } {
  const lines = [columns.map((c) => c.label).reduce((h, l) => `${h},${csvField(l)}`, 't_ms')];
  for (const row of history.between(columns.map((c) => c.id), from, to)) {
    lines.push([row[0].toFixed(3), ...columns.map((c, i) => (typeof row[i + 1] === 'number' && Number.isNaN(row[i + 1]) ? '' : c.format(row[i + 1])))].map(csvField).join(','));
  }
  return { text: lines.join('\n') + '\n', rows: lines.length - 1 };
}
