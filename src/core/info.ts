// From the kernel's raw numbers (shmid_ds or a /proc/sysvipc/shm line) to SegmentInfo.
import type { SegmentInfo } from '../protocol/segment';
import { formatKey } from '../protocol/segment';
import { IPC_PERM, SHM_DEST, SHM_LOCKED, SHMID_DS } from './layout';
import { type ProcessFacts, processLookup } from './processes';
import { userNames } from './users';

export interface RawSegment {
  id: number;
  key: number;
  mode: number;
  size: number;
  cpid: number;
  lpid: number;
  nattch: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  atime: number;
  dtime: number;
  ctime: number;
  rss: number;
  swap: number;
}

export function permString(mode: number): string {
  const rwx = 'rwxrwxrwx';
  let s = '';
  for (let i = 0; i < 9; i++) s += mode & (0o400 >> i) ? rwx[i] : '-';
  return s;
}

/** Decode a struct shmid_ds filled by IPC_STAT/SHM_STAT(_ANY). rss/swap are not in it. */
export function decodeShmidDs(id: number, b: Buffer): RawSegment {
  const p = SHMID_DS.perm;
  return {
    id,
    key: b.readInt32LE(p + IPC_PERM.key) >>> 0,
    uid: b.readUInt32LE(p + IPC_PERM.uid),
    gid: b.readUInt32LE(p + IPC_PERM.gid),
    cuid: b.readUInt32LE(p + IPC_PERM.cuid),
    cgid: b.readUInt32LE(p + IPC_PERM.cgid),
    mode: b.readUInt32LE(p + IPC_PERM.mode),
    size: Number(b.readBigUInt64LE(SHMID_DS.segsz)),
    atime: Number(b.readBigInt64LE(SHMID_DS.atime)),
    dtime: Number(b.readBigInt64LE(SHMID_DS.dtime)),
    ctime: Number(b.readBigInt64LE(SHMID_DS.ctime)),
    cpid: b.readInt32LE(SHMID_DS.cpid),
    lpid: b.readInt32LE(SHMID_DS.lpid),
    nattch: Number(b.readBigUInt64LE(SHMID_DS.nattch)),
    rss: 0,
    swap: 0,
  };
}

/** Lookups shared by all rows of one listing (user names, creator processes). */
export interface InfoContext {
  user: (uid: number) => string;
  process: (pid: number) => ProcessFacts;
}

export function infoContext(): InfoContext {
  return { user: userNames(), process: processLookup() };
}

/** Slack for ctime's whole seconds and the boot time's rounding. */
const START_SLACK_SECONDS = 2;

/**
 * The creator is gone if no process has its pid, or if the process with that pid started after
 * the segment's ctime (creation <= ctime, and ctime only moves forward): a reused pid.
 */
function creatorLives(p: ProcessFacts, ctime: number): boolean {
  return p.alive && !(p.startTime !== null && ctime > 0 && p.startTime > ctime + START_SLACK_SECONDS);
}

// One object literal (not a spread of raw): V8 builds these ~100x faster, which is most of the
// cost of listing thousands of segments.
export function toSegmentInfo(r: RawSegment, ctx: InfoContext = infoContext(), hugetlb: boolean | null = null): SegmentInfo {
  // cpid 0: the kernel could not name the creator in our PID namespace (another container
  // sharing this IPC namespace). Its liveness is unknown, so the segment is never stale.
  const creatorVisible = r.cpid > 0;
  const creator = ctx.process(r.cpid);
  const creatorAlive = creatorVisible && creatorLives(creator, r.ctime);
  return {
    id: r.id,
    key: r.key,
    keyHex: formatKey(r.key),
    size: r.size,
    mode: r.mode,
    perms: permString(r.mode),
    uid: r.uid,
    gid: r.gid,
    user: ctx.user(r.uid),
    cuid: r.cuid,
    cgid: r.cgid,
    nattch: r.nattch,
    cpid: r.cpid,
    lpid: r.lpid,
    atime: r.atime,
    dtime: r.dtime,
    ctime: r.ctime,
    rss: r.rss,
    swap: r.swap,
    dest: (r.mode & SHM_DEST) !== 0,
    locked: (r.mode & SHM_LOCKED) !== 0,
    hugetlb,
    creatorCommand: creatorAlive ? creator.command : null,
    creatorAlive,
    creatorVisible,
    stale: r.nattch === 0 && creatorVisible && !creatorAlive,
  };
}
