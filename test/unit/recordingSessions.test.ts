// Recording in the agent (src/agent/recordings.ts) through the host's RecordingSessions
// (src/extension/timeline/sessions.ts), against the real bundled agent and real segments: known
// values written while recording are in the file's frames, in order; a destroyed segment ends
// the recording with its file readable; a restarted agent writes its recordings before leaving;
// the budget holds; the agent refuses another segment and bad parameters in one line. Plus the
// pure helpers: range parsing, status text, file names, moments, deleting.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient } from '../../src/extension/agent/client';
import type { Segment } from '../../src/core';
import { identityOf, type SegmentInfo } from '../../src/protocol/segment';
import { TEST_HOOKS_ENV } from '../../src/protocol/testHooks';
import { Recording, Recorder } from '../../src/timeline/recording';
import { RecordingSessions, type Session } from '../../src/extension/timeline/sessions';
import { deleteRecording, frameFor, listRecordings } from '../../src/extension/timeline/recordingFiles';
import { formatDuration, parseRange, recordingFileName, statusText } from '../../src/extension/timeline/recordingText';
import { AGENT_JS, createViaAgent, destroyTracked, freshBundle, installCleanup, openSegment, present, procRow, spawnAttacher, rejectsCode, testTmpDir, waitFor } from './helpers';

installCleanup();

const clients = new Set<AgentClient>();
function newClient(): AgentClient {
  const c = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000 });
  clients.add(c);
  return c;
}

const create = (c: AgentClient, size: number) => createViaAgent(c, size, { perms: 0o600 });

/** A writable attachment of the test's own (the "producer"), detached by the cleanup. */
function producer(info: SegmentInfo): Segment {
  return openSegment(info.id).attach();
}

/** Waits until the agent has taken at least `n` more samples than it had (frames kept grow by n). */
async function moreFrames(sessions: RecordingSessions, s: Session, c: AgentClient, n: number): Promise<void> {
  const start = (await c.request('recordStatus', { recording: s.recording })).frames;
  await waitFor(async () => (await c.request('recordStatus', { recording: s.recording })).frames >= start + n, `${n} more frames`, 20000, 20);
}

const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };

before(() => { freshBundle('agent'); });
after(() => { for (const c of clients) c.dispose(); });

describe('recording in the agent', () => {
  test('values written while recording are in the frames, in order; Stop writes a readable file', async () => {
    const c = newClient();
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'rec-'));
    const sessions = new RecordingSessions(c, dir, 50);
    const info = await create(c, 8192);
    const seg = producer(info);
    try {
      const s = await sessions.start(info, { offset: 4096, length: 64, hz: 200, budget: 1 << 20 });
      assert.equal(sessions.list().length, 1);
      assert.equal(path.dirname(s.path), dir);
      const values = [0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555];
      for (const v of values) {
        seg.writeChunk(u32(v), 4096 + 8);
        await moreFrames(sessions, s, c, 2); // at least one whole sample after the write
      }
      await waitFor(() => s.progress.frames > 0, 'a progress poll', 20_000);
      const end = await sessions.stop(s);
      assert.equal(end.reason, 'stopped');
      assert.equal(end.writeError, undefined);
      assert.equal(sessions.list().length, 0);
      const rec = Recording.open(end.path);
      assert.equal(fs.statSync(end.path).mode & 0o777, 0o600);
      assert.equal(end.fileBytes, fs.statSync(end.path).size);
      assert.deepEqual({ ...rec.header.segment }, { ...identityOf(info) }, 'the header names the segment, creator and ctime included');
      assert.equal(rec.header.offset, 4096);
      assert.equal(rec.header.length, 64);
      assert.equal(rec.end.reason, 'stopped');
      // The values as the frames held them, repeats collapsed: exactly the sequence written.
      const seen: number[] = [];
      for (const f of rec.frames()) {
        const v = rec.at(f.frame).readUInt32LE(8);
        if (seen.at(-1) !== v) seen.push(v);
      }
      assert.deepEqual(seen.filter((v) => v !== 0), values);
      assert.deepEqual(await sessions.stop(s), end, 'stopping again gives the same end');
      const listed = await listRecordings(dir);
      assert.equal(listed.length, 1);
      assert.equal(listed[0].summary?.frames, rec.frameCount);
    } finally {
      sessions.dispose();
      seg.detach();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('a segment destroyed mid-recording ends it cleanly; the file stays readable', async () => {
    const c = newClient();
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'rec-'));
    const sessions = new RecordingSessions(c, dir, 50);
    const info = await create(c, 4096);
    const seg = producer(info);
    try {
      const s = await sessions.start(info, { offset: 0, length: 4096, hz: 100, budget: 1 << 20 });
      const ended = new Promise<{ session: Session; end: { reason: string } }>((resolve) => { sessions.onDidEnd(resolve); });
      seg.writeChunk(u32(0xcafef00d), 0);
      await moreFrames(sessions, s, c, 2);
      destroyTracked(info.id, identityOf(info)); // IPC_RMID: our attachment keeps it alive, marked SHM_DEST
      const { session, end } = await ended;
      assert.equal(session, s);
      assert.equal(end.reason, 'destroyed');
      const done = await sessions.ended(s);
      assert.match(done?.message ?? '', new RegExp(`segment ${info.id} (was destroyed|is gone)`));
      const rec = Recording.open(s.path);
      assert.equal(rec.end.reason, 'destroyed');
      assert.equal(rec.at(rec.lastFrame).readUInt32LE(0), 0xcafef00d);
      assert.equal(sessions.list().length, 0);
      await rejectsCode(c.request('recordStatus', { recording: s.recording }), 'EBADF');
    } finally {
      sessions.dispose();
      seg.detach();
    }
    assert.ok(!fs.readFileSync('/proc/sysvipc/shm', 'utf8').split('\n').some((l) => l.trim().split(/\s+/)[1] === String(info.id)), 'the segment is gone once we detached');
  });

  test('a restarted agent writes its recordings before it leaves', async () => {
    const c = newClient();
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'rec-'));
    const sessions = new RecordingSessions(c, dir, 50);
    const info = await create(c, 4096);
    try {
      const s = await sessions.start(info, { offset: 0, length: 256, hz: 100, budget: 1 << 20 });
      await moreFrames(sessions, s, c, 2);
      await c.restart();
      await waitFor(() => sessions.ended(s) !== undefined, 'the session to end', 20_000);
      const e = await present(sessions.ended(s), 'its end');
      assert.equal(e.reason, 'stopped');
      assert.match(e.message ?? '', /restarted/);
      const rec = Recording.open(s.path);
      assert.equal(rec.end.reason, 'stopped');
      assert.ok(rec.frameCount >= 2);
    } finally {
      sessions.dispose();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('two recordings of one segment at once: distinct files, each stopped on its own', async () => {
    const c = newClient();
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'rec-'));
    const sessions = new RecordingSessions(c, dir, 50);
    const info = await create(c, 4096);
    try {
      // Started in the same tick: the same millisecond, most likely.
      const [a, b] = await Promise.all([
        sessions.start(info, { offset: 0, length: 16, hz: 50, budget: 1 << 20 }),
        sessions.start(info, { offset: 16, length: 16, hz: 50, budget: 1 << 20 }),
      ]);
      assert.notEqual(a.path, b.path);
      assert.equal(sessions.list().length, 2);
      await sessions.stop(a);
      assert.deepEqual(sessions.list(), [b]);
      await sessions.stop(b);
      assert.deepEqual([Recording.open(a.path).header.offset, Recording.open(b.path).header.offset], [0, 16]);
    } finally {
      sessions.dispose();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('an agent that crashes loses its recording, and says so', async () => {
    const c = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000, env: { [TEST_HOOKS_ENV]: '1' } });
    clients.add(c);
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'rec-'));
    const sessions = new RecordingSessions(c, dir, 50);
    const info = await create(c, 4096);
    try {
      const s = await sessions.start(info, { offset: 0, length: 64, hz: 50, budget: 1 << 20 });
      await moreFrames(sessions, s, c, 1);
      await c.request('testCrash', { signal: 'SIGKILL' }).catch(() => undefined);
      await waitFor(() => sessions.ended(s) !== undefined, 'the session to end', 30_000); // a loaded machine may take seconds to reap the agent
      const e = await present(sessions.ended(s), 'its end');
      assert.equal(e.reason, 'error');
      assert.match(e.writeError ?? '', /SIGKILL.*: the recording was lost$/);
      assert.equal(fs.existsSync(s.path), false);
      assert.equal(sessions.list().length, 0);
    } finally {
      sessions.dispose();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('the budget holds with incompressible churn', async () => {
    const c = newClient();
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'rec-'));
    const sessions = new RecordingSessions(c, dir, 50);
    const info = await create(c, 16384);
    const seg = producer(info);
    try {
      const budget = 64 * 1024;
      const s = await sessions.start(info, { offset: 0, length: 16384, hz: 200, budget });
      for (let i = 0; i < 12; i++) {
        seg.writeChunk(Buffer.from(Array.from({ length: 16384 }, () => Math.floor(Math.random() * 256))), 0);
        await moreFrames(sessions, s, c, 1);
      }
      const end = await sessions.stop(s);
      assert.ok(end.fileBytes <= budget, `${end.fileBytes} bytes within the ${budget}-byte budget`);
      const rec = Recording.open(s.path);
      assert.ok(rec.firstFrame > 0, 'the oldest frames were evicted');
    } finally {
      sessions.dispose();
      seg.detach();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('footprint none: recorded through another process\'s mapping, nattch untouched; its removal ends the recording', async () => {
    const c = newClient();
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'rec-'));
    const sessions = new RecordingSessions(c, dir, 50);
    const info = await create(c, 4096);
    const holder = await spawnAttacher(info.id);
    try {
      const s = await sessions.start(info, { offset: 0, length: 4096, hz: 100, budget: 1 << 20, footprint: 'none' });
      for (const v of [0xaaaa0001, 0xaaaa0002]) {
        await holder.request({ op: 'write', offset: 0x10, hex: Buffer.from(u32(v)).toString('hex') });
        await moreFrames(sessions, s, c, 2);
        assert.equal(procRow(info.id)?.nattch, 1, 'only the holder is attached while recording');
      }
      const ended = new Promise<{ end: { reason: string } }>((resolve) => { sessions.onDidEnd(resolve); });
      destroyTracked(info.id, identityOf(info)); // marked SHM_DEST; the holder keeps it
      assert.equal((await ended).end.reason, 'destroyed');
      const rec = Recording.open(s.path);
      const seen: number[] = [];
      for (const f of rec.frames()) {
        const v = rec.at(f.frame).readUInt32LE(0x10);
        if (seen.at(-1) !== v) seen.push(v);
      }
      assert.deepEqual(seen, [0, 0xaaaa0001, 0xaaaa0002]);
    } finally {
      sessions.dispose();
      await holder.kill();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('refuses another segment, bad ranges and bad parameters, in one line each', async () => {
    const c = newClient();
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'rec-'));
    const info = await create(c, 4096);
    try {
      const base = { expect: identityOf(info), offset: 0, length: 4096, hz: 10, budget: 1 << 20, path: path.join(dir, 'x.shmrec') };
      await rejectsCode(c.request('recordStart', { ...base, expect: { ...identityOf(info), cpid: info.cpid + 1 } }), 'ECHANGED', /another segment/);
      for (const [bad, msg] of [
        [{ hz: 0 }, /rate must be 1 to 1000 Hz/],
        [{ length: 0 }, /length must be at least 1 byte/],
        [{ offset: 4000, length: 200 }, /past the end of segment/],
        [{ budget: 100 }, /budget must be at least 64 KiB/],
        [{ path: '' }, /path must be a non-empty string/],
        [{ length: 300 * 1024 * 1024 }, /at most 256 MiB are recorded at a time/],
      ] as const) {
        const err = await c.request('recordStart', { ...base, ...bad }).then(() => undefined, (e: unknown) => e as Error);
        assert.ok(err, `${JSON.stringify(bad)} is refused`);
        assert.match(err.message, msg);
        assert.doesNotMatch(err.message, /\n/);
      }
      await rejectsCode(c.request('recordStop', { recording: 999 }), 'EBADF', /no recording 999/);
      assert.deepEqual(fs.readdirSync(dir), [], 'nothing was written');
    } finally {
      destroyTracked(info.id, identityOf(info));
    }
  });
});

describe('recording helpers', () => {
  test('parseRange: empty = whole, OFFSET+LENGTH, START-END, units, errors', () => {
    assert.deepEqual(parseRange('', 4096), { ok: true, value: { offset: 0, length: 4096 } });
    assert.deepEqual(parseRange('0x100+64', 4096), { ok: true, value: { offset: 256, length: 64 } });
    assert.deepEqual(parseRange('0x100-0x200', 4096), { ok: true, value: { offset: 256, length: 256 } });
    assert.deepEqual(parseRange('0+1K', 4096), { ok: true, value: { offset: 0, length: 1024 } });
    assert.deepEqual(parseRange('', 512 * 1024 * 1024), { ok: false, error: 'at most 256 MiB are recorded at a time (512 MiB asked): choose a range' });
    assert.deepEqual(parseRange('0x1000+1M', 512 * 1024 * 1024), { ok: true, value: { offset: 4096, length: 1 << 20 } });
    for (const [t, m] of [['0x200-0x100', /must be after/], ['4000+200', /past the end/], ['abc', /not a range/], ['0x10+zz', /length/]] as const) {
      const r = parseRange(t, 4096);
      assert.match(r.ok ? 'accepted' : r.error, m, t);
    }
  });

  test('status text, durations, file names', () => {
    assert.equal(statusText([]), '');
    assert.equal(statusText([{ elapsedMs: 12345, frames: 1234, bytes: 1536 }]), '$(record) REC 12.3 s · 1,234 frames · 1.5 KiB');
    assert.match(statusText([{ elapsedMs: 1000, frames: 1, bytes: 10 }, { elapsedMs: 65000, frames: 2, bytes: 20 }]), /^\$\(record\) REC ×2 1:05 · 3 frames · 30 bytes$/);
    assert.equal(formatDuration(3_725_000), '1:02:05');
    assert.equal(recordingFileName({ id: 7, key: 0x5348d001 }, Date.UTC(2026, 0, 2, 3, 4, 5, 6)), '0x5348d001-2026-01-02T03-04-05-006Z.shmrec');
    assert.equal(recordingFileName({ id: 7, key: 0 }, 0), 'private-7-1970-01-01T00-00-00-000Z.shmrec');
  });

  test('moments by time or number, deleting only the store\'s recordings', async () => {
    const rec = new Recorder({ segment: { id: 1, key: 2, size: 16 }, offset: 0, length: 16, hz: 10, startWallMs: 0, startMonoNs: '0' });
    for (let f = 0; f < 10; f++) rec.add(f, BigInt(f * 100e6), f === 0 ? [{ offset: 0, bytes: new Uint8Array(16) }] : f % 3 === 0 ? [{ offset: 1, bytes: Uint8Array.of(f) }] : [], f === 0 ? 16 : f % 3 === 0 ? 1 : 0);
    rec.end({ reason: 'stopped' });
    const r = Recording.fromBuffer(rec.toBuffer());
    assert.equal(frameFor(r, { atMs: 650 }), 6);
    assert.equal(frameFor(r, { frame: 4 }), 4);
    assert.throws(() => frameFor(r, { frame: 42 }), /no frame 42/);
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'store-'));
    const good = path.join(dir, 'a.shmrec');
    fs.writeFileSync(good, rec.toBuffer());
    fs.writeFileSync(path.join(dir, 'b.shmrec'), 'not a recording');
    const listed = await listRecordings(dir);
    assert.equal(listed.length, 2);
    assert.match(listed.find((l) => l.file.endsWith('b.shmrec'))?.error ?? '', /b\.shmrec: .*not a recording/);
    assert.throws(() => { deleteRecording(dir, path.join(dir, '..', 'a.shmrec')); }, /not a recording of this extension's storage/);
    assert.throws(() => { deleteRecording(dir, path.join(dir, 'a.txt')); }, /not a recording/);
    deleteRecording(dir, good);
    assert.equal(fs.existsSync(good), false);
  });
});
