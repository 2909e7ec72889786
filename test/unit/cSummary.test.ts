// The one-line summary of a C value's first fields (src/protocol/cSummary.ts) for the tree's
// tooltip and `info`: types laid out by src/ctypes, bytes written with Buffer's own methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutText } from '../../src/ctypes';
import type { CType } from '../../src/protocol/cTypes';
import { SUMMARY_CHARS, fieldsJson, firstFields, summarize, summaryText } from '../../src/protocol/cSummary';
import { viewOf } from '../../src/protocol/cValues';

const DECLS = `
#include <stdint.h>
#include <stdbool.h>
enum state { IDLE, RUNNING = 5, STOPPED = -1 };
struct shared { uint32_t magic; int32_t pid; enum state state; char name[16]; uint64_t counter; };
struct hdr { uint16_t magic; int16_t version; };
struct nested { struct hdr hdr; union { int32_t i; float f; }; void *ptr; };
struct misc { int8_t neg; bool on; unsigned flags : 3; signed delta : 5; double ratio; enum state st; };
struct pair { int32_t a; int32_t b; };
struct wide { int64_t signature; uint8_t bytes[4]; char text[200]; };
struct huge { uint32_t magic; int32_t data[1 << 24]; };
struct empty { };
`;

async function type(name: string): Promise<CType> {
  return (await layoutText(DECLS, { abi: 'x86_64' })).lookup(name);
}

describe('cSummary', () => {
  test('the first fields in the CLI\'s terms: magic in hex, ints in decimal, enums by name, strings quoted', async () => {
    const t = await type('struct shared');
    const b = Buffer.alloc(t.size);
    b.writeUInt32LE(0x53484d31, 0);
    b.writeInt32LE(4242, 4);
    b.writeInt32LE(5, 8);
    b.write('producer', 12, 'latin1');
    b.writeBigUInt64LE(7n, 32);
    assert.equal(summarize(t, viewOf(b), 0), 'magic = 0x53484d31, pid = 4242, state = RUNNING, name = "producer", …');
    assert.equal(summarize(t, viewOf(b), 0, { maxFields: 5 }), 'magic = 0x53484d31, pid = 4242, state = RUNNING, name = "producer", counter = 7');
    // An enum value without a name is its number; a negative pid stays negative.
    b.writeInt32LE(-7, 4);
    b.writeInt32LE(3, 8);
    assert.equal(summarize(t, viewOf(b), 0, { maxFields: 3 }), 'magic = 0x53484d31, pid = -7, state = 3, …');
    // The JSON values are read --json's.
    const f = firstFields(t, viewOf(b), 0);
    assert.deepEqual(fieldsJson(f), { magic: 0x53484d31, pid: -7, state: 3, name: 'producer' });
    assert.equal(f.more, true);
  });

  test('nested and anonymous members by their paths, pointers in hex, bools, bit-fields, floats, negative magic', async () => {
    const n = await type('struct nested');
    const b = Buffer.alloc(n.size);
    b.writeUInt16LE(0xbeef, 0);
    b.writeInt16LE(-2, 2);
    b.writeInt32LE(0x3fc00000, 4); // as float: 1.5
    b.writeBigUInt64LE(0x7ffd1234n, 8);
    assert.equal(summarize(n, viewOf(b), 0, { maxFields: 5 }), 'hdr.magic = 0xbeef, hdr.version = -2, i = 1069547520, f = 1.5, ptr = 0x7ffd1234');
    const m = await type('struct misc');
    const c = Buffer.alloc(m.size);
    c.writeInt8(-3, 0);
    c.writeUInt8(1, 1);
    c.writeUInt8(0b10110_101, 2); // flags = 5, delta = 0b10110 = -10
    c.writeDoubleLE(0.25, 8);
    c.writeInt32LE(-1, 16);
    assert.equal(summarize(m, viewOf(c), 0, { maxFields: 6 }), 'neg = -3, on = true, flags = 5, delta = -10, ratio = 0.25, st = STOPPED');
    const w = await type('struct wide');
    const d = Buffer.alloc(w.size);
    d.writeBigInt64LE(-2n, 0);
    assert.match(summarize(w, viewOf(d), 0), /^signature = 0xfffffffffffffffe, bytes\[0\] = 0, bytes\[1\] = 0, bytes\[2\] = 0, …$/);
  });

  test(`at most ${SUMMARY_CHARS} characters, cut with "…"; control characters escaped`, async () => {
    const w = await type('struct wide');
    const b = Buffer.alloc(w.size);
    b.write('x'.repeat(150), 12, 'latin1');
    const line = summarize(w, viewOf(b), 0, { maxFields: 6 });
    assert.equal(line.length, SUMMARY_CHARS);
    assert.ok(line.endsWith('…'));
    assert.ok(line.startsWith('signature = 0x0, bytes[0] = 0'));
    b.fill(0, 12);
    b.write('a\nb\u0007', 12, 'latin1');
    const text = summarize(w, viewOf(b), 0, { maxFields: 6 });
    assert.ok(text.endsWith('text = "a\\nb\\u0007"'), text);
    assert.ok(!/\n/.test(text));
  });

  test('only the bytes given: a field past them ends the line', async () => {
    const t = await type('struct shared');
    const b = Buffer.alloc(10); // magic, pid, half of state
    b.writeUInt32LE(1, 0);
    b.writeInt32LE(2, 4);
    assert.equal(summarize(t, viewOf(b), 0), 'magic = 0x1, pid = 2, …');
    assert.equal(summarize(t, viewOf(b.subarray(0, 2)), 0), '…');
    // From an offset inside the bytes.
    const c = Buffer.alloc(64);
    c.writeUInt32LE(0xabc, 16);
    assert.match(summarize(t, viewOf(c), 16), /^magic = 0xabc, pid = 0, state = IDLE, name = "", …$/);
  });

  test('array overlays: element paths as read --json has them ([i].a), across elements', async () => {
    const t = await type('struct pair');
    const b = Buffer.alloc(t.size * 3);
    for (let i = 0; i < 6; i++) b.writeInt32LE(i + 1, i * 4);
    assert.equal(summarize(t, viewOf(b), 0, { count: 3 }), '[0].a = 1, [0].b = 2, [1].a = 3, [1].b = 4, …');
    assert.deepEqual(fieldsJson(firstFields(t, viewOf(b), 0, { count: 2 })), { '[0].a': 1, '[0].b': 2, '[1].a': 3, '[1].b': 4 });
    assert.equal(summarize(t, viewOf(b), 0, { count: 1, maxFields: 8 }), '[0].a = 1, [0].b = 2');
    // A scalar type: just its value(s).
    const u32 = await type('uint32_t');
    assert.equal(summarize(u32, viewOf(b), 0), '1');
    assert.equal(summarize(u32, viewOf(b), 0, { count: 2 }), '[0] = 1, [1] = 2');
  });

  test('a huge type costs only the fields shown; an empty one says so; big-endian bytes', async () => {
    const h = await type('struct huge');
    assert.equal(h.size, 4 + 4 * (1 << 24));
    const b = Buffer.alloc(4096);
    b.writeUInt32LE(9, 0);
    b.writeInt32LE(-1, 4);
    assert.equal(summarize(h, viewOf(b), 0), 'magic = 0x9, data[0] = -1, data[1] = 0, data[2] = 0, …');
    const e = await type('struct empty');
    assert.equal(summarize(e, viewOf(b), 0), '(no fields)');
    assert.equal(summarize(e, viewOf(b), 0, { count: 100 }), '(no fields)');
    const p = await type('struct pair');
    const be = Buffer.alloc(8);
    be.writeInt32BE(258, 0);
    assert.equal(summarize(p, viewOf(be), 0, { order: 'big' }), 'a = 258, b = 0');
    assert.equal(summaryText({ fields: [], more: false }), '(no fields)');
  });
});
