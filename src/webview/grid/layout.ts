// Geometry of the grid: row widths in `ch` (mirrors media/hexEditor.css), fit-to-width,
// and the mapping between the scrollbar and the top row. Browsers cap an element's height
// (Chromium ~33.5M px, Firefox ~17.9M px), so for big segments the scrollbar is scaled:
// the scroll range stays below MAX_SCROLL_HEIGHT and maps linearly onto the row range.

export const MAX_SCROLL_HEIGHT = 8_000_000;

/** Widths in ch, kept in sync with hexEditor.css. */
export const WIDTH_CH = {
  rowPadding: 1, // left and right padding of a row
  offsetGap: 2, // after the offset column
  hexCell: 3,
  groupGap: 1, // extra space before each group but the first (grouping > 1 only)
  textGap: 2, // between hex and text columns
  textCell: 1,
} as const;

/** Extra space before each group but the first (none without grouping). */
export function groupGapCh(grouping: number): number {
  return grouping > 1 ? WIDTH_CH.groupGap : 0;
}

export function rowWidthCh(bytesPerRow: number, grouping: number, digits: number): number {
  const groups = Math.ceil(bytesPerRow / grouping);
  return 2 * WIDTH_CH.rowPadding + digits + WIDTH_CH.offsetGap + bytesPerRow * WIDTH_CH.hexCell
    + Math.max(0, groups - 1) * groupGapCh(grouping) + WIDTH_CH.textGap + bytesPerRow * WIDTH_CH.textCell;
}

/** Most bytes per row (a multiple of grouping, at least one group) that fit availablePx. */
export function fitBytesPerRow(availablePx: number, charWidthPx: number, grouping: number, digits: number): number {
  if (!(charWidthPx > 0)) return 16;
  const availableCh = availablePx / charWidthPx;
  // width(groups) = rowWidthCh(0) + groups * (grouping * (hex + text) + gap) - gap
  const gap = groupGapCh(grouping);
  let groups = Math.floor((availableCh - rowWidthCh(0, grouping, digits) + gap) / (grouping * (WIDTH_CH.hexCell + WIDTH_CH.textCell) + gap));
  groups = Math.max(1, Math.min(groups, Math.floor(256 / grouping)));
  return groups * grouping;
}

export interface ScrollModel {
  rowCount: number;
  /** Rows that fit entirely in the viewport. */
  visibleRows: number;
  rowHeight: number;
  /** Height of the scroll container's client area. */
  clientHeight: number;
}

export function maxTopRow(m: ScrollModel): number {
  return Math.max(0, m.rowCount - m.visibleRows);
}

/** Pixels the scroll container can scroll (spacer height = this value). */
export function scrollRange(m: ScrollModel): number {
  return Math.max(0, Math.min(maxTopRow(m) * m.rowHeight, MAX_SCROLL_HEIGHT - m.clientHeight));
}

export function rowForScrollTop(scrollTop: number, m: ScrollModel): number {
  const range = scrollRange(m);
  const top = maxTopRow(m);
  if (range <= 0 || top <= 0) return 0;
  const frac = Math.min(1, Math.max(0, scrollTop / range));
  return Math.min(top, Math.round(frac * top));
}

export function scrollTopForRow(row: number, m: ScrollModel): number {
  const top = maxTopRow(m);
  if (top <= 0) return 0;
  return (Math.min(Math.max(0, row), top) / top) * scrollRange(m);
}
