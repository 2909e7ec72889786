// Overlay fields as watches (src/extension/timeline/watchFields.ts): a field path of a C type laid
// out as the compiler does becomes the segment offset and inspector type the plot samples; fields a
// plot cannot draw are refused in one line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutSpec } from '../../src/ctypes/overlayLayout';
import type { OverlaySpec } from '../../src/protocol/overlay';
import { fieldWatch, seqCandidates, seqCounter, watchableFields } from '../../src/extension/timeline/watchFields';

const TEXT = `
#include <stdint.h>
enum mode { IDLE, RUN = -1 };
struct hdr { uint32_t magic; uint16_t seq; _Bool ok; };
struct state {
  struct hdr h;       /* 0 */
  int64_t big;        /* 8 */
  double temp;        /* 16 */
  float f;            /* 24 */
  enum mode m;        /* 28 */
  void *p;            /* 32 */
  char name[8];       /* 40 */
  unsigned flags : 3; /* 48 */
  int8_t v[4];        /* 49: right after the bit-field's byte */
};`;

describe('overlay fields as watches', () => {
  test('paths become segment offsets and inspector types', async () => {
    const spec: OverlaySpec = { text: TEXT, typeName: 'struct state', offset: 0x100, count: 1, abi: 'x86_64' };
    const { type } = await layoutSpec(spec);
    const at = (p: string) => { const w = fieldWatch(spec, type, p); return [w.offset, w.type.name]; };
    assert.deepEqual(at('h.magic'), [0x100, 'u32']);
    assert.deepEqual(at('h.seq'), [0x104, 'u16']);
    assert.deepEqual(at('h.ok'), [0x106, 'u8']);
    assert.deepEqual(at('big'), [0x108, 'i64']);
    assert.deepEqual(at('temp'), [0x110, 'f64']);
    assert.deepEqual(at('f'), [0x118, 'f32']);
    assert.deepEqual(at('m'), [0x11c, 'i32']);
    assert.deepEqual(at('p'), [0x120, 'u64']);
    assert.deepEqual(at('v[2]'), [0x100 + 51, 'i8']);
    assert.throws(() => fieldWatch(spec, type, 'flags'), /^RangeError: flags is a bit-field/);
    assert.throws(() => fieldWatch(spec, type, 'h'), /h is a struct hdr: give one of its fields/);
    assert.throws(() => fieldWatch(spec, type, 'name'), /^RangeError: name \(char \[8\]\) is not a number a plot can draw/);
    assert.throws(() => fieldWatch(spec, type, 'nope'), /has no member 'nope'/);
    const fields = watchableFields(type, 1);
    assert.ok(fields.includes('h.magic') && fields.includes('temp') && fields.includes('v[3]'));
    assert.ok(!fields.includes('flags') && !fields.some((f) => f.startsWith('name')), `strings and bit-fields are left out: ${fields.join(' ')}`);
  });

  test('an array overlay: [i]. picks the element', async () => {
    const spec: OverlaySpec = { text: TEXT, typeName: 'struct hdr', offset: 16, count: 4, abi: 'x86_64' };
    const { type } = await layoutSpec(spec);
    assert.equal(type.size, 8);
    const w = fieldWatch(spec, type, '[3].seq');
    assert.deepEqual([w.offset, w.type.name], [16 + 3 * 8 + 4, 'u16']);
    assert.throws(() => fieldWatch(spec, type, '[4].seq'), /element 4 is past the 4 of the overlay struct hdr/);
    assert.deepEqual(watchableFields(type, 4), ['[0].magic', '[0].seq', '[0].ok']);
  });

  test('a sequence counter is a 4- or 8-byte little-endian integer field of element 0', async () => {
    const spec: OverlaySpec = { text: TEXT, typeName: 'struct state', offset: 0x100, count: 1, abi: 'x86_64' };
    const { type } = await layoutSpec(spec);
    assert.deepEqual(seqCounter(spec, type, 'h.magic'), { offset: 0x100, size: 4 });
    assert.deepEqual(seqCounter(spec, type, 'big'), { offset: 0x108, size: 8 });
    assert.throws(() => seqCounter(spec, type, 'h.seq'), /h\.seq is a u16: a sequence counter is a 4- or 8-byte little-endian integer/);
    assert.throws(() => seqCounter(spec, type, 'temp'), /temp is a f64/);
    assert.throws(() => seqCounter(spec, type, 'flags'), /bit-field/);
    assert.deepEqual(seqCandidates(spec, type), ['h.magic', 'big', 'm', 'p']);
  });
});
