// What the Segments view says about segments whose creator or last attacher is in a PID
// namespace this one cannot see (the kernel reports pid 0): the tooltip fields, the status, the
// row's flags and what Destroy Stale leaves out. The segments are real and listed from inside a
// new PID namespace (unshare), as a container sharing the host's IPC namespace sees them.
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SegmentInfo } from '../../src/protocol/segment';
import { segmentFields } from '../../src/extension/segments/fields';
import { matchesFilter } from '../../src/extension/segments/filter';
import {
  creatorText, isStale, lastAttacherText, segmentState, statusFlags, statusText, unseenCreatorIdle, unseenCreatorNote,
} from '../../src/extension/segments/state';
import { CORE_JS, createSegment, disposeSegment, haveCommand, installCleanup } from './helpers';

installCleanup();

function pidNamespaceRefused(): string | null {
  if (!haveCommand('unshare')) return 'no unshare command (util-linux)';
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8' });
  return r.status === 0 ? null : `unshare --pid --fork --mount-proc refused: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
}

/** These segments as a process in a new PID namespace (same IPC namespace) lists them. */
function listedFromNewPidNamespace(ids: number[]): SegmentInfo[] {
  const script = `const core = require(${JSON.stringify(CORE_JS)});
const ids = ${JSON.stringify(ids)};
console.log(JSON.stringify(ids.map((id) => core.listSegments().find((s) => s.id === id))));`;
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as SegmentInfo[];
}

function fields(info: SegmentInfo): Record<string, string> {
  return Object.fromEntries(segmentFields(info));
}

describe('a creator or last attacher in another PID namespace', () => {
  test('tooltip fields, status and row flags say "not visible from this PID namespace", never stale', (t) => {
    const why = pidNamespaceRefused();
    if (why) { t.skip(why); return; }
    const attached = createSegment(4096, { key: 'random' });
    const never = createSegment(4096, { key: 'random' });
    try {
      attached.attach();
      attached.detach(); // atime and lpid set, by a process the namespace cannot see
      const [a, n] = listedFromNewPidNamespace([attached.id, never.id]);
      assert.deepEqual([a.cpid, a.lpid, a.creatorVisible, a.stale, a.nattch], [0, 0, false, false, 0], 'the kernel names neither pid there');
      assert.ok(a.atime > 0, 'attached once');
      assert.deepEqual([n.lpid, n.atime], [0, 0], 'never attached');

      for (const info of [a, n]) {
        const f = fields(info);
        assert.equal(f['Creator pid'], 'creator not visible from this PID namespace');
        assert.equal(f['Status'], 'idle (nothing attached, creator not visible from this PID namespace)');
        assert.doesNotMatch(Object.values(f).join('\n'), /stale|exited/);
        assert.equal(segmentState(info), 'idle', 'the idle icon, not the stale one');
        assert.deepEqual(statusFlags(info), [], 'the row does not say stale');
        assert.equal(isStale(info), false);
        assert.equal(matchesFilter(info, { kind: 'stale', text: '' }, undefined), false, 'the Stale filter leaves it out');
      }
      assert.equal(fields(a)['Last attach/detach pid'], 'last attacher not visible from this PID namespace');
      assert.equal(fields(n)['Last attach/detach pid'], 'never attached');

      // Destroy Stale offers none of them, and says how many it left out and why.
      assert.deepEqual(unseenCreatorIdle([a, n]).map((s) => s.id), [a.id, n.id]);
      assert.equal(unseenCreatorNote(2), '2 segments with nothing attached were not offered: their creator is not visible from this PID namespace, so it may still be running.');
    } finally {
      disposeSegment(attached);
      disposeSegment(never);
    }
  });

  test('seen from here the same segments name their pids as before', () => {
    const seg = createSegment(4096, { key: 'random' });
    try {
      seg.attach();
      seg.detach();
      const info = seg.stat();
      const f = fields(info);
      assert.equal(info.creatorVisible, true);
      assert.equal(f['Creator pid'], `${process.pid} (${info.creatorCommand})`);
      assert.equal(f['Last attach/detach pid'], String(process.pid));
      assert.equal(f['Status'], 'idle (nothing attached, creator still running)');
      assert.equal(lastAttacherText({ lpid: 0, atime: 0 }), 'never attached');
      assert.deepEqual(unseenCreatorIdle([info]), []);
      assert.equal(unseenCreatorNote(0), undefined);
      assert.equal(unseenCreatorNote(1), '1 segment with nothing attached was not offered: its creator is not visible from this PID namespace, so it may still be running.');
    } finally {
      disposeSegment(seg);
    }
  });

  test('an unseen creator with processes attached is "in use"; one marked for destruction is not counted as left out', () => {
    const base = { creatorVisible: false, creatorAlive: false, creatorCommand: null, cpid: 0, stale: false, dest: false } as const;
    const seg = createSegment(4096, { key: 'random' });
    try {
      const info = { ...seg.stat(), ...base };
      assert.equal(creatorText(info), 'creator not visible from this PID namespace');
      assert.equal(statusText({ ...info, nattch: 2 }), 'in use');
      assert.deepEqual(unseenCreatorIdle([{ ...info, nattch: 2 }, { ...info, nattch: 0, dest: true }]), []);
    } finally {
      disposeSegment(seg);
    }
  });
});
