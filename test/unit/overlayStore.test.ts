// The overlay store (src/ctypes/overlayStore.ts): the one JSON file the extension and the CLI share.
// Round trips per key and per private segment's id+ctime, dedupe, the MAX_OVERLAYS cap,
// remove/clear, a damaged or hostile file that is ignored (never trusted), the file's modes,
// concurrent changes in order, and where the file is (SHM_INSPECTOR_OVERLAYS, XDG_CONFIG_HOME).
// No segments: the store names segments, it never opens them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OverlayStore, defaultStorePath, parseSpec, storeKey } from '../../src/ctypes/overlayStore';
import { MAX_OVERLAYS, MAX_OVERLAY_COUNT, type OverlaySpec, overlayId } from '../../src/protocol/overlay';
import { testTmpDir } from './helpers';

let serial = 0;
/** A fresh directory for one test's store. */
function dir(): string {
  return fs.mkdtempSync(path.join(testTmpDir(), `store-${++serial}-`));
}

const KEYED = { key: 0x5348ab01, id: 7, ctime: 1000 };
const spec = (typeName: string, offset = 0, extra: Partial<OverlaySpec> = {}): OverlaySpec =>
  ({ header: '/src/state.h', typeName, offset, count: 1, abi: 'x86_64', ...extra });

/** Writes text as the store's file and returns a store over it. */
function storeWith(text: string): OverlayStore {
  const file = path.join(dir(), 'overlays.json');
  fs.writeFileSync(file, text);
  return new OverlayStore(file);
}

describe('OverlayStore', () => {
  test('round trip: what is added is read back in order, by another store of the same file too', async () => {
    const store = new OverlayStore(path.join(dir(), 'cfg', 'overlays.json'));
    assert.deepEqual(await store.get(KEYED), [], 'no file yet: nothing');
    const a = spec('struct a');
    const b = spec('struct b', 64, { count: 4 });
    const t: OverlaySpec = { text: 'struct t { int x; };', typeName: 'struct t', offset: 8, count: 1, abi: 'aarch64' };
    assert.deepEqual(await store.add(KEYED, a), [a]);
    assert.deepEqual(await store.add(KEYED, b), [a, b]);
    assert.deepEqual(await store.add(KEYED, t), [a, b, t]);
    assert.deepEqual(await store.get(KEYED), [a, b, t]);
    assert.deepEqual(await new OverlayStore(store.file).get(KEYED), [a, b, t]);
    const saved = JSON.parse(fs.readFileSync(store.file, 'utf8')) as { version: number; segments: Record<string, unknown> };
    assert.equal(saved.version, 1);
    assert.deepEqual(Object.keys(saved.segments), ['key:0x5348ab01']);
    assert.deepEqual(fs.readdirSync(path.dirname(store.file)), ['overlays.json'], 'no temporary file left behind');
  });

  test('per key (whatever the id), and per id+ctime for private segments', async () => {
    const store = new OverlayStore(path.join(dir(), 'overlays.json'));
    await store.add(KEYED, spec('struct keyed'));
    // The same key under another id (the program recreated it): the same overlays.
    assert.deepEqual((await store.get({ ...KEYED, id: 99, ctime: 5 })).map((s) => s.typeName), ['struct keyed']);
    // Negative keys (the kernel's are signed) name the same entry as their unsigned spelling.
    await store.add({ key: -2, id: 1, ctime: 1 }, spec('struct neg'));
    assert.equal(storeKey({ key: -2, id: 1, ctime: 1 }), 'key:0xfffffffe');
    assert.deepEqual((await store.get({ key: 0xfffffffe, id: 2, ctime: 2 })).map((s) => s.typeName), ['struct neg']);
    // Private: the id and its creation time; the same id later is another segment.
    const priv = { key: 0, id: 42, ctime: 1700000000 };
    assert.equal(storeKey(priv), 'private:42:1700000000');
    await store.add(priv, spec('struct private'));
    assert.deepEqual((await store.get(priv)).map((s) => s.typeName), ['struct private']);
    assert.deepEqual(await store.get({ ...priv, ctime: priv.ctime + 1 }), []);
    assert.deepEqual(await store.get({ ...priv, id: 43 }), []);
    assert.deepEqual((await store.get(KEYED)).map((s) => s.typeName), ['struct keyed'], 'other entries untouched');
  });

  test('the same spec twice is one overlay and keeps its place', async () => {
    const store = new OverlayStore(path.join(dir(), 'overlays.json'));
    const a = spec('struct a');
    const b = spec('struct b');
    await store.add(KEYED, a);
    await store.add(KEYED, b);
    assert.deepEqual(await store.add(KEYED, { ...a }), [a, b]);
    // Any difference (offset, count, abi, source) is another overlay.
    await store.add(KEYED, spec('struct a', 4));
    await store.add(KEYED, spec('struct a', 0, { count: 2 }));
    await store.add(KEYED, spec('struct a', 0, { abi: 'aarch64' }));
    await store.add(KEYED, spec('struct a', 0, { header: '/other/state.h' }));
    assert.equal((await store.get(KEYED)).length, 6);
  });

  test(`at most ${MAX_OVERLAYS} per segment: the oldest goes`, async () => {
    const store = new OverlayStore(path.join(dir(), 'overlays.json'));
    for (let i = 0; i <= MAX_OVERLAYS; i++) await store.add(KEYED, spec('struct s', i * 8));
    const list = await store.get(KEYED);
    assert.equal(list.length, MAX_OVERLAYS);
    assert.equal(list[0].offset, 8, 'the first added was dropped');
    assert.equal(list.at(-1)?.offset, MAX_OVERLAYS * 8);
  });

  test('remove by id and clear; a segment with nothing left has no entry', async () => {
    const store = new OverlayStore(path.join(dir(), 'overlays.json'));
    const a = spec('struct a');
    const b = spec('struct b');
    await store.add(KEYED, a);
    await store.add(KEYED, b);
    const other = { key: 0x5348ab02, id: 8, ctime: 1 };
    await store.add(other, a);
    assert.deepEqual(await store.remove(KEYED, overlayId(a)), [b]);
    assert.deepEqual(await store.remove(KEYED, 'no such id'), [b]);
    assert.deepEqual(await store.get(KEYED), [b]);
    assert.deepEqual(await store.clear(KEYED), []);
    assert.deepEqual(await store.get(KEYED), []);
    assert.deepEqual(await store.get(other), [a], 'another segment keeps its overlays');
    await store.remove(other, overlayId(a));
    const saved = JSON.parse(fs.readFileSync(store.file, 'utf8')) as { segments: Record<string, unknown> };
    assert.deepEqual(saved.segments, {});
  });

  test('a sequence counter: named on one overlay of a segment at a time, not part of its identity, cleared with undefined', async () => {
    const store = new OverlayStore(path.join(dir(), 'overlays.json'));
    const a = spec('struct a');
    const b = spec('struct b', 64);
    await store.add(KEYED, a);
    await store.add(KEYED, b);
    assert.deepEqual(await store.setSeq(KEYED, overlayId(a), 'hdr.seq'), [{ ...a, seq: 'hdr.seq' }, b]);
    assert.equal(overlayId({ ...a, seq: 'hdr.seq' }), overlayId(a));
    assert.deepEqual(await store.setSeq(KEYED, overlayId(b), 'gen'), [a, { ...b, seq: 'gen' }], 'moved to b: a names none');
    assert.deepEqual(await new OverlayStore(store.file).get(KEYED), [a, { ...b, seq: 'gen' }], 'read back from the file');
    assert.deepEqual(await store.setSeq(KEYED, overlayId(b), undefined), [a, b]);
    await assert.rejects(store.setSeq(KEYED, 'no such id', 'x'), /not applied to this segment any more/);
    assert.equal(parseSpec({ ...a, seq: 'bad\nline' })?.seq, undefined, 'a control character is no field path');
    assert.equal(parseSpec({ ...a, seq: 42 })?.seq, undefined);
  });

  test('a damaged file reads as empty and is replaced whole at the next change', async () => {
    for (const text of ['', '{', 'null', '[]', '"text"', '42', '{"segments": []}', '{"segments": "x"}', '{"segments": null}', '\u0000\u0001binary']) {
      const store = storeWith(text);
      assert.deepEqual(await store.get(KEYED), [], `file ${JSON.stringify(text)}`);
      const a = spec('struct a');
      assert.deepEqual(await store.add(KEYED, a), [a]);
      assert.deepEqual(await new OverlayStore(store.file).get(KEYED), [a], `file ${JSON.stringify(text)} replaced`);
    }
  });

  test('hostile entries are ignored, never trusted; valid ones beside them survive', async () => {
    const good = spec('struct good', 16);
    const bad: unknown[] = [
      null, 1, 'struct x', [], [good],
      { ...good, header: 'relative/state.h' }, { ...good, header: '../state.h' }, { ...good, header: '' },
      { ...good, header: '/a\u0000b.h' }, { ...good, header: '/a\nb.h' }, { ...good, header: '/' + 'x'.repeat(5000) },
      { ...good, header: 42 }, { ...good, text: 'struct t { int x; };' }, // both sources
      { typeName: 'struct t', offset: 0, count: 1, abi: 'x86_64' }, // neither
      { ...good, typeName: '' }, { ...good, typeName: 7 }, { ...good, typeName: 'struct a\nstruct b' }, { ...good, typeName: 'x'.repeat(513) },
      { ...good, offset: -1 }, { ...good, offset: 1.5 }, { ...good, offset: '0' }, { ...good, offset: 2 ** 60 }, { ...good, offset: null },
      { ...good, count: 0 }, { ...good, count: MAX_OVERLAY_COUNT + 1 }, { ...good, count: 1e300 }, { ...good, count: Infinity }, { ...good, count: '1' },
      { ...good, abi: 'i386' }, { ...good, abi: undefined }, { ...good, abi: ['x86_64'] },
      { header: undefined, text: 'x'.repeat((256 << 10) + 1), typeName: 'struct t', offset: 0, count: 1, abi: 'x86_64' },
    ];
    for (const b of bad) assert.equal(parseSpec(b), undefined, `accepted ${JSON.stringify([b]).slice(0, 80)}`);
    const store = storeWith(JSON.stringify({
      version: 1,
      segments: {
        'key:0x5348ab01': [...bad, good],
        'key:0x5348AB01': [good], 'key:0x1': [good], 'private:a:b': [good], ['__proto__']: [good], 'private:1:2:3': [good],
        'key:0x5348ab03': 'not a list',
        'key:0x5348ab04': { 0: good },
      },
    }));
    assert.deepEqual(await store.get(KEYED), [good]);
    assert.deepEqual(await store.get({ key: 0x5348ab03, id: 1, ctime: 1 }), []);
    assert.deepEqual(await store.get({ key: 0x5348ab04, id: 1, ctime: 1 }), []);
    // The next change writes back only what was valid.
    await store.add({ key: 0x5348ab05, id: 1, ctime: 1 }, good);
    const saved = JSON.parse(fs.readFileSync(store.file, 'utf8')) as { segments: Record<string, unknown> };
    assert.deepEqual(Object.keys(saved.segments).sort(), ['key:0x5348ab01', 'key:0x5348ab05']);
    assert.deepEqual(saved.segments['key:0x5348ab01'], [good]);
  });

  test('huge counts: more specs than the cap keep the last ones; a huge file is not read at all', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => spec('struct s', i));
    const store = storeWith(JSON.stringify({ segments: { 'key:0x5348ab01': many } }));
    const list = await store.get(KEYED);
    assert.equal(list.length, MAX_OVERLAYS);
    assert.equal(list.at(-1)?.offset, 9999);
    // 17 MiB of (valid) JSON: not a file we wrote.
    const big = storeWith(JSON.stringify({ segments: { 'key:0x5348ab01': [spec('struct s', 0, { text: undefined })] }, pad: 'x'.repeat(17 << 20) }));
    assert.deepEqual(await big.get(KEYED), []);
    // A directory where the file should be: nothing read, a change fails with an error (not a crash).
    const d = dir();
    fs.mkdirSync(path.join(d, 'overlays.json'));
    const onDir = new OverlayStore(path.join(d, 'overlays.json'));
    assert.deepEqual(await onDir.get(KEYED), []);
    await assert.rejects(onDir.add(KEYED, spec('struct s')));
    assert.deepEqual(fs.readdirSync(d), ['overlays.json'], 'no temporary file left behind');
    // The store still works for later changes after a failed one.
    fs.rmdirSync(path.join(d, 'overlays.json'));
    assert.deepEqual(await onDir.add(KEYED, spec('struct s')), [spec('struct s')]);
  });

  test('the file is 0600 in a 0700 directory (created so, whatever the umask)', async () => {
    const d = dir();
    const store = new OverlayStore(path.join(d, 'shm-inspector', 'overlays.json'));
    const old = process.umask(0o000);
    try {
      await store.add(KEYED, spec('struct a'));
    } finally {
      process.umask(old);
    }
    assert.equal(fs.statSync(path.dirname(store.file)).mode & 0o777, 0o700);
    assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
    await store.add(KEYED, spec('struct b'));
    assert.equal(fs.statSync(store.file).mode & 0o777, 0o600, 'still 0600 after a rewrite');
  });

  test('concurrent changes (from one store or several of the same file) all land, in the order made', async () => {
    const file = path.join(dir(), 'overlays.json');
    const stores = [new OverlayStore(file), new OverlayStore(file), new OverlayStore(file)];
    const specs = Array.from({ length: 24 }, (_, i) => spec('struct s', i * 4));
    const results = await Promise.all(specs.map((s, i) => stores[i % stores.length].add(KEYED, s)));
    assert.deepEqual(await stores[0].get(KEYED), specs);
    results.forEach((r, i) => assert.equal(r.length, i + 1, `add ${i} saw the ${i} before it`));
    // Mixed: adds, a remove and a clear of another key, interleaved.
    const other = { key: 0x5348ab09, id: 1, ctime: 1 };
    await Promise.all([
      stores[0].add(other, specs[0]), stores[1].add(other, specs[1]), stores[2].remove(KEYED, overlayId(specs[0])),
      stores[0].clear(other), stores[1].add(other, specs[2]),
    ]);
    assert.deepEqual(await stores[2].get(other), [specs[2]]);
    assert.deepEqual(await stores[2].get(KEYED), specs.slice(1));
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['overlays.json']);
  });

  test('where the file is: SHM_INSPECTOR_OVERLAYS, else $XDG_CONFIG_HOME (absolute), else ~/.config', () => {
    assert.equal(defaultStorePath({ SHM_INSPECTOR_OVERLAYS: '/tmp/x/o.json', XDG_CONFIG_HOME: '/cfg' }), '/tmp/x/o.json');
    assert.equal(defaultStorePath({ SHM_INSPECTOR_OVERLAYS: 'rel/o.json' }), path.resolve('rel/o.json'));
    assert.equal(defaultStorePath({ XDG_CONFIG_HOME: '/cfg' }), '/cfg/shm-inspector/overlays.json');
    const home = path.join(os.homedir(), '.config', 'shm-inspector', 'overlays.json');
    assert.equal(defaultStorePath({ XDG_CONFIG_HOME: 'relative/cfg' }), home, 'a relative XDG_CONFIG_HOME is ignored (XDG spec)');
    assert.equal(defaultStorePath({}), home);
    assert.equal(defaultStorePath({ SHM_INSPECTOR_OVERLAYS: '' }), home);
    // The default store follows the environment of the moment it is made.
    const saved = process.env.SHM_INSPECTOR_OVERLAYS;
    process.env.SHM_INSPECTOR_OVERLAYS = '/tmp/from-env.json';
    try {
      assert.equal(new OverlayStore().file, '/tmp/from-env.json');
    } finally {
      if (saved === undefined) delete process.env.SHM_INSPECTOR_OVERLAYS;
      else process.env.SHM_INSPECTOR_OVERLAYS = saved;
    }
  });
});
