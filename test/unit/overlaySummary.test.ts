// The remembered overlays of a segment as one line each (src/ctypes/overlaySummary.ts), for the
// tree's tooltip and `info`: which bytes are asked for (only those the first fields need), the
// count cut to the segment, and every failure (layout, fit, read) as that overlay's one line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CTypeError, layoutText } from '../../src/ctypes';
import type { SpecLayout } from '../../src/ctypes/overlayLayout';
import {
  MAX_SUMMARY_BYTES, fittedCount, moreOverlays, summarizeOverlay, summarizeOverlays, summaryLength, summaryLine,
} from '../../src/ctypes/overlaySummary';
import type { OverlaySpec } from '../../src/protocol/overlay';

const DECLS = `
#include <stdint.h>
enum state { IDLE, RUNNING = 5 };
struct shared_state { uint32_t magic; int32_t pid; enum state state; char name[16]; uint64_t counter; char tail[4096]; };
struct pair { int32_t a; int32_t b; };
struct bits { unsigned x : 3; unsigned y : 13; };
struct big_first { char text[100000]; uint32_t magic; };
struct empty { };
`;

const spec = (typeName: string, offset = 0, count = 1): OverlaySpec => ({ text: DECLS, typeName, offset, count, abi: 'x86_64' });

async function layout(s: OverlaySpec): Promise<SpecLayout> {
  return { type: (await layoutText(s.text ?? '', { abi: s.abi })).lookup(s.typeName) };
}

/** A segment of `size` bytes as a read function that records what it was asked for. */
function segment(bytes: Buffer): { read: (o: number, n: number) => Uint8Array; asked: [number, number][] } {
  const asked: [number, number][] = [];
  return { asked, read: (o, n) => { asked.push([o, n]); assert.ok(o + n <= bytes.length, 'inside the segment'); return bytes.subarray(o, o + n); } };
}

describe('overlaySummary', () => {
  test('one value: the first fields from only the bytes they need, label and JSON fields', async () => {
    const b = Buffer.alloc(8192);
    b.writeUInt32LE(0x53484d31, 64);
    b.writeInt32LE(4242, 68);
    b.writeInt32LE(5, 72);
    b.write('producer', 76, 'latin1');
    const seg = segment(b);
    const s = await summarizeOverlay(spec('struct shared_state', 64), b.length, { layout, read: seg.read });
    assert.deepEqual(seg.asked, [[64, 4 + 4 + 4 + 16]], 'up to the end of the 4th field, not the 4 KiB tail');
    assert.equal(s.label, 'struct shared_state @ 0x40 (<typed>)');
    assert.equal(s.text, 'magic = 0x53484d31, pid = 4242, state = RUNNING, name = "producer", …');
    assert.deepEqual(s.fields, { magic: 0x53484d31, pid: 4242, state: 'RUNNING', name: 'producer' });
    assert.equal(s.error, undefined);
    assert.equal(summaryLine(s), 'struct shared_state @ 0x40 (<typed>): magic = 0x53484d31, pid = 4242, state = RUNNING, name = "producer", …');
  });

  test('an array: elements by [i], count cut to what the segment holds', async () => {
    const b = Buffer.alloc(20);
    for (let i = 0; i < 5; i++) b.writeInt32LE(i + 1, i * 4);
    const seg = segment(b);
    const s = await summarizeOverlay(spec('struct pair', 0, 100), b.length, { layout, read: seg.read });
    assert.equal(s.label, 'struct pair[2] @ 0x0 (<typed>)', '20 bytes hold 2 pairs');
    assert.equal(s.text, '[0].a = 1, [0].b = 2, [1].a = 3, [1].b = 4');
    assert.deepEqual(seg.asked, [[0, 16]]);
    // Room for one element: plain paths, as the label shows no array.
    const one = await summarizeOverlay(spec('struct pair', 8, 100), 16, { layout, read: segment(b).read });
    assert.equal(summaryLine(one), 'struct pair @ 0x8 (<typed>): a = 3, b = 4');
  });

  test('bytes asked for: bit-fields by their storage, a huge first field capped, no fields none', async () => {
    const t = async (name: string) => (await layout(spec(name))).type;
    assert.equal(summaryLength(await t('struct bits'), 1), 2);
    assert.equal(summaryLength(await t('struct pair'), 1000), 16, 'two elements give the 4 fields');
    assert.equal(summaryLength(await t('struct pair'), 1000, 3), 12);
    assert.equal(summaryLength(await t('struct big_first'), 1), MAX_SUMMARY_BYTES);
    assert.equal(summaryLength(await t('struct empty'), 1000), 0);
    // Capped: the huge field is past the bytes read, so the line is only "…" (and no error).
    const b = Buffer.alloc(100004);
    const s = await summarizeOverlay(spec('struct big_first'), b.length, { layout, read: segment(b).read });
    assert.equal(s.text, '…');
    const e = await summarizeOverlay(spec('struct empty'), 16, { layout, read: () => assert.fail('nothing to read') });
    assert.equal(e.text, '(no fields)');
  });

  test('failures are one line each, never thrown: layout, fit, read', async () => {
    const read = segment(Buffer.alloc(64)).read;
    const broken = await summarizeOverlay(spec('struct pair'), 64, { read, layout: () => Promise.reject(new CTypeError('state.h:3: expected ;\nmore')) });
    assert.equal(summaryLine(broken), 'struct pair @ 0x0 (<typed>): cannot lay out the type: state.h:3: expected ;');
    assert.equal(broken.text, undefined);
    const renamed = await summarizeOverlay(spec('struct gone'), 64, { layout, read });
    assert.match(renamed.error ?? '', /^cannot lay out the type: .*struct gone/);
    const past = await summarizeOverlay(spec('struct pair', 64), 64, { layout, read });
    assert.equal(past.error, 'offset 0x40 is past the end of the segment (64 bytes)');
    const tooBig = await summarizeOverlay(spec('struct shared_state'), 64, { layout, read });
    assert.match(tooBig.error ?? '', /^struct shared_state \(\d+ bytes\) does not fit in the segment from 0x0 \(64 bytes left\)$/);
    const denied = await summarizeOverlay(spec('struct pair'), 64, { layout, read: () => { throw Object.assign(new Error('open 5: permission denied (EACCES)'), { code: 'EACCES' }); } });
    assert.equal(denied.error, 'cannot read the segment: open 5: permission denied (EACCES)');
    const gone = await summarizeOverlay(spec('struct pair'), 64, { layout, read: () => Promise.reject(new Error('segment 5 is gone')) });
    assert.equal(gone.error, 'cannot read the segment: segment 5 is gone');
  });

  test('several overlays in the order applied, at most max; fittedCount; "and N more"', async () => {
    const b = Buffer.alloc(64);
    const list = await summarizeOverlays([spec('struct pair'), spec('struct gone'), spec('struct bits', 8), spec('struct pair', 16)], 64, { layout, read: segment(b).read }, 3);
    assert.deepEqual(list.map((s) => s.typeName), ['struct pair', 'struct gone', 'struct bits']);
    assert.ok(list[1].error && !list[0].error && !list[2].error);
    assert.equal(moreOverlays(4, 3), 'and 1 more overlay');
    assert.equal(moreOverlays(9, 4), 'and 5 more overlays');
    assert.equal(moreOverlays(4, 4), undefined);
    const pair = (await layout(spec('struct pair'))).type;
    assert.equal(fittedCount(spec('struct pair', 8, 3), pair, 64), 3);
    assert.equal(fittedCount(spec('struct pair', 8, 30), pair, 64), 7);
    assert.deepEqual(fittedCount(spec('struct pair', 60), pair, 64), { error: 'struct pair (8 bytes) does not fit in the segment from 0x3c (4 bytes left)' });
  });
});
