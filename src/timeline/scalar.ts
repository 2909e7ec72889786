// The data inspector's scalar types for watches: u8 i8 u16 i16 u32 i32 u64 i64 f32 f64 (also
// spelled as the inspector shows them: uint8 ... int64, float32, float64), little-endian unless
// the name ends in `be` (`u32be`, `float64be`; `le` is accepted too).

export interface ScalarType {
  /** The canonical short name with its order suffix when big-endian: `u32`, `f64be`. */
  name: string;
  kind: 'int' | 'uint' | 'float';
  size: 1 | 2 | 4 | 8;
  little: boolean;
}

const ALIASES: Record<string, string> = {
  int8: 'i8', uint8: 'u8', int16: 'i16', uint16: 'u16', int32: 'i32', uint32: 'u32',
  int64: 'i64', uint64: 'u64', float32: 'f32', float64: 'f64', float: 'f32', double: 'f64',
};

export const SCALAR_NAMES = 'u8 i8 u16 i16 u32 i32 u64 i64 f32 f64 (or uint8 ... float64), +be for big-endian';

/** A scalar type by name, or undefined. */
export function parseScalarType(text: string): ScalarType | undefined {
  let t = text.trim().toLowerCase();
  let little = true;
  const order = /^(.+?)[-_:]?(be|le)$/.exec(t);
  if (order) {
    t = order[1];
    little = order[2] === 'le';
  }
  t = ALIASES[t] ?? t;
  const m = /^([uif])(8|16|32|64)$/.exec(t);
  if (!m) return undefined;
  const size = (Number(m[2]) / 8) as 1 | 2 | 4 | 8;
  const kind = m[1] === 'u' ? 'uint' : m[1] === 'i' ? 'int' : 'float';
  if (kind === 'float' && size < 4) return undefined;
  return { name: t + (little || size === 1 ? '' : 'be'), kind, size, little };
}

/** The value at byte `at` of view: a number (64-bit integers: bigint). */
export function decodeScalar(t: ScalarType, view: DataView, at: number): number | bigint {
  switch (t.kind) {
    case 'float': return t.size === 4 ? view.getFloat32(at, t.little) : view.getFloat64(at, t.little);
    case 'int':
      switch (t.size) {
        case 1: return view.getInt8(at);
        case 2: return view.getInt16(at, t.little);
        case 4: return view.getInt32(at, t.little);
        default: return view.getBigInt64(at, t.little);
      }
    case 'uint':
      switch (t.size) {
        case 1: return view.getUint8(at);
        case 2: return view.getUint16(at, t.little);
        case 4: return view.getUint32(at, t.little);
        default: return view.getBigUint64(at, t.little);
      }
  }
}

/** As text: integers exactly, floats as JavaScript prints them (f32: the shortest that reads back). */
export function formatScalar(t: ScalarType, v: number | bigint): string {
  if (typeof v === 'bigint' || t.kind !== 'float' || t.size === 8) return Object.is(v, -0) ? '-0' : String(v);
  for (let p = 1; p < 9; p++) {
    const x = Number(v.toPrecision(p));
    if (Math.fround(x) === v) return String(x);
  }
  return String(v);
}
