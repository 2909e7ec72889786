// Data inspector, Copy as and the "…" menu in headless Chromium against the fake host:
// values at the cursor compared with Buffer's read methods in both byte orders, in-place
// editing (exact bytes, one edit, refusals), hover mode, copy formats through `copy`, and
// the dialog requests (export, import, snapshot, compare, bookmark) with their outcomes.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { baseByte, boxOf, hex2, useEditors } from './harness';
import { expectedValues, goTo, inspectorValues, mutate, selection, virtualBytes, visibleText } from './inspectHelpers';
import type { PageGlobals } from './pageDom';

const openEditor = useEditors();

const MiB = 1024 * 1024;

/** Wait until the inspector shows the values at offset (all loaded). */
async function inspectorAt(page: import('playwright-core').Page, offset: number): Promise<void> {
  const title = `Values at 0x${offset.toString(16).toUpperCase()}`;
  await page.waitForFunction((t) => {
    const d = (globalThis as unknown as PageGlobals).document;
    return d.querySelector('.inspector-title')?.textContent === t
      && [...d.querySelectorAll('.inspector-value')].every((v) => v.textContent !== '…');
  }, title, { timeout: 5000 });
}

/** Wait until the inspector shows these values (it follows live refresh and re-reads), then compare. */
async function valuesBecome(page: import('playwright-core').Page, want: Record<string, string>, what: string): Promise<void> {
  await page.waitForFunction((w) => {
    const rows = [...(globalThis as unknown as PageGlobals).document.querySelectorAll('.inspector .inspector-row')];
    return rows.every((r) => r.querySelector('.inspector-value')?.textContent === w[r.dataset.type ?? '']);
  }, want, { timeout: 3000 }).catch(() => undefined);
  assert.deepEqual(await inspectorValues(page), want, what);
}

describe('data inspector', () => {
  it('shows the values at the cursor as Buffer reads them, in both byte orders, "—" where a type does not fit, and follows live refresh', async () => {
    const size = 1 * MiB;
    const ed = await openEditor({ size, settings: { inspector: 'side', littleEndian: true, liveRefreshMs: 100 } });
    const mut = new Map<number, number>();
    try {
      await ed.waitLoaded();
      await mutate(ed.page, mut, 0x40, [0xff, 0xfe, 0x80, 0x7f, 0x00, 0x00, 0xc0, 0x7f, 0x3f, 0x80, 0x00, 0x00, 0x48, 0xc3, 0xa9, 0x21]);
      await mutate(ed.page, mut, 0xffc, [0x00, 0x00, 0x80, 0xbf, 0x01, 0x02, 0x03, 0x04]); // -1.0f LE, across the 4 KiB page boundary
      await ed.page.evaluate(`window.fakeHost.pushNow()`); // (another process wrote them: re-read now rather than at the next refresh)
      for (const offset of [0x40, 0x41, 0x44, 0x48, 0x123, 0xffc, 0x7fff9, size - 7, size - 3, size - 1]) {
        await ed.page.evaluate((o) => (globalThis as unknown as PageGlobals).fakeHost.sendGoto(o), offset);
        await inspectorAt(ed.page, offset);
        await valuesBecome(ed.page, expectedValues(virtualBytes(offset, 16, size, mut), true), `little-endian at 0x${offset.toString(16)}`);
      }
      assert.equal((await inspectorValues(ed.page)).int16, '—', 'the last byte: no int16');
      await ed.page.selectOption('.inspector-endian', 'be');
      for (const offset of [0x40, 0xffc, size - 5]) {
        await ed.page.evaluate((o) => (globalThis as unknown as PageGlobals).fakeHost.sendGoto(o), offset);
        await inspectorAt(ed.page, offset);
        await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.inspector-endian')?.value === 'be');
        await valuesBecome(ed.page, expectedValues(virtualBytes(offset, 16, size, mut), false), `big-endian at 0x${offset.toString(16)}`);
      }
      assert.equal((await inspectorValues(ed.page)).float64, '—', '5 bytes left: no float64');
      // Live refresh: another process changes the bytes at the cursor; the values follow.
      await ed.page.evaluate('window.fakeHost.sendGoto(0x48)');
      await inspectorAt(ed.page, 0x48);
      await mutate(ed.page, mut, 0x48, [0x12, 0x34, 0x56, 0x78]);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#inspector-value-uint32')?.textContent === String(0x12345678), undefined, { timeout: 5000 });
      assert.deepEqual(await inspectorValues(ed.page), expectedValues(virtualBytes(0x48, 16, size, mut), false));
      // The byte order is kept in the view state.
      await ed.page.waitForTimeout(250);
      const saved = (await ed.stats()).savedState as { inspect?: { littleEndian?: boolean } };
      assert.equal(saved.inspect?.littleEndian, false);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
    // A new page with that state starts big-endian although the setting says little.
    const again = await openEditor({ size, settings: { inspector: 'side', littleEndian: true }, savedState: { version: 1, docId: 42, cursor: 0x40, anchor: 0x40, column: 'hex', topOffset: 0, inspect: { littleEndian: false } } });
    try {
      await inspectorAt(again.page, 0x40);
      assert.equal(await again.page.inputValue('.inspector-endian'), 'be');
      assert.deepEqual(await inspectorValues(again.page), expectedValues(virtualBytes(0x40, 16, size), false));
      await again.assertClean();
    } finally {
      await again.close();
    }
  });

  it('writes a typed value as one edit of exactly its bytes, and refuses bad input with the reason', async () => {
    const size = 4096;
    const ed = await openEditor({ size, settings: { inspector: 'side', littleEndian: true } });
    const edits = async () => { await ed.sync(); return (await ed.stats()).edits; };
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x20);
      await inspectorAt(ed.page, 0x20);
      // Click a value, type, Enter.
      await ed.page.click('#inspector-value-int32');
      assert.equal(await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.className), 'inspector-input');
      await ed.page.fill('.inspector-input', '-2');
      await ed.page.keyboard.press('Enter');
      let st = await ed.waitEdits(1);
      assert.deepEqual(st.edits, [{ offset: 0x20, bytes: [0xfe, 0xff, 0xff, 0xff], label: 'Set int32' }]);
      await ed.waitCell(0x23, 'FF');
      assert.equal(await ed.cell(0x20), 'FE');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#inspector-value-int32')?.textContent === '-2');
      assert.equal(await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id), 'inspector-value-int32', 'focus back on the value');
      // Keyboard only, big-endian: Enter on a value opens it.
      await ed.page.selectOption('.inspector-endian', 'be');
      await ed.page.focus('#inspector-value-uint16');
      await ed.page.keyboard.press('Enter');
      await ed.page.keyboard.press('Control+a');
      await ed.page.keyboard.type('0x1234');
      await ed.page.keyboard.press('Enter');
      st = await ed.waitEdits(2);
      assert.deepEqual(st.edits[1], { offset: 0x20, bytes: [0x12, 0x34], label: 'Set uint16' });
      for (const [type, text, bytes, label] of [
        ['float32', '1.5', [0x3f, 0xc0, 0x00, 0x00], 'Set float32'],
        ['int64', '-9223372036854775808', [0x80, 0, 0, 0, 0, 0, 0, 0], 'Set int64'],
        ['binary', '101', [0x05], 'Set binary'],
        ['ascii', 'Hi', [0x48, 0x69], 'Set ASCII'],
        ['utf8', 'é', [0xc3, 0xa9], 'Set UTF-8'],
      ] as const) {
        const n = (await edits()).length;
        await ed.page.click(`#inspector-value-${type}`);
        await ed.page.fill('.inspector-input', text);
        await ed.page.keyboard.press('Enter');
        st = await ed.waitEdits(n + 1);
        assert.deepEqual(st.edits[n], { offset: 0x20, bytes: [...bytes], label }, type);
      }
      await ed.waitCell(0x21, 'A9');
      // Out of range and malformed: refused with the encoder's message, nothing sent.
      const before = (await edits()).length;
      for (const [type, text, why] of [
        ['uint8', '256', /256 is out of range for uint8 \(0 to 255\)/],
        ['int8', '-129', /out of range for int8/],
        ['int32', 'abc', /"abc" is not a whole number/],
        ['float32', '1e39', /out of range for float32/],
        ['binary', '102', /not 1 to 8 binary digits/],
      ] as const) {
        await ed.page.click(`#inspector-value-${type}`);
        await ed.page.fill('.inspector-input', text);
        await ed.page.keyboard.press('Enter');
        await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.inspector-error')?.hidden === false);
        assert.match(await visibleText(ed.page, '.inspector-error'), why, `${type} ${text}`);
        assert.equal(await ed.page.getAttribute('.inspector-input', 'aria-invalid'), 'true');
        await ed.page.keyboard.press('Escape');
        assert.equal(await ed.page.locator('.inspector-input').count(), 0, 'Escape closes the input');
      }
      assert.equal((await edits()).length, before, 'no edit for refused input');
      // Near the end: types that do not fit show "—" and cannot be set; a string must fit.
      await ed.page.evaluate(`window.fakeHost.sendGoto(${size - 2})`);
      await inspectorAt(ed.page, size - 2);
      assert.equal((await inspectorValues(ed.page)).int32, '—');
      await ed.page.click('#inspector-value-int32');
      assert.equal(await ed.page.locator('.inspector-input').count(), 0);
      assert.match(await visibleText(ed.page, '.inspector-error'), /int32 needs 4 bytes/);
      await ed.page.click('#inspector-value-ascii');
      await ed.page.fill('.inspector-input', 'abc');
      await ed.page.keyboard.press('Enter');
      assert.match(await visibleText(ed.page, '.inspector-error'), /needs 3 bytes; only 2 remain/);
      await ed.page.keyboard.press('Escape');
      assert.equal((await edits()).length, before);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('refuses to edit a read-only segment with the reason', async () => {
    const ed = await openEditor({ size: 4096, readOnly: true, readOnlyReason: 'attached with SHM_RDONLY', settings: { inspector: 'side' } });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x10);
      await inspectorAt(ed.page, 0x10);
      await ed.page.click('#inspector-value-uint8');
      assert.equal(await ed.page.locator('.inspector-input').count(), 0, 'no input opens');
      assert.equal(await visibleText(ed.page, '.inspector-error'), 'Read-only: attached with SHM_RDONLY. Nothing was changed.');
      await ed.sync();
      assert.equal((await ed.stats()).edits.length, 0);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it("shows a popup by the cursor in 'hover' mode, and follows the setting", async () => {
    const ed = await openEditor({ size: 65536, settings: { inspector: 'hover' } });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x23);
      await inspectorAt(ed.page, 0x23);
      const box = () => boxOf(ed.page, '.inspector.inspector-hover');
      const cellBox = (o: number) => boxOf(ed.page, `.grid .hex-cell[data-offset="${o}"]`);
      const textEnd = (o: number) => boxOf(ed.page, `.grid .text-cell[data-offset="${o - (o % 16) + 15}"]`);
      let p = await box();
      let c = await cellBox(0x23);
      const t = await textEnd(0x23);
      assert.ok(Math.abs(p.y - c.y) <= 2 && p.x >= t.x + t.width, `beside the cursor's row, after its decoded text: ${JSON.stringify({ p, c, t })}`);
      assert.equal(await ed.page.locator('.side-panel .inspector').count(), 0, 'not in the side column');
      await ed.page.keyboard.press('ArrowDown');
      await inspectorAt(ed.page, 0x33);
      p = await box();
      c = await cellBox(0x33);
      assert.ok(Math.abs(p.y - c.y) <= 2, 'moves with the cursor');
      // Too narrow for a popup beside the row: under the cursor cell.
      await ed.page.setViewportSize({ width: 760, height: 700 });
      await ed.page.waitForFunction(() => {
        const d = (globalThis as unknown as PageGlobals).document;
        const pop = d.querySelector('.inspector-hover')?.getBoundingClientRect();
        const cell = d.querySelector('.grid .hex-cell[data-offset="51"]')?.getBoundingClientRect();
        return pop !== undefined && cell !== undefined && Math.abs(pop.top - cell.bottom) <= 8;
      }, undefined, { timeout: 5000 });
      assert.deepEqual(await inspectorValues(ed.page), expectedValues(virtualBytes(0x33, 16, 65536), true));
      // Scrolled out of view: hidden.
      const g = await boxOf(ed.page, '.grid-body');
      await ed.page.mouse.move(g.x + 20, g.y + 20);
      await ed.page.mouse.wheel(0, 4000);
      await ed.page.waitForSelector('.inspector-hover', { state: 'hidden' });
      await ed.page.evaluate(`window.fakeHost.sendSettings({ inspector: 'off' })`);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.inspector') === null);
      await ed.page.evaluate(`window.fakeHost.sendSettings({ inspector: 'side' })`);
      await ed.page.waitForSelector('.side-panel .inspector.inspector-side', { state: 'visible' });
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});

describe('copy as', () => {
  it('copies the selection as hex, C array, Base64 and text through `copy`, from the menu and the `copyAs` action', async () => {
    const ed = await openEditor({ size: 64 * MiB });
    try {
      await ed.waitLoaded();
      await goTo(ed.page, 0x10, 16);
      const bytes = Buffer.from(virtualBytes(0x10, 16, 64 * MiB));
      const copies = async (n: number) => {
        await ed.page.waitForFunction((k) => (globalThis as unknown as PageGlobals).fakeHost.stats().copies.length >= k, n, { timeout: 5000 });
        return (await ed.stats()).copies;
      };
      const want: Record<string, string> = {
        hex: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' '),
        c: `unsigned char data[16] = {\n  ${[...bytes.subarray(0, 12)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},\n  ${[...bytes.subarray(12)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}\n};`,
        base64: bytes.toString('base64'),
        text: new TextDecoder().decode(bytes),
      };
      let n = 0;
      for (const format of ['hex', 'c', 'base64', 'text']) {
        await ed.page.click('.copy-as');
        assert.equal(await ed.page.getAttribute('.copy-as', 'aria-expanded'), 'true');
        await ed.page.click(`.copy-as-wrap .menu-item[data-id="${format}"]`);
        assert.equal((await copies(++n))[n - 1], want[format], format);
        await ed.page.waitForFunction(() => /^Copied 16 bytes as /.test((globalThis as unknown as PageGlobals).document.querySelector('.message')?.textContent ?? ''));
      }
      // The palette's Copy Selection As… (twice, as a key press and the host could): the menu, on its first format.
      await ed.page.evaluate(`window.fakeHost.sendAction('copyAs')`);
      await ed.page.evaluate(`window.fakeHost.sendAction('copyAs')`);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.activeElement?.dataset.id === 'hex');
      await ed.page.keyboard.press('ArrowDown');
      await ed.page.keyboard.press('Enter');
      assert.equal((await copies(++n))[n - 1], want.c);
      assert.equal(await ed.page.getAttribute('.copy-as', 'aria-expanded'), 'false');
      // Large: read in requests of at most 1 MiB.
      await ed.page.evaluate('window.fakeHost.resetStats()');
      await goTo(ed.page, 5 * MiB + 3, 3 * MiB + 5);
      await ed.page.click('.copy-as');
      await ed.page.click('.copy-as-wrap .menu-item[data-id="hex"]');
      const big = (await copies(1))[0];
      assert.equal(big.length, (3 * MiB + 5) * 3 - 1);
      assert.equal(big.slice(0, 5), `${hex2(baseByte(5 * MiB + 3)).toLowerCase()} ${hex2(baseByte(5 * MiB + 4)).toLowerCase()}`);
      const st = await ed.stats();
      const copyReads = st.lastReads.filter((r) => r.offset >= 5 * MiB + 3 && (r.offset - (5 * MiB + 3)) % MiB === 0);
      assert.ok(copyReads.length === 4 && copyReads.every((r) => r.length <= MiB), JSON.stringify(copyReads));
      assert.equal(copyReads.reduce((s, r) => s + r.length, 0), 3 * MiB + 5);
      // Too large: refused before reading.
      await ed.page.evaluate('window.fakeHost.resetStats()');
      await goTo(ed.page, 0, 17 * MiB);
      await ed.page.click('.copy-as');
      await ed.page.click('.copy-as-wrap .menu-item[data-id="base64"]');
      await ed.page.waitForFunction(() => /Selection too large to copy \(17 MiB; at most 16 MiB\)/.test((globalThis as unknown as PageGlobals).document.querySelector('.message')?.textContent ?? ''));
      await ed.sync();
      assert.equal((await ed.stats()).copies.length, 0);
      assert.ok((await ed.stats()).lastReads.every((r) => r.length <= 64 * 1024), 'no big reads');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});

describe('… menu', () => {
  it('exports, imports, takes a snapshot, compares, clears and bookmarks through the host, with a short line for each outcome', async () => {
    const ed = await openEditor({ size: 65536 });
    const message = () => ed.message();
    const run = async (id: string) => {
      await ed.page.click('.more-actions');
      await ed.page.click(`.more-actions-wrap .menu-item[data-id="${id}"]`);
    };
    const calls = async (n: number) => {
      await ed.page.waitForFunction((k) => (globalThis as unknown as PageGlobals).fakeHost.stats().calls.length >= k, n, { timeout: 5000 });
      return (await ed.stats()).calls;
    };
    try {
      await ed.waitLoaded();
      await goTo(ed.page, 0x100, 0x40);
      await run('export');
      assert.deepEqual((await calls(1))[0], { method: 'exportRange', params: { offset: 0x100, length: 0x40 } });
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.message')?.textContent === 'Exported 64 bytes to /tmp/shm-export.bin');
      // Nothing selected: the whole segment.
      await ed.clickCell(0x30);
      await run('export');
      assert.deepEqual((await calls(2))[1].params, { offset: 0, length: 65536 });
      await ed.page.evaluate('window.fakeHost.cancelDialogs(true)');
      await run('export');
      await calls(3);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.message')?.textContent === 'Export cancelled');
      await ed.page.evaluate('window.fakeHost.cancelDialogs(false)');
      await ed.page.evaluate(`window.fakeHost.failRequest('exportRange', 'EACCES: permission denied, open /root/x.bin')`);
      await run('export');
      await calls(4);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.message.message-error')?.textContent === 'Export failed: EACCES: permission denied, open /root/x.bin');
      // Import at the cursor: the host makes it one edit; the grid shows it.
      await run('import');
      assert.deepEqual((await calls(5))[4], { method: 'importFile', params: { offset: 0x30 } });
      await ed.waitCell(0x33, '4D');
      assert.equal(await ed.cell(0x30), '1A');
      assert.equal(await message(), 'Imported 4 bytes from /tmp/import.bin at 0x30');
      await run('snapshot');
      assert.equal((await calls(6))[5].method, 'takeSnapshot');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.message')?.textContent === "Snapshot 'before' taken (64 KiB)");
      // Compare: the host answers with a `diff` event.
      await ed.page.evaluate('window.fakeHost.mutate(0x80, [1, 2, 3])');
      await run('compare');
      assert.equal((await calls(7))[6].method, 'compareWithSnapshot');
      await ed.page.waitForSelector('.diff-bar', { state: 'visible' });
      assert.match(await visibleText(ed.page, '.diff-summary'), /bytes? differs? in 1 range vs snapshot 'before'/);
      await run('clearDiff');
      assert.equal((await calls(8))[7].method, 'clearDiff');
      await ed.page.waitForSelector('.diff-bar', { state: 'hidden' });
      await ed.page.evaluate(`window.fakeHost.nextBookmark('magic', 'purple')`);
      await run('bookmark');
      assert.deepEqual((await calls(9))[8], { method: 'addBookmark', params: { offset: 0x30, length: 1 } });
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.grid .hex-cell[data-offset="48"]')?.classList.contains('bm-purple'));
      // Read-only: import refused here with the reason, no request.
      await ed.assertClean();
    } finally {
      await ed.close();
    }
    const ro = await openEditor({ size: 4096, readOnly: true, readOnlyReason: 'no write permission' });
    try {
      await ro.waitLoaded();
      await ro.page.click('.more-actions');
      await ro.page.click('.more-actions-wrap .menu-item[data-id="import"]');
      assert.equal(await ro.message(), 'Read-only: no write permission. Nothing was changed.');
      await ro.sync();
      assert.equal((await ro.stats()).calls.length, 0);
      // The menu by keyboard: ArrowDown opens it on the first item, Escape gives the focus back.
      await ro.page.focus('.more-actions');
      await ro.page.keyboard.press('ArrowDown');
      assert.equal(await ro.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.dataset.id), 'export');
      await ro.page.keyboard.press('End');
      assert.equal(await ro.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.dataset.id), 'bookmark');
      await ro.page.keyboard.press('Escape');
      assert.equal(await ro.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.className), 'more-actions');
      assert.equal(await ro.page.getAttribute('.more-actions', 'aria-expanded'), 'false');
      const sel = await selection(ro.page);
      assert.equal(sel.length, 0);
      await ro.assertClean();
    } finally {
      await ro.close();
    }
  });
});
