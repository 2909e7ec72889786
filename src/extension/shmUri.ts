// shm: URIs name one segment: shm:/<shmid>[/<label>][?key=&cpid=&size=&ctime=&readOnly=1|write=1].
// The label (key and id) is what the editor tab shows; the query pins the identity so that a
// reused id is never mistaken for the segment the user opened.
import * as vscode from 'vscode';
import type { SegmentIdentity, SegmentInfo } from '../protocol/segment';
import { formatKey } from '../protocol/segment';
import { SCHEME } from './manifest';

export interface SegmentRef {
  id: number;
  /** Present when the URI pins the identity. */
  expect?: SegmentIdentity;
  readOnly: boolean;
  /** Asked for writing (Open for Writing…): root opens another user's segment writable. */
  write: boolean;
}

export function segmentLabel(info: Pick<SegmentInfo, 'id' | 'key'>): string {
  return `${info.key === 0 ? 'private' : formatKey(info.key)}-${info.id}`;
}

export function segmentUri(info: Pick<SegmentInfo, 'id' | 'key' | 'cpid' | 'size' | 'ctime'>, options: { readOnly?: boolean; write?: boolean } = {}): vscode.Uri {
  const query = new URLSearchParams({ key: String(info.key), cpid: String(info.cpid), size: String(info.size), ctime: String(info.ctime) });
  if (options.readOnly) query.set('readOnly', '1');
  else if (options.write) query.set('write', '1');
  return vscode.Uri.from({ scheme: SCHEME, path: `/${info.id}/${segmentLabel(info)}`, query: query.toString() });
}

/** Parse a shm: URI; throws a readable error for anything else. */
export function parseSegmentUri(uri: vscode.Uri): SegmentRef {
  if (uri.scheme !== SCHEME) throw new Error(`not a shared-memory URI: ${uri.toString()}`);
  const first = uri.path.split('/').filter(Boolean)[0] ?? '';
  if (!/^\d+$/.test(first) || Number(first) > 0x7fffffff) throw new Error(`no segment id in ${uri.toString()} (expected shm:/<shmid>)`);
  const id = Number(first);
  const q = new URLSearchParams(uri.query);
  const num = (name: string) => {
    const text = q.get(name);
    return text !== null && /^\d+$/.test(text) ? Number(text) : undefined;
  };
  const key = num('key'), cpid = num('cpid'), size = num('size'), ctime = num('ctime');
  // A URI without ctime (saved by an older version) pins nothing: the segment is re-identified when opened.
  const expect = key !== undefined && cpid !== undefined && size !== undefined && ctime !== undefined ? { id, key, cpid, size, ctime } : undefined;
  const readOnly = q.get('readOnly') === '1';
  return { id, expect, readOnly, write: !readOnly && q.get('write') === '1' };
}
