// Who is attached, from /proc/PID/maps: other processes (read-only and read-write), ourselves,
// detach and death, and an incomplete view when another user's maps cannot be read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { attachmentReport, scanAttachments } from '../../src/core';
import {
  NOBODY, installCleanup, nobodyUnavailable, openSegment, procRow, runNode, spawnAttacher, waitFor, withSegment,
} from './helpers';

installCleanup();

const PAGE = 4096;

test('two child processes (ro and rw): both pids found with the right mode, command and address', async () => {
  await withSegment(2 * PAGE, { perms: 0o600 }, async (seg) => {
    const ro = await spawnAttacher(seg.id, { readOnly: true });
    const rw = await spawnAttacher(seg.id, { readOnly: false });
    try {
      const list = scanAttachments().get(seg.id) ?? [];
      const byPid = new Map(list.map((a) => [a.pid, a]));
      assert.equal(list.length, 2, JSON.stringify(list));
      assert.equal(byPid.get(ro.pid)?.readOnly, true);
      assert.equal(byPid.get(rw.pid)?.readOnly, false);
      assert.equal(byPid.get(ro.pid)?.command, 'node');
      assert.equal(byPid.get(rw.pid)?.command, 'node');
      assert.equal(byPid.get(ro.pid)?.address, ro.address);
      assert.equal(byPid.get(rw.pid)?.address, rw.address);
      const st = seg.stat();
      assert.equal(st.nattch, 2);
      const report = attachmentReport(st);
      assert.equal(report.id, seg.id);
      assert.equal(report.nattch, 2);
      assert.equal(report.complete, true);
      assert.deepEqual(report.attachments.map((a) => a.pid).sort(), [ro.pid, rw.pid].sort());
      // the bytes one child writes are what the other reads
      const data = randomBytes(32);
      assert.deepEqual(await rw.request({ op: 'write', offset: PAGE - 16, hex: data.toString('hex') }), { written: 32 });
      assert.deepEqual(await ro.request({ op: 'read', offset: PAGE - 16, length: 32 }), { hex: data.toString('hex') });
      const refused = await ro.request({ op: 'write', offset: 0, hex: '00' }) as { error?: { code?: string } };
      assert.equal(refused.error?.code, 'EROFS');
    } finally {
      await ro.kill();
      await rw.kill();
    }
  });
});

test('our own attachments are listed too, twice if attached twice', async () => {
  await withSegment(PAGE, {}, (seg) => {
    seg.attach();
    const second = openSegment(seg.id).attach({ readOnly: true });
    try {
      const mine = (scanAttachments().get(seg.id) ?? []).filter((a) => a.pid === process.pid);
      assert.equal(mine.length, 2);
      assert.deepEqual(mine.map((a) => a.readOnly).sort(), [false, true]);
      assert.deepEqual(mine.map((a) => a.address).sort(), [seg.attachAddress.toString(16), second.attachAddress.toString(16)].sort());
      assert.equal(attachmentReport(seg.stat()).complete, true);
    } finally {
      second.detach();
    }
    assert.equal((scanAttachments().get(seg.id) ?? []).length, 1);
  });
});

test('detach and death remove attachments; nattch follows', async () => {
  await withSegment(PAGE, {}, async (seg) => {
    const a = await spawnAttacher(seg.id);
    const b = await spawnAttacher(seg.id, { readOnly: true });
    try {
      assert.equal(seg.stat().nattch, 2);
      await a.end(); // polite: detach, exit 0
      assert.equal((await a.waitExit()).code, 0);
      assert.equal(seg.stat().nattch, 1);
      assert.deepEqual((scanAttachments().get(seg.id) ?? []).map((x) => x.pid), [b.pid]);
      await b.kill(); // SIGKILL: the kernel detaches
      await waitFor(() => procRow(seg.id)?.nattch === 0, 'nattch 0 after SIGKILL');
      assert.equal(scanAttachments().get(seg.id), undefined);
      const report = attachmentReport(seg.stat());
      assert.deepEqual(report.attachments, []);
      assert.equal(report.complete, true);
    } finally {
      await a.kill();
      await b.kill();
    }
  });
});

test('a destroyed segment with an attacher left is still reported, with key 0', async () => {
  await withSegment(PAGE, { key: 'random' }, async (seg) => {
    const a = await spawnAttacher(seg.id);
    try {
      seg.destroy();
      const st = seg.stat();
      assert.equal(st.dest, true);
      const report = attachmentReport(st);
      assert.deepEqual(report.attachments.map((x) => x.pid), [a.pid]);
      assert.equal(report.complete, true);
    } finally {
      await a.kill();
    }
    await waitFor(() => !procRow(seg.id), 'removal at the last detach');
  });
});

test('as a non-root user, root\'s attachments are invisible: complete=false, n of nattch', async (t) => {
  const why = await nobodyUnavailable();
  if (why) { t.skip(why); return; }
  await withSegment(PAGE, { perms: 0o666 }, async (seg) => {
    seg.attach(); // root (this process)
    const rootChild = await spawnAttacher(seg.id, { readOnly: true });
    const nobodyChild = await spawnAttacher(seg.id, { user: NOBODY });
    try {
      assert.equal(seg.stat().nattch, 3);
      // root sees everyone
      assert.equal(attachmentReport(seg.stat()).complete, true);
      const r = await runNode(`
        const st = core.statSegment(P.id);
        const rep = core.attachmentReport(st);
        emit({ nattch: st.nattch, complete: rep.complete, pids: rep.attachments.map((a) => a.pid) });
      `, { user: NOBODY, params: { id: seg.id } });
      assert.equal(r.code, 0, r.stderr);
      const seen = r.result as { nattch: number; complete: boolean; pids: number[] };
      assert.equal(seen.nattch, 3);
      assert.equal(seen.complete, false, 'root\'s maps are unreadable to nobody');
      assert.deepEqual(seen.pids, [nobodyChild.pid], 'sees only its own user\'s attachment');
    } finally {
      await rootChild.kill();
      await nobodyChild.kill();
    }
  });
});

test('attaching a 0600 segment as nobody fails with EACCES in the child, nothing attached', async (t) => {
  const why = await nobodyUnavailable();
  if (why) { t.skip(why); return; }
  await withSegment(PAGE, { perms: 0o600 }, async (seg) => {
    await assert.rejects(spawnAttacher(seg.id, { user: NOBODY }), (e: Error & { code?: string }) => e.code === 'EACCES' && /permission denied/.test(e.message));
    assert.equal(seg.stat().nattch, 0);
  });
});
