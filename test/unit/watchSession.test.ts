// Watch sampling in the agent (src/agent/watches.ts) through the host's WatchSession
// (src/extension/timeline/watchSession.ts), against the real bundled agent and real segments: the
// values a producer writes are in the samples, in order, decoded as their types; triggers mark and
// pause; CSV as the CLI writes it; a process attaching / detaching becomes a marker; a destroyed
// segment ends the session with one line; bad watches are refused in one line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentClient } from '../../src/extension/agent/client';
import { TEST_HOOKS_ENV } from '../../src/protocol/testHooks';
import type { Segment } from '../../src/core';
import { identityOf } from '../../src/protocol/segment';
import type { SampleBatch, WatchHostEvents, WatchMarker, WatchState } from '../../src/protocol/watch';
import { parseScalarType, type ScalarType } from '../../src/timeline/scalar';
import { WatchSession } from '../../src/extension/timeline/watchSession';
import { AGENT_JS, createViaAgent, destroyTracked, freshBundle, installCleanup, openSegment, rejectsCode, spawnAttacher, waitFor } from './helpers';

installCleanup();

const clients = new Set<AgentClient>();
function newClient(): AgentClient {
  const c = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000 });
  clients.add(c);
  return c;
}

const create = (c: AgentClient, size: number) => createViaAgent(c, size, { perms: 0o600 });

const type = (name: string): ScalarType => { const t = parseScalarType(name); assert.ok(t, name); return t; };

/** Everything a session posts, as the view would receive it. */
class Seen {
  readonly values = new Map<number, number[]>();
  readonly times = new Map<number, number[]>();
  readonly markers: WatchMarker[] = [];
  states: WatchState[] = [];
  constructor(s: WatchSession) {
    s.onPost((name, payload) => {
      if (name === 'samples') for (const b of (payload as WatchHostEvents['samples']).batches) this.addBatch(b);
      if (name === 'markers') this.markers.push(...(payload as WatchHostEvents['markers']).markers);
      if (name === 'state') this.states.push(payload as WatchState);
    });
  }
  private addBatch(b: SampleBatch): void {
    const v = this.values.get(b.id) ?? [];
    const t = this.times.get(b.id) ?? [];
    v.push(...b.v);
    t.push(...b.t);
    this.values.set(b.id, v);
    this.times.set(b.id, t);
  }
  last(id: number): number | undefined {
    const v = this.values.get(id);
    return v?.[v.length - 1];
  }
  /** The values of a watch with repeats collapsed. */
  distinct(id: number): number[] {
    return (this.values.get(id) ?? []).filter((v, i, a) => i === 0 || !Object.is(v, a[i - 1]));
  }
}

before(() => { freshBundle('agent'); });
after(() => { for (const c of clients) c.dispose(); });

describe('watch sessions on a real agent', () => {
  test('values a producer writes arrive in order, decoded as their types; CSV as the CLI writes it', async () => {
    const c = newClient();
    const info = await create(c, 8192);
    const seg: Segment = openSegment(info.id).attach();
    const session = new WatchSession(c, info, { hz: 200, batchMs: 50 });
    const seen = new Seen(session);
    try {
      const counter = await session.add({ label: '0x10:u32', offset: 0x10, type: type('u32') });
      const temp = await session.add({ label: 'temp', offset: 0x1000, type: type('f64'), unit: '°C' });
      const big = await session.add({ label: 'big', offset: 0x1008, type: type('i64') });
      assert.deepEqual(session.watches.map((w) => [w.id, w.label, w.type, w.unit]), [[counter.id, '0x10:u32', 'u32', undefined], [temp.id, 'temp', 'f64', '°C'], [big.id, 'big', 'i64', undefined]]);
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(2n ** 60n + 1n);
      seg.writeChunk(b, 0x1008);
      for (let n = 1; n <= 5; n++) {
        const u = Buffer.alloc(4);
        u.writeUInt32LE(n * 1000);
        seg.writeChunk(u, 0x10);
        const f = Buffer.alloc(8);
        f.writeDoubleLE(n + 0.5);
        seg.writeChunk(f, 0x1000);
        await waitFor(() => seen.last(counter.id) === n * 1000 && seen.last(temp.id) === n + 0.5, `value ${n} sampled`, 10000);
      }
      assert.deepEqual(seen.distinct(counter.id), [0, 1000, 2000, 3000, 4000, 5000]);
      assert.deepEqual(seen.distinct(temp.id), [0, 1.5, 2.5, 3.5, 4.5, 5.5]);
      assert.equal(seen.last(big.id), Number(2n ** 60n + 1n), 'an int64 beyond 2^53 arrives as the nearest double');
      const t = seen.times.get(counter.id) ?? [];
      assert.ok(t.every((x, i) => i === 0 || x > t[i - 1]), 'times strictly increase');
      const tTemp = seen.times.get(temp.id) ?? [];
      assert.deepEqual(tTemp, t.slice(t.length - tTemp.length), 'once added, every watch is read in the same samples');

      const csv = session.csv();
      const lines = csv.text.trimEnd().split('\n');
      assert.equal(lines[0], 't_ms,0x10:u32,temp,big');
      assert.equal(csv.rows, lines.length - 1);
      assert.ok(csv.rows >= 6);
      assert.match(lines[lines.length - 1], /^\d+\.\d{3},5000,5\.5,1152921504606846977$/, 'the CSV has the exact int64');
      const rowT = (l: string) => Number(l.split(',')[0]);
      const middle = rowT(lines[Math.floor(lines.length / 2)]);
      const cut = session.csv(middle - 0.0005, middle + 0.0005); // the CSV rounds t to 3 decimals
      assert.equal(cut.rows, 1, 'from / to limit the rows');
      assert.equal(session.samplesHeld().batches.find((x) => x.id === counter.id)?.v.length, csv.rows, 'the view gets every held sample at ready');
    } finally {
      await session.dispose();
      seg.detach();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('triggers mark the plot; a pause trigger pauses; rate and pause reach the agent', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    const seg = openSegment(info.id).attach();
    const session = new WatchSession(c, info, { hz: 100, batchMs: 50 });
    const seen = new Seen(session);
    const u = (v: number) => { const x = Buffer.alloc(4); x.writeInt32LE(v); return x; };
    try {
      const w = await session.add({ label: 'level', offset: 0, type: type('i32') });
      session.setTrigger(w.id, { kind: 'above', level: 10, action: 'mark' });
      assert.deepEqual(session.watches[0].trigger, { kind: 'above', level: 10, action: 'mark' });
      for (const v of [5, 20, 5, 30]) {
        seg.writeChunk(u(v), 0);
        await waitFor(() => seen.last(w.id) === v, `value ${v} sampled`, 10000);
      }
      const above = seen.markers.filter((m) => m.kind === 'trigger');
      assert.equal(above.length, 2, 'crossing 10 upwards twice');
      assert.deepEqual(above.map((m) => [m.id, m.text]), [[w.id, 'level above 10'], [w.id, 'level above 10']]);
      const times = seen.times.get(w.id) ?? [];
      const values = seen.values.get(w.id) ?? [];
      assert.equal(values[times.indexOf(above[0].t)], 20, 'the marker is at the sample that crossed');

      await session.setRate(250);
      assert.equal(session.state.rateHz, 250);
      session.setTrigger(w.id, { kind: 'equals', level: 42, action: 'pause' });
      seg.writeChunk(u(42), 0);
      await waitFor(() => seen.states.some((s) => s.paused), 'the pause trigger paused sampling (the view told once the agent has)', 10000);
      assert.ok(session.state.paused);
      assert.ok(seen.markers.some((m) => m.text === 'level equals 42 (paused)'));
      // Paused: a new value is not sampled until sampling resumes.
      const held = (seen.values.get(w.id) ?? []).length;
      seg.writeChunk(u(7), 0);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((seen.values.get(w.id) ?? []).length, held, 'no samples while paused');
      await session.setPaused(false);
      await waitFor(() => seen.last(w.id) === 7, 'sampled again after resuming', 10000);
      session.setTrigger(w.id, undefined);
      assert.equal(session.watches[0].trigger, undefined);
      await session.remove(w.id);
      assert.deepEqual(session.watches, []);
    } finally {
      await session.dispose();
      seg.detach();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('a snapshot trigger marks the plot with the snapshot taken (or why none was)', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    const seg = openSegment(info.id).attach();
    const taken: number[] = [];
    let fail = false;
    const session = new WatchSession(c, info, {
      hz: 100, batchMs: 50,
      snapshot: (s) => { taken.push(s.id); return fail ? Promise.reject(new Error('disk full')) : Promise.resolve(`snap-${taken.length}`); },
    });
    const seen = new Seen(session);
    try {
      const w = await session.add({ label: 'x', offset: 4, type: type('u8') });
      session.setTrigger(w.id, { kind: 'changes', action: 'snapshot' });
      seg.writeChunk(Buffer.from([9]), 4);
      await waitFor(() => seen.markers.length === 1, 'the snapshot marker', 10000);
      fail = true;
      seg.writeChunk(Buffer.from([10]), 4);
      await waitFor(() => seen.markers.length === 2, 'the failed snapshot marker', 10000);
      assert.deepEqual(seen.markers.map((m) => [m.kind, m.id, m.text]), [['trigger', w.id, "x changed (snapshot 'snap-1')"], ['trigger', w.id, 'x changed (snapshot failed: disk full)']]);
      assert.deepEqual(taken, [info.id, info.id]);
      assert.equal(session.state.paused, false);
    } finally {
      await session.dispose();
      seg.detach();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('a process attaching and detaching becomes markers; our own attachment does not', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    const session = new WatchSession(c, info, { hz: 50, batchMs: 50, statMs: 50 });
    const seen = new Seen(session);
    try {
      await session.add({ label: 'x', offset: 0, type: type('u8') });
      await waitFor(async () => (await c.request('stat', { id: info.id })).nattch === 1, 'our attachment');
      await new Promise((r) => setTimeout(r, 200)); // a few stat polls: the baseline
      assert.equal(seen.markers.length, 0, 'no marker for our own attachment');
      const child = await spawnAttacher(info.id, { readOnly: true });
      const pid = child.pid;
      await waitFor(() => seen.markers.some((m) => m.kind === 'attach'), 'attach marker', 10000);
      await child.end();
      await waitFor(() => seen.markers.some((m) => m.kind === 'detach'), 'detach marker', 10000);
      assert.deepEqual(seen.markers.map((m) => [m.kind, m.text]), [['attach', `pid ${pid} attached (nattch 1 → 2)`], ['detach', `pid ${pid} detached (nattch 2 → 1)`]]);
    } finally {
      await session.dispose();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('a destroyed segment ends the session with one line; the agent forgets the watch', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    const seg = openSegment(info.id).attach();
    const session = new WatchSession(c, info, { hz: 100, batchMs: 50 });
    const seen = new Seen(session);
    try {
      const ended = new Promise<string>((resolve) => { session.onDidEnd(resolve); });
      const w = await session.add({ label: 'x', offset: 8, type: type('u16') });
      seg.writeChunk(Buffer.from([0x34, 0x12]), 8);
      await waitFor(() => seen.last(w.id) === 0x1234, 'value sampled', 10000);
      destroyTracked(info.id, identityOf(info));
      const message = await ended;
      assert.match(message, new RegExp(`^segment ${info.id} (was destroyed|is gone): watching ended$`));
      assert.equal(session.state.message, message);
      assert.equal(seen.states[seen.states.length - 1].message, message, 'the view is told');
      await assert.rejects(session.add({ label: 'y', offset: 0, type: type('u8') }), /has ended/);
      await rejectsCode(c.request('watchSet', { watch: 1, hz: 10 }), 'EBADF');
    } finally {
      await session.dispose();
      seg.detach();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('the agent dying ends the session with one line (its watch died with it)', async () => {
    const c = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000, env: { [TEST_HOOKS_ENV]: '1' } });
    clients.add(c);
    const info = await create(c, 4096);
    const session = new WatchSession(c, info, { hz: 100, batchMs: 50 });
    try {
      const ended = new Promise<string>((resolve) => { session.onDidEnd(resolve); });
      await session.add({ label: 'x', offset: 0, type: type('u8') });
      await assert.rejects(c.request('testCrash', { signal: 'SIGSEGV' }), /killed by SIGSEGV/);
      assert.equal(await ended, 'the agent stopped: watching ended');
      assert.equal(session.state.message, 'the agent stopped: watching ended');
    } finally {
      await session.dispose();
      destroyTracked(info.id, identityOf(info));
    }
  });

  test('bad watches are refused in one line, nothing left running', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    const session = new WatchSession(c, info, { hz: 10 });
    try {
      await assert.rejects(session.add({ label: 'far', offset: 4094, type: type('u32') }), /^RangeError: watch: far \(4 bytes at 4094\) is outside segment \d+ \(4096 bytes\)$/);
      await assert.rejects(c.request('watchStart', { expect: identityOf(info), offset: 0, length: 8, hz: 5000 }), /rate must be 1 to 1000 Hz/);
      await assert.rejects(c.request('watchStart', { expect: { ...identityOf(info), cpid: 1 }, offset: 0, length: 8, hz: 10 }), /names another segment/);
      await assert.rejects(c.request('watchStart', { expect: identityOf(info), offset: 4090, length: 8, hz: 10 }), /past the end of segment/);
      assert.equal((await c.request('stat', { id: info.id })).nattch, 0, 'no attachment left behind');
      assert.deepEqual(session.watches, []);
    } finally {
      await session.dispose();
      destroyTracked(info.id, identityOf(info));
    }
  });
});
