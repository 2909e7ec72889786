// Parsers for option values: numbers (decimal, 0x hex, 0o octal, 0b binary), sizes with units,
// keys, permission modes (octal like chmod) and hex byte strings. Bad input is a UsageError.
import { UsageError } from './args';

const INT = /^[+-]?(?:0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)$/i;

function toInt(text: string): number | undefined {
  const t = text.trim().replace(/_/g, '');
  if (!INT.test(t)) return undefined;
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  let v: number;
  if (/^0x/i.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0o/i.test(body)) v = parseInt(body.slice(2), 8);
  else if (/^0b/i.test(body)) v = parseInt(body.slice(2), 2);
  else v = parseInt(body, 10);
  v = neg ? -v : v;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** A whole number in [min, max]: decimal, 0x hex, 0o octal or 0b binary. */
export function parseInteger(text: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = toInt(text);
  if (v === undefined) throw new UsageError(`${what}: '${text}' is not a number (use decimal, 0x hex or 0o octal)`);
  if (v < min || v > max) throw new UsageError(`${what}: ${text} is out of range (${min}..${max})`);
  return v;
}

/** A segment id: 0..2^31-1. */
export function parseId(text: string, what = 'id'): number {
  return parseInteger(text, what, 0, 0x7fffffff);
}

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 2 ** 10, kib: 2 ** 10, kb: 1e3,
  m: 2 ** 20, mib: 2 ** 20, mb: 1e6,
  g: 2 ** 30, gib: 2 ** 30, gb: 1e9,
  t: 2 ** 40, tib: 2 ** 40, tb: 1e12,
  p: 2 ** 50, pib: 2 ** 50, pb: 1e15,
};

/**
 * A byte count: a number (decimal/0x/0o) or a decimal with a unit: K, M, G, T (powers of 1024,
 * also KiB, MiB...), KB, MB, GB, TB (powers of 1000), B. `64K` = 65536, `1.5M` = 1572864.
 */
export function parseSize(text: string, what: string): number {
  const t = text.trim();
  const direct = toInt(t);
  if (direct !== undefined) {
    if (direct < 0) throw new UsageError(`${what}: ${text} must not be negative`);
    return direct;
  }
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(t.replace(/_/g, ''));
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`${what}: '${text}' is not a size (e.g. 4096, 0x1000, 64K, 1M, 1MiB, 1G)`);
  }
  const v = Number(m[1]) * unit;
  if (!Number.isSafeInteger(v)) throw new UsageError(`${what}: ${text} is not a whole number of bytes`);
  return v;
}

/** A System V key: 32-bit (signed or unsigned), or `private`/`IPC_PRIVATE` for 0. Returns unsigned. */
export function parseKey(text: string, what = '--key'): number {
  if (/^(ipc_)?private$/i.test(text.trim())) return 0;
  const v = toInt(text);
  if (v === undefined) throw new UsageError(`${what}: '${text}' is not a key (e.g. 0x1234abcd, 305441741, -1)`);
  if (v < -0x80000000 || v > 0xffffffff) throw new UsageError(`${what}: ${text} is not a 32-bit key`);
  return v >>> 0;
}

/**
 * A permission mode, like chmod: bare digits are octal (`600` = 0600 = rw-------, `0644`),
 * also `0o600`, `0x1a4`, or the symbolic `rw-r-----`.
 */
export function parsePerms(text: string, what = '--perms'): number {
  const t = text.trim();
  let v: number | undefined;
  if (/^[r-][w-][x-][r-][w-][x-][r-][w-][x-]$/.test(t)) {
    v = 0;
    for (let i = 0; i < 9; i++) if (t[i] !== '-') v |= 0o400 >> i;
  } else if (/^[0-7]+$/.test(t)) {
    v = parseInt(t, 8);
  } else if (/^0[xob]/i.test(t)) {
    v = toInt(t);
  } else if (/^\d+$/.test(t)) {
    throw new UsageError(`${what}: '${text}' is not an octal mode (digits 0-7, e.g. 600 or 0644)`);
  }
  if (v === undefined) throw new UsageError(`${what}: '${text}' is not a mode (e.g. 600, 0644, 0o600, rw-r-----)`);
  if (v < 0 || v > 0o777) throw new UsageError(`${what}: ${text} is beyond 0777 (only the rwx bits can be set)`);
  return v;
}

export interface HexPattern {
  bytes: Buffer;
  /** 0xff = must match, 0x00 = wildcard; only when wildcards were allowed and used. */
  mask?: Buffer;
}

const SEPARATOR = /[\s,:;_-]/;
const HEX = /[0-9a-f]/i;

/**
 * Hex bytes: `de ad be ef`, `deadbeef`, `0xde,0xad`, `de:ad`, `\xde\xad`. With wildcards, `??`
 * stands for any byte. Whitespace, `,` `:` `;` `-` `_` separate bytes; each byte is two digits.
 */
export function parseHex(text: string, what = '--hex', wildcards = false): HexPattern {
  const bytes: number[] = [];
  const mask: number[] = [];
  let i = 0;
  const at = (k: number) => `(character ${k + 1})`;
  while (i < text.length) {
    const c = text[i];
    if (SEPARATOR.test(c)) { i++; continue; }
    if (c === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && (i === 0 || SEPARATOR.test(text[i - 1])) && HEX.test(text[i + 2] ?? '')) { i += 2; continue; }
    if (c === '\\' && text[i + 1] === 'x') { i += 2; continue; }
    const a = c;
    const b = text.at(i + 1);
    if (a === '?' && b === '?') {
      if (!wildcards) throw new UsageError(`${what}: '??' (any byte) is only allowed in search patterns`);
      bytes.push(0);
      mask.push(0);
      i += 2;
      continue;
    }
    if (HEX.test(a) && b !== undefined && HEX.test(b)) {
      bytes.push(parseInt(a + b, 16));
      mask.push(0xff);
      i += 2;
      continue;
    }
    if (HEX.test(a)) {
      throw new UsageError(`${what}: odd number of hex digits ${at(i)} ('${a}' needs a second digit, e.g. 0${a}) in ${JSON.stringify(text)}`);
    }
    throw new UsageError(`${what}: '${a}' ${at(i)} is not a hex digit in ${JSON.stringify(text)}`);
  }
  if (bytes.length === 0) throw new UsageError(`${what}: no bytes given`);
  const result: HexPattern = { bytes: Buffer.from(bytes) };
  if (mask.includes(0)) result.mask = Buffer.from(mask);
  return result;
}
