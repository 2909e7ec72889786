// The data inspector's values against Buffer's own read/write methods, both byte orders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeValue, encodeValue, type ValueType } from '../../src/webview/inspect/values';
import { formatBytes } from '../../src/webview/inspect/copyFormats';
import { parseHexPattern, textPattern } from '../../src/webview/inspect/searchQuery';

const readers: [ValueType, (b: Buffer, le: boolean) => string][] = [
  ['int8', (b) => String(b.readInt8(0))],
  ['uint8', (b) => String(b.readUInt8(0))],
  ['int16', (b, le) => String(le ? b.readInt16LE(0) : b.readInt16BE(0))],
  ['uint16', (b, le) => String(le ? b.readUInt16LE(0) : b.readUInt16BE(0))],
  ['int32', (b, le) => String(le ? b.readInt32LE(0) : b.readInt32BE(0))],
  ['uint32', (b, le) => String(le ? b.readUInt32LE(0) : b.readUInt32BE(0))],
  ['int64', (b, le) => String(le ? b.readBigInt64LE(0) : b.readBigInt64BE(0))],
  ['uint64', (b, le) => String(le ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0))],
  ['float32', (b, le) => String(le ? b.readFloatLE(0) : b.readFloatBE(0))],
  ['float64', (b, le) => String(le ? b.readDoubleLE(0) : b.readDoubleBE(0))],
];

test('decoded values equal Buffer read methods for random bytes, both endiannesses', () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let round = 0; round < 500; round++) {
    const b = Buffer.from(Array.from({ length: 8 }, rnd));
    for (const le of [true, false]) {
      for (const [type, read] of readers) assert.equal(decodeValue(type, b, le), read(b, le), `${type} ${le ? 'LE' : 'BE'} ${b.toString('hex')}`);
    }
  }
});

test('encoded values round-trip through Buffer read methods, and out-of-range input is refused', () => {
  const cases: [ValueType, string][] = [
    ['int8', '-128'], ['uint8', '255'], ['int16', '-2'], ['uint16', '0xbeef'], ['int32', '-123456789'],
    ['uint32', '4294967295'], ['int64', '-9223372036854775808'], ['uint64', '18446744073709551615'],
    ['float32', '1.5'], ['float64', '-2.75e-300'],
  ];
  for (const le of [true, false]) {
    for (const [type, text] of cases) {
      const r = encodeValue(type, text, le);
      assert.ok('bytes' in r, `${type} ${text}`);
      const expected = type.startsWith('float') ? String(Number(text)) : String(BigInt(text));
      const reader = readers.find(([t]) => t === type);
      assert.ok(reader, `no Buffer reader for ${type}`);
      assert.equal(reader[1](Buffer.from(r.bytes), le), expected);
    }
  }
  for (const [type, text] of [['int8', '128'], ['uint8', '-1'], ['uint16', '65536'], ['int64', '9223372036854775808'], ['uint32', 'abc'], ['float32', '1e39'], ['float64', 'x'], ['binary', '102'], ['ascii', 'é']] as [ValueType, string][]) {
    const r = encodeValue(type, text, true);
    assert.ok('error' in r, `${type} ${text} must be refused`);
  }
  assert.deepEqual(encodeValue('binary', '1010 0101', true), { bytes: Uint8Array.of(0xa5) });
  assert.deepEqual(encodeValue('utf8', 'é', true), { bytes: Uint8Array.of(0xc3, 0xa9) });
  assert.equal(decodeValue('int32', Uint8Array.of(1, 2), true), null, 'too few bytes near the end');
});

test('copy formats and search queries', () => {
  const b = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x41);
  assert.equal(formatBytes(b, 'hex'), 'de ad be ef 41');
  assert.equal(formatBytes(b, 'base64'), Buffer.from(b).toString('base64'));
  assert.equal(formatBytes(b, 'c', 'x'), 'unsigned char x[5] = {\n  0xde, 0xad, 0xbe, 0xef, 0x41\n};');
  assert.equal(formatBytes(Uint8Array.of(0x68, 0x69), 'text'), 'hi');
  assert.deepEqual(parseHexPattern('de ad ?? ef'), { pattern: Uint8Array.of(0xde, 0xad, 0, 0xef), mask: Uint8Array.of(0xff, 0xff, 0, 0xff) });
  assert.deepEqual(parseHexPattern('0xDE0xAD'), { pattern: Uint8Array.of(0xde, 0xad) });
  assert.ok('error' in parseHexPattern('abc'));
  assert.ok('error' in parseHexPattern('?? ??'));
  assert.ok('error' in parseHexPattern('zz'));
  assert.deepEqual(textPattern('Hi', true), { pattern: Uint8Array.of(0x48, 0x69), caseInsensitive: true });
});
