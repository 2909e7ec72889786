// 10,000 random reads/writes/seeks on a 64 KiB segment against an in-memory Buffer model.
// About 10% are deliberately invalid: they must throw RangeError and change nothing.
// Seeded: the seed is printed; RANDOM_SEED=<n> reproduces a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Whence } from '../../src/core';
import { installCleanup, seededRng, withSegment } from './helpers';

installCleanup();

const SIZE = 64 * 1024;
const OPS = 10_000;

test(`${OPS} random operations agree with a Buffer model`, async (t) => {
  const rng = seededRng(process.env.RANDOM_SEED ? Number(process.env.RANDOM_SEED) : undefined);
  t.diagnostic(`seed ${rng.seed} (RANDOM_SEED=${rng.seed} to reproduce)`);
  await withSegment(SIZE, {}, (seg) => {
    seg.attach();
    const model = Buffer.alloc(SIZE);
    let cursor = 0;
    const counts: Record<string, number> = {};
    let log = '';

    const len = () => (rng.next() < 0.1 ? rng.int(0, 16) : rng.next() < 0.9 ? rng.int(0, 4096) : rng.int(0, SIZE));
    const validRange = (): [number, number] => {
      const l = len();
      return [rng.int(0, SIZE - l), l];
    };
    const badNumber = (): number => rng.pick([-1, -4096, 0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 53 - 1, 2 ** 53, SIZE + 1, SIZE + rng.int(1, 1 << 20), -0.0001]);
    /** [start, length] that is out of range (bad start, bad length, or crossing the end). */
    const badRange = (): [number, number] => {
      switch (rng.int(0, 3)) {
        case 0: return [badNumber(), rng.int(0, 10)];
        case 1: return [rng.int(0, SIZE), rng.pick([-1, 1.5, NaN, Infinity, 2 ** 53 - 1])];
        case 2: { const s = rng.int(1, SIZE); return [s, SIZE - s + rng.int(1, 100)]; }
        default: return [2 ** 53 - 1, rng.int(1, 3)];
      }
    };

    const expectRangeError = (what: string, fn: () => unknown) => {
      const before = cursor;
      assert.throws(fn, RangeError, `${what} must be a RangeError (seed ${rng.seed})`);
      assert.equal(seg.position, before, `${what} moved the cursor (seed ${rng.seed})`);
    };

    for (let i = 0; i < OPS; i++) {
      const invalid = rng.next() < 0.1;
      const op = rng.pick(['readChunk', 'writeChunk', 'readInto', 'read', 'write', 'seek', 'reset'] as const);
      const key = `${op}${invalid ? '!' : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
      const where = () => `op #${i} ${log} (seed ${rng.seed})`;
      switch (op) {
        case 'readChunk': {
          if (invalid) {
            const [s, l] = badRange();
            log = `readChunk(${l}, ${s})`;
            expectRangeError(log, () => seg.readChunk(l, s));
          } else {
            const [s, l] = validRange();
            log = `readChunk(${l}, ${s})`;
            assert.deepEqual(seg.readChunk(l, s), model.subarray(s, s + l), where());
          }
          break;
        }
        case 'writeChunk': {
          if (invalid) {
            const [s, l] = badRange();
            const data = rng.bytes(Number.isSafeInteger(l) && l >= 0 && l < 2 * SIZE ? l : 8);
            log = `writeChunk(${data.length} bytes, ${s})`;
            if (Number.isSafeInteger(s) && s >= 0 && s + data.length <= SIZE) {
              // the length substitute made it valid: make it invalid by start instead
              expectRangeError(log, () => seg.writeChunk(data, SIZE - data.length + 1));
            } else {
              expectRangeError(log, () => seg.writeChunk(data, s));
            }
          } else {
            const [s, l] = validRange();
            const data = rng.bytes(l);
            log = `writeChunk(${l} bytes, ${s})`;
            assert.equal(seg.writeChunk(data, s), l, where());
            data.copy(model, s);
          }
          break;
        }
        case 'readInto': {
          const cap = rng.int(0, 8192);
          const dst = Buffer.alloc(cap, 0x5a);
          if (invalid) {
            const [s, l] = rng.next() < 0.5 ? badRange() : [rng.int(0, SIZE - cap - 1 < 0 ? 0 : SIZE - cap - 1), cap + rng.int(1, 10)];
            log = `readInto(${cap}-byte buffer, ${s}, ${l})`;
            expectRangeError(log, () => seg.readInto(dst, s, l));
            assert.ok(dst.every((b) => b === 0x5a), `${where()}: a refused read touched the buffer`);
          } else {
            const l = rng.int(0, Math.min(cap, SIZE));
            const s = rng.int(0, SIZE - l);
            log = `readInto(${cap}-byte buffer, ${s}, ${l})`;
            assert.equal(seg.readInto(dst, s, l), l, where());
            assert.deepEqual(dst.subarray(0, l), model.subarray(s, s + l), where());
            assert.ok(dst.subarray(l).every((b) => b === 0x5a), `${where()}: bytes past length changed`);
          }
          break;
        }
        case 'read': {
          const dst = Buffer.alloc(len(), 0x5a);
          log = `read(${dst.length}) at ${cursor}`;
          const n = Math.min(dst.length, SIZE - cursor);
          assert.equal(seg.read(dst), n, where());
          assert.deepEqual(dst.subarray(0, n), model.subarray(cursor, cursor + n), where());
          assert.ok(dst.subarray(n).every((b) => b === 0x5a), where());
          cursor += n;
          assert.equal(seg.position, cursor, where());
          break;
        }
        case 'write': {
          if (invalid) {
            log = 'write(not bytes)';
            assert.throws(() => seg.write([1, 2, 3] as unknown as Uint8Array), TypeError, where());
            assert.equal(seg.position, cursor, where());
            break;
          }
          const data = rng.bytes(len());
          log = `write(${data.length}) at ${cursor}`;
          const n = Math.min(data.length, SIZE - cursor);
          assert.equal(seg.write(data), n, where());
          data.copy(model, cursor, 0, n);
          cursor += n;
          assert.equal(seg.position, cursor, where());
          break;
        }
        case 'seek': {
          const whence = rng.pick(['start', 'current', 'end', 0, 1, 2] as Whence[]);
          const base = whence === 'start' || whence === 0 ? 0 : whence === 'current' || whence === 1 ? cursor : SIZE;
          if (invalid) {
            const off = rng.next() < 0.5
              ? rng.pick([0.5, NaN, Infinity, -Infinity, 2 ** 53])
              : rng.next() < 0.5 ? -base - rng.int(1, 1000) : SIZE - base + rng.int(1, 1000);
            const w = rng.next() < 0.1 ? ('sideways' as Whence) : whence;
            log = `seek(${off}, ${String(w)}) at ${cursor}`;
            expectRangeError(log, () => seg.seek(off, w));
          } else {
            const target = rng.next() < 0.05 ? rng.pick([0, SIZE]) : rng.int(0, SIZE);
            log = `seek(${target - base}, ${String(whence)}) at ${cursor}`;
            assert.equal(seg.seek(target - base, whence), target, where());
            cursor = target;
          }
          break;
        }
        case 'reset': {
          log = 'reset()';
          seg.reset();
          cursor = 0;
          assert.equal(seg.position, 0, where());
          break;
        }
      }
      if (invalid || i % 500 === 0) assert.ok(seg.readChunk(SIZE, 0).equals(model), `${where()}: segment differs from the model`);
    }
    assert.deepEqual(seg.readChunk(SIZE, 0), model, `final contents (seed ${rng.seed})`);
    t.diagnostic(`ops: ${JSON.stringify(counts)}`);
  });
});
