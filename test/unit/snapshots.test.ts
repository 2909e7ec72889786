// Snapshots through the real agent: take, list, compare live and snapshot-to-snapshot; bookmarks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentClient } from '../../src/extension/agent/client';
import { SegmentSource } from '../../src/extension/hexEditor/source';
import { SnapshotStore } from '../../src/extension/inspect/snapshots';
import { BookmarkStore, type MementoLike } from '../../src/extension/inspect/bookmarks';

const AGENT = path.resolve(__dirname, '../../../dist/agent.js');

test('take two snapshots of a changing segment and compare them with each other and the live bytes', async () => {
  assert.ok(fs.existsSync(AGENT), `build the agent first (npm run build): ${AGENT} is missing`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-snap-'));
  const client = new AgentClient({ agentPath: AGENT });
  let seg: SegmentSource | undefined;
  let info;
  try {
    info = await client.request('create', { size: 3 * 4096 + 5, key: 0x53480000 | (process.pid & 0xffff), exclusive: true });
    seg = await SegmentSource.open(client, { id: info.id, readOnly: false });
    await seg.write(0, new Uint8Array(info.size).fill(0x11));
    const store = new SnapshotStore(root);
    const progress: number[] = [];
    const first = await store.take(seg, 'before', { onProgress: (done) => progress.push(done) });
    assert.equal(fs.statSync(first.file).size, info.size);
    assert.equal(progress[progress.length - 1], info.size);

    await seg.write(4095, Uint8Array.of(1, 2)); // across a page boundary
    await seg.write(info.size - 1, Uint8Array.of(9));
    const live = await store.compareLive(seg, first);
    assert.deepEqual(live.ranges, [{ offset: 4095, length: 2 }, { offset: info.size - 1, length: 1 }]);
    assert.equal(live.bytes, 3);

    await new Promise((r) => setTimeout(r, 5)); // distinct names
    const second = await store.take(seg, 'after');
    assert.deepEqual(store.list(info).map((m) => m.label), ['after', 'before']);
    const between = await store.compareSnapshots(client, first, second);
    assert.deepEqual(between.ranges, live.ranges);
    assert.deepEqual((await store.compareLive(seg, second)).ranges, []);

    store.remove(first);
    assert.deepEqual(store.list(info).map((m) => m.label), ['after']);
  } finally {
    if (info) await client.request('destroy', { expect: identityOf(info) }).catch(() => undefined);
    await seg?.close();
    client.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('bookmarks are kept per key, validated against the size, replaced by name', async () => {
  const data = new Map<string, unknown>();
  const memento: MementoLike = { get: (k) => data.get(k), update: (k, v) => { data.set(k, v); return Promise.resolve(); } };
  const store = new BookmarkStore(memento);
  const seg = { id: 7, key: 0x1234, keyHex: '0x00001234', cpid: 1, size: 100 };
  await store.add(seg, { name: 'header', offset: 0, length: 16, color: 'blue' });
  await store.add(seg, { name: 'counter', offset: 64, length: 4, color: 'red' });
  await store.add(seg, { name: 'header', offset: 8, length: 8, color: 'green' });
  assert.deepEqual(store.list(seg).map((b) => [b.name, b.offset]), [['header', 8], ['counter', 64]]);
  assert.deepEqual(store.list({ ...seg, id: 99 }).length, 2, 'same key, another id: same bookmarks');
  await assert.rejects(store.add(seg, { name: 'past', offset: 98, length: 4, color: 'red' }), RangeError);
  await assert.rejects(store.add(seg, { name: ' ', offset: 0, length: 1, color: 'red' }), RangeError);
  await store.remove(seg, 'header');
  assert.deepEqual(store.list(seg).map((b) => b.name), ['counter']);
});

// ---- live inspection helpers (vscode-free) --------------------------------------------------

import { ImportCancelled, MAX_IMPORT, bytesText, exportFileName, importRefusal, patchFile, readFileChunked } from '../../src/extension/inspect/transfer';
import { diffReport, diffView, formatTime, snapshotName, summarizeDiff } from '../../src/extension/inspect/describe';
import { identityOf } from '../../src/protocol/segment';

test('snapshot store: same-millisecond snapshots get distinct names; listAll; a moved store still finds its files', async () => {
  assert.ok(fs.existsSync(AGENT), `build the agent first (npm run build): ${AGENT} is missing`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-snap-'));
  const moved = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-snap-moved-'));
  const client = new AgentClient({ agentPath: AGENT });
  let seg: SegmentSource | undefined;
  let info;
  const realNow = Date.now;
  try {
    info = await client.request('create', { size: 4096, key: 0, exclusive: true }); // private: grouped by id and creator
    seg = await SegmentSource.open(client, { id: info.id, readOnly: false });
    const store = new SnapshotStore(root);
    Date.now = () => 1_700_000_000_000;
    const a = await store.take(seg, 'a');
    const b = await store.take(seg, 'b');
    Date.now = realNow;
    assert.notEqual(a.name, b.name);
    assert.notEqual(a.file, b.file);
    assert.deepEqual(store.list(info).map((m) => m.label).sort(), ['a', 'b']);
    assert.ok(fs.existsSync(path.join(root, `private-${info.id}-${info.cpid}`)));
    assert.equal(store.listAll().length, 2);

    fs.cpSync(root, moved, { recursive: true });
    const elsewhere = new SnapshotStore(moved);
    const found = elsewhere.list(info);
    assert.equal(found.length, 2);
    assert.ok(found.every((m) => m.file.startsWith(moved)), 'file paths follow the store');
    fs.writeFileSync(path.join(moved, `private-${info.id}-${info.cpid}`, 'broken.json'), '{');
    assert.equal(elsewhere.list(info).length, 2, 'a damaged entry is skipped');
    for (const m of store.list(info)) store.remove(m);
    assert.deepEqual(store.listAll(), []);
  } finally {
    Date.now = realNow;
    if (info) await client.request('destroy', { expect: identityOf(info) }).catch(() => undefined);
    await seg?.close();
    client.dispose();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(moved, { recursive: true, force: true });
  }
});

test('export: pending pieces are patched into the file at their place in the range', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-export-'));
  try {
    const file = path.join(dir, 'r.bin');
    fs.writeFileSync(file, Buffer.alloc(16, 0xee)); // bytes [100, 116) of a segment
    const n = await patchFile(file, 100, [{ offset: 100, value: Uint8Array.of(1) }, { offset: 110, value: Uint8Array.of(2, 3) }, { offset: 115, value: Uint8Array.of(4) }]);
    assert.equal(n, 4);
    const out = fs.readFileSync(file);
    assert.equal(out.length, 16, 'the file keeps its length');
    assert.deepEqual([out[0], out[1], out[10], out[11], out[12], out[15]], [1, 0xee, 2, 3, 0xee, 4]);
    await assert.rejects(patchFile(file, 100, [{ offset: 99, value: Uint8Array.of(1) }]), RangeError);
    assert.equal(await patchFile(path.join(dir, 'missing'), 0, []), 0, 'nothing to patch: the file is not touched');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('import: refusals say why (past the end, too large, empty); files are read in chunks and can be cancelled', async () => {
  assert.match(importRefusal('f.bin', 10, 100, 100) ?? '', /Offset 0x64 is past the end/);
  assert.match(importRefusal('f.bin', 0, 0, 100) ?? '', /f\.bin is empty/);
  assert.match(importRefusal('f.bin', 20, 90, 100) ?? '', /f\.bin is 20 bytes, but only 10 bytes fit between offset 0x5a and the end/);
  assert.match(importRefusal('big.bin', MAX_IMPORT + 1, 0, 2 ** 40) ?? '', /at most 256 MiB/);
  assert.equal(importRefusal('f.bin', 10, 90, 100), undefined, 'exactly to the end fits');
  assert.equal(bytesText(1), '1 byte');
  assert.equal(bytesText(1536), '1.5 KiB (1536 bytes)');
  assert.equal(exportFileName({ id: 5, key: 0x5348, keyHex: '0x00005348' }, { offset: 16, length: 4 }, false), 'shm-0x00005348-5-0x10-4.bin');
  assert.equal(exportFileName({ id: 5, key: 0, keyHex: '0x00000000' }, { offset: 0, length: 9 }, true), 'shm-private-5.bin');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-import-'));
  try {
    const file = path.join(dir, 'in.bin');
    const data = Buffer.alloc((9 << 20) + 3);
    for (let i = 0; i < data.length; i += 4096) data[i] = (i >> 12) & 0xff;
    fs.writeFileSync(file, data);
    const progress: number[] = [];
    const read = await readFileChunked(file, { onProgress: (d) => progress.push(d) });
    assert.ok(Buffer.from(read).equals(data));
    assert.deepEqual(progress, [4 << 20, 8 << 20, data.length]);
    await assert.rejects(readFileChunked(file, { max: 1024 }), /more than 1 KiB/);
    const abort = new AbortController();
    await assert.rejects(readFileChunked(file, { signal: abort.signal, onProgress: () => abort.abort() }), ImportCancelled);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('describe: diff summaries name the first offsets; unequal sizes and truncation are said', () => {
  const r = { ranges: [{ offset: 0x10, length: 1 }, { offset: 0x400, length: 8 }], bytes: 9, truncated: false, sizes: [4096, 4096] as [number, number] };
  const d = diffView("snapshot 'a'", r);
  assert.deepEqual(d, { against: "snapshot 'a'", ranges: r.ranges, bytes: 9, truncated: false });
  assert.equal(summarizeDiff(d), '9 bytes differ in 2 ranges (0x10, 0x400–0x407)');
  assert.equal(summarizeDiff({ ranges: [], bytes: 0, truncated: false }), 'No bytes differ');
  assert.equal(summarizeDiff({ ranges: [{ offset: 1, length: 1 }], bytes: 1, truncated: false }), '1 byte differs in 1 range (0x1)');
  const many = Array.from({ length: 7 }, (_, i) => ({ offset: i * 2, length: 1 }));
  assert.equal(summarizeDiff({ ranges: many, bytes: 99, truncated: true }), '99 bytes differ in more than 7 ranges (0x0, 0x2, 0x4, 0x6, 0x8, …)');
  assert.match(diffView('x', { ...r, sizes: [4096, 8192] }).against, /x \(sizes differ: 4096 vs 8192 bytes; the first 4096 compared\)/);
  const report = diffReport('Snapshots of segment 0x1 (id 2)', ['A: a', 'B: b'], r);
  assert.match(report, /^Snapshots of segment 0x1 \(id 2\)\nA: a\nB: b\n\n9 bytes differ in 2 ranges\.\n/);
  assert.match(report, /0x400 {14} {6}8 {2}0x407\n$/);
  const now = new Date(2024, 4, 1, 12, 0, 0).getTime();
  assert.equal(formatTime(new Date(2024, 4, 1, 9, 5, 7).getTime(), now), '09:05:07');
  assert.equal(formatTime(new Date(2024, 3, 30, 9, 5, 7).getTime(), now), '2024-04-30 09:05:07');
  assert.equal(snapshotName({ label: 'before', created: new Date(2024, 4, 1, 9, 5, 7).getTime() }, now), "snapshot 'before' (09:05:07)");
});
