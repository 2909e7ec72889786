// Segment on the real kernel: create/open, attach modes, chunk and cursor I/O, every range check,
// > 2 GiB segments, Node streams, error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { CODES, Segment, ShmError, createReadStream, createWriteStream, listSegments } from '../../src/core';
import {
  createSegment, disposeSegment, installCleanup, openSegment, procRow, procShm, randomKey, segmentExists, throwsShm, track, withSegment,
} from './helpers';

installCleanup();

const PAGE = 4096;

/** Rows in /proc/sysvipc/shm created by this process (to prove a refused create made nothing). */
const mine = () => procShm().filter((r) => r.cpid === process.pid).map((r) => r.id).sort();

function snapshot(seg: Segment): Buffer {
  return seg.readChunk(seg.size, 0);
}

describe('create', () => {
  test('private segment: key 0, size, perms 0600 by default, creator is us', async () => {
    await withSegment(PAGE, {}, (seg) => {
      assert.equal(seg.key, 0);
      assert.equal(seg.keyHex, '0x00000000');
      assert.equal(seg.size, PAGE);
      assert.equal(seg.cpid, process.pid);
      const st = seg.stat();
      assert.equal(st.id, seg.id);
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(st.perms, 'rw-------');
      assert.equal(st.nattch, 0);
      assert.equal(st.uid, process.getuid?.());
      assert.equal(st.cpid, process.pid);
      assert.equal(st.creatorAlive, true);
      const row = procRow(seg.id);
      assert.ok(row, 'listed in /proc/sysvipc/shm');
      assert.equal(row.size, PAGE);
      assert.equal(row.key, 0);
    });
  });

  test('size that is not a page multiple is kept exactly', async () => {
    await withSegment(1000, {}, (seg) => {
      assert.equal(seg.size, 1000);
      assert.equal(procRow(seg.id)?.size, 1000);
    });
  });

  test('with a key and perms', async () => {
    await withSegment(2 * PAGE, { key: 'random', perms: 0o640 }, (seg) => {
      assert.ok(seg.key >>> 16 === 0x5348, `test key ${seg.keyHex}`);
      assert.match(seg.keyHex, /^0x5348[0-9a-f]{4}$/);
      const st = seg.stat();
      assert.equal(st.key, seg.key);
      assert.equal(st.mode & 0o777, 0o640);
      assert.equal(st.perms, 'rw-r-----');
      assert.equal(procRow(seg.id)?.key, seg.key);
    });
  });

  test('a key with the high bit set is shown unsigned and opens by its signed value too', () => {
    let seg: Segment | undefined;
    for (let i = 0; i < 64 && !seg; i++) {
      const key = (0xd3480000 | (randomKey() & 0xffff)) >>> 0;
      try {
        seg = Segment.create(PAGE, { key, exclusive: true });
      } catch (err) {
        if ((err as ShmError).code !== 'EEXIST') throw err;
      }
    }
    assert.ok(seg);
    const s = seg;
    try {
      track(s);
      assert.ok(s.key > 0x7fffffff, `key ${s.key} is unsigned`);
      assert.equal(s.keyHex.slice(0, 6), '0xd348');
      assert.equal(procRow(s.id)?.key, s.key);
      const signed = s.key | 0;
      assert.ok(signed < 0);
      assert.equal(Segment.openByKey(signed).id, s.id);
      assert.equal(Segment.openByKey(s.key).id, s.id);
    } finally {
      disposeSegment(s);
    }
  });

  test('exclusive create of an existing key is EEXIST with a readable message; non-exclusive returns it', async () => {
    await withSegment(PAGE, { key: 'random' }, (seg) => {
      const before = mine();
      const err = throwsShm(() => Segment.create(PAGE, { key: seg.key, exclusive: true }), 'EEXIST');
      assert.equal(err.op, 'shmget');
      assert.equal(err.errno, 17);
      assert.equal(err.message, `shmget ${seg.keyHex}: a segment with this key already exists (EEXIST)`);
      assert.deepEqual(mine(), before, 'nothing created');
      const again = Segment.create(PAGE, { key: seg.key });
      assert.equal(again.id, seg.id);
    });
  });

  test('size 0 and bad sizes are RangeErrors and create nothing', () => {
    const before = mine();
    for (const size of [0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53]) {
      assert.throws(() => Segment.create(size), RangeError, `size ${size}`);
    }
    assert.throws(() => Segment.create('4096' as unknown as number), RangeError);
    assert.deepEqual(mine(), before);
  });

  test('bad keys and perms are RangeErrors and create nothing', () => {
    const before = mine();
    for (const key of [2 ** 32, -(2 ** 31) - 1, 1.5, NaN, Infinity]) {
      assert.throws(() => Segment.create(PAGE, { key }), RangeError, `key ${key}`);
    }
    for (const perms of [0o1000, -1, 1.5, NaN, 0o4777]) {
      assert.throws(() => Segment.create(PAGE, { key: randomKey(), perms }), RangeError, `perms ${perms}`);
    }
    assert.deepEqual(mine(), before);
  });
});

describe('errors that say what happened', () => {
  test('create with a key that exists with a smaller size names the segment and both sizes', async () => {
    await withSegment(4097, { key: 'random' }, (seg) => {
      throwsShm(() => Segment.create(8192, { key: seg.key }), 'EINVAL',
        new RegExp(`key ${seg.keyHex} already exists \\(id ${seg.id}\\) with 4097 bytes, less than the 8192 asked for`));
      const same = Segment.create(4000, { key: seg.key }); // smaller or equal: the existing one, as shmget does
      assert.equal(same.id, seg.id);
    });
  });

  test('attaching a segment larger than the address space says so', (t) => {
    let seg: Segment;
    try {
      seg = createSegment(100 * 2 ** 40, { noReserve: true }); // 100 TiB: more than x86-64's 128 TiB user space can hold twice
    } catch (err) {
      t.skip(`cannot create a 100 TiB SHM_NORESERVE segment here: ${(err as Error).message}`);
      return;
    }
    try {
      const other = openSegment(seg.id);
      try {
        seg.attach(); // the first may fit
      } catch {
        /* then the first one already fails below */
      }
      throwsShm(() => other.attach(), 'ENOMEM', /no room to map the whole segment \(109951162777600 bytes\) in this process's address space/);
    } finally {
      seg.detach();
      disposeSegment(seg);
    }
  });
});

describe('open', () => {
  test('by id, including a private (key 0) segment', async () => {
    await withSegment(3 * PAGE, {}, (seg) => {
      const other = openSegment(seg.id);
      assert.equal(other.id, seg.id);
      assert.equal(other.key, 0);
      assert.equal(other.size, 3 * PAGE);
      assert.equal(other.cpid, process.pid);
      assert.deepEqual(other.identity(), seg.identity());
    });
  });

  test('by key; a missing key is ENOENT; key 0 and bad keys are RangeErrors', async () => {
    await withSegment(PAGE, { key: 'random' }, (seg) => {
      assert.equal(Segment.openByKey(seg.key).id, seg.id);
      let missing = randomKey();
      const keys = new Set(procShm().map((r) => r.key));
      while (keys.has(missing)) missing = randomKey();
      const err = throwsShm(() => Segment.openByKey(missing), 'ENOENT');
      assert.match(err.message, /^shmget 0x5348[0-9a-f]{4}: .+ \(ENOENT\)$/);
      assert.throws(() => Segment.openByKey(0), RangeError);
      assert.throws(() => Segment.openByKey(2 ** 32), RangeError);
      assert.throws(() => Segment.openByKey(NaN), RangeError);
    });
  });

  test('an unknown id is EINVAL; a bad id is a RangeError', () => {
    throwsShm(() => Segment.open(0x7ffffff0), 'EINVAL');
    assert.throws(() => Segment.open(-1), RangeError);
    assert.throws(() => Segment.open(1.5), RangeError);
  });
});

describe('attach', () => {
  test('read-write and read-only attachments of one segment see the same bytes', async () => {
    await withSegment(PAGE, {}, (seg) => {
      seg.attach();
      assert.equal(seg.attached, true);
      assert.equal(seg.readOnly, false);
      assert.ok(seg.attachAddress > 0);
      const ro = openSegment(seg.id).attach({ readOnly: true });
      assert.equal(ro.readOnly, true);
      assert.notEqual(ro.attachAddress, seg.attachAddress);
      const data = randomBytes(PAGE);
      seg.writeChunk(data, 0);
      assert.deepEqual(ro.readChunk(PAGE, 0), data);
      assert.equal(procRow(seg.id)?.nattch, 2);
      ro.detach();
      assert.equal(procRow(seg.id)?.nattch, 1);
    });
  });

  test('a fresh segment reads as zeros', async () => {
    await withSegment(2 * PAGE, {}, (seg) => {
      seg.attach({ readOnly: true });
      assert.deepEqual(seg.readChunk(2 * PAGE, 0), Buffer.alloc(2 * PAGE));
    });
  });

  test('writing through a read-only attachment is EROFS, not a crash, and writes nothing', async () => {
    await withSegment(PAGE, {}, (seg) => {
      seg.attach();
      const data = randomBytes(PAGE);
      seg.writeChunk(data, 0);
      const ro = openSegment(seg.id).attach({ readOnly: true });
      const e1 = throwsShm(() => ro.writeChunk(Buffer.from('hello'), 10), CODES.readOnly);
      assert.equal(e1.op, 'write');
      assert.match(e1.message, new RegExp(`^write ${seg.id}: attached read-only`));
      throwsShm(() => ro.write(Buffer.from('hello')), CODES.readOnly);
      assert.equal(ro.position, 0, 'a refused write does not move the cursor');
      assert.deepEqual(seg.readChunk(PAGE, 0), data);
    });
  });

  test('reading before attach and after detach is ENOTATTACHED', async () => {
    await withSegment(PAGE, {}, (seg) => {
      const e0 = throwsShm(() => seg.readChunk(1, 0), CODES.detached);
      assert.match(e0.message, /not attached/);
      seg.attach();
      seg.readChunk(1, 0);
      seg.detach();
      assert.equal(seg.attached, false);
      throwsShm(() => seg.readChunk(1, 0), CODES.detached);
      throwsShm(() => seg.writeChunk(Buffer.from([1]), 0), CODES.detached);
      throwsShm(() => seg.read(Buffer.alloc(4)), CODES.detached);
      seg.detach(); // twice is fine
    });
  });

  test('attach twice: same mode is a no-op, the other mode is EBUSY', async () => {
    await withSegment(PAGE, {}, (seg) => {
      seg.attach();
      const addr = seg.attachAddress;
      assert.equal(seg.attach(), seg);
      assert.equal(seg.attachAddress, addr);
      throwsShm(() => seg.attach({ readOnly: true }), 'EBUSY');
      assert.equal(procRow(seg.id)?.nattch, 1);
    });
  });

  test('destroy while attached: still readable and writable, listed as dest with key 0, gone after detach', () => {
    const seg = createSegment(PAGE, { key: 'random' });
    try {
      seg.attach();
      const data = randomBytes(PAGE);
      seg.writeChunk(data, 0);
      seg.destroy();
      assert.deepEqual(seg.readChunk(PAGE, 0), data);
      seg.writeChunk(Buffer.from('after'), 0);
      assert.equal(seg.readChunk(5, 0).toString(), 'after');
      const row = procRow(seg.id);
      assert.ok(row, 'still listed while attached');
      assert.equal(row.key, 0, 'IPC_RMID makes the key private');
      assert.ok(row.mode & 0o1000, 'SHM_DEST bit');
      const listed = listSegments().find((s) => s.id === seg.id);
      assert.ok(listed);
      assert.equal(listed.dest, true);
      assert.equal(listed.key, 0);
      assert.equal(listed.keyHex, '0x00000000');
      assert.equal(listed.nattch, 1);
      // the id still opens (IPC_STAT works on a dest segment)
      assert.equal(Segment.open(seg.id).size, PAGE);
      seg.detach();
      assert.equal(segmentExists(seg.id), false, 'removed at the last detach');
    } finally {
      disposeSegment(seg);
    }
  });
});

describe('chunks', () => {
  const SIZE = 3 * PAGE + 123;

  test('writeChunk/readChunk move exact bytes at the start, middle and end', async () => {
    await withSegment(SIZE, {}, (seg) => {
      seg.attach();
      const model = Buffer.alloc(SIZE);
      const put = (off: number, len: number) => {
        const d = randomBytes(len);
        assert.equal(seg.writeChunk(d, off), len);
        d.copy(model, off);
        assert.deepEqual(seg.readChunk(len, off), d);
      };
      put(0, 17);
      put(PAGE - 5, 10); // across a page boundary
      put(Math.floor(SIZE / 2), 333);
      put(SIZE - 9, 9); // the very last bytes
      put(SIZE - 1, 1);
      assert.deepEqual(seg.readChunk(SIZE, 0), model);
      assert.deepEqual(seg.readChunk(0, SIZE), Buffer.alloc(0), 'empty read at the end');
      assert.equal(seg.writeChunk(Buffer.alloc(0), SIZE), 0);
      // readInto into the middle of a bigger buffer honours byteOffset
      const big = Buffer.alloc(64, 0xee);
      const view = big.subarray(8, 40);
      assert.equal(seg.readInto(view, SIZE - 32), 32);
      assert.deepEqual(big.subarray(8, 40), model.subarray(SIZE - 32));
      assert.deepEqual(big.subarray(0, 8), Buffer.alloc(8, 0xee));
      assert.deepEqual(big.subarray(40), Buffer.alloc(24, 0xee));
      // writeChunk from a Uint8Array view with an offset
      const src = new Uint8Array(randomBytes(40));
      const part = src.subarray(5, 25);
      seg.writeChunk(part, 100);
      assert.deepEqual(seg.readChunk(20, 100), Buffer.from(part));
    });
  });

  test('through /proc/self/mem (the CLI\'s attachment) the same bytes move as through memcpy, both ways', async () => {
    await withSegment(SIZE, {}, (seg) => {
      const other = openSegment(seg.id).attach();
      try {
        seg.attach({ viaProcSelfMem: true });
        const data = randomBytes(SIZE);
        assert.equal(seg.writeChunk(data, 0), SIZE);
        assert.deepEqual(other.readChunk(SIZE, 0), data, 'written through /proc/self/mem, read by memcpy');
        const more = randomBytes(PAGE + 7);
        other.writeChunk(more, PAGE - 3); // across page boundaries
        assert.deepEqual(seg.readChunk(PAGE + 7, PAGE - 3), more, 'written by memcpy, read through /proc/self/mem');
        assert.deepEqual(seg.readChunk(1, SIZE - 1), other.readChunk(1, SIZE - 1), 'the last byte');
        seg.detach();
        seg.attach({ readOnly: true, viaProcSelfMem: true });
        throwsShm(() => seg.writeChunk(Buffer.from([1]), 0), CODES.readOnly);
        assert.deepEqual(seg.readChunk(16, 0), other.readChunk(16, 0));
      } finally {
        other.detach();
      }
    });
  });

  test('every bad range is a RangeError and nothing is written', async () => {
    await withSegment(SIZE, {}, (seg) => {
      seg.attach();
      seg.writeChunk(randomBytes(SIZE), 0);
      const before = snapshot(seg);
      const badStarts = [-1, 1.5, NaN, Infinity, -Infinity, SIZE + 1, 2 ** 53 - 1, 2 ** 53, Number.MAX_VALUE, '0' as unknown as number, undefined as unknown as number];
      const badReads: [number, number][] = [
        ...badStarts.map((s): [number, number] => [1, s]),
        [-1, 0], [1.5, 0], [NaN, 0], [Infinity, 0], [SIZE + 1, 0], [2, SIZE - 1], [1, SIZE], [2, 2 ** 53 - 1], [2 ** 53 - 1, 2],
      ];
      for (const [len, start] of badReads) {
        assert.throws(() => seg.readChunk(len, start), RangeError, `readChunk(${len}, ${start})`);
      }
      for (const start of badStarts) {
        assert.throws(() => seg.readInto(Buffer.alloc(16), start, 1), RangeError, `readInto at ${start}`);
      }
      for (const len of [-1, 1.5, NaN, Infinity]) {
        assert.throws(() => seg.readInto(Buffer.alloc(16), 0, len), RangeError, `readInto length ${len}`);
      }
      assert.throws(() => seg.readInto(Buffer.alloc(16), SIZE - 15), RangeError, 'readInto past the end');
      for (const start of badStarts) {
        assert.throws(() => seg.writeChunk(Buffer.from([1, 2, 3]), start), RangeError, `writeChunk at ${start}`);
      }
      assert.throws(() => seg.writeChunk(Buffer.alloc(2), SIZE - 1), RangeError, 'one byte past the end');
      assert.throws(() => seg.writeChunk(Buffer.alloc(SIZE + 1), 0), RangeError, 'longer than the segment');
      assert.throws(() => seg.writeChunk(Buffer.alloc(SIZE), 1), RangeError);
      assert.throws(() => seg.readInto(Buffer.alloc(4), 0, 5), RangeError, 'length larger than the buffer');
      assert.throws(() => seg.writeChunk([1, 2, 3] as unknown as Uint8Array, 0), TypeError);
      assert.throws(() => seg.writeChunk('abc' as unknown as Uint8Array, 0), TypeError);
      assert.deepEqual(snapshot(seg), before, 'no bad call changed a byte');
    });
  });

  test('read/readInto into something that is not a Uint8Array is a TypeError, like write', async () => {
    await withSegment(PAGE, {}, (seg) => {
      seg.attach();
      seg.writeChunk(Buffer.from('data'), 0);
      for (const bad of [[0, 0, 0, 0], 'abcd', { length: 4 }, null, undefined, 42]) {
        const label = bad === undefined ? 'undefined' : JSON.stringify(bad);
        assert.throws(() => seg.read(bad as unknown as Uint8Array), TypeError, `read(${label})`);
        assert.throws(() => seg.readInto(bad as unknown as Uint8Array, 0, 4), TypeError, `readInto(${label})`);
        assert.equal(seg.position, 0);
      }
    });
  });

  test('range error messages name the op, offset, length and segment', async () => {
    await withSegment(PAGE, {}, (seg) => {
      seg.attach();
      assert.throws(() => seg.readChunk(2, PAGE - 1), { name: 'RangeError', message: `read: offset ${PAGE - 1} + length 2 is past the end of segment ${seg.id} (${PAGE} bytes)` });
      assert.throws(() => seg.writeChunk(Buffer.alloc(2), 2 ** 53 - 1), (e: Error) => e instanceof RangeError && /^write: offset 9007199254740991 \+ length 2 is past the end/.test(e.message));
      assert.throws(() => seg.readChunk(1, -1), /read: offset must be a whole number >= 0, got -1/);
    });
  });
});

describe('copyToFile (the byte pipe\'s transfer file)', () => {
  test('copies a range straight into a file at a position; refuses ranges past the end and a detached segment', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-copy-'));
    const fd = fs.openSync(path.join(dir, 'f'), 'w+', 0o600);
    try {
      await withSegment(3 * PAGE + 5, {}, (seg) => {
        throwsShm(() => seg.copyToFile(fd, 0, 1, 0), CODES.detached);
        seg.attach();
        const data = randomBytes(seg.size);
        seg.writeChunk(data, 0);
        assert.equal(seg.copyToFile(fd, 7, seg.size - 7, 100), seg.size - 7);
        const back = Buffer.alloc(seg.size - 7);
        assert.equal(fs.readSync(fd, back, 0, back.length, 100), back.length);
        assert.deepEqual(back, data.subarray(7));
        assert.throws(() => seg.copyToFile(fd, seg.size - 2, 3, 0), RangeError);
        assert.equal(seg.copyToFile(fd, 0, 0, 0), 0);
      });
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cursor', () => {
  test('read/write/seek/position/reset with io.Reader/Writer/Seeker meaning', async () => {
    const SIZE = 1000;
    await withSegment(SIZE, {}, (seg) => {
      seg.attach();
      assert.equal(seg.position, 0);
      const a = randomBytes(300);
      assert.equal(seg.write(a), 300);
      assert.equal(seg.position, 300);
      const b = randomBytes(200);
      assert.equal(seg.write(b), 200);
      assert.equal(seg.position, 500);
      assert.equal(seg.seek(0), 0);
      const got = Buffer.alloc(500);
      assert.equal(seg.read(got), 500);
      assert.deepEqual(got, Buffer.concat([a, b]));
      assert.equal(seg.seek(-100, 'current'), 400);
      const tail = Buffer.alloc(100);
      assert.equal(seg.read(tail), 100);
      assert.deepEqual(tail, b.subarray(100));
      assert.equal(seg.seek(-10, 'end'), SIZE - 10);
      // short write: only what fits, cursor at the end
      const c = randomBytes(32);
      assert.equal(seg.write(c), 10);
      assert.equal(seg.position, SIZE);
      assert.deepEqual(seg.readChunk(10, SIZE - 10), c.subarray(0, 10));
      // EOF
      assert.equal(seg.read(Buffer.alloc(8)), 0);
      assert.equal(seg.write(Buffer.from([1])), 0);
      assert.equal(seg.position, SIZE);
      // short read
      seg.seek(SIZE - 4);
      const four = Buffer.alloc(16, 0xaa);
      assert.equal(seg.read(four), 4);
      assert.deepEqual(four.subarray(0, 4), c.subarray(6, 10));
      assert.deepEqual(four.subarray(4), Buffer.alloc(12, 0xaa), 'bytes past the count untouched');
      // numeric whence
      assert.equal(seg.seek(5, 0), 5);
      assert.equal(seg.seek(5, 1), 10);
      assert.equal(seg.seek(-1, 2), SIZE - 1);
      assert.equal(seg.seek(0, 'end'), SIZE);
      seg.reset();
      assert.equal(seg.position, 0);
      // zero-length read/write at 0
      assert.equal(seg.read(Buffer.alloc(0)), 0);
      assert.equal(seg.write(Buffer.alloc(0)), 0);
      assert.equal(seg.position, 0);
    });
  });

  test('a bad seek is a RangeError and leaves the cursor where it was', async () => {
    await withSegment(100, {}, (seg) => {
      seg.attach();
      seg.seek(42);
      for (const [off, whence] of [[-1, 'start'], [101, 'start'], [-43, 'current'], [59, 'current'], [1, 'end'], [-101, 'end'],
        [1.5, 'start'], [NaN, 'start'], [Infinity, 'start'], [2 ** 53, 'start'], [0, 'middle'], [0, 3]] as [number, 'start'][]) {
        assert.throws(() => seg.seek(off, whence), RangeError, `seek(${off}, ${whence})`);
        assert.equal(seg.position, 42);
      }
    });
  });
});

describe('segments larger than 2 GiB', () => {
  function bigSegment(t: { skip(msg: string): void }, size: number, fn: (seg: Segment) => void): void {
    let seg: Segment;
    try {
      seg = createSegment(size, { noReserve: true });
    } catch (err) {
      const code = (err as ShmError).code;
      if (['ENOMEM', 'EINVAL', 'ENOSPC'].includes(code)) { t.skip(`shmget of ${size} bytes refused on this host: ${(err as Error).message}`); return; }
      throw err;
    }
    try {
      assert.equal(seg.size, size);
      assert.equal(procRow(seg.id)?.size, size);
      seg.attach();
      fn(seg);
    } finally {
      disposeSegment(seg);
    }
  }

  function probe(seg: Segment, offsets: number[]) {
    const written = new Map<number, Buffer>();
    for (const off of offsets) {
      const d = randomBytes(16);
      assert.equal(seg.writeChunk(d, off), 16);
      written.set(off, d);
    }
    for (const [off, d] of written) assert.deepEqual(seg.readChunk(16, off), d, `bytes at ${off}`);
    // cursor I/O at high offsets
    seg.seek(-16, 'end');
    assert.equal(seg.position, seg.size - 16);
    const last = Buffer.alloc(32);
    assert.equal(seg.read(last), 16);
    assert.deepEqual(last.subarray(0, 16), written.get(seg.size - 16));
    assert.throws(() => seg.readChunk(17, seg.size - 16), RangeError);
  }

  test('3 GiB: read/write above 2^31 and at the end', (t) => {
    const size = 3 * 2 ** 30;
    bigSegment(t, size, (seg) => probe(seg, [2 ** 31 - 8, 2 ** 31 + 64, 2 ** 31 + 4097, size - 4096 - 3, size - 16]));
  });

  test('5 GiB: read/write above 2^32 and at the end', (t) => {
    const size = 5 * 2 ** 30;
    bigSegment(t, size, (seg) => probe(seg, [2 ** 31 + 1, 2 ** 32 - 8, 2 ** 32 + 64, 2 ** 32 + 12345, size - 16]));
  });
});

describe('streams', () => {
  const SIZE = 5 * PAGE + 77;

  async function collect(r: NodeJS.ReadableStream): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of r) parts.push(c as Buffer);
    return Buffer.concat(parts);
  }

  test('createReadStream over a range equals readChunk', async () => {
    await withSegment(SIZE, {}, async (seg) => {
      seg.attach();
      seg.writeChunk(randomBytes(SIZE), 0);
      assert.deepEqual(await collect(createReadStream(seg, { start: 100, end: 100 + 3 * PAGE + 5, chunkSize: 1000 })), seg.readChunk(3 * PAGE + 5, 100));
      assert.deepEqual(await collect(createReadStream(seg)), seg.readChunk(SIZE, 0));
      assert.deepEqual(await collect(createReadStream(seg, { start: SIZE - 3 })), seg.readChunk(3, SIZE - 3));
      assert.deepEqual(await collect(createReadStream(seg, { start: 7, end: 7 })), Buffer.alloc(0));
      // chunks are fresh Buffers (a consumer may keep them)
      const kept: Buffer[] = [];
      for await (const c of createReadStream(seg, { chunkSize: PAGE })) kept.push(c as Buffer);
      assert.ok(kept.length >= 5);
      assert.deepEqual(Buffer.concat(kept), seg.readChunk(SIZE, 0));
    });
  });

  test('createReadStream with a bad range throws RangeError at once', async () => {
    await withSegment(PAGE, {}, (seg) => {
      seg.attach();
      assert.throws(() => createReadStream(seg, { start: 10, end: 5 }), RangeError);
      assert.throws(() => createReadStream(seg, { end: PAGE + 1 }), RangeError);
      assert.throws(() => createReadStream(seg, { start: -1 }), RangeError);
    });
  });

  test('createReadStream of a detached segment errors the stream', async () => {
    await withSegment(PAGE, {}, async (seg) => {
      await assert.rejects(collect(createReadStream(seg)), (e: ShmError) => e.code === CODES.detached);
    });
  });

  test('createWriteStream writes consecutive chunks', async () => {
    await withSegment(SIZE, {}, async (seg) => {
      seg.attach();
      const chunks = [randomBytes(10), randomBytes(PAGE), randomBytes(1), randomBytes(3000)];
      const ws = createWriteStream(seg, { start: 33 });
      await pipeline(function* () { yield* chunks; }, ws);
      const all = Buffer.concat(chunks);
      assert.deepEqual(seg.readChunk(all.length, 33), all);
      assert.deepEqual(seg.readChunk(33, 0), Buffer.alloc(33), 'nothing before start');
    });
  });

  test('a write past the end errors the stream; the failing chunk writes nothing', async () => {
    await withSegment(PAGE, {}, async (seg) => {
      seg.attach();
      const first = randomBytes(PAGE - 100);
      const second = randomBytes(200); // would cross the end
      const ws: Writable = createWriteStream(seg, { start: 50 });
      await assert.rejects(pipeline(function* () { yield first; yield second; }, ws), RangeError);
      assert.deepEqual(seg.readChunk(first.length, 50), first);
      assert.deepEqual(seg.readChunk(50, PAGE - 50), Buffer.alloc(50), 'tail untouched');
      assert.throws(() => createWriteStream(seg, { start: PAGE + 1 }), RangeError);
      assert.throws(() => createWriteStream(seg, { start: -5 }), RangeError);
    });
  });
});

describe('error messages', () => {
  test('shmat on a removed id: "shmat <id>: <text> (EINVAL)" with op and errno', () => {
    const seg = createSegment(PAGE);
    const id = seg.id;
    disposeSegment(seg);
    const err = throwsShm(() => seg.attach(), 'EINVAL');
    assert.equal(err.op, 'shmat');
    assert.equal(err.errno, 22);
    assert.equal(err.name, 'ShmError');
    assert.match(err.message, new RegExp(`^shmat ${id}: .+ \\(EINVAL\\)$`));
    assert.equal(seg.attached, false);
  });

  test('IPC_STAT of an unknown id names the op and id', () => {
    const err = throwsShm(() => Segment.open(0x7ffffff0), 'EINVAL');
    assert.match(err.message, /^shmctl\(IPC_STAT\) 2147483632: .+ \(EINVAL\)$/);
  });
});
