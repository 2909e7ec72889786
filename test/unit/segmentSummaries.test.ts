// The Segments view's tooltip lines for the C types remembered for a segment
// (src/extension/overlays/segmentSummaries.ts), without VS Code: a real agent reads real
// segments this test wrote with Buffer, types laid out through OverlayService's cache (a header
// changed on disk is laid out again), the store in a temp file. Failures are lines: segment gone,
// the id naming another segment, a header that no longer parses. Reads leave nattch, lpid and
// atime as they were when a process has the segment attached.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Segment } from '../../src/core';
import { OverlayStore } from '../../src/ctypes/overlayStore';
import type { SegmentInfo } from '../../src/protocol/segment';
import { AgentClient } from '../../src/extension/agent/client';
import { OverlayService, type OverlayPrompts } from '../../src/extension/overlays/overlayService';
import { SegmentSummaries, readFailure } from '../../src/extension/overlays/segmentSummaries';
import { AGENT_JS, createSegment, disposeSegment, freshBundle, installCleanup, spawnAttacher, testTmpDir } from './helpers';

installCleanup();

const HEADER = `#include <stdint.h>
enum state { IDLE, RUNNING = 5 };
struct shared_state { uint32_t magic; int32_t pid; enum state state; char name[16]; uint64_t counter; };
`;

let agent: AgentClient;
before(() => {
  freshBundle('agent');
  agent = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000 });
});
after(() => agent.dispose());

/** A summaries source with its own store and header in a fresh dir, laid out through an OverlayService. */
function setup() {
  const d = fs.mkdtempSync(path.join(testTmpDir(), 'tooltip-'));
  const header = path.join(d, 'state.h');
  fs.writeFileSync(header, HEADER);
  const store = new OverlayStore(path.join(d, 'overlays.json'));
  const watchers = new Map<string, () => void>();
  const svc = new OverlayService(store, { documents: () => [], hostsOf: () => [] }, {
    context: () => ({ root: d, settings: {} }),
    findHeaders: () => Promise.resolve([header]),
    watch: (file, changed) => { watchers.set(file, changed); return { dispose: () => watchers.delete(file) }; },
  }, () => ({}) as OverlayPrompts);
  let layouts = 0;
  const summaries = new SegmentSummaries(agent, (spec) => { layouts++; return svc.layout(spec); }, store);
  return { header, store, svc, summaries, watchers, layouts: () => layouts };
}

async function infoOf(seg: Segment): Promise<SegmentInfo> {
  return agent.request('stat', { id: seg.id });
}

function writeState(seg: Segment, at: number, pid = 4242): void {
  const b = Buffer.alloc(40);
  b.writeUInt32LE(0x53484d31, 0);
  b.writeInt32LE(pid, 4);
  b.writeInt32LE(5, 8);
  b.write('producer', 12, 'latin1');
  seg.writeChunk(b, at);
}

const FIELDS = 'magic = 0x53484d31, pid = 4242, state = RUNNING, name = "producer", …';

describe('the tooltip\'s C type lines', () => {
  test('the first fields from the agent; nothing remembered: no line; one layout for many hovers, again after a header change', async () => {
    const { header, store, svc, summaries, watchers, layouts } = setup();
    const seg = createSegment(4096, { key: 'random' });
    try {
      seg.attach();
      writeState(seg, 0x40);
      seg.detach();
      const info = await infoOf(seg);
      assert.deepEqual(await summaries.lines(info), []);
      await store.add({ key: info.key, id: info.id, ctime: info.ctime }, { header, typeName: 'struct shared_state', offset: 0x40, count: 1, abi: 'x86_64' });
      const att = await spawnAttacher(seg.id, { readOnly: true });
      try {
        const before = await infoOf(seg);
        assert.deepEqual(await summaries.lines(info), [`struct shared_state @ 0x40 (state.h): ${FIELDS}`]);
        const again = await summaries.summaries(info);
        assert.deepEqual(again.list[0].fields, { magic: 0x53484d31, pid: 4242, state: 'RUNNING', name: 'producer' });
        const now = await infoOf(seg);
        assert.deepEqual([now.nattch, now.lpid, now.atime], [before.nattch, before.lpid, before.atime], 'read through the attacher: nothing changed');
      } finally {
        await att.end();
      }
      // The service's cache: the same promise each time until the header changes.
      const spec = (await store.get(info))[0];
      assert.equal(svc.layout(spec), svc.layout(spec), 'one layout in the cache');
      assert.equal(layouts(), 2);
      fs.writeFileSync(header, HEADER.replace('int32_t pid;', 'int32_t pid'));
      await svc.headerChanged(header);
      assert.ok(watchers.has(header), 'the header is watched');
      const [broken] = await summaries.lines(info);
      assert.match(broken, /^struct shared_state @ 0x40 \(state\.h\): cannot lay out the type: .*state\.h:3\b/);
      assert.doesNotMatch(broken, /\n/);
    } finally {
      disposeSegment(seg);
    }
  });

  test('no process attached (a transient read), a private segment; gone, or the id naming another segment: one line each', async () => {
    const { store, summaries } = setup();
    const seg = createSegment(128);
    try {
      seg.attach();
      writeState(seg, 0);
      seg.detach();
      const info = await infoOf(seg);
      await store.add({ key: 0, id: info.id, ctime: info.ctime }, { text: HEADER, typeName: 'struct shared_state', offset: 0, count: 3, abi: 'x86_64' });
      assert.deepEqual(await summaries.lines(info), [
        'struct shared_state[3] @ 0x0 (<typed>): [0].magic = 0x53484d31, [0].pid = 4242, [0].state = RUNNING, [0].name = "producer", …',
      ]);
      assert.equal((await infoOf(seg)).nattch, 0, 'nothing left attached');
      // The listing's row is older than the segment now under that id (another creation time).
      assert.deepEqual(await summaries.lines({ ...info, ctime: info.ctime - 1 }), [], 'another private segment: its own store entry (none)');
      await store.add({ key: 0, id: info.id, ctime: info.ctime - 1 }, { text: HEADER, typeName: 'struct shared_state', offset: 0, count: 1, abi: 'x86_64' });
      assert.deepEqual(await summaries.lines({ ...info, ctime: info.ctime - 1 }), [
        'struct shared_state @ 0x0 (<typed>): cannot read the segment: the id now names another segment',
      ]);
      disposeSegment(seg);
      assert.deepEqual(await summaries.lines(info), ['struct shared_state[3] @ 0x0 (<typed>): cannot read the segment: the segment is gone']);
    } finally {
      disposeSegment(seg);
    }
  });

  test('read failures in a few words', () => {
    const e = (code: string) => Object.assign(new Error(`open 5: ${code} and more\nsecond line`), { code });
    assert.equal(readFailure(e('EACCES')), 'permission denied');
    assert.equal(readFailure(e('EPERM')), 'permission denied');
    assert.equal(readFailure(e('EIDRM')), 'the segment is gone');
    assert.equal(readFailure(e('ECHANGED')), 'the id now names another segment');
    assert.equal(readFailure(e('EIO')), 'open 5: EIO and more');
  });
});
