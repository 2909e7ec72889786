// Pure helpers for what the user reads and types: sizes, dates, keys, permissions.
// No vscode import, so unit tests and other modules can use them anywhere.
import { formatKey } from '../protocol/segment';
import { formatSize } from '../protocol/size';

/** "65536 bytes (64 KiB)" for places that show both. */
export function formatSizeExact(bytes: number): string {
  return bytes < 1024 ? formatSize(bytes) : `${bytes.toLocaleString('en-US')} bytes (${formatSize(bytes)})`;
}

const SIZE_UNITS: Partial<Record<string, number>> = {
  '': 1, b: 1,
  k: 1024, kib: 1024, kb: 1000,
  m: 1024 ** 2, mib: 1024 ** 2, mb: 1000 ** 2,
  g: 1024 ** 3, gib: 1024 ** 3, gb: 1000 ** 3,
  t: 1024 ** 4, tib: 1024 ** 4, tb: 1000 ** 4,
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * A size as ipcmk/util-linux read it: "4096", "0x1000", "64K" (= 64 KiB), "1MiB", "1.5G",
 * "10MB" (decimal: 10,000,000). Must be a whole number of bytes >= 1.
 */
export function parseSize(text: string): Parsed<number> {
  const t = text.trim().replace(/_/g, '');
  if (!t) return { ok: false, error: 'Enter a size, e.g. 4096, 64K or 1MiB' };
  if (/^0x[0-9a-f]+$/i.test(t)) return checkSize(parseInt(t, 16));
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i.exec(t);
  if (!m) return { ok: false, error: `"${text.trim()}" is not a size: use a number with an optional unit (K, KiB, M, MiB, G, GiB, KB, MB, GB)` };
  const unit = m[2].toLowerCase();
  const mult = Object.hasOwn(SIZE_UNITS, unit) ? SIZE_UNITS[unit] : undefined; // not "constructor" from the prototype
  if (mult === undefined) return { ok: false, error: `unknown unit "${m[2]}": use K/KiB (1024), M/MiB, G/GiB, T/TiB, or KB/MB/GB (powers of 1000)` };
  const bytes = Number(m[1]) * mult;
  if (!Number.isInteger(bytes)) return { ok: false, error: `${t} is not a whole number of bytes` };
  return checkSize(bytes);
}

function checkSize(bytes: number): Parsed<number> {
  if (!Number.isSafeInteger(bytes)) return { ok: false, error: 'size is too large' };
  if (bytes < 1) return { ok: false, error: 'size must be at least 1 byte' };
  return { ok: true, value: bytes };
}

/**
 * A System V key: "0x1234abcd" or decimal (negative decimal as the kernel's signed view).
 * Empty, "0" or "private" = IPC_PRIVATE (value 0). Returns the unsigned 32-bit value.
 */
export function parseKey(text: string): Parsed<number> {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'private' || t === 'ipc_private') return { ok: true, value: 0 };
  let n: number;
  if (/^0x[0-9a-f]{1,8}$/.test(t)) n = parseInt(t, 16);
  else if (/^-?\d+$/.test(t)) n = Number(t);
  else return { ok: false, error: `"${text.trim()}" is not a key: use hex (0x0000abcd) or decimal, or leave empty for a private segment` };
  if (!Number.isSafeInteger(n) || n < -0x80000000 || n > 0xffffffff) return { ok: false, error: 'a key is a 32-bit number (up to 0xffffffff)' };
  return { ok: true, value: n >>> 0 };
}

/** "600", "0600", "0o600" -> 0o600. Only permission bits (at most 0777). */
export function parsePerms(text: string): Parsed<number> {
  const t = text.trim().toLowerCase().replace(/^0o/, '');
  if (!t) return { ok: false, error: 'Enter permissions in octal, e.g. 0600' };
  if (!/^[0-7]{1,4}$/.test(t)) return { ok: false, error: `"${text.trim()}" is not an octal mode: use digits 0-7, e.g. 0600 or 0644` };
  const n = parseInt(t, 8);
  if (n > 0o777) return { ok: false, error: 'only permission bits (0 to 0777) can be set on a segment' };
  return { ok: true, value: n };
}

/** 0o600 -> "0600". */
export function formatOctal(mode: number): string {
  return '0' + (mode & 0o777).toString(8).padStart(3, '0');
}

/** "0x0000abcd", or "private" for IPC_PRIVATE. */
export function formatKeyLabel(key: number): string {
  return key === 0 ? 'private' : formatKey(key);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Unix seconds -> "2024-05-01 13:45:07" in local time; 0 -> "never". */
export function formatDate(unixSeconds: number): string {
  if (!unixSeconds) return 'never';
  const d = new Date(unixSeconds * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** "5 minutes ago", "just now", "in 3 hours"; "never" for 0. */
export function formatRelative(unixSeconds: number, nowMs: number = Date.now()): string {
  if (!unixSeconds) return 'never';
  const diff = Math.round(nowMs / 1000 - unixSeconds);
  const abs = Math.abs(diff);
  if (abs < 10) return 'just now';
  const steps: [number, string][] = [[60, 'second'], [60, 'minute'], [24, 'hour'], [30, 'day'], [12, 'month'], [Infinity, 'year']];
  let value = abs;
  let unit = 'second';
  for (const [size, name] of steps) {
    unit = name;
    if (value < size) break;
    value = Math.floor(value / size);
  }
  const text = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** "2024-05-01 13:45:07 (5 minutes ago)"; "never". */
export function formatDateWithAge(unixSeconds: number, nowMs: number = Date.now()): string {
  return unixSeconds ? `${formatDate(unixSeconds)} (${formatRelative(unixSeconds, nowMs)})` : 'never';
}

/** "1 segment", "3 segments". */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
