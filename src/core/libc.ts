// The only module that imports koffi: raw libc calls, each returning the kernel's answer or
// throwing ShmError with the errno read right after the failing call.
import koffi from 'koffi';
import { ShmError, errnoName } from './errors';
import { assertSupportedArch } from './layout';
import { formatKey } from '../protocol/segment';

assertSupportedArch();

const lib = koffi.load('libc.so.6');

const c = {
  shmget: lib.func('shmget', 'int', ['int', 'size_t', 'int']),
  // intptr_t: koffi gives a plain number; user-space addresses fit in 2^53 on x86_64/aarch64.
  shmat: lib.func('shmat', 'intptr_t', ['int', 'uintptr_t', 'int']),
  shmdt: lib.func('shmdt', 'int', ['uintptr_t']),
  shmctl: lib.func('shmctl', 'int', ['int', 'int', 'void*']),
  copyFrom: lib.func('memcpy', 'uintptr_t', ['void*', 'uintptr_t', 'size_t']),
  copyTo: lib.func('memcpy', 'uintptr_t', ['uintptr_t', 'void*', 'size_t']),
  sysconf: lib.func('sysconf', 'long', ['int']),
  pwriteFrom: lib.func('pwrite', 'intptr_t', ['int', 'uintptr_t', 'size_t', 'int64_t']),
};

const _SC_PAGESIZE = 30; // same value in glibc and musl

export function pageSize(): number {
  return c.sysconf(_SC_PAGESIZE) as number;
}

function fail(op: string, target: string | number | undefined, hint?: string): never {
  throw ShmError.fromErrno(op, target, koffi.errno(), hint);
}

export function shmget(key: number, size: number, flags: number): number {
  const id = c.shmget(key | 0, size, flags) as number;
  if (id < 0) fail('shmget', key === 0 ? 'IPC_PRIVATE' : formatKey(key));
  return id;
}

/** Returns the attach address. */
export function shmat(id: number, flags: number): number {
  const addr = c.shmat(id, 0, flags) as number;
  if (addr === -1) fail('shmat', id);
  return addr;
}

export function shmdt(addr: number): void {
  if ((c.shmdt(addr) as number) !== 0) fail('shmdt', '0x' + addr.toString(16));
}

/** shmctl with an optional buffer for the struct; returns the call's result (an index for *_INFO/STAT). */
export function shmctl(idOrIndex: number, cmd: number, buf: Buffer | null, op = 'shmctl'): number {
  const r = c.shmctl(idOrIndex, cmd, buf) as number;
  if (r < 0) fail(op, idOrIndex);
  return r;
}

/** Like shmctl but returns -errno instead of throwing (for scans where failure is expected). */
export function shmctlTry(idOrIndex: number, cmd: number, buf: Buffer | null): number {
  const r = c.shmctl(idOrIndex, cmd, buf) as number;
  return r < 0 ? -koffi.errno() : r;
}

/** Copy length bytes from address src into dst (a Buffer or view; its byteOffset is honoured). */
export function copyFromAddress(dst: Uint8Array, src: number, length: number): void {
  if (length > 0) c.copyFrom(dst, src, length);
}

export function copyToAddress(dst: number, src: Uint8Array, length: number): void {
  if (length > 0) c.copyTo(dst, src, length);
}

/**
 * pwrite(2) of length bytes at address src into fd at position; returns the count written. The
 * kernel does the copy, so a page it cannot supply (an unbacked huge page) ends the write
 * short or fails with EFAULT: never SIGBUS, unlike memcpy.
 */
export function writeFromAddress(fd: number, src: number, length: number, position: number): number {
  const n = c.pwriteFrom(fd, src, length, position) as number;
  if (n >= 0) return n;
  const errno = koffi.errno();
  if (errnoName(errno) === 'EFAULT') return 0; // the caller reports it as a short copy
  throw ShmError.fromErrno('pwrite', fd, errno);
}
