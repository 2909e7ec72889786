// The sampler's double buffer (src/timeline/samplePair.ts): its SIMD diff finds exactly what
// diffRanges finds (runs across 64-byte blocks, the tail past the last whole block, the first and
// last bytes, everything changed), the plain path agrees, and the embedded module is
// diffBlocks.wat assembled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import * as path from 'node:path';
import { diffRanges } from '../../src/timeline/diff';
import { SamplePair } from '../../src/timeline/samplePair';

import { REPO } from './helpers';

function ranges(fn: (found: (o: number, n: number) => void) => number): { list: [number, number][]; changed: number } {
  const list: [number, number][] = [];
  const changed = fn((o, n) => list.push([o, n]));
  return { list, changed };
}

/** Fill a pair with base, change cur as `change` says, and check its diff against diffRanges. */
function check(pair: SamplePair, base: Buffer, change: (cur: Buffer) => void, what: string): void {
  base.copy(pair.cur);
  pair.swap();
  base.copy(pair.cur);
  change(pair.cur);
  const want = ranges((f) => diffRanges(pair.prev, pair.cur, f));
  assert.deepEqual(ranges((f) => pair.diff(f)), want, `${what} (${pair.length} bytes, simd ${pair.simd})`);
}

test('SamplePair: the SIMD diff finds exactly what diffRanges finds', () => {
  const simd = new SamplePair(64).simd;
  assert.ok(simd, 'WebAssembly SIMD is available in this Node (it is in every Node since 16.4)');
  for (const length of [1, 63, 64, 65, 127, 128, 4096, 4100, 1 << 20]) {
    for (const useWasm of [true, false]) {
      const pair = new SamplePair(length, useWasm);
      assert.equal(pair.simd, useWasm);
      const base = randomBytes(length);
      check(pair, base, () => undefined, 'nothing changed');
      check(pair, base, (c) => { c[0] ^= 1; }, 'the first byte');
      check(pair, base, (c) => { c[length - 1] ^= 1; }, 'the last byte');
      check(pair, base, (c) => { for (let i = 0; i < length; i++) c[i] ^= 0xff; }, 'everything');
      if (length > 70) {
        check(pair, base, (c) => { for (let i = 60; i < 70; i++) c[i] ^= 0x10; }, 'a run across a block boundary');
        check(pair, base, (c) => { c[63] ^= 1; c[64] ^= 1; }, 'the last byte of a block and the first of the next');
        check(pair, base, (c) => { c[63] ^= 1; c[128 % length] ^= 1; }, 'two blocks apart');
      }
      for (let round = 0; round < 20; round++) {
        check(pair, base, (c) => { for (let n = randomInt(1, 40); n > 0; n--) { const at = randomInt(length); c.fill(randomInt(256), at, Math.min(length, at + randomInt(1, 200))); } }, `random runs, round ${round}`);
      }
    }
  }
});

test('SamplePair: prev and cur swap; what is read into cur stays there', () => {
  const pair = new SamplePair(100);
  pair.cur.fill(1);
  pair.swap();
  pair.cur.fill(2);
  assert.equal(pair.prev[0], 1);
  assert.equal(pair.cur[99], 2);
  assert.deepEqual(ranges((f) => pair.diff(f)), { list: [[0, 100]], changed: 100 });
  pair.swap();
  assert.equal(pair.cur[0], 1);
});

test('the embedded diff module is src/timeline/diffBlocks.wat assembled', () => {
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'assemble-wasm.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
