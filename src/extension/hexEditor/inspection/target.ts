// The segment an inspection works on, as every inspection flow names and checks it: its name
// in messages, what the stores key it by, and the checks made before any question is asked.
import type { ByteRange } from '../../../protocol/webview';
import type { HexDocument } from '../document';
import type { WebviewHost } from '../webviewHost';

/** The open hex editors, as the provider knows them (flows tell every view of a segment). */
export interface InspectEditors {
  documents(): HexDocument[];
  hostsOf(doc: HexDocument): readonly WebviewHost[];
}

/** What the stores key a segment by. */
export interface SegmentRef {
  id: number;
  key: number;
  keyHex: string;
  cpid: number;
  size: number;
}

export function segmentRef(doc: HexDocument): SegmentRef {
  const i = doc.info;
  return { id: i.id, key: i.key, keyHex: i.keyHex, cpid: doc.source.identity.cpid, size: doc.size };
}

export const hex = (n: number): string => `0x${n.toString(16)}`;

export function segmentName(doc: HexDocument): string {
  const i = doc.info;
  return `segment ${i.key === 0 ? 'private' : i.keyHex} (id ${i.id})`;
}

export function rangeText(r: ByteRange): string {
  return `${hex(r.offset)}–${hex(r.offset + r.length - 1)}`;
}

/** A range from the webview or a command must lie inside the segment. */
export function checkInside(doc: HexDocument, r: ByteRange, what: string): void {
  if (!Number.isSafeInteger(r.offset) || !Number.isSafeInteger(r.length) || r.offset < 0 || r.length < 1 || r.offset + r.length > doc.size) {
    throw new RangeError(`${what}: offset ${r.offset} + length ${r.length} is outside ${segmentName(doc)} (${doc.size} bytes)`);
  }
}

/** Snapshots and comparisons need a source that still exists (before any question is asked). */
export function checkLive(doc: HexDocument, what: string): void {
  if (!doc.source.dumpTo || !doc.source.diffWith) throw new Error(`${what} needs a live segment; this editor's bytes do not come from one.`);
  if (doc.state.gone) throw new Error(doc.state.message ?? `Segment ${doc.info.id} is gone.`);
}
