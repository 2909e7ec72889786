// Live refresh on the host side (LiveWatch): what it pushes and when, with a scripted byte
// source, and against a real segment through the real agent and HexDocument while this test
// writes into the segment like another process would; and that it pauses while the agent is down
// or stopped (real crashes through the agent's test hook).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { AgentClient } from '../../src/agent/client';
import { TEST_HOOKS_ENV } from '../../src/agent/testHooks';
import type { LiveUpdate } from '../../src/protocol/webview';
import { HexDocument } from '../../src/extension/hexEditor/document';
import { LiveWatch, changedSpan } from '../../src/extension/hexEditor/liveWatch';
import { SegmentSource } from '../../src/extension/hexEditor/source';
import { checkWatch, MAX_WATCH } from '../../src/extension/hexEditor/validate';
import { AGENT_JS, createSegment, installCleanup, sleep, waitFor } from './helpers';

installCleanup();

const PERIOD = 20;
const arr = (u: Uint8Array) => Array.from(u);

/** A LiveWatch over a byte array the test changes, recording pushes and reads. */
function scripted(size = 256) {
  const bytes = new Uint8Array(size);
  const pushes: LiveUpdate[] = [];
  let active = true;
  let failure: string | null = null;
  let readDelay = 0;
  const reads: { offset: number; length: number }[] = [];
  const watch = new LiveWatch({
    read: async (offset, length) => {
      reads.push({ offset, length });
      if (readDelay) await sleep(readDelay);
      if (failure) throw new Error(failure);
      return bytes.slice(offset, offset + length);
    },
    push: (u) => pushes.push(u),
    active: () => active,
  });
  return {
    bytes, pushes, reads, watch,
    setActive: (a: boolean) => { active = a; watch.update(); },
    fail: (m: string | null) => { failure = m; },
    delayReads: (ms: number) => { readDelay = ms; },
  };
}

const periods = (n: number) => sleep(PERIOD * n + PERIOD / 2);

test('changedSpan: first to last differing byte, null when equal', () => {
  assert.equal(changedSpan(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)), null);
  assert.deepEqual(changedSpan(Uint8Array.of(1, 2, 3, 4), Uint8Array.of(1, 9, 3, 8)), { start: 1, end: 4 });
  assert.deepEqual(changedSpan(Uint8Array.of(1, 2, 3), Uint8Array.of(0, 2, 3)), { start: 0, end: 1 });
  assert.deepEqual(changedSpan(new Uint8Array(0), Uint8Array.of(5)), { start: 0, end: 1 });
});

test('live watch: the whole range first, then only the changed span, nothing while nothing changes', async () => {
  const s = scripted();
  s.bytes.set([1, 2, 3, 4], 16);
  s.watch.setPeriod(PERIOD);
  s.watch.watch({ offset: 16, length: 64 });
  try {
    await waitFor(() => s.pushes.length === 1, 'the first push');
    const first = s.pushes[0] as { offset: number; data: Uint8Array };
    assert.equal(first.offset, 16);
    assert.deepEqual(arr(first.data), arr(s.bytes.subarray(16, 80)), 'the whole watched range');
    await periods(4);
    assert.equal(s.pushes.length, 1, 'no push while nothing changes');
    assert.ok(s.reads.length >= 2, `still polling (${s.reads.length} reads)`); // not >= 4: timers slip on a busy machine
    assert.ok(s.reads.every((r) => r.offset === 16 && r.length === 64), 'only the watched range is read');

    s.bytes[20] = 0xaa;
    s.bytes[23] = 0xbb;
    s.bytes[100] = 0xcc; // outside the range: never pushed
    await waitFor(() => s.pushes.length === 2, 'the push of the change');
    assert.deepEqual(s.pushes[1], { offset: 20, data: Uint8Array.of(0xaa, 0, 0, 0xbb) }, 'from the first to the last changed byte');
    await periods(3);
    assert.equal(s.pushes.length, 2);

    s.watch.resync(); // e.g. an edit through the editor: the whole range again, once
    await waitFor(() => s.pushes.length === 3, 'the push after resync');
    assert.equal((s.pushes[2] as { data: Uint8Array }).data.length, 64);
    await periods(3);
    assert.equal(s.pushes.length, 3);
  } finally {
    s.watch.dispose();
  }
});

test('live watch: no polling while inactive, paused (length 0) or off; resumes with a whole push', async () => {
  const s = scripted();
  s.watch.setPeriod(PERIOD);
  s.watch.watch({ offset: 0, length: 32 });
  try {
    await waitFor(() => s.pushes.length === 1, 'the first push');
    s.setActive(false); // the editor tab is hidden
    const reads = s.reads.length;
    s.bytes[0] = 7;
    await periods(4);
    assert.ok(s.reads.length <= reads + 1, 'at most a read already due');
    const hiddenReads = s.reads.length;
    await periods(3);
    assert.equal(s.reads.length, hiddenReads, 'no reads while inactive');
    s.setActive(true);
    await waitFor(() => s.pushes.length === 2, 'the change after showing again');
    assert.deepEqual(s.pushes[1], { offset: 0, data: Uint8Array.of(7) });

    s.watch.watch({ offset: 0, length: 0 }); // paused in the webview
    const pausedReads = s.reads.length;
    await periods(4);
    assert.equal(s.reads.length, pausedReads, 'no reads while nothing is watched');
    s.watch.watch({ offset: 8, length: 8 });
    await waitFor(() => s.pushes.length === 3, 'a whole push after watching again');
    assert.deepEqual(s.pushes[2], { offset: 8, data: s.bytes.slice(8, 16) });

    s.watch.setPeriod(0); // the setting turned off
    const offReads = s.reads.length;
    await periods(4);
    assert.equal(s.reads.length, offReads, 'no reads when off');
  } finally {
    s.watch.dispose();
  }
});

test('live watch: a read error is pushed once per distinct message; a read older than a resync is dropped', async () => {
  const s = scripted();
  s.watch.setPeriod(PERIOD);
  s.watch.watch({ offset: 0, length: 16 });
  try {
    await waitFor(() => s.pushes.length === 1, 'the first push');
    s.fail('EIDRM: the segment was removed');
    await periods(5);
    assert.deepEqual(s.pushes.slice(1), [{ error: 'EIDRM: the segment was removed' }], 'the error once');
    s.fail(null);
    await waitFor(() => s.pushes.length === 3, 'a whole push after recovering');
    assert.equal((s.pushes[2] as { data: Uint8Array }).data.length, 16);

    // A slow read that a resync overtakes: its bytes are dropped, the next read pushes.
    s.delayReads(PERIOD * 3);
    await periods(1);
    const before = s.pushes.length;
    s.bytes[5] = 0x55;
    s.watch.resync();
    await waitFor(() => s.pushes.length > before, 'the push after the slow read');
    assert.deepEqual(s.pushes.slice(before).map((p) => (p as { data: Uint8Array }).data.length), [16], 'one whole push, from a read started after the resync');
    assert.equal((s.pushes[before] as { data: Uint8Array }).data[5], 0x55);
  } finally {
    s.watch.dispose();
  }
});

test('checkWatch: ranges inside the segment up to MAX_WATCH, anything else refused', () => {
  assert.deepEqual(checkWatch({ offset: 4000, length: 96 }, 4096), { offset: 4000, length: 96 });
  assert.deepEqual(checkWatch({ offset: 0, length: 0 }, 4096), { offset: 0, length: 0 });
  assert.throws(() => checkWatch({ offset: 4000, length: 97 }, 4096), /past the end/);
  assert.throws(() => checkWatch({ offset: -1, length: 1 }, 4096), /offset must be a whole number/);
  assert.throws(() => checkWatch({ offset: 0, length: MAX_WATCH + 1 }, 1 << 30), /larger than/);
  assert.throws(() => checkWatch({ offset: '0', length: 1 }, 4096), /offset/);
  assert.throws(() => checkWatch(null, 4096), /params must be an object/);
});

const agentMissing = fs.existsSync(AGENT_JS) ? false : `${AGENT_JS} not built (npm run build)`;

test('live watch on a real segment: bytes another process writes are pushed, pending edits included', { skip: agentMissing }, async () => {
  const seg = createSegment(4096, { key: 'random' });
  seg.attach();
  const agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 10000 });
  const pushes: LiveUpdate[] = [];
  let watch: LiveWatch | undefined;
  try {
    const src = await SegmentSource.open(agent, { id: seg.id, expect: seg.identity(), readOnly: false });
    const doc = new HexDocument(src, { uri: { toString: () => 'shm:/x' } as never, prompts: { conflict: async () => undefined, saveGone: async () => undefined }, writeThrough: () => false });
    watch = new LiveWatch({ read: (o, l) => doc.read(o, l), push: (u) => pushes.push(u), active: () => !doc.state.gone });
    doc.onDidChangeBytes(() => watch!.resync());
    watch.setPeriod(PERIOD);
    watch.watch({ offset: 0, length: 256 });
    await waitFor(() => pushes.length === 1, 'the first push');
    assert.deepEqual(arr((pushes[0] as { data: Uint8Array }).data), new Array(256).fill(0));

    // This process writes a 4-byte counter at 0x40, as a writer process would.
    for (let n = 1; n <= 3; n++) {
      const le = Buffer.alloc(4);
      le.writeUInt32LE(n * 0x01010101);
      seg.writeChunk(le, 0x40);
      await waitFor(() => pushes.length === 1 + n, `the push of counter value ${n}`);
      assert.deepEqual(pushes[n], { offset: 0x40, data: Uint8Array.from(le) });
    }
    // An edit (pending, not in the segment) shows through the view, whole range pushed once.
    await doc.edit(0x10, Uint8Array.of(0xed));
    await waitFor(() => pushes.length === 5, 'the push after the edit');
    const p = pushes[4] as { offset: number; data: Uint8Array };
    assert.equal(p.offset, 0);
    assert.equal(p.data.length, 256);
    assert.equal(p.data[0x10], 0xed);
    assert.equal(seg.readChunk(1, 0x10)[0], 0, 'the segment itself is unchanged');
    await periods(3);
    assert.equal(pushes.length, 5, 'quiet again');
    watch.dispose();
    doc.dispose();
  } finally {
    watch?.dispose();
    agent.dispose();
  }
});

test('live watch pauses while the agent is down or stopped and resumes after a restart (real agent, real crashes)', { skip: agentMissing }, async () => {
  const seg = createSegment(4096, { key: 'random' });
  seg.attach();
  // One restart allowed per minute of the injected clock: the second crash stops the client.
  const agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 10000, env: { [TEST_HOOKS_ENV]: '1' }, crashLimit: { starts: 1, windowMs: 60_000 }, now: () => 0 });
  const pushes: LiveUpdate[] = [];
  // Reads through the channel, opened in whichever agent runs. No request after a failure: that
  // would start an agent by itself, which is not what this test is about.
  const read = async (offset: number, length: number) => {
    const { handle } = await agent.request('open', { id: seg.id, readOnly: true });
    const data = await agent.request('read', { handle, offset, length });
    await agent.request('close', { handle });
    return data;
  };
  const watch = new LiveWatch({ read, push: (u) => pushes.push(u), active: () => true, agent });
  const crash = async () => {
    await assert.rejects(agent.request('testCrash', { signal: 'SIGSEGV' }), /killed by SIGSEGV/);
  };
  const lastData = () => {
    const last = pushes.filter((p): p is { offset: number; data: Uint8Array } => 'data' in p).pop();
    return last && Buffer.from(last.data).toString();
  };
  try {
    watch.setPeriod(PERIOD);
    watch.watch({ offset: 0, length: 8 });
    seg.writeChunk(Buffer.from('first...'), 0);
    await waitFor(() => lastData() === 'first...', 'the first push');

    await crash();
    assert.equal(agent.state, 'down');
    const polls = watch.polls;
    const generation = agent.generation;
    seg.writeChunk(Buffer.from('second..'), 0);
    await periods(5);
    assert.equal(agent.generation, generation, 'the paused watch started no agent');
    assert.equal(watch.polls, polls, 'no reads while the agent is down');
    assert.notEqual(lastData(), 'second..');

    await agent.request('ping', {}); // anything else that needs the agent starts one
    await waitFor(() => lastData() === 'second..', 'polling resumed with the new agent');

    await crash();
    assert.equal(agent.state, 'stopped');
    const stoppedPolls = watch.polls;
    seg.writeChunk(Buffer.from('third...'), 0);
    await periods(5);
    assert.equal(watch.polls, stoppedPolls, 'no reads while stopped');
    assert.notEqual(lastData(), 'third...');

    await agent.restart();
    await waitFor(() => lastData() === 'third...', 'polling resumed after restart()');
  } finally {
    watch.dispose();
    agent.dispose();
  }
});
