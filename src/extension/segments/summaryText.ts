// What the Segments view says about its listing as a whole: the totals, the line above the rows
// and the state its welcome content depends on. No vscode import, so unit tests use it as is.
import { formatSize } from '../../protocol/size';
import { plural } from '../format';
import { describeFilter, isFiltered } from './filter';
import type { SegmentsSummary } from './provider';

/** The view's state for the welcome content's `when` clause. */
export type SegmentsState = 'loading' | 'empty' | 'filtered' | 'error' | 'ok';

/** "12 of 4096 segments · 48 MiB". */
export function totalsText(s: SegmentsSummary): string {
  const count = s.limits?.shmmni ? `${s.total} of ${s.limits.shmmni} segments` : plural(s.total, 'segment');
  return `${count} · ${formatSize(s.totalBytes)}`;
}

export function segmentsState(s: SegmentsSummary): SegmentsState {
  if (s.error && s.total === 0) return 'error';
  if (!s.loaded) return 'loading';
  if (s.shown > 0) return 'ok';
  return isFiltered(s.filter) && s.total > 0 ? 'filtered' : 'empty';
}

/**
 * The line above the rows: why listing failed, else the active filter, else the totals (the
 * description holds them too, but VS Code hides a view's description when the view is alone
 * in its container, as this one is by default). VS Code shows a view's welcome content only
 * while its message is unset, so on a host with no segments there is no message and the
 * welcome ("No System V shared-memory segments…", Create Segment…) shows instead.
 */
export function messageText(s: SegmentsSummary): string | undefined {
  if (s.error) return `Could not list segments: ${s.error}`;
  if (!s.loaded) return 'Listing segments…';
  if (isFiltered(s.filter)) return `Showing ${s.shown} of ${plural(s.total, 'segment')}: ${describeFilter(s.filter)}`;
  return s.total === 0 ? undefined : totalsText(s);
}
