// Parsing of user input: hex byte strings (paste) and offsets (Go to Offset). Pure functions.

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Bytes from hex text as people copy it: "de ad be ef", "0xdeadbeef", "DEADBEEF",
 * "0xde, 0xad", "\xde\xad", "de:ad:be:ef", "{ 0xde, 0xad }".
 */
export function parseHexBytes(text: string): ParseResult<Uint8Array> {
  const cleaned = text.replace(/[{}[\]()]/g, ' ').trim();
  if (cleaned === '') return { ok: false, error: 'No hex bytes to paste' };
  const tokens = cleaned.split(/[\s,;:]+/).filter((t) => t !== '');
  const out: number[] = [];
  for (const raw of tokens) {
    // "\xde\xad" is one token of several bytes; "0xdead" one token of two bytes.
    const parts = raw.includes('\\x') || raw.includes('\\X') ? raw.split(/\\[xX]/).filter((p) => p !== '') : [raw];
    for (let part of parts) {
      if (/^0[xX]/.test(part)) part = part.slice(2);
      else if (/^[0-9a-fA-F]+[hH]$/.test(part)) part = part.slice(0, -1);
      if (part === '' || !/^[0-9a-fA-F]+$/.test(part)) {
        return { ok: false, error: `Not hex: '${truncateForMessage(raw)}' (expected bytes such as "de ad be ef" or "0xdeadbeef")` };
      }
      if (part.length % 2 !== 0) {
        return { ok: false, error: `Odd number of hex digits in '${truncateForMessage(raw)}': each byte needs two digits` };
      }
      for (let i = 0; i < part.length; i += 2) out.push(parseInt(part.slice(i, i + 2), 16));
    }
  }
  return { ok: true, value: Uint8Array.from(out) };
}

/**
 * An offset typed in Go to Offset: `0x1f00` (hex), `7936` (decimal), `+N` / `-N` relative to
 * `current` (N hex or decimal). `_` may separate digits. Must land inside [0, size).
 */
export function parseOffset(input: string, current: number, size: number): ParseResult<number> {
  const text = input.trim().replace(/_/g, '');
  if (text === '') return { ok: false, error: 'Type an offset: 0x… for hex, digits for decimal, +N/-N to move' };
  const m = /^([+-]?)\s*(0[xX][0-9a-fA-F]+|[0-9]+)$/.exec(text);
  if (!m) {
    if (/^[+-]?\s*[0-9a-fA-F]+$/.test(text)) {
      return { ok: false, error: `'${truncateForMessage(input.trim())}' is not a decimal number; write hex offsets with 0x (e.g. 0x${text.replace(/^[+-]?\s*/, '')})` };
    }
    return { ok: false, error: `'${truncateForMessage(input.trim())}' is not an offset: use 0x… for hex, digits for decimal, +N/-N to move` };
  }
  const sign = m[1];
  const digits = m[2];
  const big = /^0[xX]/.test(digits) ? BigInt(digits) : BigInt(digits);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, error: `Offset ${digits} is too large` };
  const n = Number(big);
  const target = sign === '+' ? current + n : sign === '-' ? current - n : n;
  if (target < 0) return { ok: false, error: `Offset ${target} is before the start of the segment` };
  if (target >= size) {
    return { ok: false, error: `Offset 0x${target.toString(16).toUpperCase()} (${target}) is past the end: the segment has ${size} bytes (last offset 0x${(size - 1).toString(16).toUpperCase()})` };
  }
  return { ok: true, value: target };
}

function truncateForMessage(s: string): string {
  return s.length > 24 ? s.slice(0, 21) + '…' : s;
}
