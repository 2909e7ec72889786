// Kernel errors as ShmError: EINVAL, EACCES/EPERM across users (a child running as nobody),
// EEXIST, ENOENT; the message format "op target: text (ERRNO)".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Segment, ShmError, destroySegment, errnoName, listSegments } from '../../src/core';
import {
  type CreatedInChild, type ErrData, NOBODY, createSegment, disposeSegment, installCleanup, nobodyUnavailable, openSegment, procShm, randomKey, runNode, throwsShm, track, withSegment,
} from './helpers';

installCleanup();

const PAGE = 4096;

/** An id no segment has (ids are idx + seq*32768; the top of the range is never handed out quickly). */
function unusedId(): number {
  const ids = new Set(procShm().map((r) => r.id));
  let id = 0x7ffffff0;
  while (ids.has(id)) id--;
  return id;
}

test('EINVAL for an unknown id: open, destroy', () => {
  const id = unusedId();
  const e = throwsShm(() => Segment.open(id), 'EINVAL');
  assert.equal(e.errno, 22);
  assert.equal(e.message, `shmctl(IPC_STAT) ${id}: no segment with id ${id} (EINVAL)`);
  throwsShm(() => destroySegment(id), 'EINVAL');
});

test('EEXIST: exclusive create of a taken key', async () => {
  await withSegment(PAGE, { key: 'random' }, (seg) => {
    const e = throwsShm(() => Segment.create(PAGE, { key: seg.key, exclusive: true }), 'EEXIST');
    assert.match(e.message, /^shmget 0x5348[0-9a-f]{4}: .+ \(EEXIST\)$/);
  });
});

test('ENOENT: open by a key nobody uses', () => {
  const keys = new Set(procShm().map((r) => r.key));
  let key = randomKey();
  while (keys.has(key)) key = randomKey();
  const e = throwsShm(() => Segment.openByKey(key), 'ENOENT');
  assert.equal(e.op, 'shmget');
  assert.equal(e.errno, 2);
  assert.match(e.message, new RegExp(`^shmget 0x${key.toString(16)}: .+ \\(ENOENT\\)$`));
});

test('EINVAL: shmget of an existing key with a larger size', async () => {
  await withSegment(PAGE, { key: 'random' }, (seg) => {
    throwsShm(() => Segment.create(PAGE * 4, { key: seg.key }), 'EINVAL');
  });
});

test('errno names: known and unknown numbers', () => {
  assert.equal(errnoName(13), 'EACCES');
  assert.equal(errnoName(1), 'EPERM');
  assert.equal(errnoName(9999), 'errno 9999');
  const e = ShmError.fromErrno('shmat', 32769, 13);
  assert.equal(e.message, 'shmat 32769: permission denied (EACCES)');
  assert.equal(e.code, 'EACCES');
  assert.equal(e.op, 'shmat');
  assert.ok(e instanceof Error);
});

test('EACCES: a non-root user cannot attach root\'s 0600 segment; readable message; stat still works', async (t) => {
  const why = await nobodyUnavailable();
  if (why) { t.skip(why); return; }
  await withSegment(PAGE, { key: 'random', perms: 0o600 }, async (seg) => {
    const r = await runNode(`
      const out = {};
      try { const s = core.Segment.open(P.id); out.size = s.size; out.key = s.key;
        try { s.attach(); out.attached = true; } catch (e) { out.rw = errData(e); }
        try { s.attach({ readOnly: true }); out.attachedRo = true; } catch (e) { out.ro = errData(e); }
      } catch (e) { out.open = errData(e); }
      try { core.destroySegment(P.id); out.destroyed = true; } catch (e) { out.destroy = errData(e); }
      emit(out);
    `, { user: NOBODY, params: { id: seg.id } });
    assert.equal(r.code, 0, r.stderr);
    const out = r.result as {
      size?: number; key?: number; attached?: true; attachedRo?: true; destroyed?: true;
      open?: ErrData; rw?: ErrData; ro?: ErrData; destroy?: ErrData;
    };
    assert.equal(out.open, undefined, `open by id works from the listing: ${JSON.stringify(out.open)}`);
    assert.equal(out.size, PAGE);
    assert.equal(out.key, seg.key);
    assert.equal(out.attached, undefined);
    assert.deepEqual(out.rw, { name: 'ShmError', code: 'EACCES', op: 'shmat', message: `shmat ${seg.id}: permission denied (EACCES)` });
    assert.equal(out.ro?.code, 'EACCES');
    assert.equal(out.destroyed, undefined, 'nobody must not remove root\'s segment');
    assert.equal(out.destroy?.code, 'EPERM');
    assert.match(out.destroy.message ?? '', new RegExp(`^shmctl\\(IPC_RMID\\) ${seg.id}: .+ \\(EPERM\\)$`));
    assert.ok(procShm().some((row) => row.id === seg.id), 'still there');
  });
});

test('perms 0604: others may attach read-only but not read-write, and read the right bytes', async (t) => {
  const why = await nobodyUnavailable();
  if (why) { t.skip(why); return; }
  await withSegment(PAGE, { perms: 0o604 }, async (seg) => {
    seg.attach();
    const data = randomBytes(64);
    seg.writeChunk(data, 100);
    const r = await runNode(`
      const s = core.Segment.open(P.id);
      const out = {};
      try { s.attach(); } catch (e) { out.rw = errData(e); }
      s.attach({ readOnly: true });
      out.hex = s.readChunk(64, 100).toString('hex');
      try { s.writeChunk(Buffer.from([1]), 0); } catch (e) { out.write = errData(e); }
      s.detach();
      emit(out);
    `, { user: NOBODY, params: { id: seg.id } });
    assert.equal(r.code, 0, r.stderr);
    const out = r.result as { rw?: ErrData; hex: string; write?: ErrData };
    assert.equal(out.rw?.code, 'EACCES');
    assert.equal(out.hex, data.toString('hex'));
    assert.equal(out.write?.code, 'EROFS');
  });
});

test('a segment created by a non-root user is read by root', async (t) => {
  const why = await nobodyUnavailable();
  if (why) { t.skip(why); return; }
  const r = await runNode(`
    const s = core.Segment.create(P.size, { perms: 0o600 });
    track(s.id);
    s.attach();
    const data = require('crypto').randomBytes(P.size);
    s.writeChunk(data, 0);
    s.detach();
    emit({ id: s.id, key: s.key, cpid: s.cpid, hex: data.toString('hex') });
  `, { user: NOBODY, params: { size: 3000 } });
  assert.equal(r.code, 0, r.stderr);
  const { id, key, cpid, hex } = r.result as CreatedInChild & { hex: string };
  track(id, { id, key, cpid, size: 3000 });
  const seg = openSegment(id);
  try {
    const st = seg.stat();
    assert.equal(st.uid, NOBODY.uid);
    assert.equal(st.cuid, NOBODY.uid);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.user, 'nobody');
    assert.equal(st.creatorAlive, false, 'the creator has exited');
    assert.equal(st.creatorCommand, null);
    seg.attach({ readOnly: true });
    assert.equal(seg.readChunk(3000, 0).toString('hex'), hex);
    const listed = listSegments().find((s) => s.id === id);
    assert.equal(listed?.user, 'nobody');
  } finally {
    disposeSegment(seg);
  }
});

test('ShmError travels as plain data: name, code, op, message survive JSON', () => {
  const seg = createSegment(PAGE);
  disposeSegment(seg);
  try {
    seg.attach();
    assert.fail('attach of a removed segment must fail');
  } catch (err) {
    const e = err as ShmError;
    const copy = JSON.parse(JSON.stringify({ name: e.name, code: e.code, op: e.op, message: e.message })) as unknown;
    assert.deepEqual(copy, { name: 'ShmError', code: 'EINVAL', op: 'shmat', message: e.message });
    assert.match(e.message, /\(EINVAL\)$/);
  }
});
