// The hex editor's host-side model without VS Code: the overlay of pending edits, undo/redo
// across saves, conflicts, backups, request validation, the document (with a scripted byte
// source), and the segment source against the real agent and kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { AgentClient } from '../../src/extension/agent/client';
import type { SearchResult } from '../../src/protocol/agent';
import type { ByteRange, HexDocInfo } from '../../src/protocol/webview';
import { applyCandidate, backupMatches, decodeBackup, encodeBackup, orphanMessage, type BackupData } from '../../src/extension/hexEditor/backup';
import { BackupSource } from '../../src/extension/hexEditor/backupSource';
import { LastRead, describeUnread } from '../../src/extension/hexEditor/lastRead';
import { describeConflicts, findConflicts } from '../../src/extension/hexEditor/conflicts';
import { HexDocument, SaveCancelled, type ConflictAnswer, type DocumentPrompts } from '../../src/extension/hexEditor/document';
import { EditModel, Overlay, type Run } from '../../src/extension/hexEditor/editModel';
import { createHandlers, type InspectOps, type OverlayOps } from '../../src/extension/hexEditor/handlers';
import { sameSegment, type SegmentInfo } from '../../src/protocol/segment';
import { SegmentSource } from '../../src/extension/hexEditor/source';
import type { ByteSource, SearchQuery, SourceStatus } from '../../src/extension/hexEditor/byteSource';
import { MAX_READ, checkEdit, checkRead, checkSearch, parseOffset } from '../../src/extension/hexEditor/validate';
import { AGENT_JS, NOBODY, createSegment, haveCommand, installCleanup, nobodyUnavailable, present, waitFor } from './helpers';

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
  assert.deepEqual(arr(w.segmentBefore), [1, 2]);
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
  const c = await findConflicts(runs, (o, l) => Promise.resolve(now.slice(o, o + l)));
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
  const bad = JSON.parse(Buffer.from(encodeBackup(data)).toString()) as { runs: { offset: number }[] };
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
  write(offset: number, data: Uint8Array): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.writes.push([offset, arr(data)]);
    this.bytes.set(data, offset);
    return Promise.resolve();
  }
  search(q: SearchQuery): Promise<SearchResult> {
    return Promise.resolve({ offsets: [q.from], truncated: false });
  }
  status() { return Promise.resolve(this.current); }
  async close() {}
}

function scripted(answers: ConflictAnswer[] = []) {
  const asked: string[] = [];
  const prompts: DocumentPrompts = {
    conflict: (_d, _c, text) => { asked.push(text.message); return Promise.resolve(answers.shift()); },
    saveGone: (_d, message) => { asked.push(message); return Promise.resolve(); },
  };
  return { prompts, asked };
}

function makeDoc(src = new FakeSource(), opts: { answers?: ConflictAnswer[]; writeThrough?: boolean } = {}) {
  const { prompts, asked } = scripted(opts.answers);
  const uri = { toString: () => 'shm:/7/0x5348aaaa-7' } as never;
  const doc = new HexDocument(src, { uri, prompts, writeThrough: () => !!opts.writeThrough });
  const edits: import('../../src/extension/hexEditor/editModel').EditRecord[] = [];
  const changed: (ByteRange[] | 'all')[] = [];
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
  await doc.saveAs({ write: (c, p) => { out.set(c, p); return Promise.resolve(); }, finish: () => Promise.resolve() });
  assert.equal(out[0], 1);
  assert.equal(out[1], 1);
  assert.equal(doc.isDirty, false);
});

test('document: a failing Save As sink loses nothing; write-through writes at once and undo writes back', async () => {
  const { doc } = makeDoc();
  await doc.edit(2, u8(0x42));
  await assert.rejects(doc.saveAs({ write: () => Promise.resolve(), finish: () => Promise.reject(new Error('disk full')) }), /disk full/);
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
    initial: () => ({ bookmarks: [{ name: 'mark', offset: 1, length: 2, color: 'red' }], diff: null }),
    exportRange: (_d, r) => { calls.push(['exportRange', r]); return Promise.resolve({ path: '/tmp/x.bin', bytes: r.length }); },
    importFile: (_d, o) => { calls.push(['importFile', o]); return Promise.resolve(null); },
    addBookmark: (_d, r) => { calls.push(['addBookmark', r]); return Promise.resolve({ name: 'b', ...r, color: 'red' }); },
    removeBookmark: (_d, n) => { calls.push(['removeBookmark', n]); return Promise.resolve(); },
    takeSnapshot: () => { calls.push(['takeSnapshot']); return Promise.resolve(null); },
    compareWithSnapshot: () => { calls.push(['compareWithSnapshot']); return Promise.resolve(); },
    clearDiff: () => { calls.push(['clearDiff']); },
  };
  return { inspect, calls };
}

const NO_OVERLAYS: OverlayOps = {
  initial: () => Promise.resolve([]),
  apply: () => Promise.resolve(false),
  remove: () => Promise.resolve(),
  verify: () => Promise.resolve(),
};

const SETTINGS = () => ({ bytesPerRow: 16, grouping: 1, liveRefreshMs: 500, inspector: 'side', littleEndian: true }) as const;

test('handlers: validate before touching the document, return compact bytes', async () => {
  const { doc, src } = makeDoc();
  const h = createHandlers(doc, { settings: SETTINGS, copy: () => Promise.resolve(), inspect: fakeInspect().inspect, overlays: NO_OVERLAYS, watchValue: () => Promise.resolve(true) });
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

test('handlers: Watch Value requests are validated (an overlay field, or a number type that fits at the offset), then reach the Watch view', async () => {
  const { doc } = makeDoc();
  const watched: unknown[] = [];
  const h = createHandlers(doc, { settings: SETTINGS, copy: () => Promise.resolve(), inspect: fakeInspect().inspect, overlays: NO_OVERLAYS, watchValue: (_d, t) => { watched.push(t); return Promise.resolve(true); } });
  const ctx = { progress: () => undefined, signal: new AbortController().signal };
  const rejects = (f: () => unknown, re: RegExp) => assert.rejects(Promise.resolve().then(f), re);
  await rejects(() => h.watchValue({ offset: 61, type: 'uint32' }, ctx), /watchValue: 4 bytes at 61 go past the end/);
  await rejects(() => h.watchValue({ offset: 0, type: 'ascii' }, ctx), /one of the inspector's number types/);
  await rejects(() => h.watchValue({ offset: -1, type: 'u8' }, ctx), /whole number/);
  await rejects(() => h.watchValue({ overlay: '', path: 'pid' }, ctx), /non-empty string/);
  await rejects(() => h.watchValue({ overlay: 'x', path: 'a\nb' }, ctx), /field path/);
  await rejects(() => h.watchValue(null as never, ctx), /params must be an object/);
  assert.deepEqual(watched, [], 'nothing invalid reached the Watch view');
  assert.equal(await h.watchValue({ offset: 60, type: 'int32be' }, ctx), true);
  assert.equal(await h.watchValue({ overlay: '{"t":"s"}', path: '[1].hdr.seq' }, ctx), true);
  assert.deepEqual(watched, [{ offset: 60, type: 'int32be' }, { overlay: '{"t":"s"}', path: '[1].hdr.seq' }]);
});

test('handlers: live-inspection requests are validated, then reach the inspection operations', async () => {
  const { doc } = makeDoc();
  const { inspect, calls } = fakeInspect();
  const h = createHandlers(doc, { settings: SETTINGS, copy: () => Promise.resolve(), inspect, overlays: NO_OVERLAYS, watchValue: () => Promise.resolve(true) });
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

test('document: pendingSpans lists the unsaved ranges exactly (joined when adjacent, clipped on request), through undo and save', async () => {
  const { doc, edits } = makeDoc();
  const states: unknown[] = [];
  doc.onDidChangeBytes(() => states.push(doc.pendingSpans()));
  assert.deepEqual(doc.pendingSpans(), []);
  await doc.edit(4, u8(1));
  await doc.edit(5, u8(2, 3));
  await doc.edit(40, u8(9));
  assert.deepEqual(doc.pendingSpans(), [{ offset: 4, length: 3 }, { offset: 40, length: 1 }]);
  assert.deepEqual(states[states.length - 1], doc.pendingSpans(), 'every change event is followed by them');
  assert.deepEqual(doc.pendingSpans(5, 36), [{ offset: 5, length: 2 }, { offset: 40, length: 1 }], 'clipped to a window');
  assert.deepEqual(doc.pendingIn(5, 40).map((r) => [r.offset, arr(r.value)]), [[5, [2, 3]], [40, [9]]]);
  assert.deepEqual(doc.pendingIn(6, 1).map((r) => [r.offset, arr(r.value)]), [[6, [3]]], 'clipped to the range');
  await doc.undo(edits[1]);
  assert.deepEqual(doc.pendingSpans(), [{ offset: 4, length: 1 }, { offset: 40, length: 1 }]);
  await doc.save();
  assert.deepEqual(doc.pendingSpans(), []);
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
    assert.deepEqual(await src.status(), { gone: false, dest: false, via: { kind: 'attachment' } });

    seg.destroy(); // we (the test) and the agent stay attached: dest
    const s = await src.status();
    assert.equal(s.dest, true);
    assert.equal(s.gone, false);
    assert.match(s.message ?? '', /destroyed/);
    assert.equal((await src.read(0, 1))[0], 0);

    seg.detach(); // the agent holds the last attachment; kill it and the segment goes
    const pid = present(agent.pid, 'the agent\'s pid');
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
    const pid = present(agent.pid, 'the agent\'s pid');
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
  assert.equal(sameSegment({ key: 5, cpid: 0, size: 10, ctime: 1000, dest: false }, id), true, 'a creator this PID namespace cannot name is unknown, not another');
  assert.equal(sameSegment({ key: 5, cpid: 0, size: 11, ctime: 1000, dest: false }, id), false);
});

// ---- Save re-checks after the prompt; undo compares first (issue #9) ----------------------

/** Prompts that answer from a list and run `during` while "open" (another process acting meanwhile). */
function promptsWith(answers: ConflictAnswer[], during: (n: number) => void | Promise<void> = () => undefined) {
  const asked: { message: string; detail: string; canReload: boolean }[] = [];
  const prompts: DocumentPrompts = {
    conflict: async (_d, _c, text, options) => {
      asked.push({ ...text, canReload: options?.canReload !== false });
      await during(asked.length);
      return answers.shift();
    },
    saveGone: (_d, message) => { asked.push({ message, detail: '', canReload: false }); return Promise.resolve(); },
  };
  return { prompts, asked };
}

function docWith(src: ByteSource, prompts: DocumentPrompts, writeThrough = false) {
  const doc = new HexDocument(src, { uri: { toString: () => 'shm:/7' } as never, prompts, writeThrough: () => writeThrough });
  const edits: import('../../src/extension/hexEditor/editModel').EditRecord[] = [];
  doc.onDidEdit((r) => edits.push(r));
  return { doc, edits };
}

test('save: bytes another process writes while the conflict prompt is open are asked about again, never overwritten silently', async () => {
  const src = new FakeSource();
  const { prompts, asked } = promptsWith(['overwrite', undefined], (n) => {
    if (n === 1) {
      src.bytes[8] = 0x98; // the conflicting byte changes again after the user saw it
      src.bytes[30] = 0x77; // a range without conflict gets one while the prompt is open
    }
  });
  const { doc } = docWith(src, prompts);
  await doc.edit(8, u8(0xaa));
  await doc.edit(30, u8(0xbb));
  src.bytes[8] = 0x99;
  await assert.rejects(doc.save(), SaveCancelled);
  assert.equal(asked.length, 2, 'asked again');
  assert.match(asked[0].message, /Another process changed 1 byte/);
  assert.match(asked[1].message, /While Save was waiting, another process changed 2 bytes you edited in segment 7 \(2 ranges\)/);
  assert.match(asked[1].detail, /0x00000008: yours aa · was 08 · now 98/);
  assert.match(asked[1].detail, /0x0000001e: yours bb · was 1e · now 77/);
  assert.match(asked[1].detail, /Cancel: save nothing; your edits stay pending/);
  assert.deepEqual(src.writes, [], 'nothing written');
  assert.deepEqual([src.bytes[8], src.bytes[30]], [0x98, 0x77]);
  assert.equal(doc.isDirty, true);
  assert.deepEqual(arr(await doc.read(8, 1)), [0xaa]);
  assert.deepEqual(doc.pendingSpans(), [{ offset: 8, length: 1 }, { offset: 30, length: 1 }]);
});

test('save: after a second prompt, Cancel keeps what is written and leaves the rest pending; Overwrite writes', async () => {
  {
    const src = new FakeSource();
    const { prompts, asked } = promptsWith(['overwrite', undefined], (n) => { if (n === 1) src.bytes[30] = 0x77; });
    const { doc } = docWith(src, prompts);
    await doc.edit(8, u8(0xaa));
    await doc.edit(30, u8(0xbb));
    src.bytes[8] = 0x99;
    await assert.rejects(doc.save(), /Saved 1 of 2 changed ranges of segment 7/);
    assert.match(asked[1].detail, /Cancel: write nothing more \(1 range saved already\)/);
    assert.deepEqual(src.writes, [[8, [0xaa]]]);
    assert.equal(src.bytes[30], 0x77);
    assert.equal(doc.isDirty, true);
    assert.deepEqual(doc.pendingSpans(), [{ offset: 30, length: 1 }]);
    assert.deepEqual(arr(await doc.read(8, 1)), [0xaa]);
  }
  {
    const src = new FakeSource();
    const { prompts, asked } = promptsWith(['overwrite', 'overwrite'], (n) => { if (n === 1) src.bytes[8] = 0x98; });
    const { doc } = docWith(src, prompts);
    await doc.edit(8, u8(0xaa));
    src.bytes[8] = 0x99;
    await doc.save();
    assert.equal(asked.length, 2);
    assert.equal(src.bytes[8], 0xaa);
    assert.equal(doc.isDirty, false);
  }
  {
    // The byte changes back to what the prompt showed: no second prompt.
    const src = new FakeSource();
    const { prompts, asked } = promptsWith(['overwrite'], () => { src.bytes[8] = 0x99; });
    const { doc } = docWith(src, prompts);
    await doc.edit(8, u8(0xaa));
    src.bytes[8] = 0x99;
    await doc.save();
    assert.equal(asked.length, 1);
    assert.equal(src.bytes[8], 0xaa);
  }
});

test('write-through: undo and redo compare first; a byte changed by another process is asked about, and Cancel writes nothing', async () => {
  const src = new FakeSource();
  const answers: ConflictAnswer[] = [undefined, 'overwrite', undefined];
  const { prompts, asked } = promptsWith(answers);
  const { doc, edits } = docWith(src, prompts, true);
  await doc.edit(3, u8(0x33, 0x34));
  assert.deepEqual(arr(src.bytes.subarray(3, 5)), [0x33, 0x34]);
  src.bytes[4] = 0x44; // another process
  await assert.rejects(doc.undo(edits[0]), /Undo not done: another process changed 1 byte of segment 7 at 0x4 since the edit; nothing was written/);
  assert.equal(asked[0].canReload, false, 'no Reload choice for an undo');
  assert.match(asked[0].message, /Undo would overwrite 1 byte of segment 7/);
  assert.deepEqual(arr(src.bytes.subarray(3, 5)), [0x33, 0x44], 'nothing written');
  await doc.undo(edits[0]); // Overwrite
  assert.deepEqual(arr(src.bytes.subarray(3, 5)), [3, 4]);
  src.bytes[3] = 0x55;
  await assert.rejects(doc.redo(edits[0]), /Redo not done/);
  assert.deepEqual(arr(src.bytes.subarray(3, 5)), [0x55, 4]);
  // Unchanged bytes: no question.
  src.bytes[3] = 3;
  await doc.redo(edits[0]);
  assert.deepEqual(arr(src.bytes.subarray(3, 5)), [0x33, 0x34]);
  assert.equal(asked.length, 3);
});

// ---- Save As without the segment (issue #9) -------------------------------------------------

test('last read: newer bytes replace older, the cap drops the oldest ranges first, fill names the gaps', () => {
  const r = new LastRead(16);
  r.record(0, u8(1, 2, 3, 4));
  r.record(10, u8(5, 6, 7, 8));
  r.record(2, u8(9, 9)); // replaces 2..3
  const out = new Uint8Array(14);
  assert.deepEqual(r.fill(0, out), [{ offset: 4, length: 6 }]);
  assert.deepEqual(arr(out), [1, 2, 9, 9, 0, 0, 0, 0, 0, 0, 5, 6, 7, 8]);
  assert.equal(r.byteCount, 8);
  r.record(20, new Uint8Array(10).fill(0xee)); // 18 > 16: the oldest (0..1) goes
  assert.equal(r.byteCount, 16);
  const again = new Uint8Array(4);
  assert.deepEqual(r.fill(0, again), [{ offset: 0, length: 2 }]);
  assert.deepEqual(arr(again), [0, 0, 9, 9]);
  r.record(100, new Uint8Array(40).fill(1)); // larger than the cap: its last 16 bytes are kept
  assert.equal(r.byteCount, 16);
  assert.deepEqual(r.fill(100, new Uint8Array(40)), [{ offset: 100, length: 24 }]);
  assert.equal(describeUnread([{ offset: 0x1000, length: 0x1000 }]), 'bytes 0x1000–0x1fff were never read and are zeros in the file');
  assert.equal(describeUnread([{ offset: 5, length: 1 }]), 'byte 0x5 was never read and is a zero in the file');
});

test('save as: once the segment is gone, writes the bytes last read plus the edits, zeros elsewhere, and names what was never read', async () => {
  const src = new FakeSource();
  const { prompts } = promptsWith([]);
  const { doc } = docWith(src, prompts);
  await doc.read(0, 16);
  await doc.edit(40, u8(0xbb, 0xbc));
  src.bytes.fill(0xff); // later changes nobody read
  src.failWith = Object.assign(new Error('segment removed'), { code: 'EIDRM' });
  src.current = { gone: true, dest: false, message: 'Segment 7 was removed.' };
  const out = new Uint8Array(64).fill(0xcc);
  const result = await doc.saveAs({ write: (c, p) => { out.set(c, p); return Promise.resolve(); }, finish: () => Promise.resolve() });
  const want = new Uint8Array(64);
  want.set(pattern(16));
  want.set(u8(0xbb, 0xbc), 40);
  assert.deepEqual(arr(out), arr(want));
  assert.deepEqual(result.unread, [{ offset: 16, length: 24 }, { offset: 42, length: 22 }]);
  assert.equal(describeUnread(result.unread), 'bytes 0x10–0x27, 0x2a–0x3f were never read and are zeros in the file');
  assert.equal(doc.isDirty, false);
});

// ---- backups of a segment that is gone or changed (issue #9) --------------------------------

function info(over: Partial<SegmentInfo>): SegmentInfo {
  return {
    id: 9, key: 0x5348aaaa, keyHex: '', size: 64, mode: 0o600, perms: 'rw-------', uid: 0, gid: 0, user: 'root', cuid: 0, cgid: 0,
    nattch: 0, cpid: 200, lpid: 0, atime: 0, dtime: 0, ctime: 1800000000, rss: 0, swap: 0, dest: false, locked: false, hugetlb: null,
    creatorCommand: null, creatorAlive: false, creatorVisible: true, stale: false, ...over,
  };
}

test('backup: matches only its own segment (ctime included; a backup without ctime matches nothing); the apply target has its key and room', () => {
  const identity = { id: 7, key: 0x5348aaaa, cpid: 100, size: 64, ctime: 1700000000 };
  const backup: BackupData = { uri: 'shm:/7', identity, runs: [{ offset: 40, value: u8(1, 2), base: u8(40, 41) }] };
  assert.equal(backupMatches(identity, { ...identity }), true);
  assert.equal(backupMatches(identity, { ...identity, ctime: 1700000001 }), false);
  assert.equal(backupMatches({ ...identity, ctime: -1 }, { ...identity, ctime: -1 }), false, 'no ctime: matches nothing');
  const old = JSON.parse(Buffer.from(encodeBackup(backup)).toString()) as { identity: { ctime?: number } };
  delete old.identity.ctime;
  assert.equal(decodeBackup(Buffer.from(JSON.stringify(old))).identity.ctime, -1);

  assert.equal(applyCandidate(backup, [info({ key: 0x11 }), info({ id: 3, size: 41 })]), undefined, 'other key; too small for the edit at 40..41');
  assert.equal(applyCandidate(backup, [info({ id: 3, dest: true })]), undefined, 'marked for destruction');
  assert.equal(applyCandidate(backup, [info({ id: 3, size: 42 })])?.id, 3);
  assert.equal(applyCandidate({ ...backup, identity: { ...identity, key: 0 } }, [info({ key: 0 })]), undefined, 'private keys name nothing');

  assert.match(orphanMessage(backup, undefined), /^Segment 7 \(key 0x5348aaaa\) has 1 unsaved edit from a backup, but it no longer exists\. Nothing was written/);
  assert.match(orphanMessage(backup, { ...identity, id: 7, cpid: 5 }), /the id now names another segment \(key 0x5348aaaa, creator 5, 64 bytes\)/);
  assert.match(orphanMessage({ ...backup, identity: { ...identity, ctime: -1 } }, identity), /older version/);
});

test('backup of a gone segment: the document keeps the edits, Save explains, Save As writes the backup bytes, saveTo applies them with the conflict check', async () => {
  const identity = { id: 7, key: 0x5348aaaa, cpid: 100, size: 64, ctime: 1700000000 };
  const backup: BackupData = { uri: 'shm:/7', identity, runs: [{ offset: 4, value: u8(0xa4, 0xa5), base: u8(4, 5) }, { offset: 20, value: u8(0xb4), base: u8(20) }] };
  const { prompts, asked } = promptsWith([undefined, 'overwrite']);
  const source = new BackupSource(identity, orphanMessage(backup, undefined));
  const doc = new HexDocument(source, { uri: { toString: () => 'shm:/7' } as never, prompts, writeThrough: () => false, backup });
  const state = await doc.refreshStatus();
  assert.equal(state.gone, true);
  assert.match(state.message ?? '', /no longer exists/);
  await assert.rejects(doc.read(0, 1), /no longer exists/);
  await assert.rejects(doc.save(), SaveCancelled);
  assert.match(asked[0].message, /no longer exists\. .*Save As/);
  assert.equal(doc.isDirty, true);

  // Apply to another segment with the key: conflict against the base bytes (20 changed there).
  const target = new FakeSource();
  target.bytes[20] = 0x99;
  await assert.rejects(doc.saveTo(target), SaveCancelled);
  assert.deepEqual(target.writes, []);
  await doc.saveTo(target); // Overwrite
  assert.deepEqual(target.writes, [[4, [0xa4, 0xa5]], [20, [0xb4]]]);
  assert.equal(doc.isDirty, false);

  // Save As of a restored backup: bases and values, zeros elsewhere, named.
  const again = new HexDocument(new BackupSource(identity, 'gone'), { uri: { toString: () => 'x' } as never, prompts, writeThrough: () => false, backup });
  const out = new Uint8Array(64).fill(0xcc);
  const { unread } = await again.saveAs({ write: (c, p) => { out.set(c, p); return Promise.resolve(); }, finish: () => Promise.resolve() });
  const want = new Uint8Array(64);
  want.set(u8(0xa4, 0xa5), 4);
  want[20] = 0xb4;
  assert.deepEqual(arr(out), arr(want));
  assert.deepEqual(unread, [{ offset: 0, length: 4 }, { offset: 6, length: 14 }, { offset: 21, length: 43 }]);

  const small = new FakeSource();
  Object.defineProperty(small, 'size', { value: 16 });
  const third = new HexDocument(new BackupSource(identity, 'gone'), { uri: { toString: () => 'y' } as never, prompts, writeThrough: () => false, backup });
  await assert.rejects(third.saveTo(small), /reach byte 21 but segment 7 has only 16/);
  assert.equal(third.hasPendingEdits, true);
});

test('real segment: a write by another attacher while the conflict prompt is open is asked about, Cancel keeps it; Save As after the segment is gone', { skip: agentMissing }, async () => {
  const seg = createSegment(8192, { key: 'random' });
  seg.attach();
  seg.writeChunk(Buffer.from(pattern(256)), 0);
  const agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 10000 });
  try {
    const src = await SegmentSource.open(agent, { id: seg.id, expect: seg.identity(), readOnly: false });
    const { prompts, asked } = promptsWith(['overwrite', undefined], (n) => {
      if (n === 1) seg.writeChunk(Buffer.from([0x77]), 200); // this test process is the other attacher
    });
    const { doc } = docWith(src, prompts);
    assert.deepEqual(arr(await doc.read(0, 256)), arr(pattern(256)));
    await doc.edit(100, u8(0xaa));
    await doc.edit(200, u8(0xbb));
    seg.writeChunk(Buffer.from([0x99]), 100);
    await assert.rejects(doc.save(), SaveCancelled);
    assert.equal(asked.length, 2);
    assert.match(asked[1].detail, /0x000000c8: yours bb · was c8 · now 77/);
    assert.deepEqual(arr(seg.readChunk(1, 100)), [0xaa], 'the conflict the user chose to overwrite is written');
    assert.deepEqual(arr(seg.readChunk(1, 200)), [0x77], 'the change made during the prompt is not overwritten');
    assert.deepEqual(doc.pendingSpans(), [{ offset: 200, length: 1 }]);

    // The segment goes (removed, last attachment dropped): Save As still keeps everything read and edited.
    seg.destroy();
    seg.detach();
    const pid = present(agent.pid, 'the agent\'s pid');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => agent.pid === undefined, 'agent exit');
    await waitFor(async () => (await doc.refreshStatus()).gone, 'gone status', 10000, 100);
    const out = new Uint8Array(8192).fill(0xcc);
    const { unread } = await doc.saveAs({ write: (c, p) => { out.set(c, p); return Promise.resolve(); }, finish: () => Promise.resolve() });
    const want = new Uint8Array(8192);
    want.set(pattern(256));
    want[100] = 0xaa;
    want[200] = 0xbb;
    assert.deepEqual(arr(out.subarray(0, 256)), arr(want.subarray(0, 256)));
    assert.ok(out.subarray(256).every((b) => b === 0), 'never read: zeros');
    assert.deepEqual(unread, [{ offset: 256, length: 8192 - 256 }]);
    doc.dispose();
  } finally {
    agent.dispose();
  }
});

test('export without a dump in the source: the range as the user sees it (pending edits in) goes into a new 0600 file, through read()', async () => {
  const { exportRange } = await import('../../src/extension/hexEditor/exportFile');
  const os = await import('node:os');
  const path = await import('node:path');
  const { doc, src } = makeDoc();
  await doc.edit(10, Uint8Array.of(0xaa, 0xbb));
  await doc.edit(40, Uint8Array.of(0xcc));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-export-'));
  try {
    const file = path.join(dir, 'part.bin');
    const progress: number[] = [];
    const patched = await exportRange(doc, file, { offset: 8, length: 30 }, { onProgress: (done) => progress.push(done) });
    const want = Uint8Array.from(src.bytes.subarray(8, 38));
    want.set([0xaa, 0xbb], 2);
    assert.deepEqual([...fs.readFileSync(file)], [...want]);
    assert.equal(patched, 2, 'the pending bytes inside the range');
    assert.deepEqual(progress, [30]);
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
    await assert.rejects(exportRange(doc, file, { offset: 0, length: 4 }), /EEXIST/, 'never over an existing file');
    assert.deepEqual(src.writes, [], 'the segment is not written');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
