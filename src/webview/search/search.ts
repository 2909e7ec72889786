// Find: next / previous from the cursor (wrapping around at the ends, with a note), or all
// matches (up to MAX_RESULTS) with a list to jump through. Runs in the host through the
// `search` request with progress and a Cancel button; matches are marked in the grid.

import { plural } from '../util/format';
import { parseHexPattern, textPattern, type SearchQuery } from '../inspect/searchQuery';
import type { EditorPort } from '../port';
import { RangeSet, type Span } from '../util/rangeSet';
import { SearchBar, type SearchMode } from './searchBar';

export const MAX_RESULTS = 1000;

export interface SearchHost {
  port: EditorPort;
  /** Matches to mark in the grid, and the current one. */
  setMatches(all: RangeSet, current: Span | null): void;
}

export interface SavedSearch {
  mode: SearchMode;
  text: string;
  caseInsensitive: boolean;
}

export function isSavedSearch(v: unknown): v is SavedSearch {
  const s = v as Partial<SavedSearch> | null;
  return !!s && typeof s === 'object' && (s.mode === 'hex' || s.mode === 'text') && typeof s.text === 'string' && typeof s.caseInsensitive === 'boolean';
}

type Found = { offsets: number[]; truncated: boolean };

export class Search {
  readonly bar: SearchBar;
  private running: AbortController | null = null;
  private results: { key: string; offsets: number[]; truncated: boolean; length: number } | null = null;
  private current: (Span & { key: string }) | null = null;

  constructor(parent: HTMLElement, private readonly host: SearchHost) {
    this.bar = new SearchBar(parent, {
      step: (d) => void this.step(d),
      findAll: () => void this.findAll(),
      cancel: () => this.cancel(),
      close: () => this.close(),
      queryChanged: () => this.queryChanged(),
      choose: (i, focusGrid) => this.choose(i, focusGrid),
    });
  }

  get isOpen(): boolean {
    return this.bar.isOpen;
  }

  saved(): SavedSearch {
    return { mode: this.bar.searchMode, text: this.bar.text, caseInsensitive: this.bar.caseInsensitive };
  }

  restore(s: SavedSearch): void {
    this.bar.restore(s.mode, s.text, s.caseInsensitive);
  }

  /** Open the bar with the focus in the pattern (idempotent). */
  open(): void {
    this.bar.open();
  }

  close(): void {
    this.cancel();
    this.bar.hide();
    this.bar.setError('');
    this.clearMarks();
    this.host.port.focusGrid();
  }

  cancel(): void {
    this.running?.abort();
  }

  /** Find next (1) / previous (-1) from the cursor; opens the bar if there is nothing to find yet. */
  async step(direction: 1 | -1): Promise<void> {
    const q = this.query();
    if (!q) return;
    this.bar.show();
    const { port } = this.host;
    const len = q.query.pattern.length;
    const sel = port.selection();
    const cur = this.current;
    const atCurrent = !!cur && cur.key === q.key && sel.start === cur.offset && (sel.length === cur.length || (cur.length === 1 && sel.length === 0));
    const origin = atCurrent ? cur.offset : sel.length > 0 ? sel.start : port.cursor();
    const params = { ...q.query, max: 1 };
    let note = '';
    let found: Found | null;
    try {
      if (direction > 0) {
        const from = atCurrent ? origin + 1 : origin;
        found = from <= port.doc.size - len ? await this.run({ ...params, from }, 'Searching…') : { offsets: [], truncated: false };
        if (found && found.offsets.length === 0 && from > 0) {
          note = 'Wrapped around to the start';
          found = await this.run({ ...params, from: 0 }, 'Searching from the start…');
        }
      } else {
        const from = origin - 1;
        found = from >= 0 ? await this.run({ ...params, from, backwards: true }, 'Searching backwards…') : { offsets: [], truncated: false };
        if (found && found.offsets.length === 0 && from < port.doc.size - len) {
          note = 'Wrapped around to the end';
          found = await this.run({ ...params, from: Math.max(0, port.doc.size - 1), backwards: true }, 'Searching from the end…');
        }
      }
    } catch (err) {
      this.bar.setNote(`Search failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (!found) return; // cancelled
    const at = found.offsets.at(0);
    if (at === undefined) {
      this.current = null;
      this.mark();
      this.bar.setNote(`No matches for ${this.describe(q.key)}`);
      return;
    }
    this.goTo(at, len, q.key);
    const r = this.results?.key === q.key ? this.results : null;
    const index = r ? r.offsets.indexOf(at) : -1;
    this.bar.selectResult(index);
    const where = r && index >= 0 ? `Match ${index + 1} of ${r.offsets.length}${r.truncated ? '+' : ''}` : `Match at 0x${at.toString(16).toUpperCase()}`;
    this.bar.setNote(note ? `${where} · ${note}` : where);
  }

  /** All matches from the start, up to MAX_RESULTS. */
  async findAll(): Promise<void> {
    const q = this.query();
    if (!q) return;
    let found: Found | null;
    try {
      found = await this.run({ ...q.query, from: 0, max: MAX_RESULTS }, 'Finding all…');
    } catch (err) {
      this.bar.setNote(`Search failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (!found) return;
    const length = q.query.pattern.length;
    this.results = { key: q.key, offsets: found.offsets, truncated: found.truncated, length };
    this.bar.showResults(found.offsets);
    const n = found.offsets.length;
    this.bar.setNote(n === 0 ? `No matches for ${this.describe(q.key)}` : found.truncated ? `${MAX_RESULTS}+ matches (the first ${MAX_RESULTS} are listed)` : `${n.toLocaleString('en-US')} match${n === 1 ? '' : 'es'}`);
    if (this.current && this.current.key !== q.key) this.current = null;
    this.bar.selectResult(this.current ? found.offsets.indexOf(this.current.offset) : -1);
    this.mark();
  }

  private choose(index: number, focusGrid: boolean): void {
    const r = this.results;
    if (!r || index < 0 || index >= r.offsets.length) return;
    this.goTo(r.offsets[index], r.length, r.key);
    this.bar.setNote(`Match ${index + 1} of ${r.offsets.length}${r.truncated ? '+' : ''}`);
    if (focusGrid) this.host.port.focusGrid();
  }

  private goTo(offset: number, length: number, key: string): void {
    this.current = { offset, length, key };
    this.mark();
    this.host.port.select(offset, length);
  }

  /** A different pattern: the old matches are not this one's. */
  private queryChanged(): void {
    this.bar.setError('');
    this.bar.setNote('');
    if (this.results) {
      this.results = null;
      this.bar.showResults([]);
    }
    this.current = null;
    this.mark();
  }

  private clearMarks(): void {
    this.results = null;
    this.current = null;
    this.bar.showResults([]);
    this.bar.setNote('');
    this.mark();
  }

  private mark(): void {
    const r = this.results;
    const all = r ? new RangeSet(r.offsets.map((offset) => ({ offset, length: r.length }))) : new RangeSet<Span>([]);
    this.host.setMatches(all, this.current);
    this.host.port.redraw();
  }

  /** The parsed pattern, or null (the bar shows why, or opens to ask for one). */
  private query(): { query: SearchQuery; key: string } | null {
    const mode = this.bar.searchMode;
    const text = this.bar.text;
    if (text.trim() === '') {
      this.open();
      return null;
    }
    const ci = mode === 'text' && this.bar.caseInsensitive;
    const q = mode === 'hex' ? parseHexPattern(text) : textPattern(text, ci);
    if ('error' in q) {
      this.bar.setError(q.error[0].toUpperCase() + q.error.slice(1));
      if (!this.bar.isOpen) this.open();
      return null;
    }
    this.bar.setError('');
    if (q.pattern.length > this.host.port.doc.size) {
      this.bar.setNote(`The pattern is longer than the segment (${plural(this.host.port.doc.size, 'byte')})`);
      return null;
    }
    return { query: q, key: `${mode}|${ci ? 'i' : ''}|${text}` };
  }

  private describe(key: string): string {
    const [mode, ci, ...rest] = key.split('|');
    const text = rest.join('|');
    const shown = text.length > 40 ? text.slice(0, 39) + '…' : text;
    return mode === 'hex' ? shown : `"${shown}"${ci ? ' (ignoring case)' : ''}`;
  }

  /** One `search` request; null when cancelled. Only one runs at a time. */
  private async run(params: SearchQuery & { from: number; backwards?: boolean; max: number }, label: string): Promise<Found | null> {
    this.running?.abort();
    const ctrl = new AbortController();
    this.running = ctrl;
    this.bar.setBusy(true, label);
    this.bar.setNote('');
    try {
      const r = await this.host.port.rpc.request('search', params, {
        signal: ctrl.signal,
        timeoutMs: 0,
        onProgress: (done, total) => { if (this.running === ctrl) this.bar.progress(done, total, label); },
      });
      return { offsets: Array.isArray(r.offsets) ? r.offsets : [], truncated: r.truncated };
    } catch (err) {
      if (ctrl.signal.aborted) {
        if (this.running === ctrl) this.bar.setNote('Search cancelled');
        return null;
      }
      throw err;
    } finally {
      if (this.running === ctrl) {
        this.running = null;
        this.bar.setBusy(false);
      }
    }
  }
}
