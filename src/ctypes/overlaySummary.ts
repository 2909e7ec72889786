// The remembered overlays of a segment as one line each, `struct shared_state @ 0x0 (state.h):
// magic = 0x53484d31, pid = 4242, …` (issue 11): for the CLI's `info` and the Segments view's
// tooltip. The caller lays out (cached or not) and reads (the CLI's attachment, the host's
// agent); only the bytes the first fields need are asked for. Every failure (header gone or not
// parsing, type renamed, segment gone, permission denied) becomes that overlay's one-line error.
import { SUMMARY_FIELDS, fieldsJson, firstFields, summaryText } from '../protocol/cSummary';
import type { CType } from '../protocol/cTypes';
import { type CJsonValue, leafSpan, viewOf, walkLeaves } from '../protocol/cValues';
import { MAX_OVERLAY_COUNT, type OverlaySpec, overlayLabel } from '../protocol/overlay';
import type { SpecLayout } from './overlayLayout';

/** Most bytes one summary reads (a first field may be a huge array; it is then cut as "…"). */
export const MAX_SUMMARY_BYTES = 64 << 10;
/** Overlays a segment's summary lists at most (the rest are counted). */
export const MAX_SUMMARIES = 4;

export interface OverlaySummary {
  /** overlayLabel with the count cut to what the segment holds. */
  label: string;
  typeName: string;
  offset: number;
  /** `magic = 0x53484d31, pid = 4242, …`; absent when error is set. */
  text?: string;
  /** The same fields as `read --json` gives them; absent when error is set. */
  fields?: Record<string, CJsonValue>;
  /** One line: why there are no fields. */
  error?: string;
}

export interface SummarySources {
  layout(spec: OverlaySpec): Promise<SpecLayout>;
  /** Bytes [offset, offset+length) of the segment. */
  read(offset: number, length: number): Promise<Uint8Array> | Uint8Array;
}

/** One line of an error's message (the first), never empty. */
export function oneLine(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split(/\r?\n/)[0].trim();
  return text || 'unknown error';
}

/** Elements of spec's type the segment holds from spec.offset (at most spec.count), or why none. */
export function fittedCount(spec: OverlaySpec, type: CType, size: number): number | { error: string } {
  const at = `0x${spec.offset.toString(16)}`;
  if (spec.offset >= size) return { error: `offset ${at} is past the end of the segment (${size} bytes)` };
  const left = size - spec.offset;
  if (type.size > left) return { error: `${spec.typeName} (${type.size} bytes) does not fit in the segment from ${at} (${left} bytes left)` };
  return type.size === 0 ? 1 : Math.min(spec.count, Math.floor(left / type.size), MAX_OVERLAY_COUNT);
}

/**
 * Bytes from the first element's start that firstFields needs for count elements (the end of
 * its last field shown), at most cap: given exactly these, it shows what it would from all.
 */
export function summaryLength(type: CType, count: number, maxFields = SUMMARY_FIELDS, cap = MAX_SUMMARY_BYTES): number {
  let seen = 0;
  let end = 0;
  for (let i = 0; i < count && seen < maxFields; i++) {
    const before = seen;
    walkLeaves(type, (leaf) => {
      if (seen >= maxFields) return false;
      const s = leafSpan(leaf);
      end = Math.max(end, i * type.size + s.offset + s.size);
      seen++;
      return true;
    });
    if (seen === before || type.size === 0) break; // no fields: no other element has any
  }
  return Math.min(end, cap);
}

/** The summary of one overlay; never throws. */
export async function summarizeOverlay(spec: OverlaySpec, segmentSize: number, src: SummarySources): Promise<OverlaySummary> {
  const base = { label: overlayLabel(spec), typeName: spec.typeName, offset: spec.offset };
  let type: CType;
  try {
    type = (await src.layout(spec)).type;
  } catch (err) {
    return { ...base, error: `cannot lay out the type: ${oneLine(err)}` };
  }
  const count = fittedCount(spec, type, segmentSize);
  if (typeof count !== 'number') return { ...base, error: count.error };
  const label = overlayLabel({ ...spec, count });
  const length = Math.min(summaryLength(type, count), segmentSize - spec.offset);
  let bytes: Uint8Array;
  try {
    bytes = length > 0 ? await src.read(spec.offset, length) : new Uint8Array(0);
  } catch (err) {
    return { ...base, label, error: `cannot read the segment: ${oneLine(err)}` };
  }
  // Paths get [i]. exactly when the label shows an array.
  const first = firstFields(type, viewOf(bytes), 0, { count: count > 1 ? count : undefined });
  return { ...base, label, text: summaryText(first), fields: fieldsJson(first) };
}

/** The summaries of a segment's overlays in the order applied (at most max), one at a time. */
export async function summarizeOverlays(specs: OverlaySpec[], segmentSize: number, src: SummarySources, max = MAX_SUMMARIES): Promise<OverlaySummary[]> {
  const out: OverlaySummary[] = [];
  for (const spec of specs.slice(0, max)) out.push(await summarizeOverlay(spec, segmentSize, src));
  return out;
}

/** `struct s @ 0x0 (state.h): magic = 0x…, …`, or the label and why there are no fields. */
export function summaryLine(s: OverlaySummary): string {
  return `${s.label}: ${s.error ?? s.text ?? ''}`;
}

/** "and 3 more overlays" when a segment has more than max, else undefined. */
export function moreOverlays(total: number, max = MAX_SUMMARIES): string | undefined {
  const more = total - max;
  return more > 0 ? `and ${more} more overlay${more === 1 ? '' : 's'}` : undefined;
}

/** What `info` and the tooltip show under "C type": a line per summary, then "and N more". */
export function summaryLines(list: OverlaySummary[], total: number): string[] {
  const more = moreOverlays(total, list.length);
  return [...list.map(summaryLine), ...(more ? [more] : [])];
}

/** The label `info` and the tooltip show those lines under. */
export const SUMMARY_LABEL = 'C type';
