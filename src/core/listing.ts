// Every segment on the host: /proc/sysvipc/shm (all columns, incl. rss/swap), or, where /proc
// is missing, SHM_STAT_ANY over the kernel's index (SHM_STAT on kernels before 4.17).
import * as fs from 'node:fs';
import type { SegmentInfo } from '../protocol/segment';
import { type RawSegment, decodeShmidDs, infoContext, toSegmentInfo } from './info';
import { IPC_STAT, SHM_INFO, SHM_INFO_LAYOUT, SHM_STAT, SHM_STAT_ANY, SHMID_DS } from './layout';
import { shmctl, shmctlTry } from './libc';
import { ShmError } from './errors';

export const PROC_SYSVIPC_SHM = '/proc/sysvipc/shm';

export type ListingSource = 'auto' | 'proc' | 'stat';

/** Parse the text of /proc/sysvipc/shm. */
export function parseProcShm(text: string): RawSegment[] {
  const rows: RawSegment[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 14) continue;
    const n = f.map(Number);
    rows.push({
      key: n[0] >>> 0,
      id: n[1],
      mode: parseInt(f[2], 8),
      size: n[3],
      cpid: n[4],
      lpid: n[5],
      nattch: n[6],
      uid: n[7],
      gid: n[8],
      cuid: n[9],
      cgid: n[10],
      atime: n[11],
      dtime: n[12],
      ctime: n[13],
      rss: f.length > 14 ? n[14] : 0,
      swap: f.length > 15 ? n[15] : 0,
    });
  }
  return rows;
}

function readProc(): RawSegment[] | undefined {
  try {
    return parseProcShm(fs.readFileSync(PROC_SYSVIPC_SHM, 'latin1'));
  } catch {
    return undefined;
  }
}

/** SHM_STAT_ANY (or SHM_STAT) over indices 0..max used index. */
export function listByStat(): RawSegment[] {
  const info = Buffer.alloc(Math.max(SHM_INFO_LAYOUT.size, SHMID_DS.size));
  const maxIndex = shmctl(0, SHM_INFO, info, 'shmctl(SHM_INFO)');
  const buf = Buffer.alloc(SHMID_DS.size);
  let cmd = SHM_STAT_ANY;
  const rows: RawSegment[] = [];
  for (let idx = 0; idx <= maxIndex; idx++) {
    let id = shmctlTry(idx, cmd, buf);
    if (id === -22 && cmd === SHM_STAT_ANY && idx === 0 && rows.length === 0) {
      // Maybe a kernel without SHM_STAT_ANY (EINVAL): probe once with SHM_STAT.
      const probe = shmctlTry(idx, SHM_STAT, buf);
      if (probe >= 0) { cmd = SHM_STAT; id = probe; }
    }
    if (id >= 0) rows.push(decodeShmidDs(id, buf));
  }
  return rows;
}

export function listRaw(source: ListingSource = 'auto'): RawSegment[] {
  if (source !== 'stat') {
    const rows = readProc();
    if (rows) return rows;
    if (source === 'proc') throw new ShmError('list', 'ENOENT', `list: cannot read ${PROC_SYSVIPC_SHM}`);
  }
  return listByStat();
}

export function listSegments(options: { source?: ListingSource } = {}): SegmentInfo[] {
  const ctx = infoContext();
  return listRaw(options.source).map((r) => toSegmentInfo(r, ctx));
}

/** One segment by id: IPC_STAT, or the listing when IPC_STAT is refused (other users' segments). */
export function statSegment(id: number): SegmentInfo {
  return toSegmentInfo(statRaw(id, { usage: true }));
}

/**
 * IPC_STAT of one id. rss/swap are only in /proc/sysvipc/shm, whose every read costs a line per
 * segment on the host: read it only when asked (`usage`), or when IPC_STAT is refused.
 */
export function statRaw(id: number, options: { usage?: boolean } = {}): RawSegment {
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`segment id must be a whole number >= 0, got ${id}`);
  const buf = Buffer.alloc(SHMID_DS.size);
  const r = shmctlTry(id, IPC_STAT, buf);
  const fromList = () => listRaw().find((s) => s.id === id);
  if (r >= 0) {
    const raw = decodeShmidDs(id, buf);
    const listed = options.usage ? fromList() : undefined;
    if (listed) { raw.rss = listed.rss; raw.swap = listed.swap; }
    return raw;
  }
  if (r === -13) {
    const listed = fromList();
    if (listed) return listed;
  }
  throw ShmError.fromErrno('shmctl(IPC_STAT)', id, -r, r === -22 || r === -43 ? `no segment with id ${id}` : undefined);
}
