// `shm-inspector info` with C types remembered for the segment (issue 11): run as a program
// (dist/cli.js) on real segments whose bytes this test wrote with Buffer, a header in a temp dir
// and the overlay store in a temp file (SHM_INSPECTOR_OVERLAYS). The first fields in text and
// --json; a header that no longer parses or is gone is one line and info still succeeds.
// Every segment is made with helpers.createSegment and removed in finally / the after-hook.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Segment } from '../../src/core';
import { OverlayStore, type SegmentRef } from '../../src/ctypes/overlayStore';
import type { OverlaySpec } from '../../src/protocol/overlay';
import { REPO, createSegment, disposeSegment, freshBundle, installCleanup, spawnAttacher, testTmpDir } from './helpers';

installCleanup();

const CLI = path.join(REPO, 'dist', 'cli.js');

before(() => {
  freshBundle('cli');
});

const HEADER = `#include <stdint.h>
enum state { IDLE, RUNNING = 5, STOPPED = -1 };
struct shared_state { uint32_t magic; int32_t pid; enum state state; char name[16]; uint64_t counter; };
`;
const PAIRS = 'struct pair { int a; int b; };';

let n = 0;
/** A fresh temp dir with the header (state.h) and an empty store file's path. */
function setup(): { dir: string; header: string; store: OverlayStore } {
  const dir = path.join(testTmpDir(), `case-${++n}`);
  fs.mkdirSync(dir);
  const header = path.join(dir, 'state.h');
  fs.writeFileSync(header, HEADER);
  return { dir, header, store: new OverlayStore(path.join(dir, 'overlays.json')) };
}

interface Run { code: number | null; stdout: string; stderr: string }

function info(store: OverlayStore, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, 'info', ...args], {
    cwd: REPO, input: '', timeout: 120_000, env: { ...process.env, SHM_INSPECTOR_OVERLAYS: store.file },
  });
  if (r.error) throw r.error;
  const run = { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  assert.equal(run.code, 0, `expected exit 0, got ${run.code}; stderr: ${run.stderr}`);
  assert.equal(run.stderr, '');
  return run;
}

/** The `C type:` lines of info's text. */
const cTypeLines = (r: Run) => r.stdout.split('\n').filter((l) => l.startsWith('C type:'));

interface OverlayJson { label: string; typeName: string; offset: number; text?: string; fields?: Record<string, unknown>; error?: string }
const overlaysOf = (r: Run) => (JSON.parse(r.stdout) as { overlays: OverlayJson[] }).overlays;

const refOf = (seg: Segment): SegmentRef => ({ key: seg.key, id: seg.id, ctime: seg.stat().ctime });

function writeState(seg: Segment, at: number): void {
  const b = Buffer.alloc(40);
  b.writeUInt32LE(0x53484d31, 0);
  b.writeInt32LE(4242, 4);
  b.writeInt32LE(5, 8);
  b.write('producer', 12, 'latin1');
  b.writeBigUInt64LE(7n, 32);
  seg.writeChunk(b, at);
}

const LINE = 'struct shared_state @ 0x40 (state.h): magic = 0x53484d31, pid = 4242, state = RUNNING, name = "producer", …';

describe('info with a remembered C type', () => {
  test('the first fields from the segment\'s bytes, text and --json; read through an attacher\'s mapping, nothing changed', async () => {
    const { header, store } = setup();
    const seg = createSegment(4096, { key: 'random' });
    try {
      seg.attach();
      writeState(seg, 0x40);
      const none = info(store, String(seg.id));
      assert.deepEqual(cTypeLines(none), [], 'nothing remembered: no line');
      assert.deepEqual(overlaysOf(info(store, String(seg.id), '--json')), []);

      await store.add(refOf(seg), { header, typeName: 'struct shared_state', offset: 0x40, count: 1, abi: 'x86_64' });
      // Another process holds it (a spawn by an attached process would itself change lpid and atime).
      seg.detach();
      const att = await spawnAttacher(seg.id, { readOnly: true });
      try {
        const before = seg.stat();
        const text = info(store, String(seg.id));
        assert.deepEqual(cTypeLines(text), [`C type:                 ${LINE}`]);
        const [o] = overlaysOf(info(store, '--key', seg.keyHex, '--json'));
        assert.deepEqual(o, {
          label: 'struct shared_state @ 0x40 (state.h)', typeName: 'struct shared_state', offset: 0x40,
          text: LINE.slice(LINE.indexOf(': ') + 2), fields: { magic: 0x53484d31, pid: 4242, state: 'RUNNING', name: 'producer' },
        });
        // info read through the attacher's mapping and attached nothing itself.
        const after = seg.stat();
        assert.deepEqual([after.nattch, after.lpid, after.atime], [before.nattch, before.lpid, before.atime], 'info attached');
      } finally {
        await att.end();
      }
      seg.attach();

      // New bytes, new line: read each time, not remembered.
      seg.writeChunk(Buffer.from([0x39, 0x30, 0, 0]), 0x44);
      assert.match(cTypeLines(info(store, String(seg.id)))[0], /pid = 12345,/);
    } finally {
      disposeSegment(seg);
    }
  });

  test('a header that no longer parses, or is gone: one line saying so, exit 0; the others still shown', async () => {
    const { header, store } = setup();
    const seg = createSegment(4096, { key: 'random' });
    try {
      seg.attach();
      writeState(seg, 0x40);
      await store.add(refOf(seg), { header, typeName: 'struct shared_state', offset: 0x40, count: 1, abi: 'x86_64' });
      await store.add(refOf(seg), { text: PAIRS, typeName: 'struct pair', offset: 0x40, count: 2, abi: 'x86_64' });
      fs.writeFileSync(header, HEADER.replace('uint64_t counter;', 'uint64_t counter'));
      const broken = cTypeLines(info(store, String(seg.id)));
      assert.equal(broken.length, 2);
      assert.match(broken[0], /^C type: +struct shared_state @ 0x40 \(state\.h\): cannot lay out the type: .*state\.h:3\b/);
      assert.equal(broken[1], 'C type:                 struct pair[2] @ 0x40 (<typed>): [0].a = 1397247281, [0].b = 4242, [1].a = 5, [1].b = 1685025392');
      const [e] = overlaysOf(info(store, String(seg.id), '--json'));
      assert.match(e.error ?? '', /state\.h:3\b/);
      assert.equal(e.fields, undefined);

      fs.rmSync(header);
      const gone = cTypeLines(info(store, String(seg.id)));
      assert.match(gone[0], /^C type: +struct shared_state @ 0x40 \(state\.h\): cannot lay out the type: .*state\.h/);
      assert.doesNotMatch(gone[0], /\n/);
    } finally {
      disposeSegment(seg);
    }
  });

  test('a private segment by id and ctime; no attacher (a brief attach); at most 4 lines and "and N more"', async () => {
    const { store } = setup();
    const seg = createSegment(64);
    const other = createSegment(64);
    try {
      seg.attach();
      for (let i = 0; i < 16; i++) seg.writeChunk(Buffer.from([i]), i * 4);
      seg.detach();
      const pair = (offset: number): OverlaySpec => ({ text: PAIRS, typeName: 'struct pair', offset, count: 1, abi: 'x86_64' });
      for (const at of [0, 8, 16, 24, 32, 40]) await store.add(refOf(seg), pair(at));
      const lines = cTypeLines(info(store, String(seg.id)));
      assert.deepEqual(lines.map((l) => l.replace(/^C type: +/, '')), [
        'struct pair @ 0x0 (<typed>): a = 0, b = 1', 'struct pair @ 0x8 (<typed>): a = 2, b = 3',
        'struct pair @ 0x10 (<typed>): a = 4, b = 5', 'struct pair @ 0x18 (<typed>): a = 6, b = 7',
        'and 2 more overlays',
      ]);
      assert.equal(overlaysOf(info(store, String(seg.id), '--json')).length, 4);
      assert.deepEqual(cTypeLines(info(store, String(other.id))), [], 'another private segment: nothing');
    } finally {
      disposeSegment(seg);
      disposeSegment(other);
    }
  });
});
