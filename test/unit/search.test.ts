// Pattern search in a live segment, checked against a naive in-memory search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { search, searchChunks, type SearchOptions, type Segment } from '../../src/core';
import { installCleanup, seededRng, withSegment } from './helpers';

installCleanup();

const lower = (b: number) => (b >= 65 && b <= 90 ? b | 0x20 : b);

/** Every match start, in search order, by brute force. */
function naive(data: Buffer, o: SearchOptions): number[] {
  const n = o.pattern.length;
  const last = data.length - n;
  const matchAt = (p: number) => {
    for (let i = 0; i < n; i++) {
      const m = o.mask ? o.mask[i] : 0xff;
      let a = data[p + i];
      let b = o.pattern[i];
      if (o.caseInsensitive) { a = lower(a); b = lower(b); }
      if ((a & m) !== (b & m)) return false;
    }
    return true;
  };
  const out: number[] = [];
  if (!o.backwards) {
    for (let p = o.from ?? 0; p <= last; p++) if (matchAt(p)) out.push(p);
  } else {
    for (let p = Math.min(o.from ?? last, last); p >= 0; p--) if (matchAt(p)) out.push(p);
  }
  return out;
}

function check(seg: Segment, data: Buffer, o: SearchOptions, label: string): void {
  const all = naive(data, o);
  const max = o.max ?? 1000;
  const got = search(seg, o);
  assert.deepEqual(got.offsets, all.slice(0, max), label);
  if (all.length < max) assert.equal(got.truncated, false, `${label}: not truncated`);
  if (all.length > max) assert.equal(got.truncated, true, `${label}: truncated`);
}

async function withData(size: number, fill: (b: Buffer) => void, fn: (seg: Segment, data: Buffer) => void | Promise<void>) {
  await withSegment(size, {}, async (seg) => {
    seg.attach();
    const data = Buffer.alloc(size);
    fill(data);
    seg.writeChunk(data, 0);
    await fn(seg, data);
  });
}

test('exact match: every occurrence, incl. overlapping ones and one at the very end', async () => {
  await withData(10000, (b) => {
    b.write('needle', 0);
    b.write('needle', 5000);
    b.write('aaaaa', 7000);
    b.write('needle', 10000 - 6);
  }, (seg, data) => {
    assert.deepEqual(search(seg, { pattern: Buffer.from('needle') }).offsets, [0, 5000, 9994]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('aaa') }).offsets, [7000, 7001, 7002]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('needle'), from: 1 }).offsets, [5000, 9994]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('needle'), from: 9994 }).offsets, [9994]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('needle'), from: 9995 }).offsets, []);
    assert.deepEqual(search(seg, { pattern: Buffer.from('nope') }), { offsets: [], truncated: false });
    check(seg, data, { pattern: Buffer.from('needle'), chunkSize: 7 }, 'tiny chunks');
  });
});

test('a match spanning two chunks (chunkSize 4096, pattern at 4094..4097)', async () => {
  await withData(3 * 4096, (b) => { b.set([0xde, 0xad, 0xbe, 0xef], 4094); b.set([0xde, 0xad, 0xbe, 0xef], 8190); }, (seg, data) => {
    const o = { pattern: Buffer.from([0xde, 0xad, 0xbe, 0xef]), chunkSize: 4096 };
    assert.deepEqual(search(seg, o).offsets, [4094, 8190]);
    assert.deepEqual(search(seg, { ...o, backwards: true }).offsets, [8190, 4094]);
    for (const chunkSize of [1, 2, 3, 4, 5, 4093, 4094, 4095, 4097, 8192]) check(seg, data, { ...o, chunkSize }, `chunkSize ${chunkSize}`);
  });
});

test('pattern at the very end and at the very start, both directions', async () => {
  await withData(4096, (b) => { b.write('END!', 4092); b.write('BEG', 0); }, (seg) => {
    assert.deepEqual(search(seg, { pattern: Buffer.from('END!') }).offsets, [4092]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('END!'), backwards: true }).offsets, [4092]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('BEG'), backwards: true }).offsets, [0]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('BEG'), backwards: true, from: 0 }).offsets, [0]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('END!'), backwards: true, from: 4091 }).offsets, []);
  });
});

test('wildcards (mask 0x00) and case-insensitive matching', async () => {
  await withData(8192, (b) => {
    b.write('id=17;', 100);
    b.write('id=42;', 3000);
    b.write('ID=99;', 5000);
    b.write('Hello', 6000);
    b.write('hELLO', 7000);
    b.write('h\xe9llo', 7100, 'latin1'); // not ASCII: never folded
  }, (seg, data) => {
    const pattern = Buffer.from('id=??;');
    const mask = Buffer.from([0xff, 0xff, 0xff, 0, 0, 0xff]);
    assert.deepEqual(search(seg, { pattern, mask }).offsets, [100, 3000]);
    assert.deepEqual(search(seg, { pattern, mask, caseInsensitive: true }).offsets, [100, 3000, 5000]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('HELLO'), caseInsensitive: true }).offsets, [6000, 7000]);
    assert.deepEqual(search(seg, { pattern: Buffer.from('HELLO') }).offsets, []);
    assert.deepEqual(search(seg, { pattern: Buffer.from('H\xc9LLO', 'latin1'), caseInsensitive: true }).offsets, []);
    // leading and trailing wildcards
    const lead = Buffer.from('?d=4');
    assert.deepEqual(search(seg, { pattern: lead, mask: Buffer.from([0, 0xff, 0xff, 0xff]) }).offsets, [3000]);
    check(seg, data, { pattern: Buffer.from('=??'), mask: Buffer.from([0xff, 0, 0]), chunkSize: 50 }, 'trailing wildcards');
  });
});

test('backwards: from the end, or from an offset, in descending order', async () => {
  await withData(20000, (b) => { for (const o of [10, 500, 9000, 15000, 19990]) b.write('xyz', o); }, (seg) => {
    const pattern = Buffer.from('xyz');
    assert.deepEqual(search(seg, { pattern, backwards: true }).offsets, [19990, 15000, 9000, 500, 10]);
    assert.deepEqual(search(seg, { pattern, backwards: true, from: 14999 }).offsets, [9000, 500, 10]);
    assert.deepEqual(search(seg, { pattern, backwards: true, from: 15000 }).offsets, [15000, 9000, 500, 10]);
    assert.deepEqual(search(seg, { pattern, backwards: true, max: 2, chunkSize: 100 }), { offsets: [19990, 15000], truncated: true });
  });
});

test('max and truncated', async () => {
  await withData(4096, (b) => b.fill(0x41, 1000, 1100), (seg) => {
    const pattern = Buffer.from('A');
    assert.deepEqual(search(seg, { pattern, max: 5 }), { offsets: [1000, 1001, 1002, 1003, 1004], truncated: true });
    const all = search(seg, { pattern, max: 1000 });
    assert.equal(all.offsets.length, 100);
    assert.equal(all.truncated, false);
    assert.deepEqual(search(seg, { pattern, max: 3, chunkSize: 1001 }), { offsets: [1000, 1001, 1002], truncated: true });
  });
});

test('bad patterns and options are RangeErrors', async () => {
  await withData(4096, () => undefined, (seg) => {
    assert.throws(() => search(seg, { pattern: new Uint8Array(0) }), { name: 'RangeError', message: /empty pattern/ });
    assert.throws(() => search(seg, { pattern: Buffer.from('ab'), mask: Buffer.from([0, 0]) }), { name: 'RangeError', message: /all wildcards/ });
    assert.throws(() => search(seg, { pattern: Buffer.from('ab'), mask: Buffer.from([0xff]) }), RangeError);
    assert.throws(() => search(seg, { pattern: Buffer.from('ab'), from: -1 }), RangeError);
    assert.throws(() => search(seg, { pattern: Buffer.from('ab'), max: 1.5 }), RangeError);
    assert.throws(() => search(seg, { pattern: Buffer.from('ab'), chunkSize: NaN }), RangeError);
  });
});

test('a pattern longer than the segment finds nothing, in both directions', async () => {
  await withData(16, () => undefined, (seg) => {
    const pattern = Buffer.alloc(17);
    assert.deepEqual(search(seg, { pattern }), { offsets: [], truncated: false });
    assert.deepEqual(search(seg, { pattern, backwards: true }), { offsets: [], truncated: false });
  });
});

test('searchChunks reports progress up to the total and can be stopped between chunks', async () => {
  await withData(100000, (b) => b.write('zz', 99000), (seg) => {
    const it = searchChunks(seg, { pattern: Buffer.from('zz'), chunkSize: 10000 });
    const seen: number[] = [];
    let r = it.next();
    while (!r.done) {
      assert.equal(r.value.total, 100000 - 1);
      seen.push(r.value.done);
      r = it.next();
    }
    assert.deepEqual(r.value, { offsets: [99000], truncated: false });
    assert.ok(seen.length >= 9, `${seen.length} progress steps`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1]);
    assert.equal(seen[seen.length - 1], 100000 - 1);
    // stopping early (what the agent does on cancel) leaves no state behind
    const early = searchChunks(seg, { pattern: Buffer.from('zz'), chunkSize: 10000 });
    assert.equal(early.next().done, false);
    early.return({ offsets: [], truncated: false });
  });
});

test('random data against the naive search (seeded)', async (t) => {
  const rng = seededRng();
  t.diagnostic(`seed ${rng.seed} (set SEARCH_SEED to reproduce)`);
  const seeded = process.env.SEARCH_SEED ? seededRng(Number(process.env.SEARCH_SEED)) : rng;
  const alphabet = Buffer.from('aAbB\x00\xff', 'latin1');
  const SIZE = 64 * 1024 + 3;
  await withData(SIZE, (b) => { for (let i = 0; i < b.length; i++) b[i] = alphabet[seeded.int(0, alphabet.length - 1)]; }, (seg, data) => {
    for (let i = 0; i < 300; i++) {
      const n = seeded.int(1, 7);
      const pattern = Buffer.from(Array.from({ length: n }, () => alphabet[seeded.int(0, alphabet.length - 1)]));
      let mask: Buffer | undefined;
      if (seeded.next() < 0.4) {
        mask = Buffer.from(Array.from({ length: n }, () => (seeded.next() < 0.3 ? 0 : 0xff)));
        if (!mask.includes(0xff)) mask[seeded.int(0, n - 1)] = 0xff;
      }
      const backwards = seeded.next() < 0.4;
      const o: SearchOptions = {
        pattern, mask, backwards,
        caseInsensitive: seeded.next() < 0.4,
        from: seeded.next() < 0.5 ? seeded.int(0, SIZE - 1) : undefined,
        max: seeded.pick([1, 2, 10, 1000, 100000]),
        chunkSize: seeded.pick([undefined, 1, 3, 64, 4096, 10000]),
      };
      check(seg, data, o, `#${i} seed ${seeded.seed}: ${JSON.stringify({ ...o, pattern: pattern.toString('hex'), mask: mask?.toString('hex') })}`);
    }
  });
});
