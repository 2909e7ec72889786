// From the kernel's raw numbers (shmid_ds or a /proc/sysvipc/shm line) to SegmentInfo.
import type { SegmentInfo } from '../protocol/segment';
import { formatKey } from '../protocol/segment';
import { IPC_PERM, SHM_DEST, SHM_LOCKED, SHMID_DS } from './layout';
import { processLookup } from './processes';
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
  process: (pid: number) => { alive: boolean; command: string | null };
}

export function infoContext(): InfoContext {
  return { user: userNames(), process: processLookup() };
}

export function toSegmentInfo(raw: RawSegment, ctx: InfoContext = infoContext(), hugetlb: boolean | null = null): SegmentInfo {
  const creator = ctx.process(raw.cpid);
  return {
    ...raw,
    keyHex: formatKey(raw.key),
    perms: permString(raw.mode),
    user: ctx.user(raw.uid),
    dest: (raw.mode & SHM_DEST) !== 0,
    locked: (raw.mode & SHM_LOCKED) !== 0,
    hugetlb,
    creatorCommand: creator.command,
    creatorAlive: creator.alive,
  };
}
