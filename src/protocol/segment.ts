// Plain data about segments, shared by core, agent, host, CLI and webview, and the few pure
// functions that are facts about them (identity, key format). Imported by the browser bundle
// too: nothing here may import node or koffi.

/** One System V shared-memory segment as the kernel reports it. */
export interface SegmentInfo {
  id: number;
  /** Unsigned 32-bit view of the kernel's signed key; 0 = IPC_PRIVATE. */
  key: number;
  /** `0x%08x` of key. */
  keyHex: string;
  size: number;
  /** Permission bits and status bits as the kernel keeps them (incl. SHM_DEST/SHM_LOCKED). */
  mode: number;
  /** `rw-------` style string of the low 9 bits. */
  perms: string;
  uid: number;
  gid: number;
  user: string;
  cuid: number;
  cgid: number;
  nattch: number;
  cpid: number;
  lpid: number;
  /** Unix seconds, 0 = never. */
  atime: number;
  dtime: number;
  ctime: number;
  /** Bytes resident and swapped (from /proc; 0 where unknown). */
  rss: number;
  swap: number;
  /** Marked for destruction (SHM_DEST): removed at last detach. */
  dest: boolean;
  locked: boolean;
  /** Backed by huge pages, where detectable (attached maps or size granularity); null if unknown. */
  hugetlb: boolean | null;
  /** Command name of the creator process if it is still alive, else null. */
  creatorCommand: string | null;
  /** True if the creator process is still alive (as far as /proc shows; a reused pid is not). */
  creatorAlive: boolean;
  /**
   * False when the kernel reports creator pid 0: the creator is in a PID namespace this process
   * cannot see (another container sharing the IPC namespace). Unknown is not gone.
   */
  creatorVisible: boolean;
  /** Nothing attached and a visible creator that is gone: what `rm --stale` and Destroy Stale remove. */
  stale: boolean;
}

/**
 * What identifies "the same segment" across id reuse: checked before any destructive act and
 * after every attach. ctime tells apart private segments of the same creator and size.
 */
export interface SegmentIdentity {
  id: number;
  key: number;
  cpid: number;
  size: number;
  /** shm_ctime (creation, or the last IPC_SET) in Unix seconds. */
  ctime: number;
}

export interface Attachment {
  pid: number;
  command: string;
  readOnly: boolean;
  /** Start address of the mapping, hex. */
  address: string;
  /** Kernel page size of the mapping in bytes (2 MiB and up = huge pages); 0 if unknown. */
  pageSize: number;
}

export interface AttachmentReport {
  id: number;
  nattch: number;
  attachments: Attachment[];
  /** False when fewer attachments could be seen than nattch (other users' /proc/PID/maps). */
  complete: boolean;
  /** Backed by huge pages, as the attachments' page size shows; null when none could be seen. */
  hugetlb: boolean | null;
}

export interface ShmLimits {
  /** Max segment size in bytes. */
  shmmax: number;
  shmmin: number;
  /** Max number of segments system-wide. */
  shmmni: number;
  shmseg: number;
  /** Max total pages system-wide. */
  shmall: number;
  pageSize: number;
  /** Segments currently in use. */
  usedIds: number;
  /** Pages allocated / resident / swapped, system-wide. */
  totalPages: number;
  rssPages: number;
  swapPages: number;
}

export interface CreateOptions {
  size: number;
  /** Undefined or 0 = private (IPC_PRIVATE). */
  key?: number;
  /** Default 0o600. */
  perms?: number;
  exclusive?: boolean;
  hugePages?: boolean;
  noReserve?: boolean;
}

/**
 * How an open segment's bytes are read: through an attachment the agent holds, through the
 * mapping of a process that already has it attached (nothing of ours attached: nattch, lpid and
 * the attach times do not change), or by attaching for each request and detaching right after.
 */
export type ReadVia =
  | { kind: 'attachment' }
  | { kind: 'process'; pid: number; command: string }
  | { kind: 'transient' };

/** Which of the two ways to open: keep an attachment, or leave no footprint. */
export type Footprint = 'attach' | 'none';

/** A few words for a status line. */
export function readViaLabel(v: ReadVia): string {
  switch (v.kind) {
    case 'attachment': return 'Attached';
    case 'process': return `No footprint (via pid ${v.pid})`;
    case 'transient': return 'No footprint (brief attaches)';
  }
}

export function describeReadVia(v: ReadVia): string {
  switch (v.kind) {
    case 'attachment': return 'read through our own attachment (counts in nattch)';
    case 'process': return `read through the mapping of process ${v.pid} (${v.command}): nothing of ours attached`;
    case 'transient': return 'attached only for each read or write, detached right after';
  }
}

/**
 * Start addresses of the /SYSV%08x mappings of `shmid` in the text of a /proc/PID/maps file (the
 * inode column is the shmid; a process may attach a segment more than once). Pure: callers read
 * the file.
 */
export function sysvMappingsIn(maps: string, shmid: number): number[] {
  const starts: number[] = [];
  for (const line of maps.split('\n')) {
    if (!line.includes('/SYSV')) continue;
    const f = line.split(/\s+/); // address perms offset dev inode path
    if (f.length >= 6 && f[5].startsWith('/SYSV') && Number(f[4]) === shmid) starts.push(parseInt(f[0], 16));
  }
  return starts;
}

/** The first of sysvMappingsIn, or undefined. */
export function sysvMappingIn(maps: string, shmid: number): number | undefined {
  return sysvMappingsIn(maps, shmid)[0];
}

/** Errors cross process boundaries as plain data. */
export interface ErrorData {
  name: string;
  message: string;
  /** errno name (EACCES...) or a code of ours (ECHANGED, ETIMEDOUT, EAGENT...). */
  code?: string;
  /** The operation that failed: "shmat", "read"... */
  op?: string;
}

export function identityOf(s: Pick<SegmentInfo, 'id' | 'key' | 'cpid' | 'size' | 'ctime'>): SegmentIdentity {
  return { id: s.id, key: s.key, cpid: s.cpid, size: s.size, ctime: s.ctime };
}

/** SHM_DEST in the kernel's mode bits. */
const MODE_DEST = 0o1000;

/**
 * True if `current` (a fresh stat of the id) is still the segment described by `expect`.
 * IPC_RMID with attachers left turns the key private, so a marked segment with key 0 still
 * matches its old key.
 */
export function sameSegment(current: { key: number; cpid: number; size: number; ctime: number; mode?: number; dest?: boolean }, expect: SegmentIdentity): boolean {
  const dest = current.dest ?? ((current.mode ?? 0) & MODE_DEST) !== 0;
  const keyOk = current.key === expect.key || (dest && current.key === 0);
  // A creator pid of 0 is one this reader's PID namespace cannot name (an agent restarted in a
  // new namespace sees 0 where the last one saw a number): unknown, so it decides nothing.
  const cpidOk = current.cpid === expect.cpid || current.cpid === 0 || expect.cpid === 0;
  return keyOk && cpidOk && current.size === expect.size && current.ctime === expect.ctime;
}

/** One line naming a segment's identity, for "the id now names another segment" messages. */
export function describeIdentity(s: { key: number; cpid: number; size: number; ctime: number }): string {
  return `key ${formatKey(s.key)}, creator ${s.cpid}, ${s.size} bytes, created ${new Date(s.ctime * 1000).toISOString()}`;
}

export function formatKey(key: number): string {
  return '0x' + (key >>> 0).toString(16).padStart(8, '0');
}
