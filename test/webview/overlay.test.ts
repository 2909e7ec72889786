// The overlay panel (issue 11) in headless Chromium against the fake host: C types laid out
// by the real src/ctypes (here, in Node) arrive in the ready answer or an `overlays` event;
// the tree's rows and values match the bytes (computed here with Buffer's read methods);
// selection both ways, hover outlines, tints and padding in the grid; a write by another
// process updates a value with heat and a change count; edits send exactly the field's bytes
// (bit-fields keep their neighbours), bad values are refused; 100,000 elements stay
// virtualized; Verify / Remove / Apply C Type… reach the host.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { layoutText } from '../../src/ctypes';
import { type OverlayView, overlayId, overlayLabel } from '../../src/protocol/overlay';
import { baseByte, type Editor, screenshotFile, useEditors } from './harness';
import { expectCells, goTo, selection } from './inspectHelpers';
import type { PageElement, PageGlobals } from './pageDom';

const openEditor = useEditors();

const HEADER = `
enum mode { MODE_IDLE = 0, MODE_RUN = 1, MODE_STOP = 7 };
struct point { short x; short y; };
struct state {
  unsigned int magic;
  int pid;
  unsigned flags : 3;
  unsigned level : 5;
  unsigned wide : 12;
  enum mode mode;
  char name[12];
  char tag;
  double ratio;
  struct point origin;
  unsigned short counts[4];
};
`;

/** Where struct state's members are (x86_64; checked against the layout below). */
const AT = { magic: 0, pid: 4, bits: 8, mode: 12, name: 16, tag: 28, ratio: 32, origin: 40, counts: 44, size: 56 };
const BASE = 0x20;

async function overlay(typeName: string, offset: number, count = 1, header = HEADER): Promise<OverlayView> {
  const layouts = await layoutText(header, { abi: 'x86_64' });
  const spec = { text: header, typeName, offset, count, abi: 'x86_64' as const };
  return { ...spec, id: overlayId(spec), label: overlayLabel(spec), type: layouts.lookup(typeName) };
}

/** The bytes of one struct state. */
function stateBytes(v: { magic: number; pid: number; flags: number; level: number; wide: number; mode: number; name: string; tag: number; ratio: number; x: number; y: number; counts: number[] }): number[] {
  const b = Buffer.alloc(AT.size, 0xee); // padding bytes: not zero, so a value that reads them shows
  b.writeUInt32LE(v.magic, AT.magic);
  b.writeInt32LE(v.pid, AT.pid);
  b.writeUInt32LE(((v.flags & 7) | ((v.level & 31) << 3) | ((v.wide & 0xfff) << 8) | (0xabc << 20)) >>> 0, AT.bits); // bits 20..31: no field
  b.writeInt32LE(v.mode, AT.mode);
  b.fill(0, AT.name, AT.name + 12);
  b.write(v.name, AT.name, 'latin1');
  b.writeInt8(v.tag, AT.tag);
  b.writeDoubleLE(v.ratio, AT.ratio);
  b.writeInt16LE(v.x, AT.origin);
  b.writeInt16LE(v.y, AT.origin + 2);
  v.counts.forEach((c, i) => b.writeUInt16LE(c, AT.counts + 2 * i));
  return [...b];
}

const VALUES = { magic: 0x53484d21, pid: -42, flags: 5, level: 17, wide: 0x123, mode: 1, name: 'hello', tag: 65, ratio: 1.5, x: -3, y: 300, counts: [1, 2, 65535, 4] };

interface ShownRow {
  path: string; name: string; level: number; offset: string; size: string; type: string; value: string; count: string;
  expanded: string | null; classes: string;
}

async function rows(page: Page): Promise<ShownRow[]> {
  return page.$$eval('.overlay-tree .ov-row', (els) => (els as unknown as PageElement[]).map((e) => ({
    path: e.dataset.path ?? '',
    name: e.querySelector('.ov-label')?.textContent ?? '',
    level: Number(e.getAttribute('aria-level')),
    offset: e.querySelector('.ov-offset')?.textContent ?? '',
    size: e.querySelector('.ov-size')?.textContent ?? '',
    type: e.querySelector('.ov-type')?.textContent ?? '',
    value: e.querySelector('.ov-text')?.textContent ?? '',
    count: e.querySelector('.ov-count')?.textContent ?? '',
    expanded: e.getAttribute('aria-expanded'),
    classes: e.querySelector('.ov-value')?.className ?? '',
  })));
}

const rowSel = (path: string) => `.overlay-tree .ov-row[data-path="${path}"]:not(.ov-padding)`;

/** Wait until the row of path shows value. */
async function waitValue(page: Page, path: string, value: string): Promise<void> {
  await page.waitForFunction(([sel, want]) => (globalThis as unknown as PageGlobals).document.querySelector(sel)?.querySelector('.ov-text')?.textContent === want,
    [rowSel(path), value] as const, { timeout: 5000 }).catch(async () => {
    const r = (await rows(page)).find((x) => x.path === path);
    throw new Error(`row ${path} never showed ${value}; it shows ${JSON.stringify(r)}`);
  });
}

async function setState(ed: Editor, bytes: number[], at = BASE): Promise<void> {
  await ed.page.evaluate(([o, b]) => {
    const h = (globalThis as unknown as PageGlobals).fakeHost;
    h.mutate(o, b);
    h.pushNow();
  }, [at, bytes] as const);
}

async function editValue(page: Page, path: string, text: string): Promise<void> {
  await page.dblclick(`${rowSel(path)} .ov-value`);
  await page.waitForSelector('.ov-input', { state: 'visible' });
  await page.fill('.ov-input', text);
  await page.press('.ov-input', 'Enter');
}

describe('overlay panel', () => {
  it('shows the ready answer\'s overlay as a tree whose values match the bytes, with padding rows, tints and padding marks', async () => {
    const view = await overlay('struct state', BASE);
    const t = view.type;
    assert.ok(t && t.kind === 'struct' && t.size === AT.size, `struct state is ${AT.size} bytes`);
    const ed = await openEditor({ size: 4096, overlays: [view] });
    try {
      await ed.waitLoaded();
      await ed.page.waitForSelector('.overlays', { state: 'visible' });
      assert.equal(await ed.page.textContent('.overlays-toggle'), 'C Types (1)');
      await setState(ed, stateBytes(VALUES));
      await waitValue(ed.page, 'name', '"hello"');
      const shown = await rows(ed.page);
      const by = (path: string) => {
        const r = shown.find((x) => x.path === path && x.name !== '(padding)');
        assert.ok(r, `a row for ${path}: ${JSON.stringify(shown.map((x) => x.path))}`);
        return r;
      };
      const b = Buffer.from(stateBytes(VALUES));
      assert.equal(shown[0].name, 'struct state @ 0x20 (<typed>)');
      assert.equal(shown[0].level, 1);
      assert.equal(shown[0].expanded, 'true');
      assert.deepEqual(pick(by('magic')), { level: 2, offset: '0x20', size: '4', type: 'unsigned int', value: String(b.readUInt32LE(AT.magic)) });
      assert.deepEqual(pick(by('pid')), { level: 2, offset: '0x24', size: '4', type: 'int', value: String(b.readInt32LE(AT.pid)) });
      const bits = b.readUInt32LE(AT.bits);
      assert.deepEqual(pick(by('flags')), { level: 2, offset: '0x28', size: ':3', type: 'unsigned int', value: String(bits & 7) });
      assert.deepEqual(pick(by('level')), { level: 2, offset: '0x28', size: ':5', type: 'unsigned int', value: String((bits >> 3) & 31) });
      assert.deepEqual(pick(by('wide')), { level: 2, offset: '0x29', size: ':12', type: 'unsigned int', value: String((bits >> 8) & 0xfff) });
      assert.deepEqual(pick(by('mode')), { level: 2, offset: '0x2C', size: '4', type: 'enum mode', value: 'MODE_RUN' });
      assert.deepEqual(pick(by('name')), { level: 2, offset: '0x30', size: '12', type: 'char [12]', value: '"hello"' });
      assert.deepEqual(pick(by('tag')), { level: 2, offset: '0x3C', size: '1', type: 'char', value: '65' });
      assert.deepEqual(pick(by('ratio')), { level: 2, offset: '0x40', size: '8', type: 'double', value: String(b.readDoubleLE(AT.ratio)) });
      assert.equal(by('origin').expanded, 'true', 'a nested struct is open');
      assert.deepEqual(pick(by('origin.x')), { level: 3, offset: '0x48', size: '2', type: 'short', value: String(b.readInt16LE(AT.origin)) });
      assert.deepEqual(pick(by('origin.y')), { level: 3, offset: '0x4A', size: '2', type: 'short', value: String(b.readInt16LE(AT.origin + 2)) });
      assert.equal(by('counts').expanded, 'false', 'an array is closed until expanded');
      assert.equal(shown.filter((r) => r.path.startsWith('counts[')).length, 0);
      // Padding: the byte of the bit-fields' unit no field touches, the hole before ratio, the tail.
      const pads = shown.filter((r) => r.name === '(padding)').map((r) => [r.offset, r.size]);
      assert.deepEqual(pads, [['0x2B', '1'], ['0x3D', '3'], ['0x54', '4']]);
      // Expand the array: its elements, values from the bytes.
      await ed.page.click(`${rowSel('counts')} .ov-twisty`);
      await waitValue(ed.page, 'counts[3]', '4');
      const after = await rows(ed.page);
      assert.deepEqual(after.filter((r) => r.path.startsWith('counts[')).map((r) => [r.name, r.offset, r.value]),
        [0, 1, 2, 3].map((i) => [`[${i}]`, `0x${(BASE + AT.counts + 2 * i).toString(16).toUpperCase()}`, String(b.readUInt16LE(AT.counts + 2 * i))]));
      // Tints in the grid: consecutive leaves alternate (magic a, pid b, flags a then level b in
      // the same byte: the later wins, wide a, mode b, …), padding hatched, nothing outside.
      await expectCells(ed.page, 'field-a', cellsOf([[BASE, 4], [BASE + 9, 2], [BASE + 16, 12], [BASE + 32, 8], [BASE + 42, 2], [BASE + 46, 2], [BASE + 50, 2]]));
      await expectCells(ed.page, 'field-b', cellsOf([[BASE + 4, 5], [BASE + 12, 4], [BASE + 28, 1], [BASE + 40, 2], [BASE + 44, 2], [BASE + 48, 2]]));
      await expectCells(ed.page, 'field-pad', cellsOf([[BASE + 11, 1], [BASE + 29, 3], [BASE + 52, 4]]));
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('shrinks before the grid does: beside the open panel, a 16-byte row and its text column stay in view', async () => {
    const view = await overlay('struct state', BASE);
    const ed = await openEditor({ size: 4096, overlays: [view] }, { viewport: { width: 1000, height: 700 } });
    try {
      await ed.waitLoaded();
      await ed.page.waitForSelector('.overlays', { state: 'visible' });
      const edges = () => ed.page.evaluate(() => {
        const d = (globalThis as unknown as PageGlobals).document;
        const scroller = d.querySelector('.grid-scroller')?.getBoundingClientRect();
        const cells = [...d.querySelectorAll('.grid .row .text-cell')];
        const last = cells.at(-1)?.getBoundingClientRect();
        const side = d.querySelector('.side-panel')?.getBoundingClientRect();
        return { scrollerRight: scroller?.right ?? 0, lastText: last?.right ?? Infinity, side: side?.width ?? 0 };
      });
      const e = await edges();
      assert.ok(e.lastText <= e.scrollerRight + 0.5, `the text column ends at ${e.lastText}px, past the grid's visible edge at ${e.scrollerRight}px`);
      assert.ok(e.side >= 200, `the panel keeps a usable width (${e.side}px)`);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('opens when the host sends overlays, replaces them on the next event, and shows an error instead of fields', async () => {
    const ed = await openEditor({ size: 4096 });
    try {
      await ed.waitLoaded();
      assert.equal(await ed.page.isVisible('.overlays'), false, 'no overlays: the panel stays closed');
      assert.equal(await ed.page.textContent('.overlays-toggle'), 'C Types');
      const view = await overlay('struct point', 0x10, 3);
      await ed.page.evaluate((v) => (globalThis as unknown as PageGlobals).fakeHost.sendOverlays([v]), view);
      await ed.page.waitForSelector('.overlays', { state: 'visible' });
      await ed.page.waitForSelector('.overlay-tree .ov-row[data-path="[2]"]');
      const shown = await rows(ed.page);
      assert.deepEqual(shown.map((r) => [r.name, r.expanded]), [['struct point[3] @ 0x10 (<typed>)', 'true'], ['[0]', 'false'], ['[1]', 'false'], ['[2]', 'false']]);
      await ed.page.click(`${rowSel('[1]')} .ov-twisty`);
      const x = Buffer.from([baseByte(0x14), baseByte(0x15)]).readInt16LE(0);
      await waitValue(ed.page, '[1].x', String(x));
      const broken: OverlayView = { ...view, id: 'broken', label: 'struct gone @ 0x0 (state.h)', type: undefined, error: 'state.h:3: unknown type name \'pid_tt\'' };
      await ed.page.evaluate((v) => (globalThis as unknown as PageGlobals).fakeHost.sendOverlays(v), [broken, view]);
      await ed.page.waitForSelector('.overlay-tree .ov-error');
      const again = await rows(ed.page);
      assert.deepEqual(again.slice(0, 2).map((r) => r.name), ['struct gone @ 0x0 (state.h)', "state.h:3: unknown type name 'pid_tt'"]);
      assert.equal(again.find((r) => r.path === '[1]')?.expanded, 'true', 'the expansion of an overlay still shown is kept');
      assert.equal(await ed.page.textContent('.overlays-toggle'), 'C Types (2)');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('marks the field named as the sequence counter (in an array overlay, of element 0), and drops the mark when it is unnamed', async () => {
    const seqMarks = (page: Page) => page.$$eval('.overlay-tree .ov-row', (els) => (els as unknown as PageElement[])
      .filter((e) => e.querySelector('.ov-seq')).map((e) => [e.dataset.path ?? '', e.querySelector('.ov-seq')?.getAttribute('aria-label') ?? '', e.getAttribute('title') ?? '']));
    const single = { ...(await overlay('struct state', BASE)), seq: 'pid' };
    const ed = await openEditor({ size: 4096, overlays: [single] });
    try {
      await ed.waitLoaded();
      await ed.page.waitForSelector(`${rowSel('pid')} .ov-seq`);
      const marks = await seqMarks(ed.page);
      assert.deepEqual(marks.map((m) => m.slice(0, 2)), [['pid', '(sequence counter)']], 'only pid is marked');
      assert.match(marks[0][2], /the sequence counter: watches and recordings read a sample again/);
      assert.equal(await ed.page.textContent(`${rowSel('pid')} .ov-seq`), 'seq');
      // An array overlay names a field of element 0: [0].x is marked, [1].x is not.
      const points = { ...(await overlay('struct point', 0x200, 2)), seq: '[0].x' };
      await ed.page.evaluate((v) => (globalThis as unknown as PageGlobals).fakeHost.sendOverlays([v]), points);
      await ed.page.waitForSelector('.overlay-tree .ov-row[data-path="[1]"]');
      await ed.page.click(`${rowSel('[0]')} .ov-twisty`);
      await ed.page.click(`${rowSel('[1]')} .ov-twisty`);
      await ed.page.waitForSelector(rowSel('[1].x'));
      assert.deepEqual((await seqMarks(ed.page)).map((m) => m[0]), ['[0].x']);
      // Set Sequence Counter → None: the next overlays event has no seq, and no mark is left.
      await ed.page.evaluate((v) => (globalThis as unknown as PageGlobals).fakeHost.sendOverlays([v]), { ...points, seq: undefined });
      await ed.page.waitForFunction(() => !(globalThis as unknown as PageGlobals).document.querySelector('.overlay-tree .ov-seq'));
      assert.ok(await ed.page.isVisible(rowSel('[0].x')), 'the field is still shown');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('selects a field\'s bytes on click, reveals the field at the cursor, and outlines the hovered field', async () => {
    const view = await overlay('struct state', BASE);
    const ed = await openEditor({ size: 4096, overlays: [view] });
    try {
      await ed.waitLoaded();
      await waitValue(ed.page, 'magic', String(Buffer.from([0, 1, 2, 3].map((i) => baseByte(BASE + i))).readUInt32LE(0)));
      await ed.page.click(`${rowSel('ratio')} .ov-label`);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.status-selection')?.textContent?.startsWith('Selected 8 bytes') === true);
      assert.deepEqual(await selection(ed.page), { offset: BASE + AT.ratio, length: 8, cursor: BASE + AT.ratio });
      assert.ok(await ed.page.$eval(rowSel('ratio'), (e) => (e as unknown as PageElement).classList.contains('ov-current')));
      // The cursor in the grid reveals the field there: into the closed array.
      await ed.clickCell(BASE + AT.counts + 5);
      await ed.page.waitForSelector(`${rowSel('counts[2]')}.ov-current`);
      assert.equal(await ed.page.getAttribute(rowSel('counts'), 'aria-expanded'), 'true');
      await goTo(ed.page, BASE + AT.origin + 3);
      await ed.page.waitForSelector(`${rowSel('origin.y')}.ov-current`);
      // Hover outlines the field's bytes.
      await ed.page.hover(`${rowSel('name')} .ov-offset`);
      await expectCells(ed.page, 'field-hover', Array.from({ length: 12 }, (_, i) => BASE + AT.name + i));
      await expectCells(ed.page, 'field-hover-start', [BASE + AT.name]);
      await expectCells(ed.page, 'field-hover-end', [BASE + AT.name + 11]);
      await ed.page.mouse.move(5, 5);
      await expectCells(ed.page, 'field-hover', []);
      // Keyboard: the tree is focusable, arrows move and select.
      await ed.page.click(`${rowSel('pid')} .ov-label`);
      await ed.page.keyboard.press('ArrowDown');
      await ed.page.waitForSelector(`${rowSel('flags')}.active[aria-selected="true"]`);
      assert.deepEqual(await selection(ed.page), { offset: BASE + 8, length: 0, cursor: BASE + 8 });
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('updates a value another process writes, with the heat of bytes and a change count', async () => {
    const view = await overlay('struct state', BASE);
    const ed = await openEditor({ size: 4096, settings: { liveRefreshMs: 100 } });
    try {
      await ed.waitLoaded();
      // The struct's values first, then the overlay: counts start when it is shown.
      await setState(ed, stateBytes(VALUES));
      await ed.waitCell(BASE + AT.pid, 'D6');
      await ed.page.evaluate((v) => (globalThis as unknown as PageGlobals).fakeHost.sendOverlays([v]), view);
      await waitValue(ed.page, 'pid', '-42');
      await ed.page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals & { __pidHeat: number[] };
        g.__pidHeat = [];
        const note = () => {
          const v = g.document.querySelector('.overlay-tree .ov-row[data-path="pid"] .ov-value');
          const m = /heat-(\d)/.exec(v?.className ?? '');
          const h = m ? Number(m[1]) : 0;
          if (g.__pidHeat.at(-1) !== h) g.__pidHeat.push(h);
        };
        note();
        new g.MutationObserver(note).observe(g.document.querySelector('.overlay-tree'), { subtree: true, attributes: true, childList: true, characterData: true });
      });
      await ed.page.evaluate((o) => (globalThis as unknown as PageGlobals).fakeHost.mutate(o, [0x39, 0x30, 0, 0]), BASE + AT.pid); // 12345
      await waitValue(ed.page, 'pid', '12345');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.overlay-tree .ov-row[data-path="pid"] .ov-count')?.textContent === '×1');
      await ed.page.waitForFunction(() => ((globalThis as unknown as { __pidHeat: number[] }).__pidHeat.length >= 5), undefined, { timeout: 5000 });
      assert.deepEqual(await ed.page.evaluate<number[]>('window.__pidHeat'), [0, 3, 2, 1, 0], 'the value heats and cools as the bytes do');
      const magicRow = (await rows(ed.page)).find((r) => r.path === 'magic');
      assert.equal(magicRow?.count, '', 'an unchanged field has no count');
      await ed.page.evaluate((o) => (globalThis as unknown as PageGlobals).fakeHost.mutate(o, [7]), BASE + AT.pid);
      await waitValue(ed.page, 'pid', '12295');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.overlay-tree .ov-row[data-path="pid"] .ov-count')?.textContent === '×2');
      // A bit-field's neighbour changing does not count for it.
      const bits = Buffer.from(stateBytes(VALUES)).readUInt32LE(AT.bits);
      const level9 = (bits & ~(31 << 3)) | (9 << 3);
      await ed.page.evaluate(([o, v]) => (globalThis as unknown as PageGlobals).fakeHost.mutate(o, [v & 0xff]), [BASE + AT.bits, level9] as const);
      await waitValue(ed.page, 'level', '9');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.overlay-tree .ov-row[data-path="level"] .ov-count')?.textContent === '×1');
      assert.equal((await rows(ed.page)).find((r) => r.path === 'flags')?.count, '', 'flags shares the byte but kept its value');
      const file = screenshotFile('webview-overlay');
      await ed.page.screenshot({ path: file });
      assert.ok(fs.statSync(file).size > 10_000);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('writes an edited value as one edit of the field\'s bytes; bit-fields keep their neighbours; bad values are refused', async () => {
    const view = await overlay('struct state', BASE);
    const ed = await openEditor({ size: 4096, overlays: [view] });
    try {
      await ed.waitLoaded();
      await setState(ed, stateBytes(VALUES));
      await waitValue(ed.page, 'pid', '-42');
      await editValue(ed.page, 'pid', '-100000');
      let st = await ed.waitEdits(1);
      const le = (n: number, size: number) => Array.from({ length: size }, (_, i) => Number((BigInt.asUintN(size * 8, BigInt(n)) >> BigInt(8 * i)) & 0xffn));
      assert.deepEqual(st.edits[0], { offset: BASE + AT.pid, bytes: le(-100000, 4), label: 'Edit pid' });
      await waitValue(ed.page, 'pid', '-100000');
      // A bit-field: only its bits change, in the one byte it touches.
      const before = stateBytes(VALUES)[AT.bits];
      await editValue(ed.page, 'level', '30');
      st = await ed.waitEdits(2);
      assert.deepEqual(st.edits[1], { offset: BASE + AT.bits, bytes: [(before & 0x07) | (30 << 3)], label: 'Edit level' });
      await waitValue(ed.page, 'level', '30');
      assert.equal((await rows(ed.page)).find((r) => r.path === 'flags')?.value, '5');
      // A 12-bit field across two bytes, in hex.
      const w = Buffer.from(stateBytes(VALUES)).readUInt32LE(AT.bits);
      await editValue(ed.page, 'wide', '0xfff');
      st = await ed.waitEdits(3);
      assert.deepEqual(st.edits[2], { offset: BASE + AT.bits + 1, bytes: [0xff, ((w >> 16) & 0xf0) | 0x0f], label: 'Edit wide' });
      // An enumerator by name (offered in a list), a string that fits.
      await ed.page.dblclick(`${rowSel('mode')} .ov-value`);
      assert.deepEqual(await ed.page.$$eval('#ov-choices option', (os) => (os as unknown as PageElement[]).map((o) => o.value ?? '')), ['MODE_IDLE', 'MODE_RUN', 'MODE_STOP']);
      await ed.page.fill('.ov-input', 'MODE_STOP');
      await ed.page.press('.ov-input', 'Enter');
      st = await ed.waitEdits(4);
      assert.deepEqual(st.edits[3], { offset: BASE + AT.mode, bytes: [7, 0, 0, 0], label: 'Edit mode' });
      await editValue(ed.page, 'name', 'shm');
      st = await ed.waitEdits(5);
      assert.deepEqual(st.edits[4], { offset: BASE + AT.name, bytes: [0x73, 0x68, 0x6d, 0, 0, 0, 0, 0, 0, 0, 0, 0], label: 'Edit name' });
      await waitValue(ed.page, 'name', '"shm"');
      // Bad values: one line, nothing sent, the input stays for another try; Escape cancels.
      for (const [path, text, error] of [
        ['level', '32', /level \(.+ : 5\): 32 is out of range \(0\.\.31\)/],
        ['pid', 'abc', /'abc' is not an integer/],
        ['mode', 'MODE_FAST', /'MODE_FAST' is not one of MODE_IDLE, MODE_RUN, MODE_STOP or a number/],
        ['name', 'twelve chars', /the string is 12 bytes; 12 bytes hold at most 11 and the NUL/],
      ] as const) {
        await editValue(ed.page, path, text);
        await ed.page.waitForSelector('.overlay-error', { state: 'visible' });
        assert.match(await ed.page.textContent('.overlay-error') ?? '', error);
        assert.equal(await ed.page.getAttribute('.ov-input', 'aria-invalid'), 'true');
        await ed.page.press('.ov-input', 'Escape');
        await ed.page.waitForSelector('.ov-input', { state: 'detached' });
      }
      await ed.sync();
      assert.equal((await ed.stats()).edits.length, 5, 'no edit for a bad value');
      // The document holds them as pending edits: saved, they reach the segment.
      await ed.page.evaluate('window.fakeHost.save()');
      const seg = await ed.page.evaluate((o) => Array.from({ length: 4 }, (_, i) => (globalThis as unknown as PageGlobals).fakeHost.byte(o + i)), BASE + AT.pid);
      assert.deepEqual(seg, le(-100000, 4));
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('refuses edits of a read-only segment with its reason', async () => {
    const view = await overlay('struct state', BASE);
    const ed = await openEditor({ size: 4096, overlays: [view], readOnly: true, readOnlyReason: 'no write permission' });
    try {
      await ed.waitLoaded();
      await ed.page.dblclick(`${rowSel('pid')} .ov-value`);
      await ed.page.waitForSelector('.overlay-error', { state: 'visible' });
      assert.match(await ed.page.textContent('.overlay-error') ?? '', /^Read-only: no write permission/);
      assert.equal(await ed.page.$('.ov-input'), null);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('keeps an overlay of 100,000 elements virtualized: few rows in the DOM, the last element at the end', async () => {
    const n = 100_000;
    const view = await overlay('struct point', 0, n);
    const ed = await openEditor({ size: n * 4, overlays: [view] });
    try {
      await ed.waitLoaded();
      await ed.page.waitForSelector('.overlay-tree .ov-row[data-path="[0]"]');
      const domRows = () => ed.page.locator('.overlay-tree .ov-row').count();
      assert.ok(await domRows() < 80, `rows in the DOM: ${await domRows()}`);
      // To the end with the keyboard: the last element; open it: its values, read from the host (outside the watched window).
      await ed.page.click(`${rowSel('[0]')} .ov-label`);
      await ed.page.keyboard.press('End');
      await ed.page.waitForSelector(`${rowSel(`[${n - 1}]`)}.active`);
      await ed.page.keyboard.press('ArrowRight');
      const last = (n - 1) * 4;
      const y = Buffer.from([baseByte(last + 2), baseByte(last + 3)]).readInt16LE(0);
      await waitValue(ed.page, `[${n - 1}].y`, String(y));
      assert.ok(await domRows() < 80, `rows in the DOM after scrolling: ${await domRows()}`);
      const st = await ed.stats();
      assert.ok(st.maxReadLength <= 1 << 20, `reads stay bounded (${st.maxReadLength})`);
      // Scrolling the tree to the middle shows the elements there.
      await ed.page.$eval('.overlay-tree', (e) => { (e as unknown as PageElement).scrollTop = 50_000 * 22; });
      await ed.page.waitForSelector(rowSel('[50000]'));
      assert.ok(await domRows() < 80);
      // Open an element there: its bytes are outside the watched window (the grid shows the end): one bounded read.
      await ed.page.click(`${rowSel('[50000]')} .ov-twisty`);
      const x = Buffer.from([baseByte(200_000), baseByte(200_001)]).readInt16LE(0);
      await waitValue(ed.page, '[50000].x', String(x));
      assert.ok((await ed.stats()).lastReads.some((r) => r.offset <= 200_000 && r.offset + r.length >= 200_004 && r.length <= 1 << 20), 'the element was read');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('W on a field, or on a number in the inspector, asks the host to watch it over time', async () => {
    const view = await overlay('struct state', BASE, 2);
    const ed = await openEditor({ size: 4096, overlays: [view], settings: { inspector: 'side', littleEndian: true } });
    try {
      await ed.waitLoaded();
      await ed.page.click(`${rowSel('[0]')} .ov-twisty`);
      await ed.page.click(`${rowSel('[0].pid')} .ov-offset`);
      await ed.page.focus('.overlay-tree');
      await ed.page.keyboard.press('w');
      await ed.sync();
      assert.deepEqual((await ed.stats()).calls.at(-1), { method: 'watchValue', params: { overlay: view.id, path: '[0].pid' } });
      // A record (not a leaf) is not watched.
      const before = (await ed.stats()).calls.length;
      await ed.page.click(`${rowSel('[0]')} .ov-offset`);
      await ed.page.focus('.overlay-tree');
      await ed.page.keyboard.press('w');
      await ed.sync();
      assert.equal((await ed.stats()).calls.length, before);
      // The inspector: the value at the cursor, in the byte order it shows.
      await goTo(ed.page, 0x24);
      await ed.page.focus('#inspector-value-int32');
      await ed.page.keyboard.press('w');
      await ed.sync();
      assert.deepEqual((await ed.stats()).calls.at(-1), { method: 'watchValue', params: { offset: 0x24, type: 'int32' } });
      await ed.page.selectOption('.inspector-endian', 'be');
      await ed.page.focus('#inspector-value-float64');
      await ed.page.keyboard.press('W');
      await ed.sync();
      assert.deepEqual((await ed.stats()).calls.at(-1), { method: 'watchValue', params: { offset: 0x24, type: 'float64be' } });
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('sends Verify, Remove and Apply C Type… to the host', async () => {
    const view = await overlay('struct state', BASE);
    const ed = await openEditor({ size: 4096, overlays: [view] });
    try {
      await ed.waitLoaded();
      await ed.page.click('.overlay-verify');
      await ed.sync();
      assert.deepEqual((await ed.stats()).calls, [{ method: 'verifyOverlay', params: { id: view.id } }]);
      await goTo(ed.page, 0x100);
      const point = await overlay('struct point', 0x100);
      await ed.page.evaluate((v) => (globalThis as unknown as PageGlobals).fakeHost.nextApply(v), point);
      await ed.page.click('.overlay-apply');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.overlays-toggle')?.textContent === 'C Types (2)');
      assert.deepEqual((await ed.stats()).calls.at(-1), { method: 'applyCType', params: { cursor: 0x100 } });
      await ed.page.click('.overlay-remove');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.overlays-toggle')?.textContent === 'C Types (1)');
      assert.deepEqual((await ed.stats()).calls.at(-1), { method: 'removeOverlay', params: { id: view.id } });
      assert.deepEqual((await ed.page.evaluate<OverlayView[]>('window.fakeHost.overlays()')).map((o) => o.id), [point.id]);
      await ed.page.click('.overlay-remove');
      await ed.page.waitForSelector('.overlays-empty', { state: 'visible' });
      await expectCells(ed.page, 'field', []);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});

function pick(r: ShownRow): Pick<ShownRow, 'level' | 'offset' | 'size' | 'type' | 'value'> {
  return { level: r.level, offset: r.offset, size: r.size, type: r.type, value: r.value };
}

/** Offsets of [offset, length) spans, sorted (the cells expectCells should find). */
function cellsOf(spans: [number, number][]): number[] {
  return spans.flatMap(([o, n]) => Array.from({ length: n }, (_, i) => o + i)).sort((a, b) => a - b);
}
