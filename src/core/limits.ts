// System-wide limits (IPC_INFO) and usage (SHM_INFO).
import type { ShmLimits } from '../protocol/segment';
import { IPC_INFO, SHM_INFO, SHM_INFO_LAYOUT, SHMINFO } from './layout';
import { pageSize, shmctl } from './libc';

export function limits(): ShmLimits {
  const li = Buffer.alloc(SHMINFO.size);
  shmctl(0, IPC_INFO, li, 'shmctl(IPC_INFO)');
  const use = Buffer.alloc(SHM_INFO_LAYOUT.size);
  shmctl(0, SHM_INFO, use, 'shmctl(SHM_INFO)');
  const u64 = (b: Buffer, off: number) => Number(b.readBigUInt64LE(off));
  return {
    shmmax: u64(li, SHMINFO.shmmax),
    shmmin: u64(li, SHMINFO.shmmin),
    shmmni: u64(li, SHMINFO.shmmni),
    shmseg: u64(li, SHMINFO.shmseg),
    shmall: u64(li, SHMINFO.shmall),
    pageSize: pageSize(),
    usedIds: use.readInt32LE(SHM_INFO_LAYOUT.usedIds),
    totalPages: u64(use, SHM_INFO_LAYOUT.shmTot),
    rssPages: u64(use, SHM_INFO_LAYOUT.shmRss),
    swapPages: u64(use, SHM_INFO_LAYOUT.shmSwp),
  };
}

