// Text output helpers: sizes as lsipc prints them, local times, aligned tables.

const LETTERS = 'BKMGTPE';

/**
 * Human size exactly like util-linux (lsipc, lsblk): powers of 1024, one rounded decimal when
 * not whole: 100B, 1.5K, 4.9K, 8K, 1M, 16E.
 */
export function humanSize(bytes: number | bigint): string {
  const n = BigInt(bytes);
  let exp = 0;
  for (let shift = 10n; shift <= 60n; shift += 10n) {
    if (n < 1n << shift) break;
    exp += 10;
  }
  const e = BigInt(exp);
  let dec = exp ? n >> e : n;
  let frac = exp ? n & ((1n << e) - 1n) : 0n;
  if (frac) {
    frac = (frac * 1000n) >> e; // three digits after the point
    frac = (frac + 50n) / 100n; // rounded to one
    if (frac === 10n) { dec++; frac = 0n; }
  }
  const letter = LETTERS[exp / 10];
  return frac ? `${dec}.${frac}${letter}` : `${dec}${letter}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Unix seconds as local `YYYY-MM-DD HH:MM:SS`; 0 = never (`-`). */
export function localTime(seconds: number, never = '-'): string {
  if (!seconds) return never;
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export type Align = 'left' | 'right';

/** Rows of cells, columns padded to the widest cell; the last column is never padded. */
export function table(header: string[], rows: string[][], align: Align[]): string {
  const all = [header, ...rows];
  const width = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const last = header.length - 1;
  return all
    .map((r) => r.map((cell, c) => {
      if (c === last) return align[c] === 'right' ? cell.padStart(width[c]) : cell;
      return align[c] === 'right' ? cell.padStart(width[c]) : cell.padEnd(width[c]);
    }).join(' ').trimEnd())
    .join('\n') + '\n';
}

/** `Label:   value` lines with the values aligned. */
export function fields(pairs: [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${(k + ':').padEnd(w)} ${v}`.trimEnd()).join('\n') + '\n';
}

export function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

// The kernel reports pid 0 for a process it cannot name in the reader's PID namespace (the
// creator or last user of a segment in another container sharing this IPC namespace).
export const NOT_VISIBLE = 'not visible from this PID namespace';

/** `creator 1234` for messages, or why there is no pid to name. */
export function creatorOf(s: { cpid: number; creatorVisible: boolean }): string {
  return s.creatorVisible ? `creator ${s.cpid}` : `creator ${NOT_VISIBLE}`;
}

/** The last shmat/shmdt pid: lpid 0 means never attached, or a process we cannot see. */
export function lastPid(s: { lpid: number; atime: number }): string {
  if (s.lpid > 0) return `${s.lpid} (last shmat/shmdt)`;
  return s.atime > 0 ? `? (${NOT_VISIBLE})` : '- (never attached)';
}
