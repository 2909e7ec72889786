// The hex editor's host-side model without VS Code: the overlay of pending edits, undo/redo
// across saves, conflicts, backups, request validation, the document (with a scripted byte
// source), and the segment source against the real agent and kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { AgentClient } from '../../src/agent/client';
import type { SearchResult } from '../../src/protocol/agent';
import type { HexDocInfo } from '../../src/protocol/webview';
import { decodeBackup, encodeBackup } from '../../src/extension/hexEditor/backup';
import { describeConflicts, findConflicts } from '../../src/extension/hexEditor/conflicts';
import { HexDocument, SaveCancelled, type ConflictAnswer, type DocumentPrompts } from '../../src/extension/hexEditor/document';
import { EditModel, Overlay, type Run } from '../../src/extension/hexEditor/editModel';
import { createHandlers, type InspectOps } from '../../src/extension/hexEditor/handlers';
import { sameSegment } from '../../src/protocol/segment';
import { SegmentSource, type ByteSource, type SearchQuery, type SourceStatus } from '../../src/extension/hexEditor/source';
import { MAX_READ, checkEdit, checkRead, checkSearch, parseOffset } from '../../src/extension/hexEditor/validate';
import { AGENT_JS, NOBODY, createSegment, haveCommand, installCleanup, nobodyUnavailable, waitFor } from './helpers';

installCleanup();

const u8 = (...b: number[]) => new Uint8Array(b);
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);
const arr = (a: Uint8Array) => Array.from(a);

// ---- Overlay ----------------------------------------------------------------------------

test('overlay: set keeps the first base of a byte, applyTo patches values, clear splits runs', () => {
  const o = new Overlay();
  o.set(10, u8(1, 2, 3), u8(0xa0, 0xa1, 0xa2));
  o.set(11, u8(9, 9, 9), u8(0xee, 0xee, 0xb3)); // 11,12 already overlaid: their base stays
  assert.deepEqual(o.list().map((r) => [r.offset, arr(r.value), arr(r.base)]), [[10, [1], [0xa0]], [11, [9, 9, 9], [0xa1, 0xa2, 0xb3]]]);
  const buf = new Uint8Array(8).fill(0xff); // [8, 16)
  o.applyTo(8, buf);
  assert.deepEqual(arr(buf), [0xff, 0xff, 1, 9, 9, 9, 0xff, 0xff]);
  o.clear(11, 1);
  assert.deepEqual(o.list().map((r) => [r.offset, arr(r.value)]), [[10, [1]], [12, [9, 9]]]);
  assert.equal(o.byteCount, 3);
  assert.deepEqual(o.pieces(0, 11).map((r) => r.offset), [10]);
  assert.deepEqual(o.pieces(13, 100).map((r) => [r.offset, arr(r.value), arr(r.base)]), [[13, [9], [0xb3]]]);
});

test('overlay: ranges() joins adjacent runs and keeps separate ones apart', () => {
  const o = new Overlay();
  o.set(5, u8(1), u8(0));
  o.set(6, u8(2), u8(0));
  o.set(7, u8(3, 4), u8(0, 0));
  o.set(20, u8(5), u8(0));
  o.set(0, u8(6), u8(0));
  const r = o.ranges();
  assert.deepEqual(r.map((x) => [x.offset, arr(x.value)]), [[0, [6]], [5, [1, 2, 3, 4]], [20, [5]]]);
  assert.throws(() => o.insert([{ offset: 6, value: u8(1), base: u8(1) }]), /insert over existing/);
});

// ---- EditModel ----------------------------------------------------------------------------

test('model: undo/redo in the same generation restore the overlay exactly (LIFO, overlapping edits)', () => {
  const m = new EditModel();
  const seg = pattern(32);
  const a = m.apply(4, u8(0xaa, 0xaa, 0xaa, 0xaa), seg.slice(4, 8));
  const b = m.apply(6, u8(0xbb, 0xbb, 0xbb, 0xbb), seg.slice(6, 10));
  assert.deepEqual(arr(b.before), [0xaa, 0xaa, 8, 9]);
  assert.deepEqual(arr(m.view(0, seg).subarray(4, 10)), [0xaa, 0xaa, 0xbb, 0xbb, 0xbb, 0xbb]);
  // Base of 6,7 stays the segment's (6, 7), not a's bytes.
  assert.deepEqual(arr(m.overlay.ranges()[0].base), [4, 5, 6, 7, 8, 9]);
  m.undo(b);
  assert.deepEqual(arr(m.view(0, seg).subarray(4, 10)), [0xaa, 0xaa, 0xaa, 0xaa, 8, 9]);
  m.undo(a);
  assert.ok(m.isEmpty);
  m.redo(a);
  m.redo(b);
  assert.deepEqual(arr(m.view(0, seg).subarray(4, 10)), [0xaa, 0xaa, 0xbb, 0xbb, 0xbb, 0xbb]);
  assert.equal(m.needsSegment(a), false);
});

test('model: undo after a save sets the old bytes as new pending edits over the saved ones', () => {
  const m = new EditModel();
  const seg = pattern(16);
  const a = m.apply(2, u8(0x11, 0x22), seg.slice(2, 4));
  // Save: the segment now holds the edit.
  seg.set(a.after, 2);
  m.commit();
  assert.ok(m.isEmpty);
  assert.equal(m.needsSegment(a), true);
  m.undo(a, seg.slice(2, 4));
  const [r] = m.overlay.ranges();
  assert.deepEqual([r.offset, arr(r.value), arr(r.base)], [2, [2, 3], [0x11, 0x22]]);
  // Redo in the same generation: back to nothing pending (the segment has the bytes).
  m.redo(a);
  assert.ok(m.isEmpty);
  assert.deepEqual(arr(m.view(0, seg).subarray(2, 4)), [0x11, 0x22]);
  // Undo without readable segment bytes assumes the saved ones.
  m.reset();
  m.undo(a);
  assert.deepEqual(arr(m.overlay.ranges()[0].base), [0x11, 0x22]);
});

test('model: write-through edits leave nothing pending and give back what was pending on undo', () => {
  const m = new EditModel();
  const seg = pattern(16);
  const p = m.apply(0, u8(0xee, 0xee), seg.slice(0, 2)); // pending
  const w = m.applyWritten(1, u8(0x77, 0x77), seg.slice(1, 3)); // written over half of it
  assert.equal(w.kind, 'write');
  assert.deepEqual(arr(w.before), [0xee, 2]);
  assert.deepEqual(arr(w.segmentBefore!), [1, 2]);
  assert.deepEqual(m.overlay.ranges().map((r) => [r.offset, arr(r.value)]), [[0, [0xee]]]);
  m.undo(w);
  assert.deepEqual(m.overlay.ranges().map((r) => [r.offset, arr(r.value)]), [[0, [0xee, 0xee]]]);
  m.redo(w);
  assert.deepEqual(m.overlay.ranges().map((r) => [r.offset, arr(r.value)]), [[0, [0xee]]]);
  m.undo(w);
  m.undo(p);
  assert.ok(m.isEmpty);
});

test('model: restore() refuses overlapping runs; dropRanges starts a new generation', () => {
  const m = new EditModel();
  assert.throws(() => m.restore([{ offset: 0, value: u8(1, 2), base: u8(0, 0) }, { offset: 1, value: u8(3), base: u8(0) }]), /overlapping/);
  m.restore([{ offset: 4, value: u8(1, 2), base: u8(0, 0) }]);
  const g = m.generation;
  m.dropRanges([{ offset: 5, length: 1 }]);
  assert.equal(m.generation, g + 1);
  assert.deepEqual(m.overlay.ranges().map((r) => [r.offset, arr(r.value)]), [[4, [1]]]);
});

// ---- conflicts, backups, validation -----------------------------------------------------

test('conflicts: a byte changed to neither the base nor our value is a conflict', async () => {
  const runs: Run[] = [
    { offset: 0, value: u8(1, 2, 3), base: u8(0, 0, 0) },
    { offset: 10, value: u8(7), base: u8(5) },
    { offset: 20, value: u8(8, 8), base: u8(6, 6) },
  ];
  const now = new Uint8Array(32);
  now.set(u8(0, 2, 0), 0); // byte 1 took our value: fine
  now[10] = 9; // conflict
  now.set(u8(6, 6), 20); // unchanged
  const c = await findConflicts(runs, async (o, l) => now.slice(o, o + l));
  assert.deepEqual(c.map((x) => [x.run.offset, x.first, x.count]), [[10, 10, 1]]);
  const text = describeConflicts(42, c);
  assert.match(text.message, /1 byte you edited in segment 42/);
  assert.match(text.detail, /0x0000000a: yours 07 · was 05 · now 09/);
});

test('backup: encode/decode round trip, and malformed backups are refused', () => {
  const data = {
    uri: 'shm:/5/0x5348d001-5?key=1397280769&cpid=10&size=64',
    identity: { id: 5, key: 0x5348d001, cpid: 10, size: 64, ctime: 1700000000 },
    runs: [{ offset: 3, value: u8(1, 2), base: u8(9, 9) }, { offset: 60, value: u8(0xff), base: u8(0) }],
  };
  const back = decodeBackup(encodeBackup(data));
  assert.deepEqual(back.identity, data.identity);
  assert.deepEqual(back.runs.map((r) => [r.offset, arr(r.value), arr(r.base)]), [[3, [1, 2], [9, 9]], [60, [0xff], [0]]]);
  assert.throws(() => decodeBackup(Buffer.from('{')), /not valid JSON/);
  assert.throws(() => decodeBackup(Buffer.from('{"format":"x"}')), /not a hex editor backup/);
  const bad = JSON.parse(Buffer.from(encodeBackup(data)).toString());
  bad.runs[1].offset = 64;
  assert.throws(() => decodeBackup(Buffer.from(JSON.stringify(bad))), /does not fit/);
});

test('validation: every webview request is checked before use', () => {
  assert.deepEqual(checkRead({ offset: 0, length: 16 }, 16), { offset: 0, length: 16 });
  assert.throws(() => checkRead({ offset: 1, length: 16 }, 16), /past the end/);
  assert.throws(() => checkRead({ offset: -1, length: 1 }, 16), /whole number/);
  assert.throws(() => checkRead({ offset: 0.5, length: 1 }, 16), /whole number/);
  assert.throws(() => checkRead({ offset: '0', length: 1 }, 16), /whole number/);
  assert.throws(() => checkRead({ offset: 0, length: MAX_READ + 1 }, 1 << 30), /larger than/);
  assert.throws(() => checkRead(null, 16), /must be an object/);
  assert.throws(() => checkEdit({ offset: 0, data: [1, 2] }, 16), /Uint8Array/);
  assert.throws(() => checkEdit({ offset: 15, data: u8(1, 2) }, 16), /past the end/);
  assert.throws(() => checkEdit({ offset: 0, data: u8() }, 16), /empty/);
  assert.throws(() => checkEdit({ offset: 0, data: u8(1), label: 5 }, 16), /label/);
  const e = checkEdit({ offset: 1, data: new Uint8Array(new ArrayBuffer(64), 8, 2) }, 16);
  assert.equal(e.data.byteLength, 2);
  assert.equal(e.data.buffer.byteLength, 2, 'edit data is copied compactly');
  assert.throws(() => checkSearch({ pattern: u8(1), mask: u8(1, 2), from: 0, max: 1 }, 16), /differ in length/);
  assert.throws(() => checkSearch({ pattern: u8(1), from: 17, max: 1 }, 16), /larger than/);
  assert.throws(() => checkSearch({ pattern: u8(1), from: 0, max: 0 }, 16), /at least 1/);
  assert.throws(() => checkSearch({ pattern: u8(1), from: 0, max: 1, backwards: 'yes' }, 16), /true or false/);
});

test('parseOffset: decimal, hex, h suffix, relative to the cursor, and range errors', () => {
  assert.deepEqual(parseOffset('4096', 0, 8192), { offset: 4096 });
  assert.deepEqual(parseOffset('0x1f', 0, 8192), { offset: 31 });
  assert.deepEqual(parseOffset('1fh', 0, 8192), { offset: 31 });
  assert.deepEqual(parseOffset('+16', 100, 8192), { offset: 116 });
  assert.deepEqual(parseOffset('-0x10', 100, 8192), { offset: 84 });
  assert.match((parseOffset('+1', undefined, 10) as { error: string }).error, /No cursor/);
  assert.match((parseOffset('10', 0, 10) as { error: string }).error, /outside/);
  assert.match((parseOffset('zz', 0, 10) as { error: string }).error, /Enter an offset/);
});

// ---- HexDocument with a scripted source ---------------------------------------------------

class FakeSource implements ByteSource {
  readonly identity = { id: 7, key: 0x5348aaaa, cpid: 100, size: 64, ctime: 1700000000 };
  bytes = pattern(64);
  writes: [number, number[]][] = [];
  readOnly = false;
  current: SourceStatus = { gone: false, dest: false };
  failWith: Error | undefined;
  get size() { return this.identity.size; }
  get info(): HexDocInfo {
    return { id: 7, key: this.identity.key, keyHex: '0x5348aaaa', size: 64, readOnly: this.readOnly, readOnlyReason: this.readOnly ? 'opened read-only' : undefined };
  }
  async read(offset: number, length: number) {
    await new Promise((r) => setImmediate(r));
    if (this.failWith) throw this.failWith;
    return this.bytes.slice(offset, offset + length);
  }
  async write(offset: number, data: Uint8Array) {
    if (this.failWith) throw this.failWith;
    this.writes.push([offset, arr(data)]);
    this.bytes.set(data, offset);
  }
  async search(q: SearchQuery): Promise<SearchResult> {
    return { offsets: [q.from], truncated: false };
  }
  async status() { return this.current; }
  async close() {}
}

function scripted(answers: ConflictAnswer[] = []) {
  const asked: string[] = [];
  const prompts: DocumentPrompts = {
    conflict: async (_d, _c, text) => { asked.push(text.message); return answers.shift(); },
    saveGone: async (_d, message) => { asked.push(message); },
  };
  return { prompts, asked };
}

function makeDoc(src = new FakeSource(), opts: { answers?: ConflictAnswer[]; writeThrough?: boolean } = {}) {
  const { prompts, asked } = scripted(opts.answers);
  const uri = { toString: () => 'shm:/7/0x5348aaaa-7' } as never;
  const doc = new HexDocument(src, { uri, prompts, writeThrough: () => !!opts.writeThrough });
  const edits: import('../../src/extension/hexEditor/editModel').EditRecord[] = [];
  const changed: unknown[] = [];
  doc.onDidEdit((r) => edits.push(r));
  doc.onDidChangeBytes((r) => changed.push(r));
  return { doc, src, asked, edits, changed };
}

test('document: reads show pending edits; save writes only the edited ranges, coalesced', async () => {
  const { doc, src, edits, changed } = makeDoc();
  await doc.edit(4, u8(0xa1), 'Typing');
  await doc.edit(5, u8(0xa2), 'Typing');
  await doc.edit(40, u8(0xb1, 0xb2));
  assert.equal(edits.length, 3);
  assert.equal(doc.isDirty, true);
  assert.deepEqual(arr(await doc.read(3, 4)), [3, 0xa1, 0xa2, 6]);
  assert.deepEqual(arr(src.bytes.subarray(4, 6)), [4, 5], 'nothing written before Save');
  src.bytes[20] = 0x55; // another process writes elsewhere: Save must not touch it
  await doc.save();
  assert.deepEqual(src.writes, [[4, [0xa1, 0xa2]], [40, [0xb1, 0xb2]]]);
  assert.equal(src.bytes[20], 0x55);
  assert.equal(doc.isDirty, false);
  assert.equal(doc.hasPendingEdits, false);
  assert.deepEqual(changed[changed.length - 1], [{ offset: 4, length: 2 }, { offset: 40, length: 2 }]);
});

test('document: edits are applied in the order they arrive, even when sent without waiting', async () => {
  const { doc, edits } = makeDoc();
  await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => doc.edit(10, u8(0x10 + i))));
  assert.deepEqual(edits.map((e) => e.after[0]), [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17]);
  assert.equal((await doc.read(10, 1))[0], 0x17);
  // Undo walks back through the same order.
  await doc.undo(edits[7]);
  await doc.undo(edits[6]);
  assert.equal((await doc.read(10, 1))[0], 0x15);
});

test('document: undo/redo, dirty tracking and undo after save (VS Code stack semantics)', async () => {
  const { doc, src, edits } = makeDoc();
  await doc.edit(0, u8(0xee));
  await doc.undo(edits[0]);
  assert.equal(doc.isDirty, false);
  assert.equal((await doc.read(0, 1))[0], 0);
  await doc.redo(edits[0]);
  assert.equal(doc.isDirty, true);
  await doc.save();
  assert.equal(src.bytes[0], 0xee);
  await doc.undo(edits[0]);
  assert.equal(doc.isDirty, true, 'undo past the save point is a change');
  assert.equal((await doc.read(0, 1))[0], 0, 'shows the old byte again');
  assert.equal(src.bytes[0], 0xee, 'pending until saved');
  await doc.save();
  assert.equal(src.bytes[0], 0);
  assert.equal(doc.isDirty, false);
});

test('document: conflicts — Overwrite, Reload Those Bytes, Cancel (nothing lost)', async () => {
  // Cancel: nothing written, still dirty, the edit still shows.
  {
    const { doc, src, asked } = makeDoc(new FakeSource(), { answers: [undefined] });
    await doc.edit(8, u8(0xaa));
    src.bytes[8] = 0x99; // another process
    await assert.rejects(doc.save(), SaveCancelled);
    assert.equal(asked.length, 1);
    assert.deepEqual(src.writes, []);
    assert.equal(doc.isDirty, true);
    assert.equal((await doc.read(8, 1))[0], 0xaa);
  }
  // Overwrite: our byte wins.
  {
    const { doc, src } = makeDoc(new FakeSource(), { answers: ['overwrite'] });
    await doc.edit(8, u8(0xaa));
    src.bytes[8] = 0x99;
    await doc.save();
    assert.equal(src.bytes[8], 0xaa);
  }
  // Reload: the conflicting range is dropped (shows the other process's byte), the rest is saved.
  {
    const { doc, src, changed } = makeDoc(new FakeSource(), { answers: ['reload'] });
    await doc.edit(8, u8(0xaa));
    await doc.edit(30, u8(0xbb));
    src.bytes[8] = 0x99;
    await doc.save();
    assert.deepEqual(src.writes, [[30, [0xbb]]]);
    assert.equal(src.bytes[8], 0x99);
    assert.equal((await doc.read(8, 1))[0], 0x99);
    assert.equal(doc.isDirty, false);
    assert.ok(changed.some((c) => Array.isArray(c) && c.some((r) => r.offset === 8)));
  }
});

test('document: read-only refuses edits with the reason; gone segments explain on Save', async () => {
  const ro = new FakeSource();
  ro.readOnly = true;
  const a = makeDoc(ro);
  await assert.rejects(a.doc.edit(0, u8(1)), /read-only \(opened read-only\)/);

  const { doc, src, asked } = makeDoc();
  await doc.edit(0, u8(1));
  src.current = { gone: true, dest: false, message: 'Segment 7 was removed.' };
  const states: boolean[] = [];
  doc.onDidChangeState((s) => states.push(s.gone));
  await doc.refreshStatus();
  assert.deepEqual(states, [true]);
  await assert.rejects(doc.save(), SaveCancelled);
  assert.match(asked[0], /Segment 7 was removed\. .*Save As/);
  assert.equal(doc.hasPendingEdits, true, 'pending edits stay');
  // Save As still works while reads do.
  const out = new Uint8Array(64);
  await doc.saveAs({ write: async (c, p) => { out.set(c, p); }, finish: async () => undefined });
  assert.equal(out[0], 1);
  assert.equal(out[1], 1);
  assert.equal(doc.isDirty, false);
});

test('document: a failing Save As sink loses nothing; write-through writes at once and undo writes back', async () => {
  const { doc } = makeDoc();
  await doc.edit(2, u8(0x42));
  await assert.rejects(doc.saveAs({ write: async () => undefined, finish: async () => { throw new Error('disk full'); } }), /disk full/);
  assert.equal(doc.isDirty, true);
  assert.equal((await doc.read(2, 1))[0], 0x42);

  const w = makeDoc(new FakeSource(), { writeThrough: true });
  await w.doc.edit(3, u8(0x33));
  assert.equal(w.src.bytes[3], 0x33);
  assert.equal(w.doc.hasPendingEdits, false);
  await w.doc.undo(w.edits[0]);
  assert.equal(w.src.bytes[3], 3);
  await w.doc.redo(w.edits[0]);
  assert.equal(w.src.bytes[3], 0x33);
});

test('document: revert drops pending edits; backups restore them (dirty from the start)', async () => {
  const { doc, changed } = makeDoc();
  await doc.edit(1, u8(0x11));
  const backup = doc.backupData();
  await doc.revert();
  assert.equal(doc.isDirty, false);
  assert.equal((await doc.read(1, 1))[0], 1);
  assert.equal(changed[changed.length - 1], 'all');

  const restored = new HexDocument(new FakeSource(), { uri: { toString: () => 'x' } as never, prompts: scripted().prompts, writeThrough: () => false, backup: decodeBackup(encodeBackup(backup)) });
  assert.equal(restored.isDirty, true);
  assert.equal((await restored.read(1, 1))[0], 0x11);
});

/** Live-inspection operations that record what reached them. */
function fakeInspect() {
  const calls: [string, ...unknown[]][] = [];
  const inspect: InspectOps = {
    exportRange: async (_d, r) => { calls.push(['exportRange', r]); return { path: '/tmp/x.bin', bytes: r.length }; },
    importFile: async (_d, o) => { calls.push(['importFile', o]); return null; },
    addBookmark: async (_d, r) => { calls.push(['addBookmark', r]); return { name: 'b', ...r, color: 'red' }; },
    removeBookmark: async (_d, n) => { calls.push(['removeBookmark', n]); },
    takeSnapshot: async () => { calls.push(['takeSnapshot']); return null; },
    compareWithSnapshot: async () => { calls.push(['compareWithSnapshot']); },
    clearDiff: () => { calls.push(['clearDiff']); },
  };
  return { inspect, calls };
}

const SETTINGS = () => ({ bytesPerRow: 16, grouping: 1, liveRefreshMs: 500, inspector: 'side', littleEndian: true }) as const;

test('handlers: validate before touching the document, return compact bytes', async () => {
  const { doc, src } = makeDoc();
  const h = createHandlers(doc, { settings: SETTINGS, copy: async () => undefined, inspect: fakeInspect().inspect });
  const ctx = { progress: () => undefined, signal: new AbortController().signal };
  const ready = await h.ready({}, ctx);
  assert.equal(ready.doc.id, 7);
  assert.equal(ready.state.dirty, false);
  const r = await h.read({ offset: 60, length: 4 }, ctx);
  assert.deepEqual(arr(r.data), [60, 61, 62, 63]);
  assert.equal(r.data.buffer.byteLength, 4);
  await assert.rejects(Promise.resolve().then(() => h.read({ offset: 61, length: 4 }, ctx)), /past the end/);
  await assert.rejects(Promise.resolve().then(() => h.edit({ offset: 0, data: 'x' } as never, ctx)), /Uint8Array/);
  await h.edit({ offset: 0, data: u8(0xfe) }, ctx);
  assert.equal(doc.isDirty, true);
  assert.deepEqual(src.writes, []);
  assert.deepEqual(await h.search({ pattern: u8(1), from: 5, max: 10 }, ctx), { offsets: [5], truncated: false });
});

test('handlers: live-inspection requests are validated, then reach the inspection operations', async () => {
  const { doc } = makeDoc();
  const { inspect, calls } = fakeInspect();
  const h = createHandlers(doc, { settings: SETTINGS, copy: async () => undefined, inspect });
  const ctx = { progress: () => undefined, signal: new AbortController().signal };
  const rejects = (f: () => unknown, re: RegExp) => assert.rejects(Promise.resolve().then(f), re);
  await rejects(() => h.exportRange({ offset: 60, length: 5 }, ctx), /exportRange: .*past the end/);
  await rejects(() => h.exportRange({ offset: 0, length: 0 }, ctx), /length must be at least 1/);
  await rejects(() => h.exportRange({ offset: -1, length: 1 }, ctx), /offset must be a whole number/);
  await rejects(() => h.importFile({ offset: 64 }, ctx), /importFile: offset 64 is past the end/);
  await rejects(() => h.importFile({ offset: '1' } as never, ctx), /whole number/);
  await rejects(() => h.addBookmark({ offset: 63, length: 2 }, ctx), /addBookmark: .*past the end/);
  await rejects(() => h.removeBookmark({ name: '' }, ctx), /non-empty string/);
  await rejects(() => h.removeBookmark({ name: 'x'.repeat(201) }, ctx), /longer than 200/);
  await rejects(() => h.takeSnapshot(null as never, ctx), /params must be an object/);
  assert.deepEqual(calls, [], 'nothing invalid reached the operations');

  assert.deepEqual(await h.exportRange({ offset: 0, length: 64 }, ctx), { path: '/tmp/x.bin', bytes: 64 });
  assert.equal(await h.importFile({ offset: 63 }, ctx), null);
  assert.deepEqual(await h.addBookmark({ offset: 8, length: 4 }, ctx), { name: 'b', offset: 8, length: 4, color: 'red' });
  assert.equal(await h.removeBookmark({ name: 'b' }, ctx), null);
  assert.equal(await h.takeSnapshot({}, ctx), null);
  assert.equal(await h.compareWithSnapshot({}, ctx), null);
  assert.equal(await h.clearDiff({}, ctx), null);
  assert.deepEqual(calls, [
    ['exportRange', { offset: 0, length: 64 }], ['importFile', 63], ['addBookmark', { offset: 8, length: 4 }],
    ['removeBookmark', 'b'], ['takeSnapshot'], ['compareWithSnapshot'], ['clearDiff'],
  ]);
});

test('document: state.pending lists the unsaved ranges exactly (joined when adjacent), through undo and save', async () => {
  const { doc, edits } = makeDoc();
  const states: unknown[] = [];
  doc.onDidChangeState((s) => states.push(s.pending));
  assert.deepEqual(doc.state.pending, []);
  await doc.edit(4, u8(1));
  await doc.edit(5, u8(2, 3));
  await doc.edit(40, u8(9));
  assert.deepEqual(doc.state.pending, [{ offset: 4, length: 3 }, { offset: 40, length: 1 }]);
  assert.deepEqual(states[states.length - 1], doc.state.pending, 'every state event carries them');
  assert.deepEqual(doc.pendingIn(5, 40).map((r) => [r.offset, arr(r.value)]), [[5, [2, 3]], [40, [9]]]);
  assert.deepEqual(doc.pendingIn(6, 1).map((r) => [r.offset, arr(r.value)]), [[6, [3]]], 'clipped to the range');
  await doc.undo(edits[1]);
  assert.deepEqual(doc.state.pending, [{ offset: 4, length: 1 }, { offset: 40, length: 1 }]);
  await doc.save();
  assert.deepEqual(doc.state.pending, []);
  assert.deepEqual(states[states.length - 1], []);
  assert.throws(() => doc.pendingIn(60, 5), RangeError);
});

test('overlay: spans() are ranges() without the bytes', () => {
  const o = new Overlay();
  o.set(5, u8(1), u8(0));
  o.set(6, u8(2, 3), u8(0, 0));
  o.set(20, u8(5), u8(0));
  assert.deepEqual(o.spans(), o.ranges().map((r) => ({ offset: r.offset, length: r.value.length })));
  assert.deepEqual(o.spans(), [{ offset: 5, length: 3 }, { offset: 20, length: 1 }]);
});

// ---- SegmentSource against the real agent --------------------------------------------------

const agentMissing = fs.existsSync(AGENT_JS) ? false : `${AGENT_JS} not built (npm run build)`;

test('segment source: read-write open, ranged reads and writes, dest after destroy, gone after the agent dies', { skip: agentMissing }, async () => {
  const seg = createSegment(8192, { key: 'random' });
  seg.attach();
  seg.writeChunk(Buffer.from(pattern(256)), 0);
  const agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 10000 });
  try {
    const src = await SegmentSource.open(agent, { id: seg.id, readOnly: false });
    assert.equal(src.info.readOnly, false);
    assert.deepEqual(arr(await src.read(250, 8)), [250, 251, 252, 253, 254, 255, 0, 0]);
    await src.write(8190, u8(0xde, 0xad));
    assert.deepEqual(arr(seg.readChunk(2, 8190)), [0xde, 0xad]);
    assert.deepEqual(await src.status(), { gone: false, dest: false });

    seg.destroy(); // we (the test) and the agent stay attached: dest
    const s = await src.status();
    assert.equal(s.dest, true);
    assert.equal(s.gone, false);
    assert.match(s.message ?? '', /destroyed/);
    assert.equal((await src.read(0, 1))[0], 0);

    seg.detach(); // the agent holds the last attachment; kill it and the segment goes
    const pid = agent.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 'agent exit');
    await waitFor(async () => (await src.status()).gone, 'gone status', 10000, 100);
    await assert.rejects(src.read(0, 1), (err: Error & { code?: string }) => ['EINVAL', 'EIDRM', 'ENOENT', 'ECHANGED'].includes(err.code ?? ''));
    await src.close();
  } finally {
    agent.dispose();
  }
});

test('segment source: after an agent crash the segment is re-attached (same identity), edits survive in the document', { skip: agentMissing }, async () => {
  const seg = createSegment(4096, { key: 'random' });
  seg.attach();
  seg.writeChunk(Buffer.from(pattern(16)), 0);
  const agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 10000 });
  try {
    const src = await SegmentSource.open(agent, { id: seg.id, expect: seg.identity(), readOnly: false });
    const { prompts } = scripted();
    const doc = new HexDocument(src, { uri: { toString: () => 'shm:/x' } as never, prompts, writeThrough: () => false });
    await doc.edit(3, u8(0xcc));
    const pid = agent.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => agent.pid === undefined, 'agent exit');
    const state = await doc.refreshStatus(); // starts a new agent and re-attaches
    assert.equal(state.gone, false);
    assert.notEqual(agent.pid, pid);
    assert.deepEqual(arr(await doc.read(2, 3)), [2, 0xcc, 4]);
    await doc.save();
    assert.equal(seg.readChunk(1, 3)[0], 0xcc);
    doc.dispose();
  } finally {
    agent.dispose();
  }
});

test('segment source: the URI asks read-only, or no write permission (EACCES) opens read-only with the reason', { skip: agentMissing }, async (t) => {
  const seg = createSegment(4096, { key: 'random', perms: 0o444 });
  const agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 10000 });
  try {
    const ro = await SegmentSource.open(agent, { id: seg.id, readOnly: true });
    assert.equal(ro.info.readOnly, true);
    assert.equal(ro.info.readOnlyReason, 'opened read-only');
    await assert.rejects(ro.write(0, u8(1)));
    await ro.close();
    await assert.rejects(SegmentSource.open(agent, { id: seg.id, readOnly: false, expect: { ...seg.identity(), cpid: 1 } }), /not the one that was opened/);
    await assert.rejects(SegmentSource.open(agent, { id: 0x7ffffff0, readOnly: false }), /No shared-memory segment with id/);
  } finally {
    agent.dispose();
  }

  const why = (await nobodyUnavailable()) ?? (haveCommand('setpriv') ? null : 'setpriv not installed');
  if (why) {
    t.diagnostic(`EACCES fallback not checked: ${why}`);
    return;
  }
  const nobodyAgent = new AgentClient({
    agentPath: AGENT_JS,
    timeoutMs: 10000,
    commandPrefix: ['setpriv', `--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups'],
  });
  try {
    const src = await SegmentSource.open(nobodyAgent, { id: seg.id, readOnly: false });
    assert.equal(src.info.readOnly, true);
    assert.match(src.info.readOnlyReason ?? '', /no write permission \(mode r--r--r--/);
    await src.close();
  } finally {
    nobodyAgent.dispose();
  }
});

test('sameSegment: a destroyed segment keeps matching with key 0; ctime tells private segments apart', () => {
  const id = { id: 1, key: 5, cpid: 2, size: 10, ctime: 1000 };
  assert.equal(sameSegment({ key: 5, cpid: 2, size: 10, ctime: 1000, dest: false }, id), true);
  assert.equal(sameSegment({ key: 0, cpid: 2, size: 10, ctime: 1000, dest: true }, id), true);
  assert.equal(sameSegment({ key: 0, cpid: 2, size: 10, ctime: 1000, dest: false }, id), false);
  assert.equal(sameSegment({ key: 5, cpid: 3, size: 10, ctime: 1000, dest: false }, id), false);
  assert.equal(sameSegment({ key: 5, cpid: 2, size: 10, ctime: 1001, dest: false }, id), false, 'same key, creator and size, created at another time');
});
