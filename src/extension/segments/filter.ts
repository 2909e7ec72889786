// Which segments the view shows and in what order. Pure: no vscode.
import type { SegmentInfo } from '../../protocol/segment';
import { formatKeyLabel } from '../format';
import { isStale } from './state';

export type FilterKind = 'all' | 'mine' | 'inUse' | 'stale';
export type SortKey = 'key' | 'id' | 'size' | 'nattch' | 'ctime';

export interface ViewFilter {
  kind: FilterKind;
  /** Case-insensitive text matched against key, id, owner and creator command; '' = none. */
  text: string;
}

export interface ViewSort {
  key: SortKey;
  descending: boolean;
}

export const DEFAULT_FILTER: ViewFilter = { kind: 'all', text: '' };
export const DEFAULT_SORT: ViewSort = { key: 'id', descending: false };

export const FILTER_KINDS: { kind: FilterKind; label: string; detail: string }[] = [
  { kind: 'all', label: 'All segments', detail: 'Every segment on the host' },
  { kind: 'mine', label: 'Mine', detail: 'Owned by the user running VS Code' },
  { kind: 'inUse', label: 'In use', detail: 'At least one process attached' },
  { kind: 'stale', label: 'Stale', detail: 'Nothing attached and the creator has exited' },
];

export const SORT_KEYS: { key: SortKey; label: string; defaultDescending: boolean }[] = [
  { key: 'key', label: 'Key', defaultDescending: false },
  { key: 'id', label: 'Id', defaultDescending: false },
  { key: 'size', label: 'Size', defaultDescending: true },
  { key: 'nattch', label: 'Attached processes', defaultDescending: true },
  { key: 'ctime', label: 'Last change time', defaultDescending: true },
];

export function isFiltered(f: ViewFilter): boolean {
  return f.kind !== 'all' || f.text.trim() !== '';
}

/** Does this segment pass the filter? `uid` is the user running VS Code. */
export function matchesFilter(info: SegmentInfo, f: ViewFilter, uid: number | undefined): boolean {
  switch (f.kind) {
    case 'mine': if (info.uid !== uid) return false; break;
    case 'inUse': if (info.nattch === 0) return false; break;
    case 'stale': if (!isStale(info)) return false; break;
    case 'all': break;
  }
  const needle = f.text.trim().toLowerCase();
  if (!needle) return true;
  const haystack = [
    formatKeyLabel(info.key), info.keyHex, String(info.id),
    info.user, String(info.uid), info.creatorCommand ?? '',
  ];
  return haystack.some((h) => h.toLowerCase().includes(needle));
}

function sortValue(info: SegmentInfo, key: SortKey): number {
  switch (key) {
    case 'key': return info.key >>> 0;
    case 'id': return info.id;
    case 'size': return info.size;
    case 'nattch': return info.nattch;
    case 'ctime': return info.ctime;
  }
}

/** Filtered and sorted; ties are broken by id so the order is stable between refreshes. */
export function applyView(list: readonly SegmentInfo[], f: ViewFilter, s: ViewSort, uid: number | undefined): SegmentInfo[] {
  const dir = s.descending ? -1 : 1;
  return list
    .filter((i) => matchesFilter(i, f, uid))
    .sort((a, b) => (sortValue(a, s.key) - sortValue(b, s.key)) * dir || a.id - b.id);
}

/** "mine, matching "pg"" — for the view's message; '' when nothing is filtered. */
export function describeFilter(f: ViewFilter): string {
  const parts: string[] = [];
  const kind = FILTER_KINDS.find((k) => k.kind === f.kind);
  if (f.kind !== 'all' && kind) parts.push(kind.label.toLowerCase());
  if (f.text.trim()) parts.push(`matching "${f.text.trim()}"`);
  return parts.join(', ');
}

export function describeSort(s: ViewSort): string {
  const label = SORT_KEYS.find((k) => k.key === s.key)?.label.toLowerCase() ?? s.key;
  return `by ${label}, ${s.descending ? 'descending' : 'ascending'}`;
}

/** Accept only well-formed saved state (workspaceState may hold anything). */
export function sanitizeFilter(v: unknown): ViewFilter {
  const o = (v ?? {}) as Partial<ViewFilter>;
  const kind = FILTER_KINDS.find((k) => k.kind === o.kind)?.kind ?? 'all';
  return { kind, text: typeof o.text === 'string' ? o.text : '' };
}

export function sanitizeSort(v: unknown): ViewSort {
  const o = (v ?? {}) as Partial<ViewSort>;
  const key = SORT_KEYS.find((k) => k.key === o.key)?.key ?? DEFAULT_SORT.key;
  return { key, descending: typeof o.descending === 'boolean' ? o.descending : DEFAULT_SORT.descending };
}
