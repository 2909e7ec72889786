// Looking without touching: the no-footprint read mode (core NoFootprintSegment, the agent's
// open {footprint: 'none'}, AgentSegment and SegmentSource's 'auto' choice) on real segments.
// A segment held by another process is read through that process's mapping: nattch, lpid and
// shm_atime do not change. One held by nobody is attached only for each request: nattch is 0
// whenever no request is in flight. And identities include ctime, checked again after shmat.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AgentClient } from '../../src/extension/agent/client';
import { AgentSegment } from '../../src/extension/agent/agentSegment';
import { NoFootprintSegment, Segment, statSegment } from '../../src/core';
import { shmctl } from '../../src/core/libc';
import { IPC_SET, IPC_STAT, SHMID_DS } from '../../src/core/layout';
import { footprintFor, SegmentSource } from '../../src/extension/hexEditor/source';
import { identityOf } from '../../src/protocol/segment';
import { AGENT_JS, type CreatedInChild, NOBODY, createSegment, disposeSegment, installCleanup, nobodyUnavailable, rejectsCode, runNode, spawnAttacher, throwsShm, track } from './helpers';

installCleanup();

const clients: AgentClient[] = [];
function newClient(): AgentClient {
  const c = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000 });
  clients.push(c);
  return c;
}
after(() => { for (const c of clients) c.dispose(); });

/** The fields an attachment would change. */
function footprint(id: number) {
  const s = statSegment(id);
  return { nattch: s.nattch, lpid: s.lpid, atime: s.atime, dtime: s.dtime };
}

test('a segment held by another process is read through its mapping: nattch, lpid and atime unchanged', async () => {
  const seg = createSegment(1 << 20, { key: 'random' });
  const data = randomBytes(seg.size);
  seg.attach().writeChunk(data, 0);
  seg.detach();
  const holder = await spawnAttacher(seg.id);
  const client = newClient();
  try {
    const before = footprint(seg.id);
    assert.equal(before.nattch, 1);
    const a = await AgentSegment.open(client, seg.id, { footprint: 'none', expect: identityOf(statSegment(seg.id)) });
    assert.equal(a.via.kind, 'process', `via: ${JSON.stringify(a.via)}`);
    assert.deepEqual(Buffer.from(await a.read(0, 4096)), data.subarray(0, 4096));
    assert.deepEqual(Buffer.from(await a.read(seg.size - 100, 100)), data.subarray(seg.size - 100));
    // The agent's own search and dump-style jobs read the same way.
    const needle = data.subarray(700000, 700016);
    const found = await a.withHandle((handle) => client.request('search', { handle, pattern: needle, from: 0, max: 5 }));
    assert.ok(found.offsets.includes(700000));
    assert.deepEqual(footprint(seg.id), before, 'reading changed what the kernel records');
    // The holder writes; we see it at once (no copy of ours in between).
    await holder.request({ op: 'write', offset: 10, hex: 'c0ffee' });
    assert.equal(Buffer.from(await a.read(10, 3)).toString('hex'), 'c0ffee');
    assert.equal((await a.refreshVia()).kind, 'process');
    await a.close();
    assert.deepEqual(footprint(seg.id), before);
  } finally {
    await holder.end();
  }
});

test('a segment held by nobody is attached only per request: nattch is 0 between requests', async () => {
  const seg = createSegment(64 << 10, { key: 'random' });
  const data = randomBytes(seg.size);
  seg.attach().writeChunk(data, 0);
  seg.detach();
  const client = newClient();
  const a = await AgentSegment.open(client, seg.id, { footprint: 'none' });
  assert.equal(statSegment(seg.id).nattch, 0, 'opening attached something');
  assert.equal(a.via.kind, 'transient');
  assert.deepEqual(Buffer.from(await a.read(100, 1000)), data.subarray(100, 1100));
  assert.equal(statSegment(seg.id).nattch, 0, 'a read left an attachment');
  assert.equal(await a.write(5, Uint8Array.of(1, 2, 3)), 3);
  assert.equal(statSegment(seg.id).nattch, 0, 'a write left an attachment');
  const check = Segment.open(seg.id).attach({ readOnly: true });
  try {
    assert.deepEqual([...check.readChunk(3, 5)], [1, 2, 3]);
  } finally {
    check.detach();
  }
  assert.equal((await a.refreshVia()).kind, 'transient');
  await a.close();
  assert.equal(statSegment(seg.id).nattch, 0);
});

test('no footprint, read-only: a write is refused and nothing is attached', async () => {
  const seg = createSegment(4096, { key: 'random' });
  const client = newClient();
  const a = await AgentSegment.open(client, seg.id, { footprint: 'none', readOnly: true });
  assert.equal(a.readOnly, true);
  await rejectsCode(a.write(0, Uint8Array.of(1)), 'EROFS');
  assert.equal(statSegment(seg.id).nattch, 0);
  await a.close();
});

test("'auto' leaves no footprint on another user's segment and attaches to our own", async (t) => {
  assert.equal(footprintFor('auto', { uid: 5, cuid: 5 }, 0), 'none');
  assert.equal(footprintFor('auto', { uid: 0, cuid: 5 }, 0), 'attach');
  assert.equal(footprintFor('auto', { uid: 5, cuid: 0 }, 0), 'attach');
  assert.equal(footprintFor('attach', { uid: 5, cuid: 5 }, 0), 'attach');
  assert.equal(footprintFor('none', { uid: 0, cuid: 0 }, 0), 'none');
  const client = newClient();
  const mine = createSegment(4096, { key: 'random' });
  const own = await SegmentSource.open(client, { id: mine.id, readOnly: false, readMode: 'auto' });
  try {
    assert.equal(statSegment(mine.id).nattch, 1, 'our own segment keeps one attachment');
  } finally {
    await own.close();
  }
  const why = await nobodyUnavailable();
  if (why) { t.skip(why); return; }
  const r = await runNode(`const s = core.Segment.create(8192, { perms: 0o644 }); track(s.id); emit({ id: s.id, key: s.key, cpid: s.cpid });`, { user: NOBODY });
  assert.equal(r.code, 0, r.stderr);
  const made = r.result as CreatedInChild;
  track(made.id, { ...made, size: 8192 });
  const theirs = await SegmentSource.open(client, { id: made.id, readOnly: false, readMode: 'auto' });
  try {
    assert.equal(statSegment(made.id).nattch, 0, "another user's segment: nothing attached");
    assert.equal((await theirs.read(0, 16)).length, 16);
    assert.equal(statSegment(made.id).nattch, 0);
    assert.equal((await theirs.status()).via?.kind, 'transient');
  } finally {
    await theirs.close();
  }
});

test('a stat with another ctime is another segment: open and attach refuse before any byte is copied', async () => {
  const seg = createSegment(4096, { key: 'random' });
  const identity = seg.identity();
  const later = Segment.open(seg.id); // identity as of now
  // IPC_SET (same owner and mode) moves shm_ctime; wait for the next second first.
  const buf = Buffer.alloc(SHMID_DS.size);
  shmctl(seg.id, IPC_STAT, buf, 'IPC_STAT');
  // The kernel's seconds can trail Date.now() by a tick: wait until well into the next second.
  while (Date.now() < (identity.ctime + 1) * 1000 + 200) await new Promise((r) => setTimeout(r, 50));
  shmctl(seg.id, IPC_SET, buf, 'IPC_SET');
  assert.notEqual(statSegment(seg.id).ctime, identity.ctime, 'IPC_SET did not move ctime');
  throwsShm(() => later.attach(), 'ECHANGED');
  assert.equal(later.attached, false);
  assert.equal(statSegment(seg.id).nattch, 0, 'the refused attachment was not detached');
  throwsShm(() => NoFootprintSegment.open(seg.id, { expect: identity }), 'ECHANGED');
  const client = newClient();
  await rejectsCode(AgentSegment.open(client, seg.id, { expect: identity }), 'ECHANGED');
  await rejectsCode(AgentSegment.open(client, seg.id, { expect: identity, footprint: 'none' }), 'ECHANGED');
  await rejectsCode(client.request('destroy', { expect: identity }), 'ECHANGED');
  assert.equal(statSegment(seg.id).nattch, 0);
  disposeSegment(seg);
});
