// Snapshots through the real agent: take, list, compare live and snapshot-to-snapshot; bookmarks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentClient, AgentSegment } from '../../src/agent/client';
import { SnapshotStore } from '../../src/extension/inspect/snapshots';
import { BookmarkStore } from '../../src/extension/inspect/bookmarks';

const AGENT = path.resolve(__dirname, '../../../dist/agent.js');

test('take two snapshots of a changing segment and compare them with each other and the live bytes', async () => {
  assert.ok(fs.existsSync(AGENT), `build the agent first (npm run build): ${AGENT} is missing`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-snap-'));
  const client = new AgentClient({ agentPath: AGENT });
  let seg: AgentSegment | undefined;
  let info;
  try {
    info = await client.request('create', { size: 3 * 4096 + 5, key: 0x53480000 | (process.pid & 0xffff), exclusive: true });
    seg = await AgentSegment.open(client, info.id);
    await seg.write(0, Buffer.alloc(info.size, 0x11));
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
    if (info) await client.request('destroy', { expect: { id: info.id, key: info.key, cpid: info.cpid, size: info.size } }).catch(() => undefined);
    await seg?.close();
    client.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('bookmarks are kept per key, validated against the size, replaced by name', async () => {
  const data = new Map<string, unknown>();
  const store = new BookmarkStore({ get: <T>(k: string) => data.get(k) as T | undefined, update: async (k, v) => { data.set(k, v); } });
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
