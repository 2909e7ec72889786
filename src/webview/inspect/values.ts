// The data inspector's codec: typed values at the cursor, read and written in either byte
// order. Pure functions (no DOM), shared by the inspector panel and the tests.

export type ValueType =
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'float32' | 'float64' | 'binary' | 'ascii' | 'utf8';

export interface ValueTypeInfo {
  type: ValueType;
  label: string;
  /** Bytes it covers; 0 = variable (strings). */
  size: number;
}

export const VALUE_TYPES: readonly ValueTypeInfo[] = [
  { type: 'int8', label: 'int8', size: 1 },
  { type: 'uint8', label: 'uint8', size: 1 },
  { type: 'int16', label: 'int16', size: 2 },
  { type: 'uint16', label: 'uint16', size: 2 },
  { type: 'int32', label: 'int32', size: 4 },
  { type: 'uint32', label: 'uint32', size: 4 },
  { type: 'int64', label: 'int64', size: 8 },
  { type: 'uint64', label: 'uint64', size: 8 },
  { type: 'float32', label: 'float32', size: 4 },
  { type: 'float64', label: 'float64', size: 8 },
  { type: 'binary', label: 'binary', size: 1 },
  { type: 'ascii', label: 'ASCII', size: 0 },
  { type: 'utf8', label: 'UTF-8', size: 0 },
];

/** How many bytes a string value shows at most. */
export const STRING_PREVIEW = 16;

const INT_RANGES: Partial<Record<string, [bigint, bigint, number]>> = {
  int8: [-0x80n, 0x7fn, 1],
  uint8: [0n, 0xffn, 1],
  int16: [-0x8000n, 0x7fffn, 2],
  uint16: [0n, 0xffffn, 2],
  int32: [-0x80000000n, 0x7fffffffn, 4],
  uint32: [0n, 0xffffffffn, 4],
  int64: [-0x8000000000000000n, 0x7fffffffffffffffn, 8],
  uint64: [0n, 0xffffffffffffffffn, 8],
};

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The value at the start of `bytes`, as text; null when too few bytes remain. */
export function decodeValue(type: ValueType, bytes: Uint8Array, littleEndian: boolean): string | null {
  const info = VALUE_TYPES.find((t) => t.type === type);
  if (!info) throw new Error(`unknown value type ${type}`);
  if (bytes.length === 0 || bytes.length < info.size) return null;
  const v = view(bytes);
  switch (type) {
    case 'int8': return String(v.getInt8(0));
    case 'uint8': return String(v.getUint8(0));
    case 'int16': return String(v.getInt16(0, littleEndian));
    case 'uint16': return String(v.getUint16(0, littleEndian));
    case 'int32': return String(v.getInt32(0, littleEndian));
    case 'uint32': return String(v.getUint32(0, littleEndian));
    case 'int64': return String(v.getBigInt64(0, littleEndian));
    case 'uint64': return String(v.getBigUint64(0, littleEndian));
    case 'float32': return String(v.getFloat32(0, littleEndian));
    case 'float64': return String(v.getFloat64(0, littleEndian));
    case 'binary': return bytes[0].toString(2).padStart(8, '0');
    case 'ascii': {
      let s = '';
      for (const b of bytes.subarray(0, STRING_PREVIEW)) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      return s;
    }
    case 'utf8': {
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, STRING_PREVIEW));
      return text.replace(/[\u0000-\u001f\u007f]/g, '.');
    }
  }
}

export type Encoded = { bytes: Uint8Array } | { error: string };

function parseInteger(text: string): bigint | null {
  const t = text.trim().replace(/_/g, '');
  if (!/^[-+]?(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)$/i.test(t)) return null;
  const neg = t.startsWith('-');
  const body = t.replace(/^[-+]/, '');
  const n = BigInt(body); // BigInt understands 0x/0o/0b
  return neg ? -n : n;
}

function parseFloatText(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity' || t === '+inf' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/** The bytes that represent `text` as `type`, or why it cannot be written. */
export function encodeValue(type: ValueType, text: string, littleEndian: boolean): Encoded {
  const range = INT_RANGES[type];
  if (range) {
    const [min, max, size] = range;
    const n = parseInteger(text);
    if (n === null) return { error: `"${text}" is not a whole number (decimal, 0x hex, 0o octal or 0b binary)` };
    if (n < min || n > max) return { error: `${n} is out of range for ${type} (${min} to ${max})` };
    const out = new Uint8Array(size);
    const v = view(out);
    if (size === 1) v.setUint8(0, Number(n & 0xffn));
    else if (size === 2) v.setUint16(0, Number(n & 0xffffn), littleEndian);
    else if (size === 4) v.setUint32(0, Number(n & 0xffffffffn), littleEndian);
    else v.setBigUint64(0, BigInt.asUintN(64, n), littleEndian);
    return { bytes: out };
  }
  switch (type) {
    case 'float32':
    case 'float64': {
      const f = parseFloatText(text);
      if (f === null) return { error: `"${text}" is not a number` };
      const out = new Uint8Array(type === 'float32' ? 4 : 8);
      if (type === 'float32') {
        if (Number.isFinite(f) && Math.abs(f) > 3.4028234663852886e38) return { error: `${f} is out of range for float32` };
        view(out).setFloat32(0, f, littleEndian);
      } else {
        view(out).setFloat64(0, f, littleEndian);
      }
      return { bytes: out };
    }
    case 'binary': {
      const t = text.replace(/[\s_]/g, '');
      if (!/^[01]{1,8}$/.test(t)) return { error: `"${text}" is not 1 to 8 binary digits` };
      return { bytes: Uint8Array.of(parseInt(t, 2)) };
    }
    case 'ascii': {
      if (text.length === 0) return { error: 'type at least one character' };
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c > 0x7f) return { error: `"${text[i]}" is not an ASCII character (use UTF-8)` };
        out[i] = c;
      }
      return { bytes: out };
    }
    case 'utf8': {
      if (text.length === 0) return { error: 'type at least one character' };
      return { bytes: new TextEncoder().encode(text) };
    }
  }
  return { error: `unknown type ${type}` };
}
