// One place for the kernel's numbers: IPC constants and struct layouts.
// Offsets measured with C offsetof on x86_64 glibc; identical on aarch64 glibc and x86_64 musl
// (checked by test/unit/layout.test.ts where gcc exists).

export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const IPC_INFO = 3;
export const SHM_LOCK = 11;
export const SHM_UNLOCK = 12;
export const SHM_STAT = 13;
export const SHM_INFO = 14;
export const SHM_STAT_ANY = 15;

/** shmat flags */
export const SHM_RDONLY = 0o10000;
export const SHM_RND = 0o20000;
/** shmget flags */
export const SHM_HUGETLB = 0o4000;
export const SHM_NORESERVE = 0o10000;
/** status bits kept in ipc_perm.mode */
export const SHM_DEST = 0o1000;
export const SHM_LOCKED = 0o2000;

export const SUPPORTED_ARCHS = ['x64', 'arm64'] as const;

export const IPC_PERM = { size: 48, key: 0, uid: 4, gid: 8, cuid: 12, cgid: 16, mode: 20, seq: 24 } as const;

export const SHMID_DS = {
  size: 112,
  perm: 0,
  segsz: 48,
  atime: 56,
  dtime: 64,
  ctime: 72,
  cpid: 80,
  lpid: 84,
  nattch: 88,
} as const;

export const SHMINFO = { size: 72, shmmax: 0, shmmin: 8, shmmni: 16, shmseg: 24, shmall: 32 } as const;

export const SHM_INFO_LAYOUT = { size: 48, usedIds: 0, shmTot: 8, shmRss: 16, shmSwp: 24 } as const;

export function assertSupportedArch(arch: string = process.arch): void {
  if (!(SUPPORTED_ARCHS as readonly string[]).includes(arch)) {
    throw new Error(`shm-inspector: struct layouts are only known for ${SUPPORTED_ARCHS.join(', ')}, not ${arch}`);
  }
}
