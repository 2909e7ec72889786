// What the two LP64 SysV ABIs say about C's built-in types, and the one table of standard
// library types we know without a compiler's headers (sizes from glibc 2.36's headers,
// checked against gcc and aarch64-linux-gnu-gcc by test/unit/cLayout.test.ts).
import { arch } from 'node:process';
import type { CAbi, CFloatFormat, CType } from '../protocol/cTypes';

export interface Abi {
  name: CAbi;
  /** Plain `char` is signed on x86_64, unsigned on aarch64. */
  charSigned: boolean;
  longDouble: CFloatFormat;
  /** Unnamed bit-fields' types raise the record's alignment (AAPCS64 yes, x86_64 psABI no). */
  anonBitFieldsAlign: boolean;
  /** `__attribute__((aligned))` without a number (__BIGGEST_ALIGNMENT__). */
  biggestAlign: number;
  /** wchar_t: int on x86_64, unsigned int on aarch64. */
  wcharSigned: boolean;
}

export const ABIS: Record<CAbi, Abi> = {
  x86_64: { name: 'x86_64', charSigned: true, longDouble: 'x87-80', anonBitFieldsAlign: false, biggestAlign: 16, wcharSigned: true },
  aarch64: { name: 'aarch64', charSigned: false, longDouble: 'ieee128', anonBitFieldsAlign: true, biggestAlign: 16, wcharSigned: false },
};

export function hostAbi(): CAbi {
  return arch === 'arm64' ? 'aarch64' : 'x86_64';
}

export const int = (name: string, size: number, signed: boolean): CType => ({ kind: 'int', name, size, align: size, signed });

/** The arithmetic type named by a canonical spelling (`unsigned long`, `char`, `long double`…). */
export function arithmetic(abi: Abi, canonical: string): CType | undefined {
  switch (canonical) {
    case 'char': return int('char', 1, abi.charSigned);
    case 'signed char': return int(canonical, 1, true);
    case 'unsigned char': return int(canonical, 1, false);
    case 'short': return int(canonical, 2, true);
    case 'unsigned short': return int(canonical, 2, false);
    case 'int': return int(canonical, 4, true);
    case 'unsigned int': return int(canonical, 4, false);
    case 'long': return int(canonical, 8, true);
    case 'unsigned long': return int(canonical, 8, false);
    case 'long long': return int(canonical, 8, true);
    case 'unsigned long long': return int(canonical, 8, false);
    case '__int128': return int(canonical, 16, true);
    case 'unsigned __int128': return int(canonical, 16, false);
    case '_Bool': return { kind: 'bool', name: '_Bool', size: 1, align: 1 };
    case 'float': return { kind: 'float', name: canonical, size: 4, align: 4, format: 'ieee32' };
    case 'double': return { kind: 'float', name: canonical, size: 8, align: 8, format: 'ieee64' };
    case 'long double': return { kind: 'float', name: canonical, size: 16, align: 16, format: abi.longDouble };
    default: return undefined;
  }
}

const opaque = (name: string, size: number, align: number): CType => ({ kind: 'opaque', name, size, align });

/**
 * Standard typedefs, used only when no compiler preprocessed the file (with one, the headers'
 * own typedefs are parsed instead). Per ABI where they differ.
 */
export function standardType(abi: Abi, name: string): CType | undefined {
  const named = (t: CType | undefined): CType | undefined => t && { ...t, name };
  const a64 = abi.name === 'aarch64';
  const exact = /^(u?)int(8|16|32|64)_t$/.exec(name) ?? /^(u?)int_(?:least|fast)(8)_t$/.exec(name);
  if (exact) return named(int(name, Number(exact[2]) / 8, exact[1] === ''));
  const fast = /^(u?)int_fast(16|32|64)_t$/.exec(name);
  if (fast) return named(int(name, 8, fast[1] === ''));
  const least = /^(u?)int_least(16|32|64)_t$/.exec(name);
  if (least) return named(int(name, Number(least[2]) / 8, least[1] === ''));
  switch (name) {
    case 'bool': return named(arithmetic(abi, '_Bool'));
    // aarch64 glibc uses the generic ABI's 32-bit nlink_t and blksize_t.
    case 'nlink_t': return int(name, a64 ? 4 : 8, false);
    case 'blksize_t': return int(name, a64 ? 4 : 8, true);
    case 'size_t': case 'uintptr_t': case 'uintmax_t': case 'pthread_t': case 'ino_t': case 'dev_t':
    case 'rlim_t': case 'fsblkcnt_t': case 'fsfilcnt_t': case 'shmatt_t':
      return int(name, 8, false);
    case 'ssize_t': case 'ptrdiff_t': case 'intptr_t': case 'intmax_t': case 'off_t': case 'off64_t':
    case 'time_t': case 'clock_t': case 'suseconds_t': case 'blkcnt_t':
      return int(name, 8, true);
    case 'pid_t': case 'key_t': case 'clockid_t': case 'pthread_once_t': case 'pthread_spinlock_t':
      return int(name, 4, true);
    case 'uid_t': case 'gid_t': case 'mode_t': case 'id_t': case 'useconds_t': case 'socklen_t': case 'pthread_key_t':
      return int(name, 4, false);
    case 'wchar_t': return int(name, 4, abi.wcharSigned);
    case 'pthread_mutex_t': return opaque(name, a64 ? 48 : 40, 8);
    case 'pthread_mutexattr_t': return opaque(name, a64 ? 8 : 4, 4);
    case 'pthread_cond_t': return opaque(name, 48, 8);
    case 'pthread_condattr_t': return opaque(name, a64 ? 8 : 4, 4);
    case 'pthread_rwlock_t': return opaque(name, 56, 8);
    case 'pthread_barrier_t': return opaque(name, 32, 8);
    case 'pthread_attr_t': return opaque(name, a64 ? 64 : 56, 8);
    case 'sem_t': return opaque(name, 32, 8);
    case 'max_align_t': return opaque(name, 32, 16);
    default: return undefined;
  }
}

/** Names `standardType` knows (for the test that checks the table against the compilers). */
export const STANDARD_TYPE_NAMES = [
  'int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t', 'int64_t', 'uint64_t',
  'int_least8_t', 'int_least16_t', 'int_least32_t', 'int_least64_t', 'uint_least16_t',
  'int_fast8_t', 'int_fast16_t', 'int_fast32_t', 'int_fast64_t', 'uint_fast16_t', 'uint_fast32_t',
  'bool', 'size_t', 'uintptr_t', 'uintmax_t', 'pthread_t', 'ino_t', 'dev_t', 'nlink_t', 'rlim_t',
  'fsblkcnt_t', 'fsfilcnt_t', 'shmatt_t', 'ssize_t', 'ptrdiff_t', 'intptr_t', 'intmax_t', 'off_t',
  'time_t', 'clock_t', 'suseconds_t', 'blkcnt_t', 'blksize_t', 'pid_t', 'key_t', 'clockid_t',
  'pthread_once_t', 'pthread_spinlock_t', 'uid_t', 'gid_t', 'mode_t', 'id_t', 'useconds_t',
  'socklen_t', 'pthread_key_t', 'wchar_t', 'pthread_mutex_t', 'pthread_mutexattr_t',
  'pthread_cond_t', 'pthread_condattr_t', 'pthread_rwlock_t', 'pthread_barrier_t', 'pthread_attr_t',
  'sem_t', 'max_align_t',
];

/** The headers that declare them, for that test. */
export const STANDARD_HEADERS = ['stdint.h', 'stddef.h', 'stdbool.h', 'sys/types.h', 'sys/shm.h', 'sys/socket.h', 'pthread.h', 'semaphore.h', 'wchar.h', 'sys/resource.h', 'sys/statvfs.h', 'time.h', 'unistd.h'];
