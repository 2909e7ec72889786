// The viewport subscription on the host side (Viewport): what it pushes and when, with a
// scripted byte source, and against a real segment through the real agent and HexDocument while
// this test writes into the segment like another process would; and that polling pauses while
// the agent is down or stopped (real crashes through the agent's test hook).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { AgentClient } from '../../src/extension/agent/client';
import { TEST_HOOKS_ENV } from '../../src/protocol/testHooks';
import type { ByteRange, ViewUpdate } from '../../src/protocol/webview';
import { decodeViewData, encodeViewData, HEX_MAX, type ViewData } from '../../src/protocol/viewData';
import { HexDocument } from '../../src/extension/hexEditor/document';
import { Viewport, changedSpan } from '../../src/extension/hexEditor/viewport';
import { SegmentSource } from '../../src/extension/hexEditor/source';
import { checkWatch, MAX_WATCH } from '../../src/extension/hexEditor/validate';
import type { LiveSink } from '../../src/extension/hexEditor/byteSource';
import { type ReadFn, Sampler } from '../../src/timeline/sampler';
import { AGENT_JS, createSegment, installCleanup, sleep, waitFor } from './helpers';

installCleanup();

const PERIOD = 20;
const arr = (u: ViewData) => Array.from(decodeViewData(u));

/** A push without its window: bytes (with cause and pending) or an error. */
function plain(u: ViewUpdate): unknown {
  if ('error' in u) return { error: u.error };
  return { offset: u.offset, data: arr(u.data), pending: u.pending, cause: u.cause };
}

/** A Viewport over a byte array the test changes, recording pushes and reads. */
function scripted(size = 256) {
  const bytes = new Uint8Array(size);
  const pushes: ViewUpdate[] = [];
  let pending: ByteRange[] = [];
  let active = true;
  let failure: string | null = null;
  let readDelay = 0;
  const reads: { offset: number; length: number }[] = [];
  const view = new Viewport({
    source: {
      read: async (offset, length) => {
        reads.push({ offset, length });
        if (readDelay) await sleep(readDelay);
        if (failure) throw new Error(failure);
        return bytes.slice(offset, offset + length);
      },
      pendingSpans: () => pending,
      viewOf: (_offset, segment) => segment.slice(),
      // Live refresh: the real sampling engine (the agent's Sampler) over the test's bytes.
      sample: (range, hz, batchMs, sink) => sampleBytes((offset, length, into) => {
        reads.push({ offset, length });
        if (failure) throw new Error(failure);
        into.set(bytes.subarray(offset, offset + length));
      }, range, hz, batchMs, sink),
    },
    push: (u) => pushes.push(u),
    active: () => active,
  });
  return {
    bytes, pushes, reads, view,
    setPending: (p: ByteRange[]) => { pending = p; },
    setActive: (a: boolean) => { active = a; view.update(); },
    fail: (m: string | null) => { failure = m; },
    delayReads: (ms: number) => { readDelay = ms; },
  };
}

const periods = (n: number) => sleep(PERIOD * n + PERIOD / 2);

/** A Sampler over bytes this process reads (`read` fills `into`), handing `sink` its changes as the agent's pushed watch does. */
function sampleBytes(read: ReadFn, range: ByteRange, hz: number, batchMs: number, sink: LiveSink): { dispose(): void } {
  let on = true;
  const sampler = new Sampler({
    read, offset: range.offset, length: range.length, hz, batchMs,
    onBatch: (batch) => {
      const spans = batch.flatMap((x) => x.spans.map((sp) => ({ offset: range.offset + sp.offset, bytes: sp.bytes })));
      if (on && spans.length > 0) sink.changed(spans);
    },
    onError: (err) => { if (on) sink.ended(String(err)); },
  });
  try {
    sampler.start();
  } catch (err) {
    queueMicrotask(() => { if (on) sink.ended(String(err)); });
  }
  return { dispose: () => { on = false; sampler.stop(); } };
}

test('changedSpan: first to last differing byte, null when equal', () => {
  assert.equal(changedSpan(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)), null);
  assert.deepEqual(changedSpan(Uint8Array.of(1, 2, 3, 4), Uint8Array.of(1, 9, 3, 8)), { start: 1, end: 4 });
  assert.deepEqual(changedSpan(Uint8Array.of(1, 2, 3), Uint8Array.of(0, 2, 3)), { start: 0, end: 1 });
  assert.deepEqual(changedSpan(new Uint8Array(0), Uint8Array.of(5)), { start: 0, end: 1 });
});

test('viewport: the whole window first, then only the changed span, nothing while nothing changes', async () => {
  const s = scripted();
  s.bytes.set([1, 2, 3, 4], 16);
  s.view.setPeriod(PERIOD);
  s.view.watch({ offset: 16, length: 64, live: true });
  try {
    await waitFor(() => s.pushes.length === 1, 'the first push');
    assert.deepEqual(plain(s.pushes[0]), { offset: 16, data: arr(s.bytes.subarray(16, 80)), pending: [], cause: 'all' }, 'the whole window');
    assert.deepEqual(s.pushes[0].window, { offset: 16, length: 64 });
    await periods(4);
    assert.equal(s.pushes.length, 1, 'no push while nothing changes');
    assert.ok(s.reads.length >= 2, `still polling (${s.reads.length} reads)`); // not >= 4: timers slip on a busy machine
    assert.ok(s.reads.every((r) => r.offset === 16 && r.length === 64), 'only the window is read');

    s.bytes[20] = 0xaa;
    s.bytes[23] = 0xbb;
    s.bytes[100] = 0xcc; // outside the window: never pushed
    await waitFor(() => s.pushes.length === 2, 'the push of the change');
    assert.deepEqual(plain(s.pushes[1]), { offset: 20, data: [0xaa, 0, 0, 0xbb], pending: [], cause: 'poll' }, 'from the first to the last changed byte');
    await periods(3);
    assert.equal(s.pushes.length, 2);

    // A change made through the editor: pushed at once, only what changed, with the pending ranges.
    s.bytes[30] = 0xed;
    s.setPending([{ offset: 30, length: 1 }]);
    s.view.changed();
    await waitFor(() => s.pushes.length === 3, 'the push after the edit');
    assert.deepEqual(plain(s.pushes[2]), { offset: 30, data: [0xed], pending: [{ offset: 30, length: 1 }], cause: 'edit' });
    // Saved: the bytes stay, the pending mark goes: a push with no bytes.
    s.setPending([]);
    s.view.changed();
    await waitFor(() => s.pushes.length === 4, 'the push after the save');
    assert.deepEqual(plain(s.pushes[3]), { offset: 16, data: [], pending: [], cause: 'edit' });
    s.view.changed(); // nothing new: no message
    await periods(3);
    assert.equal(s.pushes.length, 4);
  } finally {
    s.view.dispose();
  }
});

test('viewport: no polling while inactive, not live (paused) or off, but pushes on watch and after edits; resumes', async () => {
  const s = scripted();
  s.view.setPeriod(PERIOD);
  s.view.watch({ offset: 0, length: 32, live: true });
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
    assert.deepEqual(plain(s.pushes[1]), { offset: 0, data: [7], pending: [], cause: 'poll' });

    s.view.watch({ offset: 8, length: 8, live: false }); // paused in the webview
    await waitFor(() => s.pushes.length === 3, 'the whole new window, paused or not');
    assert.deepEqual(plain(s.pushes[2]), { offset: 8, data: arr(s.bytes.slice(8, 16)), pending: [], cause: 'all' });
    const pausedReads = s.reads.length;
    s.bytes[9] = 9;
    await periods(4);
    assert.equal(s.reads.length, pausedReads, 'no polls while paused');
    assert.equal(s.pushes.length, 3);
    s.view.changed(); // an edit while paused is still shown at once (with what else changed)
    await waitFor(() => s.pushes.length === 4, 'the push after an edit while paused');
    assert.deepEqual(plain(s.pushes[3]), { offset: 9, data: [9], pending: [], cause: 'edit' });

    s.view.watch({ offset: 8, length: 8, live: true });
    await waitFor(() => s.pushes.length === 5, 'a whole push after resuming');
    s.view.setPeriod(0); // the setting turned off
    await periods(1);
    const offReads = s.reads.length;
    await periods(4);
    assert.equal(s.reads.length, offReads, 'no reads when off');
    s.view.watch({ offset: 0, length: 0, live: false }); // nothing in view: nothing read or pushed
    await periods(2);
    assert.equal(s.reads.length, offReads);
    assert.equal(s.pushes.length, 5);
  } finally {
    s.view.dispose();
  }
});

test('viewport: a read error is pushed once per distinct message; a read older than a new watch is dropped', async () => {
  const s = scripted();
  s.view.setPeriod(PERIOD);
  s.view.watch({ offset: 0, length: 16, live: true });
  try {
    await waitFor(() => s.pushes.length === 1, 'the first push');
    s.fail('EIDRM: the segment was removed');
    await periods(5);
    assert.deepEqual(s.pushes.slice(1).map(plain), [{ error: 'EIDRM: the segment was removed' }], 'the error once');
    s.fail(null);
    await waitFor(() => s.pushes.length === 3, 'a whole push after recovering');
    assert.deepEqual(plain(s.pushes[2]), { offset: 0, data: arr(s.bytes.slice(0, 16)), pending: [], cause: 'all' });

    // A slow read that a new watch overtakes: its bytes are dropped, the new window is pushed.
    s.delayReads(PERIOD * 3);
    await periods(1);
    const before = s.pushes.length;
    s.bytes[37] = 0x55;
    s.view.watch({ offset: 32, length: 16, live: true });
    await waitFor(() => s.pushes.length > before, 'the push after the slow read');
    await periods(4);
    const after = s.pushes.slice(before);
    assert.ok(after.length >= 1 && after.every((p) => p.window.offset === 32), `only the new window is pushed: ${JSON.stringify(after.map((p) => p.window))}`);
    assert.deepEqual(plain(after[0]), { offset: 32, data: arr(s.bytes.slice(32, 48)), pending: [], cause: 'all' });
  } finally {
    s.view.dispose();
  }
});

test('checkWatch: windows inside the segment up to MAX_WATCH, live a boolean, anything else refused', () => {
  assert.deepEqual(checkWatch({ offset: 4000, length: 96, live: true }, 4096), { offset: 4000, length: 96, live: true });
  assert.deepEqual(checkWatch({ offset: 0, length: 0 }, 4096), { offset: 0, length: 0, live: false });
  assert.throws(() => checkWatch({ offset: 0, length: 1, live: 'yes' }, 4096), /live/);
  assert.throws(() => checkWatch({ offset: 4000, length: 97 }, 4096), /past the end/);
  assert.throws(() => checkWatch({ offset: -1, length: 1 }, 4096), /offset must be a whole number/);
  assert.throws(() => checkWatch({ offset: 0, length: MAX_WATCH + 1 }, 1 << 30), /larger than/);
  assert.throws(() => checkWatch({ offset: '0', length: 1 }, 4096), /offset/);
  assert.throws(() => checkWatch(null, 4096), /params must be an object/);
});

const agentMissing = fs.existsSync(AGENT_JS) ? false : `${AGENT_JS} not built (npm run build)`;

test('viewport on a real segment: bytes another process writes are pushed; an edit, then Save, at once with their pending marks', { skip: agentMissing }, async () => {
  const seg = createSegment(4096, { key: 'random' });
  seg.attach();
  const agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 10000 });
  const pushes: ViewUpdate[] = [];
  let watch: Viewport | undefined;
  try {
    const src = await SegmentSource.open(agent, { id: seg.id, expect: seg.identity(), readOnly: false });
    const doc = new HexDocument(src, { uri: { toString: () => 'shm:/x' } as never, prompts: { conflict: () => Promise.resolve(undefined), saveGone: () => Promise.resolve(undefined) }, writeThrough: () => false });
    watch = new Viewport({ source: doc, push: (u) => pushes.push(u), active: () => !doc.state.gone });
    doc.onDidChangeBytes(() => watch?.changed());
    watch.setPeriod(PERIOD);
    watch.watch({ offset: 0, length: 256, live: true });
    await waitFor(() => pushes.length === 1, 'the first push');
    assert.deepEqual(arr((pushes[0] as { data: ViewData }).data), new Array(256).fill(0));

    // This process writes a 4-byte counter at 0x40, as a writer process would.
    for (let n = 1; n <= 3; n++) {
      const le = Buffer.alloc(4);
      le.writeUInt32LE(n * 0x01010101);
      seg.writeChunk(le, 0x40);
      await waitFor(() => pushes.length === 1 + n, `the push of counter value ${n}`);
      assert.deepEqual(plain(pushes[n]), { offset: 0x40, data: arr(le), pending: [], cause: 'poll' });
    }
    // An edit (pending, not in the segment) is pushed at once: its byte and its pending mark.
    watch.setPeriod(0); // polling stops; a poll already in flight may still land (with nothing new)
    await periods(2);
    const edited = pushes.length;
    await doc.edit(0x10, Uint8Array.of(0xed));
    await waitFor(() => pushes.length === edited + 1, 'the push after the edit');
    assert.deepEqual(plain(pushes[edited]), { offset: 0x10, data: [0xed], pending: [{ offset: 0x10, length: 1 }], cause: 'edit' });
    assert.equal(seg.readChunk(1, 0x10)[0], 0, 'the segment itself is unchanged');
    await doc.save();
    await waitFor(() => pushes.length === edited + 2, 'the push after Save');
    assert.deepEqual(plain(pushes[edited + 1]), { offset: 0, data: [], pending: [], cause: 'edit' }, 'same bytes, no pending mark');
    assert.equal(seg.readChunk(1, 0x10)[0], 0xed, 'saved into the segment');
    await periods(3);
    assert.equal(pushes.length, edited + 2, 'quiet again');
    watch.dispose();
    doc.dispose();
  } finally {
    watch?.dispose();
    agent.dispose();
  }
});

test('viewport: live refresh pauses while the agent is down or stopped and resumes after a restart (real agent, real crashes)', { skip: agentMissing }, async () => {
  const seg = createSegment(4096, { key: 'random' });
  seg.attach();
  // One restart allowed per minute of the injected clock: the second crash stops the client.
  const agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 10000, env: { [TEST_HOOKS_ENV]: '1' }, crashLimit: { starts: 1, windowMs: 60_000 }, now: () => 0 });
  const pushes: ViewUpdate[] = [];
  // The editor's document, as in VS Code: its handle is opened again in whichever agent runs.
  const src = await SegmentSource.open(agent, { id: seg.id, expect: seg.identity(), readOnly: true });
  const doc = new HexDocument(src, { uri: { toString: () => 'shm:/x' } as never, prompts: { conflict: () => Promise.resolve(undefined), saveGone: () => Promise.resolve(undefined) }, writeThrough: () => false });
  const watch = new Viewport({ source: doc, push: (u) => pushes.push(u), active: () => true, agent });
  const crash = async () => {
    await assert.rejects(agent.request('testCrash', { signal: 'SIGSEGV' }), /killed by SIGSEGV/);
  };
  /** The window as the webview would show it: every push applied in order. */
  const lastData = () => {
    const shown = Buffer.alloc(8);
    for (const p of pushes) if (!('error' in p)) shown.set(decodeViewData(p.data), p.offset - p.window.offset);
    return shown.toString();
  };
  try {
    watch.setPeriod(PERIOD);
    watch.watch({ offset: 0, length: 8, live: true });
    seg.writeChunk(Buffer.from('first...'), 0);
    await waitFor(() => lastData() === 'first...', 'the first push');

    await crash();
    assert.equal(agent.state, 'down');
    const polls = watch.polls;
    const generation = agent.generation;
    seg.writeChunk(Buffer.from('second..'), 0);
    await periods(5);
    assert.equal(agent.generation, generation, 'the paused watch started no agent');
    assert.equal(watch.polls, polls, 'no live refresh while the agent is down');
    assert.notEqual(lastData(), 'second..');

    await agent.request('ping', {}); // anything else that needs the agent starts one
    await waitFor(() => lastData() === 'second..', 'polling resumed with the new agent', 20000); // a new agent re-opens the segment: slow on a loaded machine

    await crash();
    assert.equal(agent.state, 'stopped');
    const stoppedPolls = watch.polls;
    seg.writeChunk(Buffer.from('third...'), 0);
    await periods(5);
    assert.equal(watch.polls, stoppedPolls, 'no live refresh while stopped');
    assert.notEqual(lastData(), 'third...');

    await agent.restart();
    await waitFor(() => lastData() === 'third...', 'polling resumed after restart()', 20000);
  } finally {
    watch.dispose();
    doc.dispose();
    agent.dispose();
  }
});

test('view data: small spans as hex text (every byte value round-trips), larger ones as bytes', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const text = encodeViewData(all);
  assert.equal(typeof text, 'string');
  assert.equal((text as string).slice(0, 8), '00010203');
  assert.deepEqual(arr(text), Array.from(all));
  const big = new Uint8Array(HEX_MAX + 1).fill(0xab);
  assert.equal(encodeViewData(big), big, 'over HEX_MAX: the bytes themselves');
  assert.equal(typeof encodeViewData(new Uint8Array(HEX_MAX)), 'string', 'HEX_MAX bytes still as text');
  for (const bad of ['abc', '0g', 'AB', '0x00']) assert.equal(decodeViewData(bad).length, 0, `malformed ${JSON.stringify(bad)} gives no bytes`);
});
