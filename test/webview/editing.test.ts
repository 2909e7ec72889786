// Editing in headless Chromium against the fake host: hex nibbles, text column typing,
// paste of hex and text, copy, marks of unsaved bytes, undo/save/revert from the host,
// read-only documents and edits the host refuses.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { baseByte, copyText, hex2, pasteText, useEditors } from './harness';
import type { PageElement, PageGlobals } from './pageDom';

const openEditor = useEditors();

const classOf = async (ed: { page: import('playwright-core').Page }, offset: number, column: 'hex' | 'text' = 'hex') =>
  (await ed.page.getAttribute(`.grid .${column}-cell[data-offset="${offset}"]`, 'class')) ?? '';

describe('editing', () => {
  it('types hex digits: the first nibble is pending, the second writes the byte and moves on', async () => {
    const ed = await openEditor({ size: 4096 });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x20);
      await ed.page.keyboard.type('4');
      assert.equal(await ed.cell(0x20), '4_', 'pending nibble shown');
      assert.match(await classOf(ed, 0x20), /nibble-pending/);
      await ed.sync();
      assert.equal((await ed.stats()).edits.length, 0, 'nothing sent for half a byte');
      await ed.page.keyboard.type('1');
      await ed.page.keyboard.type('42');
      await ed.waitCell(0x21, '42');
      assert.equal(await ed.cell(0x20), '41');
      assert.equal(await ed.cell(0x20, 'text'), 'A');
      assert.equal(await ed.cell(0x21, 'text'), 'B');
      const st = await ed.waitEdits(2);
      assert.deepEqual(st.edits.map((e) => [e.offset, e.bytes]), [[0x20, [0x41]], [0x21, [0x42]]]);
      assert.equal(await ed.status('offset'), 'Offset 0x22 (34)', 'cursor moved past the typed bytes');
      assert.match(await classOf(ed, 0x20), /\bedited\b/);
      assert.match(await classOf(ed, 0x21, 'text'), /\bedited\b/);
      assert.doesNotMatch(await classOf(ed, 0x22), /\bedited\b/);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.status-flags')?.textContent?.includes('Modified'));
      // Upper-case digits too; a half-typed byte is dropped when the cursor moves.
      await ed.page.keyboard.type('F');
      await ed.page.keyboard.press('ArrowRight');
      assert.equal(await ed.cell(0x22), hex2(baseByte(0x22)));
      await ed.page.keyboard.type('fF');
      await ed.waitCell(0x23, 'FF');
      assert.deepEqual((await ed.waitEdits(3)).edits.at(-1), { offset: 0x23, bytes: [0xff], label: 'Typing' });
      // The last byte: writing it keeps the cursor there.
      await ed.page.keyboard.press('Control+End');
      await ed.page.keyboard.type('00');
      await ed.waitCell(4095, '00');
      assert.equal(await ed.status('offset'), 'Offset 0xFFF (4095)');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('types characters in the text column', async () => {
    const ed = await openEditor({ size: 4096 });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x40, 'text');
      await ed.page.keyboard.type('Hi! ');
      await ed.waitCell(0x43, '20');
      const st = await ed.waitEdits(4);
      assert.deepEqual(st.edits.map((e) => [e.offset, e.bytes]), [[0x40, [0x48]], [0x41, [0x69]], [0x42, [0x21]], [0x43, [0x20]]]);
      assert.deepEqual(await Promise.all([0x40, 0x41, 0x42].map((o) => ed.cell(o, 'text'))), ['H', 'i', '!']);
      assert.equal(await ed.status('offset'), 'Offset 0x44 (68)');
      // Tab switches to the hex column at the same offset.
      await ed.page.keyboard.press('Shift+Tab');
      assert.match(await classOf(ed, 0x44, 'hex'), /\bcursor\b/);
      await ed.page.keyboard.type('7a');
      await ed.waitCell(0x44, 'z', 'text');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('pastes hex in the hex column and text in the text column, over the selection or at the cursor', async () => {
    const ed = await openEditor({ size: 4096 });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x50);
      await pasteText(ed.page, 'de ad be ef');
      await ed.waitCell(0x53, 'EF');
      assert.deepEqual((await ed.waitEdits(1)).edits.at(-1), { offset: 0x50, bytes: [0xde, 0xad, 0xbe, 0xef], label: 'Paste' });
      assert.equal(await ed.status('selection'), 'Selected 4 bytes (0x50–0x53)', 'the pasted bytes are selected');

      await ed.clickCell(0x60);
      await ed.page.keyboard.press('Shift+ArrowRight');
      await ed.page.keyboard.press('Shift+ArrowLeft');
      await ed.page.keyboard.press('Shift+ArrowLeft'); // selection 0x5f..0x60, cursor on 0x5f
      await pasteText(ed.page, '0xCAFEBABE');
      await ed.waitCell(0x62, 'BE');
      assert.deepEqual((await ed.waitEdits(2)).edits.at(-1)?.offset, 0x5f, 'written from the start of the selection');
      await pasteText(ed.page, 'DEADBEEF');
      assert.deepEqual((await ed.waitEdits(3)).edits.at(-1)?.bytes, [0xde, 0xad, 0xbe, 0xef]);

      const before = (await ed.stats()).edits.length;
      await pasteText(ed.page, 'hello world');
      assert.match(await ed.message(), /Cannot paste: Not hex: 'hello'/);
      await pasteText(ed.page, 'abc');
      assert.match(await ed.message(), /Odd number of hex digits/);
      await ed.sync();
      assert.equal((await ed.stats()).edits.length, before, 'nothing written for bad hex');

      await ed.clickCell(0x70, 'text');
      await pasteText(ed.page, 'text!');
      await ed.waitCell(0x74, '!', 'text');
      assert.deepEqual((await ed.waitEdits(4)).edits.at(-1), { offset: 0x70, bytes: [...Buffer.from('text!')], label: 'Paste' });

      // Truncated at the end of the segment, with a message.
      await ed.page.keyboard.press('Control+End');
      await ed.page.keyboard.press('ArrowLeft');
      await ed.page.keyboard.press('Shift+Tab');
      await pasteText(ed.page, '01 02 03 04');
      await ed.waitCell(4095, '02');
      assert.deepEqual((await ed.waitEdits(5)).edits.at(-1), { offset: 4094, bytes: [1, 2], label: 'Paste' });
      assert.match(await ed.message(), /Pasted 2 bytes of 4: the rest would be past the end/);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('copies the selection as hex or text', async () => {
    const ed = await openEditor({ size: 4096 });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x50);
      await pasteText(ed.page, '48 65 6c 6c 6f 00');
      await ed.waitCell(0x55, '00');
      assert.equal(await copyText(ed.page), '48 65 6C 6C 6F 00');
      await ed.clickCell(0x50, 'text');
      await ed.clickCell(0x55, 'text', ['Shift']);
      assert.equal(await copyText(ed.page), 'Hello.');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('copies large selections through the host in bounded reads, and refuses huge ones', async () => {
    const size = 4 << 20;
    const ed = await openEditor({ size });
    try {
      await ed.waitLoaded();
      await ed.page.evaluate('window.fakeHost.resetStats()');
      await ed.page.keyboard.press('Control+a');
      assert.equal(await ed.status('selection'), 'Selected 4,194,304 bytes (0x0–0x3FFFFF)');
      await copyText(ed.page);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).fakeHost.stats().copies.length === 1, undefined, { timeout: 10000 });
      const st = await ed.stats();
      const text = st.copies[0];
      assert.equal(text.length, size * 3 - 1);
      assert.equal(text.slice(0, 11), [0, 1, 2, 3].map((o) => hex2(baseByte(o))).join(' '));
      assert.equal(text.slice(-2), hex2(baseByte(size - 1)));
      assert.ok(st.maxReadLength <= 1 << 20, `reads of at most 1 MiB (${st.maxReadLength})`);
      // The host's answer reaches the page after the copy is recorded (late on a loaded machine).
      await ed.page.waitForFunction(() => /Copied 4,194,304 bytes/.test((globalThis as unknown as PageGlobals).document.querySelector('.message')?.textContent ?? ''), undefined, { timeout: 5000 });
      assert.match(await ed.message(), /Copied 4,194,304 bytes/);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
    const big = await openEditor({ size: 1 << 30 });
    try {
      await big.waitLoaded();
      await big.page.keyboard.press('Control+a');
      await copyText(big.page);
      assert.match(await big.message(), /Selection too large to copy \(1 GiB; at most 16 MiB\)/);
      await big.sync();
      assert.equal((await big.stats()).copies.length, 0);
      await big.assertClean();
    } finally {
      await big.close();
    }
  });

  {
    it('shows the bytes the host pushes after it undoes, and marks only bytes still edited', async () => {
      const ed = await openEditor({ size: 4096 });
      try {
        await ed.waitLoaded();
        await ed.clickCell(0x30);
        await ed.page.keyboard.type('aabb');
        await ed.waitCell(0x31, 'BB');
        await ed.waitEdits(2);
        assert.match(await classOf(ed, 0x31), /\bedited\b/);
        assert.equal(await ed.page.evaluate('window.fakeHost.undo()'), true);
        await ed.waitCell(0x31, hex2(baseByte(0x31)));
        assert.doesNotMatch(await classOf(ed, 0x31), /\bedited\b/, 'undone byte not marked');
        assert.equal(await ed.cell(0x30), 'AA');
        assert.match(await classOf(ed, 0x30), /\bedited\b/, 'the other edit is still pending');
        await ed.page.evaluate('window.fakeHost.undo()');
        await ed.waitCell(0x30, hex2(baseByte(0x30)));
        await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.grid .edited').length === 0);
        assert.equal(await ed.status('flags'), '', 'clean again');
        await ed.assertClean();
      } finally {
        await ed.close();
      }
    });

    it('keeps the bytes but drops the marks when the host saves; shows the segment again on revert', async () => {
      const ed = await openEditor({ size: 4096 });
      try {
        await ed.waitLoaded();
        await ed.clickCell(0x10);
        await ed.page.keyboard.type('0102');
        await ed.waitCell(0x11, '02');
        await ed.waitEdits(2);
        await ed.page.evaluate('window.fakeHost.save()');
        await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.grid .edited').length === 0);
        assert.equal(await ed.cell(0x10), '01');
        await ed.page.keyboard.type('0304');
        await ed.waitCell(0x13, '04');
        await ed.waitEdits(4);
        assert.equal(await ed.page.locator('.grid .hex-cell.edited').count(), 2);
        await ed.page.evaluate('window.fakeHost.revert()');
        await ed.waitCell(0x13, hex2(baseByte(0x13)));
        assert.equal(await ed.cell(0x10), '01', 'saved bytes stay');
        assert.equal(await ed.page.locator('.grid .edited').count(), 0);
        await ed.assertClean();
      } finally {
        await ed.close();
      }
    });
  }

  it('marks exactly the ranges the host pushes as pending', async () => {
    const ed = await openEditor({ size: 4096 });
    try {
      await ed.waitLoaded();
      // Edits from another editor of the same document: only the host knows them.
      await ed.page.evaluate('window.fakeHost.editElsewhere(0x100, [1, 2, 3]); window.fakeHost.editElsewhere(0x17f, [4, 5])');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.grid .hex-cell.edited').length === 5);
      const marked = await ed.page.$$eval('.grid .hex-cell.edited', (cells) => (cells as unknown as PageElement[]).map((c) => Number(c.dataset.offset)));
      assert.deepEqual(marked, [0x100, 0x101, 0x102, 0x17f, 0x180]);
      assert.equal(await ed.page.locator('.grid .text-cell.edited').count(), 5);
      assert.equal(await ed.cell(0x17f), '04', 'their bytes pushed with the marks');
      // Our own edit: pushed back by the host, byte and mark together.
      await ed.clickCell(0x10);
      await ed.page.keyboard.type('ee');
      await ed.waitEdits(1);
      await ed.waitCell(0x10, 'EE');
      assert.match(await classOf(ed, 0x10), /\bedited\b/);
      assert.equal(await ed.page.locator('.grid .hex-cell.edited').count(), 6);
      // Undone there: the marks go with the bytes.
      await ed.page.evaluate('window.fakeHost.undo()');
      await ed.waitCell(0x10, hex2(baseByte(0x10)));
      assert.equal(await ed.page.locator('.grid .hex-cell.edited').count(), 5);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('refuses edits in a read-only document with the reason, and sends nothing', async () => {
    const reason = 'no write permission (mode 0444)';
    const ed = await openEditor({ size: 4096, readOnly: true, readOnlyReason: reason });
    try {
      await ed.waitLoaded();
      assert.equal(await ed.page.getAttribute('.grid', 'aria-readonly'), 'true');
      assert.match(await ed.status('flags'), /Read-only/);
      await ed.clickCell(0x08);
      await ed.page.keyboard.type('41');
      assert.equal(await ed.message(), `Read-only: ${reason}. Nothing was changed.`);
      assert.equal(await ed.cell(0x08), hex2(baseByte(0x08)));
      await pasteText(ed.page, 'de ad');
      await ed.clickCell(0x08, 'text');
      await ed.page.keyboard.type('x');
      assert.match(await ed.message(), /Read-only: no write permission/);
      assert.equal(await ed.cell(0x08, 'text'), String.fromCharCode(baseByte(8)).replace(/[^\x20-\x7e]/, '.'));
      await ed.sync();
      assert.equal((await ed.stats()).edits.length, 0, 'no edit reached the host');
      // Navigation still works.
      await ed.page.keyboard.press('ArrowRight');
      assert.equal(await ed.status('offset'), 'Offset 0x9 (9)');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('shows the error and the real bytes when the host refuses an edit', async () => {
    const ed = await openEditor({ size: 4096 });
    try {
      await ed.waitLoaded();
      await ed.page.evaluate(`window.fakeHost.failEdits('segment 42 was removed')`);
      await ed.clickCell(0x08);
      await ed.page.keyboard.type('99');
      await ed.page.waitForFunction(() => /Edit refused: segment 42 was removed/.test((globalThis as unknown as PageGlobals).document.querySelector('.message')?.textContent ?? ''));
      await ed.waitCell(0x08, hex2(baseByte(0x08)));
      assert.doesNotMatch(await classOf(ed, 0x08), /\bedited\b/);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});
