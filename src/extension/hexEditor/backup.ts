// Hot-exit backups of a hex document: the pending edits (offset, new bytes, bytes the user
// saw) and the identity of the segment they belong to, as JSON; and what to do with a backup
// whose segment is gone (never drop it). vscode-free.
import { formatKey, type SegmentIdentity, type SegmentInfo } from '../../protocol/segment';
import type { Run } from './editModel';

const FORMAT = 'shm-inspector.hexEditor.backup';
const VERSION = 1;

export interface BackupData {
  uri: string;
  identity: SegmentIdentity;
  runs: Run[];
}

interface BackupJson {
  format: string;
  version: number;
  uri: string;
  identity: SegmentIdentity;
  runs: { offset: number; value: string; base: string }[];
}

/** A backup as JSON.parse hands it back: untrusted, so it or any edit may be null or incomplete. */
type UntrustedBackup = Partial<Omit<BackupJson, 'runs'>> & { runs?: (Partial<BackupJson['runs'][number]> | null)[] };

const b64 = (a: Uint8Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

export function encodeBackup(data: BackupData): Uint8Array {
  const json: BackupJson = {
    format: FORMAT,
    version: VERSION,
    uri: data.uri,
    identity: data.identity,
    runs: data.runs.map((r) => ({ offset: r.offset, value: b64(r.value), base: b64(r.base) })),
  };
  return Buffer.from(JSON.stringify(json), 'utf8');
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parse and check a backup; throws a readable error for anything malformed. */
export function decodeBackup(bytes: Uint8Array): BackupData {
  let json: UntrustedBackup | null;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as UntrustedBackup | null;
  } catch (err: unknown) {
    throw new Error(`hex editor backup is not valid JSON (${(err as Error).message})`);
  }
  if (!json || json.format !== FORMAT) throw new Error('not a hex editor backup');
  if (json.version !== VERSION) throw new Error(`hex editor backup version ${String(json.version)} is not supported`);
  const id = json.identity;
  if (!id || !isCount(id.id) || !isCount(id.key) || !isCount(id.cpid) || !isCount(id.size)) {
    throw new Error('hex editor backup: bad segment identity');
  }
  if (!Array.isArray(json.runs)) throw new Error('hex editor backup: no edits');
  const runs: Run[] = json.runs.map((r, i) => {
    if (!r || !isCount(r.offset) || typeof r.value !== 'string' || typeof r.base !== 'string') {
      throw new Error(`hex editor backup: bad edit #${i}`);
    }
    const value = new Uint8Array(Buffer.from(r.value, 'base64'));
    const base = new Uint8Array(Buffer.from(r.base, 'base64'));
    if (value.length !== base.length || value.length === 0 || r.offset + value.length > id.size) {
      throw new Error(`hex editor backup: edit #${i} at ${r.offset} does not fit the segment`);
    }
    return { offset: r.offset, value, base };
  });
  // A backup written before identities had ctime matches no segment: it is offered back, never applied blindly.
  const identity = { id: id.id, key: id.key, cpid: id.cpid, size: id.size, ctime: isCount(id.ctime) ? id.ctime : -1 };
  return { uri: typeof json.uri === 'string' ? json.uri : '', identity, runs };
}

/** True if the backup's edits belong to this segment. A backup without ctime (-1) matches nothing. */
export function backupMatches(backup: SegmentIdentity, current: SegmentIdentity): boolean {
  return backup.ctime >= 0 && backup.id === current.id && backup.key === current.key && backup.cpid === current.cpid &&
    backup.size === current.size && backup.ctime === current.ctime;
}

/**
 * The segment a backup whose own segment is gone could be applied to: one that now has the
 * same (non-private) key, is not marked for destruction, and is large enough for every edit.
 */
export function applyCandidate(backup: BackupData, segments: readonly SegmentInfo[]): SegmentInfo | undefined {
  if (backup.identity.key === 0) return undefined;
  const end = backup.runs.reduce((n, r) => Math.max(n, r.offset + r.value.length), 0);
  return segments.find((s) => s.key === backup.identity.key && !s.dest && s.size >= end);
}

/** Why a backup is not restored onto its segment, for the banner and the prompt. */
export function orphanMessage(backup: BackupData, current: SegmentIdentity | undefined): string {
  const b = backup.identity;
  const edits = backup.runs.length === 1 ? '1 unsaved edit' : `${backup.runs.length} unsaved edits`;
  const why = b.ctime < 0
    ? 'the backup was written by an older version and cannot prove which segment it belongs to'
    : current
      ? `the id now names another segment (key ${formatKey(current.key)}, creator ${current.cpid}, ${current.size} bytes)`
      : 'it no longer exists';
  return `Segment ${b.id} (key ${formatKey(b.key)}) has ${edits} from a backup, but ${why}. Nothing was written; the edits are kept here.`;
}
