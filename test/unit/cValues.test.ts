// Values of laid-out C types (src/protocol/cValues.ts): decoding checked against Buffer's own read
// methods in both byte orders over random declarations laid out by src/ctypes (every scalar kind,
// arrays, nested and anonymous records, bit-fields read bit by bit as a reference), encoding
// round trips that change nothing but the field's own bits, every refusal, and long double
// (x87 80-bit, binary128) against gcc's own conversions to double.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { arch } from 'node:process';
import { layoutText } from '../../src/ctypes';
import { type CAbi, type CType, flattenFields } from '../../src/protocol/cTypes';
import {
  type ByteOrder, type CLeaf, type CValue, CValueError, applyAssignments, decodeLeaf, decodeValues, formatTree, formatValue, isString,
  jsonValue, leafSpan, leaves, parseAssignments, parseValue, resolvePath, viewOf, writeLeaf,
} from '../../src/protocol/cValues';
import { compileC, haveCommand, present, seededRng, type Rng } from './helpers';

// --- random declarations --------------------------------------------------------------------------

const ENUMS = 'enum e1 { A1 = 0, B1 = 1, C1 = -3, D1 = 7 }; enum e2 { A2 = 1, B2 = 0xffffffff }; enum e3 { A3 = 1, B3 = 200 } __attribute__((packed));';
const SCALARS = [
  'char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int', 'long', 'unsigned long', 'long long',
  'unsigned long long', '_Bool', 'float', 'double', 'long double', 'void *', 'char *', '__int128', 'unsigned __int128',
  'enum e1', 'enum e2', 'enum e3', 'int8_t', 'uint16_t', 'int32_t', 'uint64_t', 'size_t', 'pid_t',
];
const BIT_TYPES: [string, number][] = [
  ['char', 8], ['signed char', 8], ['unsigned char', 8], ['short', 16], ['unsigned short', 16], ['int', 32], ['unsigned int', 32],
  ['long', 64], ['unsigned long', 64], ['long long', 64], ['unsigned long long', 64], ['_Bool', 1], ['enum e1', 32], ['uint8_t', 8],
];

function generate(r: Rng, count: number): { text: string; names: string[] } {
  let n = 0;
  const member = (depth: number): string => {
    const name = `f${n++}`;
    const roll = r.next();
    if (roll < 0.35) return `${r.pick(SCALARS)} ${name};`;
    if (roll < 0.45) return `${r.pick(SCALARS)} ${name}[${r.int(1, 4)}]${r.next() < 0.3 ? `[${r.int(1, 3)}]` : ''};`;
    if (roll < 0.52) return `char ${name}${r.next() < 0.2 ? `[${r.int(1, 3)}]` : ''}[${r.int(1, 12)}];`;
    if (roll < 0.8) {
      const [t, bits] = r.pick(BIT_TYPES);
      const width = r.int(1, bits);
      const u = r.next();
      if (u < 0.08) return `${t} : 0;`;
      if (u < 0.18) return `${t} : ${width};`;
      return `${t} ${name} : ${width};`;
    }
    if (depth >= 2) return `${r.pick(SCALARS)} ${name};`;
    const kind = r.next() < 0.6 ? 'struct' : 'union';
    const body = Array.from({ length: r.int(1, 4) }, () => member(depth + 1)).join(' ');
    const attrs = r.next() < 0.2 ? ' __attribute__((packed))' : '';
    const u = r.next();
    if (u < 0.3) return `${kind} { ${body} }${attrs};`; // anonymous
    return `${kind} { ${body} }${attrs} ${name}${u < 0.5 ? `[${r.int(1, 3)}]` : ''};`;
  };
  const names: string[] = [];
  const parts = [ENUMS];
  for (let i = 0; i < count; i++) {
    const body = Array.from({ length: r.int(1, 10) }, () => member(0)).join(' ');
    parts.push(`struct s${i} { int first; ${body} }${r.next() < 0.15 ? ' __attribute__((packed))' : ''};`);
    names.push(`struct s${i}`);
  }
  return { text: parts.join('\n'), names };
}

// --- references: Buffer's read methods, and bits one by one ----------------------------------------

function enumRef(t: CType, v: bigint): CValue | undefined {
  return t.kind === 'enum' ? t.enumerators.find((e) => BigInt(e.value) === v)?.name : undefined;
}

/** The value at off by Buffer's read methods; undefined for long double (checked against gcc below). */
function scalarRef(buf: Buffer, off: number, t: CType, order: ByteOrder): CValue | undefined {
  const le = order === 'little';
  const int = (size: number, signed: boolean): number | bigint => {
    switch (size) {
      case 1: return signed ? buf.readInt8(off) : buf.readUInt8(off);
      case 2: return signed ? (le ? buf.readInt16LE(off) : buf.readInt16BE(off)) : (le ? buf.readUInt16LE(off) : buf.readUInt16BE(off));
      case 4: return signed ? (le ? buf.readInt32LE(off) : buf.readInt32BE(off)) : (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
      case 8: return signed ? (le ? buf.readBigInt64LE(off) : buf.readBigInt64BE(off)) : (le ? buf.readBigUInt64LE(off) : buf.readBigUInt64BE(off));
      case 16: {
        const lo = le ? buf.readBigUInt64LE(off) : buf.readBigUInt64BE(off + 8);
        const hi = le ? buf.readBigUInt64LE(off + 8) : buf.readBigUInt64BE(off);
        const v = (hi << 64n) | lo;
        return signed ? BigInt.asIntN(128, v) : v;
      }
      default: throw new Error(`no reference for ${size}-byte integers`);
    }
  };
  switch (t.kind) {
    case 'int': return int(t.size, t.signed);
    case 'bool': return buf[off] !== 0;
    case 'pointer': return '0x' + (int(8, false) as bigint).toString(16);
    case 'enum': {
      const v = int(t.size, t.signed);
      return enumRef(t, BigInt(v)) ?? v;
    }
    case 'float':
      if (t.format === 'ieee32') return le ? buf.readFloatLE(off) : buf.readFloatBE(off);
      if (t.format === 'ieee64') return le ? buf.readDoubleLE(off) : buf.readDoubleBE(off);
      return undefined;
    case 'array': {
      const bytes = buf.subarray(off, off + t.count);
      const end = bytes.indexOf(0);
      return (end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8');
    }
    default: throw new Error(`no reference for ${t.kind}`);
  }
}

function bitFieldRef(buf: Buffer, base: number, leaf: CLeaf): CValue {
  const { bitOffset, bitSize } = leaf as Required<CLeaf>;
  let v = 0n;
  for (let j = 0; j < bitSize; j++) {
    const k = bitOffset + j;
    v |= BigInt((buf[base + (k >> 3)] >> (k & 7)) & 1) << BigInt(j);
  }
  const t = leaf.type;
  if (t.kind === 'bool') return v !== 0n;
  if ((t.kind === 'int' || t.kind === 'enum') && t.signed) v = BigInt.asIntN(bitSize, v);
  return enumRef(t, v) ?? v;
}

/** Decoded equals the reference: numbers by Object.is (NaN, -0), integers across number/bigint. */
function sameValue(actual: CValue, expected: CValue, what: string): void {
  if ((typeof actual === 'number' || typeof actual === 'bigint') && typeof expected === 'bigint') {
    assert.equal(BigInt(actual), expected, what);
  } else {
    assert.ok(Object.is(actual, expected), `${what}: ${String(actual)} !== ${String(expected)}`);
  }
}

/** The JSON contract from a reference value, independently of jsonValue. */
function jsonRef(t: CType, v: CValue): unknown {
  if (typeof v === 'bigint') return v > -(2n ** 53n) && v < 2n ** 53n ? Number(v) : v.toString();
  if (typeof v === 'number' && t.kind === 'float') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
  }
  return v;
}

const layoutsFor = new Map<string, Promise<{ types: CType[] }>>();
function randomTypes(seed: number, abi: CAbi): Promise<{ types: CType[] }> {
  const k = `${seed}/${abi}`;
  let p = layoutsFor.get(k);
  if (!p) {
    const g = generate(seededRng(seed), 60);
    p = layoutText(g.text, { abi }).then((l) => ({ types: g.names.map((n) => l.lookup(n)) }));
    layoutsFor.set(k, p);
  }
  return p;
}

const SEEDS = [1, 2, 3];
const isStringField = (typeName: string) => /^char \[\d+\]$/.test(typeName);

describe('decoding random layouts against Buffer', () => {
  for (const abi of ['x86_64', 'aarch64'] as CAbi[]) {
    test(`leaves match the layout's own flattened fields (${abi})`, async () => {
      for (const seed of SEEDS) {
        for (const type of (await randomTypes(seed, abi)).types) {
          const fields = new Map(flattenFields(type).map((f) => [f.path, f]));
          for (const leaf of leaves(type)) {
            if (/\[[1-9]\d*\]/.test(leaf.path)) continue; // flattenFields lists element 0 only
            const path = leaf.path.replace(/(\[0\])+$/, '');
            const f = fields.get(path);
            assert.ok(f, `seed ${seed} ${type.name}: ${leaf.path} is not among the layout's fields`);
            if (leaf.bitSize !== undefined) assert.equal(f.bitOffset, leaf.bitOffset, `${type.name}.${leaf.path} bitOffset`);
            else assert.equal(f.offset, leaf.offset, `${type.name}.${leaf.path} offset`);
          }
          // Every named field of the layout that holds values has a leaf (an array: its elements').
          const paths = [...leaves(type).map((l) => l.path)];
          for (const f of fields.values()) {
            if (f.count === 0 || /^(struct|union) /.test(f.type)) continue;
            const found = f.count === undefined || isStringField(f.type) ? paths.includes(f.path) : paths.some((p) => p.startsWith(f.path + '['));
            assert.ok(found, `seed ${seed} ${type.name}: no leaf for ${f.path} (${f.type})`);
          }
        }
      }
    });

    for (const order of ['little', 'big'] as ByteOrder[]) {
      test(`every leaf equals Buffer's read of the same bytes (${abi}, ${order}-endian)`, async () => {
        let checked = 0;
        let bitFields = 0;
        let longDoubles = 0;
        for (const seed of SEEDS) {
          const r = seededRng(seed * 7919);
          for (const type of (await randomTypes(seed, abi)).types) {
            const base = r.int(0, 7);
            const buf = r.bytes(base + 2 * type.size + 3);
            const view = viewOf(buf);
            const list = leaves(type);
            const json = decodeValues(type, view, base, { order, count: 2 });
            for (let i = 0; i < 2; i++) {
              const at = base + i * type.size;
              for (const leaf of list) {
                const what = `seed ${seed} ${abi} ${type.name} [${i}].${leaf.path} (${leaf.type.name})`;
                const actual = decodeLeaf(view, at, leaf, order);
                const expected = leaf.bitSize !== undefined ? bitFieldRef(buf, at, leaf) : scalarRef(buf, at + leaf.offset, leaf.type, order);
                if (leaf.bitSize !== undefined) bitFields++;
                if (expected === undefined) {
                  longDoubles++;
                  continue;
                }
                sameValue(actual, expected, what);
                const j = json[`[${i}]${leaf.path.startsWith('[') ? '' : '.'}${leaf.path}`];
                const want = jsonRef(leaf.type, expected);
                if (leaf.type.kind === 'float' && leaf.type.format === 'ieee32' && typeof want === 'number') {
                  assert.equal(typeof j, 'number', what);
                  assert.ok(Object.is(Math.fround(j as number), want), `${what}: JSON ${String(j)} is not the float ${want}`);
                } else {
                  assert.deepEqual(j, want, what);
                }
                checked++;
              }
            }
            assert.equal(Object.keys(json).length, 2 * list.length, `${type.name}: one JSON value per leaf and element`);
          }
        }
        assert.ok(checked > 2000 && bitFields > 300 && longDoubles > 10, `too little covered: ${checked} leaves, ${bitFields} bit-fields, ${longDoubles} long doubles`);
      });
    }

    test(`encoding round trips and changes only the field's bits (${abi})`, async () => {
      let n = 0;
      for (const seed of SEEDS) {
        const r = seededRng(seed * 104729);
        for (const type of (await randomTypes(seed, abi)).types) {
          for (const leaf of leaves(type)) {
            for (const order of ['little', 'big'] as ByteOrder[]) {
              const src = r.bytes(type.size);
              const before = r.bytes(type.size);
              let text: string;
              let expected: CValue;
              if (isString(leaf.type)) {
                text = Array.from({ length: r.int(0, leaf.type.size - 1) }, () => String.fromCharCode(r.int(0x20, 0x7e))).join('');
                expected = text;
              } else {
                expected = decodeLeaf(viewOf(src), 0, leaf, order);
                text = formatValue(leaf, expected);
                // Integers also as hex (with a sign for negatives) half of the time.
                if ((typeof expected === 'number' && Number.isInteger(expected) && leaf.type.kind !== 'float') || typeof expected === 'bigint') {
                  if (r.next() < 0.5) text = (BigInt(expected) < 0n ? '-0x' : '0x') + (BigInt(expected) < 0n ? -BigInt(expected) : BigInt(expected)).toString(16);
                }
              }
              const what = `seed ${seed} ${abi} ${type.name}.${leaf.path} (${leaf.type.name}) = ${text} ${order}`;
              const after = Buffer.from(before);
              writeLeaf(viewOf(after), 0, leaf, parseValue(leaf, text), order);
              const got = decodeLeaf(viewOf(after), 0, leaf, order);
              if (typeof expected === 'number' && Number.isNaN(expected)) assert.ok(Number.isNaN(got), what);
              else sameValue(got, typeof expected === 'number' && typeof got === 'bigint' ? BigInt(expected) : expected, what);
              // Nothing outside the field's bits changed.
              const span = leafSpan(leaf);
              for (let k = 0; k < type.size * 8; k++) {
                const inside = leaf.bitOffset !== undefined && leaf.bitSize !== undefined
                  ? k >= leaf.bitOffset && k < leaf.bitOffset + leaf.bitSize
                  : k >= span.offset * 8 && k < (span.offset + span.size) * 8;
                if (inside) continue;
                const bit = (b: Buffer) => (b[k >> 3] >> (k & 7)) & 1;
                if (bit(after) !== bit(before)) assert.fail(`${what}: bit ${k} outside the field changed`);
              }
              n++;
            }
          }
        }
      }
      assert.ok(n > 2000, `only ${n} round trips`);
    });
  }
});

// --- a fixed declaration: paths, JSON, text, refusals -------------------------------------------------

const FIXED = `
enum mode { IDLE, RUNNING = 5, STOPPED = -1 };
enum small { S0, S200 = 200 } __attribute__((packed));
struct hdr { unsigned short magic; unsigned short version; };
struct item { unsigned int id; char name[6]; };
struct state {
  struct hdr hdr;
  unsigned flags : 3;
  signed level : 5;
  _Bool on : 1;
  enum mode m3 : 3;
  enum mode mode;
  enum small sm;
  union { float f; unsigned char raw[4]; };
  double ratio;
  struct item items[3];
  void *ptr;
  unsigned long long big;
  long long neg;
  signed char sc;
  unsigned char uc;
  short s;
  unsigned short us;
  int i;
  unsigned int ui;
  __int128 wide;
  _Bool b;
  char names[2][4];
  int grid[2][3];
  long double ld;
};`;

async function fixed(abi: CAbi = 'x86_64'): Promise<CType> {
  return (await layoutText(FIXED, { abi })).lookup('struct state');
}

describe('paths, JSON values and text of one declaration', () => {
  test('paths as C names them: nested, array elements, anonymous members without their level', async () => {
    const t = await fixed();
    const paths = leaves(t).map((l) => l.path);
    assert.deepEqual(paths.slice(0, 12), ['hdr.magic', 'hdr.version', 'flags', 'level', 'on', 'm3', 'mode', 'sm', 'f', 'raw[0]', 'raw[1]', 'raw[2]']);
    assert.ok(paths.includes('items[2].name') && paths.includes('names[1]') && paths.includes('grid[1][2]'));
    assert.ok(!paths.includes('names[1][0]'), 'char arrays are strings, not elements');
    assert.equal(resolvePath(t, 'items[2].id').offset, leaves(t).find((l) => l.path === 'items[2].id')?.offset);
    assert.equal(resolvePath(t, ' items [2] . name ').path, 'items[2].name');
    assert.equal(resolvePath(t, 'names[1][2]').type.name, 'char', 'one char of a string can be named');
  });

  test('JSON: big integers as strings, NaN/Infinity as strings, enums by name, pointers, bools, strings', async () => {
    const t = await fixed();
    const sets = parseAssignments(t, [
      'hdr.magic=0x5348', 'flags=5', 'level=-16', 'on=true', 'm3=STOPPED', 'mode=RUNNING', 'sm=S200', 'f=NaN', 'ratio=-Infinity',
      'items[1].id=4294967295', 'items[1].name=abcde', 'ptr=0x7fffdeadbeef', 'big=9007199254740992', 'neg=-9007199254740991',
      'wide=-170141183460469231731687303715884105728', 'b=false', 'names[0]=xyz', 'grid[1][2]=-7', 'ld=0.1', 'i=42',
    ]);
    const { bytes } = applyAssignments(new Uint8Array(t.size), 0, sets);
    const v = decodeValues(t, viewOf(bytes), 0);
    assert.deepEqual(
      [v['hdr.magic'], v.flags, v.level, v.on, v.m3, v.mode, v.sm, v.f, v.ratio, v['items[1].id'], v['items[1].name'], v.ptr, v.big, v.neg, v.wide, v.b, v['names[0]'], v['names[1]'], v['grid[1][2]'], v.ld, v.i],
      [0x5348, 5, -16, true, 'STOPPED', 'RUNNING', 'S200', 'NaN', '-Infinity', 4294967295, 'abcde', '0x7fffdeadbeef', '9007199254740992', -9007199254740991,
        '-170141183460469231731687303715884105728', false, 'xyz', '', -7, 0.1, 42],
    );
    // An enum value without a name is its number; a float32 prints as the shortest decimal that reads back.
    const w = applyAssignments(bytes, 0, parseAssignments(t, ['mode=3', 'f=0.1']));
    const v2 = decodeValues(t, viewOf(w.bytes), 0);
    assert.equal(v2.mode, 3);
    assert.equal(v2.f, 0.1);
    assert.equal(w.start, resolvePath(t, 'mode').offset);
    assert.equal(w.end, resolvePath(t, 'f').offset + 4);
    // Only the fields' bytes are to be written: two spans, nothing between them.
    assert.deepEqual(w.spans, [
      { start: resolvePath(t, 'mode').offset, end: resolvePath(t, 'mode').offset + 4 },
      { start: resolvePath(t, 'f').offset, end: resolvePath(t, 'f').offset + 4 },
    ]);
    // Overlapping and adjacent fields merge into one span.
    const m = applyAssignments(bytes, 0, parseAssignments(t, ['f=1', 'raw[1]=2', 'raw[0]=3']));
    assert.deepEqual(m.spans, [{ start: resolvePath(t, 'f').offset, end: resolvePath(t, 'f').offset + 4 }]);
  });

  test('the text tree: records indented, arrays inline, long arrays elided with a count', async () => {
    const t = await fixed();
    const { bytes } = applyAssignments(new Uint8Array(t.size), 0, parseAssignments(t, ['hdr.magic=21320', 'items[0].name=ab', 'mode=RUNNING', 'grid[0][1]=9']));
    const text = formatTree(t, viewOf(bytes), 0, { maxElements: 2 });
    assert.match(text, /^\{\n {2}hdr = \{\n {4}magic = 21320,\n {4}version = 0\n {2}\},\n {2}flags = 0,/);
    assert.match(text, /\n {2}mode = RUNNING,\n/);
    assert.match(text, /\n {2}raw = \{0, 0, \.\.\. \(2 more\)\},\n/);
    assert.match(text, /\n {2}items = \{\n {4}\[0\] = \{\n {6}id = 0,\n {6}name = "ab"\n {4}\},\n {4}\[1\] = \{[^]*?\},\n {4}\.\.\. \(1 more\)\n {2}\},\n/);
    assert.match(text, /\n {2}names = \{"", ""\},\n {2}grid = \{\{0, 9, \.\.\. \(1 more\)\}, \{0, 0, \.\.\. \(1 more\)\}\},\n/);
    assert.match(text, /\n {2}ptr = 0x0,\n/);
    assert.match(text, /\n {2}ld = 0\n\}$/);
    assert.doesNotMatch(text, /<anonymous>/);
  });

  test('integers: both ends of every size are accepted, one past them refused', async () => {
    const t = await fixed();
    const cases: [string, bigint, bigint][] = [
      ['sc', -128n, 127n], ['uc', 0n, 255n], ['s', -32768n, 32767n], ['us', 0n, 65535n], ['i', -(2n ** 31n), 2n ** 31n - 1n],
      ['ui', 0n, 2n ** 32n - 1n], ['neg', -(2n ** 63n), 2n ** 63n - 1n], ['big', 0n, 2n ** 64n - 1n], ['wide', -(2n ** 127n), 2n ** 127n - 1n],
      ['flags', 0n, 7n], ['level', -16n, 15n], ['m3', -4n, 3n], ['sm', 0n, 255n], ['ptr', 0n, 2n ** 64n - 1n],
    ];
    for (const [path, lo, hi] of cases) {
      for (const ok of [lo, hi]) {
        const { bytes } = applyAssignments(new Uint8Array(t.size), 0, parseAssignments(t, [`${path}=${ok}`]));
        const leaf = resolvePath(t, path);
        const got = decodeLeaf(viewOf(bytes), 0, leaf);
        const named = leaf.type.kind === 'enum' ? leaf.type.enumerators.find((e) => e.name === got)?.value : undefined;
        assert.equal(BigInt(named ?? (got as string | number | bigint)), ok, `${path}=${ok}`);
      }
      for (const bad of [lo - 1n, hi + 1n]) {
        assert.throws(() => parseAssignments(t, [`${path}=${bad}`]), (e: Error) => e instanceof CValueError && /out of range \(-?\d+\.\.\d+\)/.test(e.message) && !e.message.includes('\n'), `${path}=${bad}`);
      }
    }
  });

  test('every refusal is one clear line', async () => {
    const t = await fixed();
    const refusals: [string, RegExp][] = [
      ['mode=PAUSED', /mode \(enum mode\): 'PAUSED' is not one of IDLE, RUNNING, STOPPED or a number/],
      ['m3=RUNNING', /m3 \(enum mode : 3\): RUNNING \(5\) is out of range \(-4\.\.3\)/],
      ['items[0].name=abcdef', /items\[0\]\.name \(char \[6\]\): the string is 6 bytes; 6 bytes hold at most 5 and the NUL/],
      ['items[0].name=ééé', /the string is 6 bytes/],
      ['on=yes', /on \(_Bool : 1\): 'yes' is not true or false/],
      ['b=2', /'2' is not true or false/],
      ['i=1.5', /i \(int\): '1\.5' is not an integer/],
      ['i=', /'' is not an integer/],
      ['f=1e39', /f \(float\): 1e39 is out of range for float \(give Infinity to mean it\)/],
      ['ratio=1e999', /out of range for double/],
      ['ratio=abc', /'abc' is not a number/],
      ['ld=1e400', /ld \(long double\): 1e400 is out of range for double \(long double is written from a double\)/],
      ['nope=1', /struct state has no member 'nope'/],
      ['hdr.nope=1', /struct hdr has no member 'nope' \(in 'hdr\.nope'\)/],
      ['items[3].id=1', /index 3 is out of range for items \(3 elements\)/],
      ['items[x].id=1', /'\[x\]' is not an array index/],
      ['hdr=1', /hdr is a struct hdr: give one of its fields/],
      ['grid[1]=1', /grid\[1\] is an array \(int \[3\]\): give one element/],
      ['flags.x=1', /flags is a bit-field/],
      ['i.x=1', /i \(int\) has no member 'x'/],
      ['ratio[0]=1', /ratio is not an array/],
      ['hdr..magic=1', /'hdr\.\.magic' is not a field path/],
      ['items[0]id=1', /is not a field path/],
      ['justtext', /'justtext' is not PATH=VALUE/],
      ['=5', /'=5' is not PATH=VALUE/],
    ];
    for (const [text, re] of refusals) {
      assert.throws(() => parseAssignments(t, ['i=1', text]), (e: Error) => {
        assert.ok(e instanceof Error, text);
        assert.ok(e instanceof CValueError, `${text}: ${e.name}`);
        assert.match(e.message, re, text);
        assert.ok(!e.message.includes('\n'), `${text}: more than one line`);
        return true;
      }, `no refusal for ${text}`);
    }
  });

  test('a leaf past the end of the bytes is an error, not a wrong value', async () => {
    const t = await fixed();
    const view = viewOf(new Uint8Array(t.size - 1));
    assert.throws(() => decodeValues(t, view, 0), CValueError);
    assert.throws(() => writeLeaf(view, 0, resolvePath(t, 'ld'), 1), CValueError);
  });
});

// --- long double -------------------------------------------------------------------------------------

const LD_EXPRS = [
  '1.5L', '-2.0L', '1.0L/3', '-2.0L/3', '0.1L', '(long double)0.1', '0.0L', '-0.0L', '1e-310L', '-1e-315L', '0x1p-1074L', '0x1p-1075L',
  '0x1.0000001p-1075L', '0x1.8p-1075L', '0x1p-1080L', '0x1.fffffffffffff8p0L', '0x1.00000000000008p0L', '0x1.00000000000018p0L',
  '0x1.fffffffffffff7p1023L', '0x1.fffffffffffff8p1023L', '1e4000L', '-1e4000L', 'LDBL_MAX', 'LDBL_MIN', 'LDBL_TRUE_MIN', 'DBL_MAX',
  'DBL_MIN', 'DBL_TRUE_MIN', '__builtin_infl()', '-__builtin_infl()', '__builtin_nanl("")', '3.141592653589793238462643383279L',
];

/** gcc's bytes of each value as x87 long double and as __float128, and its own conversions to double. */
function gccLongDoubles(): { x87: Buffer; q: Buffer; fromX87: number; fromQ: number; exactDouble: boolean; expr: string }[] | string {
  if (arch !== 'x64') return `long double is x87 80-bit only on x86_64 (this is ${arch}): the gcc cross-check needs an x86_64 host`;
  if (!haveCommand('gcc')) return 'gcc is not installed: the long double cross-check needs it';
  const body = LD_EXPRS.map((e) => `  show(${e}, ${JSON.stringify(e)});`).join('\n');
  const exe = compileC('longdouble', `#include <float.h>
#include <stdio.h>
#include <string.h>
static void hex(const void *p, int n) { for (int i = 0; i < n; i++) printf("%02x", ((const unsigned char *)p)[i]); printf(" "); }
static void show(long double x, const char *expr) {
  unsigned char b[16]; memset(b, 0, sizeof b); memcpy(b, &x, 10); hex(b, 16);
  __float128 q = (__float128)x; hex(&q, 16);
  double d = (double)x; hex(&d, 8);
  double dq = (double)q; hex(&dq, 8);
  printf("%d %s\\n", (long double)d == x, expr);
}
int main(void) {
${body}
  return 0;
}
`);
  if (!exe) return 'gcc is not installed';
  return execFileSync(exe, { encoding: 'utf8' }).trim().split('\n').map((line) => {
    const [x87, q, d, dq, exact, ...expr] = line.split(' ');
    return {
      x87: Buffer.from(x87, 'hex'), q: Buffer.from(q, 'hex'), fromX87: Buffer.from(d, 'hex').readDoubleLE(0),
      fromQ: Buffer.from(dq, 'hex').readDoubleLE(0), exactDouble: exact === '1', expr: expr.join(' '),
    };
  });
}

describe('long double', () => {
  const x87Leaf: CLeaf = { path: 'ld', offset: 0, type: { kind: 'float', name: 'long double', size: 16, align: 16, format: 'x87-80' } };
  const qLeaf: CLeaf = { path: 'ld', offset: 0, type: { kind: 'float', name: 'long double', size: 16, align: 16, format: 'ieee128' } };

  test('decoded to the nearest double exactly as gcc converts (x87 80-bit and binary128)', (t) => {
    const rows = gccLongDoubles();
    if (typeof rows === 'string') {
      t.skip(rows);
      return;
    }
    assert.equal(rows.length, LD_EXPRS.length);
    for (const r of rows) {
      const a = decodeLeaf(viewOf(r.x87), 0, x87Leaf);
      const b = decodeLeaf(viewOf(r.q), 0, qLeaf);
      assert.ok(Object.is(a, r.fromX87), `x87 ${r.expr}: ${String(a)} != gcc's ${r.fromX87}`);
      assert.ok(Object.is(b, r.fromQ), `binary128 ${r.expr}: ${String(b)} != gcc's ${r.fromQ}`);
      // Big-endian: the same number with its bytes reversed (the 80 bits of x87 in the first 10 bytes).
      const xbe = Buffer.concat([Buffer.from(r.x87.subarray(0, 10)).reverse(), Buffer.alloc(6)]);
      assert.ok(Object.is(decodeLeaf(viewOf(xbe), 0, x87Leaf, 'big'), a), `x87 big-endian ${r.expr}`);
      assert.ok(Object.is(decodeLeaf(viewOf(Buffer.from(r.q).reverse()), 0, qLeaf, 'big'), b), `binary128 big-endian ${r.expr}`);
    }
  });

  test('random x87 and binary128 bytes: the same double as the FPU and gcc\'s soft-float conversions', (t) => {
    const why = arch !== 'x64' ? `x87 long double needs an x86_64 host (this is ${arch})` : !haveCommand('gcc') ? 'gcc is not installed' : '';
    if (why) {
      t.skip(`${why}: the random long double cross-check cannot run`);
      return;
    }
    const exe = compileC('ldconvert', `#include <stdio.h>
#include <string.h>
int main(void) {
  unsigned char b[32], o[16];
  while (fread(b, 1, 32, stdin) == 32) {
    long double x; memset(&x, 0, sizeof x); memcpy(&x, b, 10);
    __float128 q; memcpy(&q, b + 16, 16);
    double d = (double)x, dq = (double)q;
    memcpy(o, &d, 8); memcpy(o + 8, &dq, 8);
    fwrite(o, 1, 16, stdout);
  }
  return 0;
}
`);
    const r = seededRng(4242);
    // Exponents mostly near the double range (subnormals, overflow, ties), sometimes anywhere.
    const exponent = () => {
      const u = r.next();
      if (u < 0.7) return r.int(16383 - 1080, 16383 + 1030);
      if (u < 0.85) return r.pick([0, 1, 0x7ffe, 0x7fff, 16383 - 1075, 16383 - 1074, 16383 - 1023, 16383 + 1023, 16383 + 1024]);
      return r.int(0, 0x7fff);
    };
    const N = 20000;
    const input = Buffer.alloc(N * 32);
    for (let i = 0; i < N; i++) {
      const x = input.subarray(i * 32, i * 32 + 16);
      const q = input.subarray(i * 32 + 16, i * 32 + 32);
      const m = r.bytes(8);
      if (r.next() < 0.85) m[7] |= 0x80; // the explicit integer bit, usually set
      if (r.next() < 0.2) m.fill(0, 0, r.int(0, 7)); // short significands: exact values and ties
      m.copy(x, 0);
      x.writeUInt16LE(exponent() | (r.next() < 0.5 ? 0x8000 : 0), 8);
      const f = r.bytes(14);
      if (r.next() < 0.2) f.fill(0, 0, r.int(0, 13));
      f.copy(q, 0);
      q.writeUInt16LE(exponent() | (r.next() < 0.5 ? 0x8000 : 0), 14);
    }
    const out = execFileSync(present(exe, 'the conversion program'), { input, maxBuffer: 1 << 24 });
    assert.equal(out.length, N * 16);
    for (let i = 0; i < N; i++) {
      const x = input.subarray(i * 32, i * 32 + 16);
      const q = input.subarray(i * 32 + 16, i * 32 + 32);
      const a = decodeLeaf(viewOf(x), 0, x87Leaf);
      const b = decodeLeaf(viewOf(q), 0, qLeaf);
      const wantA = out.readDoubleLE(i * 16);
      const wantB = out.readDoubleLE(i * 16 + 8);
      assert.ok(Object.is(a, wantA), `x87 ${x.subarray(0, 10).toString('hex')}: ${String(a)} != the FPU's ${wantA}`);
      assert.ok(Object.is(b, wantB), `binary128 ${q.toString('hex')}: ${String(b)} != gcc's ${wantB}`);
    }
  });

  test('a double written as long double has gcc\'s exact bytes', (t) => {
    const rows = gccLongDoubles();
    if (typeof rows === 'string') {
      t.skip(rows);
      return;
    }
    let n = 0;
    for (const r of rows.filter((x) => x.exactDouble || Number.isNaN(x.fromX87))) {
      for (const [leaf, want, len] of [[x87Leaf, r.x87, 10], [qLeaf, r.q, 16]] as const) {
        const text = Number.isNaN(r.fromX87) ? 'NaN' : Object.is(r.fromX87, -0) ? '-0' : String(r.fromX87);
        const out = Buffer.alloc(16);
        writeLeaf(viewOf(out), 0, leaf, parseValue(leaf, text), 'little');
        assert.equal(out.subarray(0, len).toString('hex'), want.subarray(0, len).toString('hex'), `${leaf.type.kind} ${leaf === x87Leaf ? 'x87' : 'binary128'} ${r.expr} (${text})`);
        n++;
      }
    }
    assert.ok(n >= 20, `only ${n} values were exact doubles`);
  });

  test('jsonValue of long double: nearest double, NaN and infinities as strings', () => {
    for (const [v, j] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [0.1, 0.1]] as const) {
      assert.equal(jsonValue(x87Leaf, v), j);
    }
  });
});
