// Did anything the user can see change between two listings? Pure: no vscode.
import type { AttachmentReport, SegmentInfo } from '../../protocol/segment';

/** Field-by-field equality of two listings of one segment (all fields are primitives). */
export function sameInfo(a: SegmentInfo, b: SegmentInfo): boolean {
  for (const k of Object.keys(a) as (keyof SegmentInfo)[]) if (a[k] !== b[k]) return false;
  return Object.keys(a).length === Object.keys(b).length;
}

export function sameReport(a: AttachmentReport | undefined, b: AttachmentReport | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.nattch !== b.nattch || a.complete !== b.complete || a.attachments.length !== b.attachments.length) return false;
  return a.attachments.every((x, i) => {
    const y = b.attachments[i];
    return x.pid === y.pid && x.command === y.command && x.readOnly === y.readOnly && x.address === y.address;
  });
}

export function sameOrder(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export interface ListingDiff {
  /** Ids present before and after whose fields changed. */
  changed: number[];
  /** The set of ids differs (segments created or removed). */
  setChanged: boolean;
}

export function diffListings(before: ReadonlyMap<number, SegmentInfo>, after: ReadonlyMap<number, SegmentInfo>): ListingDiff {
  const changed: number[] = [];
  let setChanged = before.size !== after.size;
  for (const [id, info] of after) {
    const old = before.get(id);
    if (!old) setChanged = true;
    else if (!sameInfo(old, info)) changed.push(id);
  }
  return { changed, setChanged };
}
