// Plain data about segments, shared by core, agent, host, CLI and webview.
// Types only: this file is imported by the browser bundle too.

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
  /** Nothing attached and the creator gone: what `rm --stale` and Destroy Stale remove. */
  stale: boolean;
}

/** What identifies "the same segment" across id reuse: checked before any destructive act. */
export interface SegmentIdentity {
  id: number;
  key: number;
  cpid: number;
  size: number;
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

/** Errors cross process boundaries as plain data. */
export interface ErrorData {
  name: string;
  message: string;
  /** errno name (EACCES...) or a code of ours (ECHANGED, ETIMEDOUT, EAGENT...). */
  code?: string;
  /** The operation that failed: "shmat", "read"... */
  op?: string;
}

export function identityOf(s: SegmentInfo): SegmentIdentity {
  return { id: s.id, key: s.key, cpid: s.cpid, size: s.size };
}

export function formatKey(key: number): string {
  return '0x' + (key >>> 0).toString(16).padStart(8, '0');
}
