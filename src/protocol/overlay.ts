// Typed overlays: a C type (laid out by src/ctypes in the host) applied over a segment's bytes
// at an offset, as one value or an array. What is remembered per segment (OverlaySpec) and what
// the webview gets to show it (OverlayView: the spec plus the laid-out type, so the webview
// decodes fields from bytes it holds). Plain JSON; browser-safe.
import type { CAbi, CType } from './cTypes';

/** Where an overlay's type comes from and where it sits: what is remembered per segment. */
export interface OverlaySpec {
  /** Absolute path of the header (or .c file) the type is declared in; absent for typed-in declarations. */
  header?: string;
  /** Declarations typed into a prompt (when there is no header). */
  text?: string;
  /** The type as C spells it: `struct shared_state`, a typedef name. */
  typeName: string;
  /** Byte offset in the segment of element 0. */
  offset: number;
  /** Elements: 1 = one value; more = an array of consecutive elements (filling the segment). */
  count: number;
  abi: CAbi;
  /**
   * A field of element 0 that is a seqlock-style sequence counter (a 4- or 8-byte integer, odd
   * while a writer is in the middle): watches and recordings of the segment read a sample again
   * when it says the sample was torn. At most one overlay of a segment names one. Not part of
   * the overlay's identity (overlayId).
   */
  seq?: string;
}

/** Most elements one overlay may have (an array filling a large segment is cut here). */
export const MAX_OVERLAY_COUNT = 1 << 20;
/** Most overlays one segment may carry. */
export const MAX_OVERLAYS = 32;

/** Identifies an overlay of a segment (the same spec twice is one overlay). */
export function overlayId(s: OverlaySpec): string {
  return JSON.stringify([s.header ?? '', s.text ?? '', s.typeName, s.offset, s.count, s.abi]);
}

/** A header's base name, for labels (`state.h`); '<typed>' for typed-in declarations. */
export function overlaySourceName(s: OverlaySpec): string {
  if (!s.header) return '<typed>';
  const i = s.header.lastIndexOf('/');
  return i < 0 ? s.header : s.header.slice(i + 1);
}

/** `struct shared_state[16] @ 0x40 (state.h)`. */
export function overlayLabel(s: OverlaySpec): string {
  const n = s.count > 1 ? `${s.typeName}[${s.count}]` : s.typeName;
  return `${n} @ 0x${s.offset.toString(16)} (${overlaySourceName(s)})`;
}

/** An overlay as the webview shows it. */
export interface OverlayView extends OverlaySpec {
  /** overlayId(spec). */
  id: string;
  label: string;
  /** The laid-out type of one element; absent when the header could not be read now (see error). */
  type?: CType;
  /** Why the type could not be laid out now (header gone, type renamed, parse error naming file:line). */
  error?: string;
}
