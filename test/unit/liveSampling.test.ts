// Live refresh's sampling in the real agent (src/extension/hexEditor/liveSampling.ts over
// agent/watches.ts): a watch through the editor's own handle, pushed as events. The bytes another
// process writes arrive as spans in order; a quiet segment sends nothing; the agent attaches
// nothing of its own; closing the handle stops it; a destroyed segment ends it with one line; the
// agent refuses a handle that is not the segment named.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentClient } from '../../src/extension/agent/client';
import { SegmentSource } from '../../src/extension/hexEditor/source';
import type { LiveSink } from '../../src/extension/hexEditor/byteSource';
import type { Span } from '../../src/timeline/diff';
import { AGENT_JS, createSegment, freshBundle, installCleanup, rejectsCode, sleep, waitFor } from './helpers';

installCleanup();

let agent: AgentClient;
before(() => { freshBundle('agent'); agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 30000 }); });
after(() => { agent.dispose(); });

/** A sink that keeps the window as the spans leave it, and every call. */
function recorder(offset: number, length: number) {
  const image = new Uint8Array(length);
  const calls: Span[][] = [];
  const ended: string[] = [];
  const sink: LiveSink = {
    changed: (spans) => { calls.push([...spans]); for (const s of spans) image.set(s.bytes, s.offset - offset); },
    ended: (m) => { ended.push(m); },
  };
  return { image, calls, ended, sink };
}

test('live sampling through the editor\'s handle: changes in order, nothing while quiet, no attachment of its own, stops with the handle', async () => {
  const seg = createSegment(4096, { key: 'random' });
  seg.attach(); // the "other process"
  const src = await SegmentSource.open(agent, { id: seg.id, expect: seg.identity(), readOnly: true });
  const nattch = seg.stat().nattch; // ours and the document's
  let events = 0;
  const count = agent.onWatchSamples(() => { events++; });
  const r = recorder(0x100, 64);
  const feed = src.sample({ offset: 0x100, length: 64 }, 100, 10, r.sink);
  try {
    await waitFor(() => r.calls.length === 1, 'the whole range first');
    assert.deepEqual(r.calls[0].map((s) => [s.offset, s.bytes.length]), [[0x100, 64]]);
    assert.equal(seg.stat().nattch, nattch, 'sampling attaches nothing more');

    const seen: number[] = [];
    for (let v = 1; v <= 5; v++) {
      seg.writeChunk(Uint8Array.of(v, v * 2), 0x110);
      await waitFor(() => r.image[0x10] === v && r.image[0x11] === v * 2, `value ${v}`);
      seen.push(r.image[0x10]);
    }
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.ok(r.calls.slice(1).every((c) => c.every((s) => s.offset >= 0x110 && s.offset + s.bytes.length <= 0x112)), 'only the changed bytes, in segment offsets');
    seg.writeChunk(Uint8Array.of(0xee), 0x200); // outside the range: not seen
    const quiet = events;
    await sleep(300); // 30 samples
    assert.equal(events, quiet, 'a quiet range sends no message');

    await src.close(); // the document closes: the agent stops sampling its handle first
    seg.writeChunk(Uint8Array.of(0x77), 0x120);
    await sleep(200);
    assert.equal(r.image[0x20], 0, 'nothing after the handle closed');
    assert.deepEqual(r.ended, []);
    assert.equal(seg.stat().nattch, nattch - 1, 'the document\'s attachment is gone, none left by sampling');
  } finally {
    feed.dispose();
    count.dispose();
    await src.close();
    seg.detach();
  }
});

test('live sampling of a segment destroyed while open ends with one line; a handle of another segment is refused', async () => {
  const a = createSegment(4096, { key: 'random' });
  const b = createSegment(4096, { key: 'random' });
  const src = await SegmentSource.open(agent, { id: a.id, expect: a.identity(), readOnly: true });
  const r = recorder(0, 16);
  const feed = src.sample({ offset: 0, length: 16 }, 50, 20, r.sink);
  try {
    await waitFor(() => r.calls.length === 1, 'the first sample');
    a.destroy();
    await waitFor(() => r.ended.length > 0, 'the end');
    assert.match(r.ended[0], /destroyed|removed|gone/i);
    assert.equal(r.ended.length, 1);

    const { handle } = await agent.request('open', { id: b.id, readOnly: true });
    await rejectsCode(agent.request('watchStart', { expect: a.identity(), handle, offset: 0, length: 16, hz: 10, changesOnly: true }), 'ECHANGED');
    await assert.rejects(agent.request('watchStart', { expect: b.identity(), handle, offset: 4090, length: 16, hz: 10, changesOnly: true }), /past the end/);
    await agent.request('close', { handle });
  } finally {
    feed.dispose();
    await src.close();
  }
});
