// One error type for every failed operation, and the one table of errno names.

const ERRNO: Partial<Record<number, [name: string, text: string]>> = {
  1: ['EPERM', 'operation not permitted'],
  2: ['ENOENT', 'no such segment'],
  3: ['ESRCH', 'no such process'],
  4: ['EINTR', 'interrupted'],
  5: ['EIO', 'input/output error'],
  9: ['EBADF', 'bad handle'],
  12: ['ENOMEM', 'not enough memory'],
  13: ['EACCES', 'permission denied'],
  14: ['EFAULT', 'bad address'],
  16: ['EBUSY', 'busy'],
  17: ['EEXIST', 'a segment with this key already exists'],
  22: ['EINVAL', 'invalid argument (no such id, or bad size)'],
  23: ['ENFILE', 'too many segments system-wide'],
  24: ['EMFILE', 'too many attachments in this process'],
  28: ['ENOSPC', 'limit reached (SHMMNI or SHMALL)'],
  34: ['ERANGE', 'out of range'],
  43: ['EIDRM', 'segment was removed'],
  75: ['EOVERFLOW', 'value too large'],
};

/** Our own codes, for conditions the kernel has no errno for. */
export const CODES = {
  changed: 'ECHANGED', // the id now names another segment
  detached: 'ENOTATTACHED',
  readOnly: 'EROFS',
  closed: 'ECLOSED',
} as const;

export function errnoName(errno: number): string {
  return ERRNO[errno]?.[0] ?? `errno ${errno}`;
}

export function errnoText(errno: number): string {
  return ERRNO[errno]?.[1] ?? 'unknown error';
}

export class ShmError extends Error {
  override readonly name = 'ShmError';
  /** errno name such as EACCES, or one of CODES. */
  readonly code: string;
  readonly op: string;
  readonly errno?: number;

  constructor(op: string, code: string, message: string, errno?: number) {
    super(message);
    this.op = op;
    this.code = code;
    this.errno = errno;
  }

  /** "shmat 32769: permission denied (EACCES)" */
  static fromErrno(op: string, target: string | number | undefined, errno: number, hint = ''): ShmError {
    const where = target === undefined ? op : `${op} ${target}`;
    return new ShmError(op, errnoName(errno), `${where}: ${hint || errnoText(errno)} (${errnoName(errno)})`, errno);
  }
}
