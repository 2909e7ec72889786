// The host's typed overlays without VS Code (src/extension/overlays): the catalog's order by fit,
// Apply C Type's questions answered by a script, the store file they are remembered in, the
// views the webviews get (laid out, count cut to the segment, errors kept with the spec), a
// header changed on disk re-laid out and pushed, removal, and Verify against the real gcc.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findCompiler, hostAbi } from '../../src/ctypes';
import { OverlayStore } from '../../src/ctypes/overlayStore';
import type { OverlayView } from '../../src/protocol/overlay';
import { type TypeChoice, fitOf, sortChoices, typesOf } from '../../src/extension/overlays/catalog';
import { OverlayService, type OverlayPrompts, type OverlayWorkspace, type TypePick } from '../../src/extension/overlays/overlayService';
import type { HexDocument } from '../../src/extension/hexEditor/document';
import type { InspectEditors } from '../../src/extension/hexEditor/inspection/target';
import type { WebviewHost } from '../../src/extension/hexEditor/webviewHost';
import { testTmpDir } from './helpers';

const HEADER = `#include <stdint.h>
#include <sys/types.h>
struct hdr { uint32_t magic; pid_t pid; };
typedef struct state { struct hdr hdr; uint64_t seq; char name[16]; } state_t;
struct pair { uint16_t a, b; };
struct big { char bytes[4096]; };
`;

function dir(): string {
  const d = fs.mkdtempSync(path.join(testTmpDir(), 'overlays-'));
  fs.writeFileSync(path.join(d, 'state.h'), HEADER);
  return d;
}

/** A document as the service sees it, with webviews that record what they were posted. */
function fakeDoc(id: number, key: number, size: number, ctime = 1000): { doc: HexDocument; posted: OverlayView[][] } {
  const posted: OverlayView[][] = [];
  const identity = { id, key, cpid: 1, size, ctime };
  // A live segment's document: its source has the segment's offsets (no timeline).
  const doc = { info: { id, key, keyHex: `0x${key.toString(16).padStart(8, '0')}`, size, readOnly: false }, identity, size, source: { identity, size } } as unknown as HexDocument;
  const host = { post: (name: string, payload: { overlays: OverlayView[] }) => { if (name === 'overlays') posted.push(payload.overlays); } } as unknown as WebviewHost;
  hosts.set(doc, [host]);
  return { doc, posted };
}
const hosts = new Map<HexDocument, WebviewHost[]>();
const editors: InspectEditors = { documents: () => [...hosts.keys()], hostsOf: (d) => hosts.get(d) ?? [] };

/** Prompts that answer from a script and record what they were shown. */
function scripted(answers: { type?: (choices: TypeChoice[]) => TypePick | undefined; place?: 'cursor' | 0; count?: 'one' | 'all'; text?: string; inType?: string }) {
  const shown = { choices: [] as TypeChoice[], errors: [] as string[], reports: [] as { summary: string; ok: boolean; lines: string[] }[] };
  const prompts: OverlayPrompts = {
    async pickType(_title, load) {
      await load((h) => { if ('choices' in h) shown.choices.push(...h.choices); else shown.errors.push(h.error); });
      return answers.type?.(sortChoices(shown.choices));
    },
    pickTypeIn: (_t, choices) => Promise.resolve(choices.find((c) => c.typeName === answers.inType)),
    chooseHeader: () => Promise.resolve(undefined),
    declarations: () => Promise.resolve(answers.text),
    pickPlace: (_t, cursor) => Promise.resolve(answers.place === 'cursor' ? cursor : 0),
    pickCount: (_t, count) => Promise.resolve(answers.count === 'all' ? count : 1),
    pickOverlay: (_t, views) => Promise.resolve(views[0]),
    info: () => undefined,
    error: (m) => { shown.errors.push(m); },
    report: (lines, summary, ok) => { shown.reports.push({ lines, summary, ok }); },
  };
  return { prompts, shown };
}

function workspace(root: string, watchers: Map<string, () => void>): OverlayWorkspace {
  return {
    context: () => ({ root, settings: {} }),
    findHeaders: () => Promise.resolve(fs.readdirSync(root).filter((f) => /\.[ch]$/.test(f)).map((f) => path.join(root, f))),
    watch: (file, changed) => {
      watchers.set(file, changed);
      return { dispose: () => watchers.delete(file) };
    },
  };
}

describe('overlays in the host', () => {
  test('fit: fills, divides, fits, too big; sorted in that order, larger first', () => {
    assert.deepEqual(fitOf(64, 64, 0), { fit: 'fills', count: 1 });
    assert.deepEqual(fitOf(16, 64, 0), { fit: 'divides', count: 4 });
    assert.deepEqual(fitOf(24, 64, 0), { fit: 'fits', count: 2 });
    assert.deepEqual(fitOf(24, 64, 48), { fit: 'too-big', count: 0 });
    assert.deepEqual(fitOf(16, 64, 48), { fit: 'fills', count: 1 });
    const c = (typeName: string, size: number): TypeChoice => ({ header: '/h', typeName, size, ...fitOf(size, 64, 0) });
    assert.deepEqual(sortChoices([c('a', 100), c('b', 24), c('c', 4), c('d', 64), c('e', 16)]).map((x) => x.typeName), ['d', 'e', 'c', 'b', 'a']);
  });

  test('typesOf lists what a header declares with sizes; a broken header is one error naming its file and line', async () => {
    const d = dir();
    const r = await typesOf(path.join(d, 'state.h'), { root: d }, hostAbi(), 32, 0);
    assert.ok('choices' in r);
    const sizes = Object.fromEntries(r.choices.map((x) => [x.typeName, x.size]));
    assert.equal(sizes['struct hdr'], 8);
    assert.equal(sizes['struct state'], 32);
    assert.equal(sizes.state_t, 32);
    assert.equal(r.choices.find((x) => x.typeName === 'struct state')?.fit, 'fills');
    fs.writeFileSync(path.join(d, 'bad.h'), 'struct ok { int a; };\nstruct broken { int a; float b[; };\n');
    const bad = await typesOf(path.join(d, 'bad.h'), { root: d }, hostAbi(), 32, 0);
    assert.ok('error' in bad);
    assert.match(bad.error, /bad\.h:2/);
  });

  test('Apply C Type: the answers become a remembered overlay, laid out, sent to every editor of the key', async () => {
    const d = dir();
    const store = new OverlayStore(path.join(d, 'config', 'overlays.json'));
    const watchers = new Map<string, () => void>();
    const { prompts, shown } = scripted({ type: (cs) => ({ kind: 'type', choice: cs[0] }), place: 'cursor', count: 'one' });
    const svc = new OverlayService(store, editors, workspace(d, watchers), () => prompts);
    const { doc, posted } = fakeDoc(11, 0x5348aa01, 32);
    const other = fakeDoc(12, 0x5348aa01, 32); // another editor of the same key
    try {
      assert.equal(await svc.apply(doc, 0), true);
      // Types that fill the segment come first in the pick.
      assert.equal(shown.choices.length > 0, true);
      assert.equal(sortChoices(shown.choices)[0].fit, 'fills');
      const views = await svc.viewsOf(doc);
      assert.equal(views.length, 1);
      assert.equal(views[0].offset, 0);
      assert.equal(views[0].count, 1);
      assert.equal(views[0].type?.size, 32);
      assert.equal(views[0].header, path.join(d, 'state.h'));
      assert.deepEqual(posted.at(-1), views);
      assert.deepEqual(other.posted.at(-1), views);
      // A recording of part of the segment (offset 0 is segment offset 8): no overlays, and none applied there.
      const partial = { info: doc.info, identity: doc.identity, size: 16, source: { identity: doc.identity, size: 16, timeline: { segmentOffset: 8 } } } as unknown as HexDocument;
      assert.deepEqual(await svc.viewsOf(partial), []);
      await assert.rejects(svc.apply(partial, 0), /C types work in segment offsets: this recording holds bytes 0x8\+16 of the segment only/);
      const whole = { info: doc.info, identity: doc.identity, size: 32, source: { identity: doc.identity, size: 32, timeline: { segmentOffset: 0 } } } as unknown as HexDocument;
      assert.deepEqual(await svc.viewsOf(whole), views, 'a whole-segment recording shows them');
      // Remembered in the file (0600), per key.
      assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
      assert.equal((await new OverlayStore(store.file).get({ key: 0x5348aa01, id: 99, ctime: 5 })).length, 1);
      assert.ok(watchers.has(path.join(d, 'state.h')), 'the header is watched');
      // Removed: gone from the views and the file.
      await svc.remove(doc, views[0].id);
      assert.deepEqual(await svc.viewsOf(doc), []);
      assert.deepEqual(posted.at(-1), []);
      await assert.rejects(svc.remove(doc, views[0].id), /not applied/);
    } finally {
      hosts.delete(doc);
      hosts.delete(other.doc);
      svc.dispose();
    }
  });

  test('an array filling the segment from the cursor; the count is cut when the segment is smaller than remembered', async () => {
    const d = dir();
    const store = new OverlayStore(path.join(d, 'overlays.json'));
    const pair = (cs: TypeChoice[]): TypePick => ({ kind: 'type', choice: cs.find((c) => c.typeName === 'struct pair') ?? cs[0] });
    const { prompts } = scripted({ type: pair, place: 'cursor', count: 'all' });
    const svc = new OverlayService(store, editors, workspace(d, new Map()), () => prompts);
    const { doc } = fakeDoc(21, 0x5348aa02, 64);
    try {
      assert.equal(await svc.apply(doc, 8), true);
      const [v] = await svc.viewsOf(doc);
      assert.equal(v.offset, 8);
      assert.equal(v.count, 14); // (64 - 8) / 4
      assert.equal(v.label, 'struct pair[14] @ 0x8 (state.h)');
      // The same key, a smaller segment now: the count is cut, the spec stays remembered.
      const small = fakeDoc(22, 0x5348aa02, 16);
      const [w] = await svc.viewsOf(small.doc);
      assert.equal(w.count, 2);
      assert.equal(w.id, v.id);
      hosts.delete(small.doc);
      // Too small for even one element from the offset: an error, not a wrong overlay.
      const tiny = fakeDoc(23, 0x5348aa02, 10);
      const [x] = await svc.viewsOf(tiny.doc);
      assert.equal(x.type, undefined);
      assert.match(x.error ?? '', /does not fit/);
      hosts.delete(tiny.doc);
    } finally {
      hosts.delete(doc);
      svc.dispose();
    }
  });

  test('a header changed on disk is laid out again and pushed; a type that went is an error kept with the overlay', async () => {
    const d = dir();
    const header = path.join(d, 'state.h');
    const store = new OverlayStore(path.join(d, 'overlays.json'));
    const watchers = new Map<string, () => void>();
    const { prompts } = scripted({});
    const svc = new OverlayService(store, editors, workspace(d, watchers), () => prompts);
    const { doc, posted } = fakeDoc(31, 0x5348aa03, 64);
    try {
      await svc.add({ key: 0x5348aa03, id: 31, ctime: 1000 }, { header, typeName: 'struct hdr', offset: 0, count: 1, abi: hostAbi() });
      assert.equal(posted.at(-1)?.[0].type?.size, 8);
      fs.writeFileSync(header, HEADER.replace('pid_t pid;', 'pid_t pid; uint64_t extra;'));
      await svc.headerChanged(header);
      assert.equal(posted.at(-1)?.[0].type?.size, 16);
      fs.writeFileSync(header, HEADER.replace('struct hdr {', 'struct renamed {').replace('struct hdr hdr;', 'struct renamed hdr;'));
      await svc.headerChanged(header);
      const v = posted.at(-1)?.[0];
      assert.equal(v?.type, undefined);
      assert.match(v?.error ?? '', /struct hdr/);
      assert.equal((await store.get({ key: 0x5348aa03, id: 0, ctime: 0 })).length, 1, 'the spec stays remembered');
    } finally {
      hosts.delete(doc);
      svc.dispose();
    }
  });

  test('a header changed before its watcher heard (or that it never heard) is laid out again at the next use', async () => {
    const d = dir();
    const header = path.join(d, 'state.h');
    fs.writeFileSync(header, HEADER);
    const store = new OverlayStore(path.join(d, 'overlays.json'));
    const { prompts } = scripted({});
    const svc = new OverlayService(store, editors, workspace(d, new Map()), () => prompts); // watchers that never fire
    try {
      const spec = { header, typeName: 'struct hdr', offset: 0, count: 1, abi: hostAbi() };
      assert.equal((await svc.layout(spec)).type.size, 8);
      assert.equal((await svc.layout(spec)).type.size, 8, 'unchanged: from the cache');
      fs.writeFileSync(header, HEADER.replace('pid_t pid;', 'pid_t pid; uint64_t extra;'));
      assert.equal((await svc.layout(spec)).type.size, 16);
      fs.writeFileSync(header, 'struct hdr { int magic\n');
      await assert.rejects(svc.layout(spec), /state\.h/);
    } finally {
      svc.dispose();
    }
  });

  test('typed declarations: laid out with our own preprocessor, remembered as text; private segments by id and ctime', async () => {
    const d = dir();
    const store = new OverlayStore(path.join(d, 'overlays.json'));
    const { prompts } = scripted({ type: () => ({ kind: 'text' }), text: '#define N 3\nstruct t { short v[N]; char c; };', count: 'one' });
    const svc = new OverlayService(store, editors, workspace(d, new Map()), () => prompts);
    const { doc } = fakeDoc(41, 0, 8, 777);
    try {
      assert.equal(await svc.apply(doc, 0), true);
      const [v] = await svc.viewsOf(doc);
      assert.equal(v.typeName, 'struct t');
      assert.equal(v.type?.size, 8);
      assert.equal(v.header, undefined);
      assert.equal(v.label, 'struct t @ 0x0 (<typed>)');
      // Another private segment (same id, another ctime) does not get it.
      assert.deepEqual(await store.get({ key: 0, id: 41, ctime: 778 }), []);
    } finally {
      hosts.delete(doc);
      svc.dispose();
    }
  });

  test('Set Sequence Counter: a 4- or 8-byte integer field, told to the editors; not a 2-byte one, not an overlay that is one integer; None takes it back', async () => {
    const d = dir();
    const store = new OverlayStore(path.join(d, 'overlays.json'));
    const { prompts } = scripted({ type: () => ({ kind: 'text' }), text: 'typedef unsigned int seq_t; struct s { unsigned short a; unsigned int n; };', inType: 'struct s', count: 'one' });
    const svc = new OverlayService(store, editors, workspace(d, new Map()), () => prompts);
    const { doc, posted } = fakeDoc(43, 0x5348aa01, 64);
    const ref = { key: 0x5348aa01, id: 43, ctime: 1000 };
    try {
      assert.equal(await svc.apply(doc, 0), true); // struct s at 0
      const [structView] = await svc.viewsOf(doc);
      assert.deepEqual(await svc.setSequenceCounter(ref, structView.id, 'n'), { offset: 4, size: 4 });
      assert.deepEqual(await svc.sequenceCounter(ref), { offset: 4, size: 4, field: 'n' });
      assert.equal(posted.at(-1)?.[0].seq, 'n', 'the editors are told');
      await assert.rejects(svc.setSequenceCounter(ref, structView.id, 'a'), /4- or 8-byte/);
      // An overlay that is one integer has no field to name: its empty path is refused, the counter kept.
      const one = { text: 'typedef unsigned int seq_t;', typeName: 'seq_t', offset: 0x20, count: 1, abi: structView.abi };
      await store.add(ref, one);
      const scalar = (await svc.viewsOf(doc)).find((v) => v.typeName === 'seq_t');
      assert.ok(scalar?.type, 'seq_t lays out');
      await assert.rejects(svc.setSequenceCounter(ref, scalar.id, ''), /empty field path/);
      assert.deepEqual(await svc.sequenceCounter(ref), { offset: 4, size: 4, field: 'n' });
      await svc.setSequenceCounter(ref, structView.id, undefined);
      assert.equal(await svc.sequenceCounter(ref), undefined);
    } finally {
      hosts.delete(doc);
      svc.dispose();
    }
  });

  test('Verify Layout with the Compiler: agreement with gcc is reported as such', async (t) => {
    if (!findCompiler(hostAbi())) {
      t.skip('no C compiler on PATH: cannot verify against it');
      return;
    }
    const d = dir();
    const store = new OverlayStore(path.join(d, 'overlays.json'));
    const { prompts, shown } = scripted({});
    const svc = new OverlayService(store, editors, workspace(d, new Map()), () => prompts);
    const { doc } = fakeDoc(51, 0x5348aa05, 64);
    try {
      await svc.add({ key: 0x5348aa05, id: 51, ctime: 1000 }, { header: path.join(d, 'state.h'), typeName: 'state_t', offset: 0, count: 1, abi: hostAbi() });
      const [v] = await svc.viewsOf(doc);
      await svc.verify(doc, v.id);
      assert.equal(shown.reports.length, 1);
      assert.equal(shown.reports[0].ok, true, shown.reports[0].summary);
      assert.match(shown.reports[0].summary, /agrees with/);
      // Typed declarations are verified too (through a private temporary header).
      const r = await svc.verifySpec({ text: 'struct q { char c; double d; };', typeName: 'struct q', offset: 0, count: 1, abi: hostAbi() });
      assert.equal(r.kind, 'checked');
      assert.equal(shown.reports.at(-1)?.ok, true);
    } finally {
      hosts.delete(doc);
      svc.dispose();
    }
  });
});
