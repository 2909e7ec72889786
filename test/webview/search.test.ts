// Find in headless Chromium against the fake host, whose search runs over the virtual bytes
// in chunks like the agent: hex (with ?? wildcards) and text (ignoring case or not), next /
// previous from the cursor with wrap-around, all matches (capped) with the list, marks in the
// grid, progress and Cancel, malformed patterns, Escape, and the host's `action` events.
// Every expectation comes from a brute-force reference search over the same bytes.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { GiB, lastOf, useEditors } from './harness';
import { expectCells, mutate, referenceSearch, selection, visibleText } from './inspectHelpers';
import type { PageElement, PageGlobals } from './pageDom';

const openEditor = useEditors();

const MiB = 1024 * 1024;
const DEADBEEF = [0xde, 0xad, 0xbe, 0xef];

const searchCount = (page: Page) => page.evaluate<number>('window.fakeHost.stats().searches.length');

/** Wait until the selection starts at offset with this length (a match was gone to). */
async function selectedAt(page: Page, offset: number, length: number): Promise<void> {
  await page.waitForFunction(([o, n]) => {
    const t = (globalThis as unknown as PageGlobals).document.querySelector('.status-offset')?.textContent;
    return t === `Offset 0x${o.toString(16).toUpperCase()} (${o})` && (n <= 1 || (globalThis as unknown as PageGlobals).document.querySelector('.status-selection')?.textContent?.startsWith(`Selected ${n} bytes`));
  }, [offset, length] as const, { timeout: 5000 }).catch(async () => {
    throw new Error(`expected a match at 0x${offset.toString(16)}; the status says ${await visibleText(page, '.status-offset')}, ${await visibleText(page, '.status-selection')}; note: ${await visibleText(page, '.search-note')}; searches ${JSON.stringify((await page.evaluate<{ from: number; backwards?: boolean; max: number }[]>('window.fakeHost.stats().searches')).map((x) => [x.from, x.backwards, x.max]))}`);
  });
  const sel = await selection(page);
  assert.deepEqual(sel, { offset, length: length > 1 ? length : 0, cursor: offset }, 'the match is selected, the cursor on its first byte');
}

const note = (page: Page) => visibleText(page, '.search-note');

/** Put the cursor somewhere (as Go to Offset would) and wait until it is there. */
async function moveCursor(page: Page, offset: number): Promise<void> {
  await page.evaluate((o) => (globalThis as unknown as PageGlobals).fakeHost.sendGoto(o), offset);
  await page.waitForFunction((o) => (globalThis as unknown as PageGlobals).document.querySelector('.status-offset')?.textContent === `Offset 0x${o.toString(16).toUpperCase()} (${o})`, offset);
}

describe('find', () => {
  it('finds hex bytes next and previous from the cursor, across page and chunk boundaries, and wraps around', async () => {
    const size = 4 * MiB;
    const ed = await openEditor({ size });
    const mut = new Map<number, number>();
    try {
      await ed.waitLoaded();
      for (const at of [0x0ffe, 0xfffe, 0x10100, 0x2ffff, size - 4]) await mutate(ed.page, mut, at, DEADBEEF);
      const ref = referenceSearch(size, mut, DEADBEEF);
      assert.deepEqual(ref, [0x0ffe, 0xfffe, 0x10100, 0x2ffff, size - 4], 'only the planted ones');
      await ed.clickCell(0x20);
      await ed.page.keyboard.press('Control+f');
      assert.ok(await ed.page.isVisible('.search-bar'));
      assert.equal(await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id), 'search-input');
      await ed.page.keyboard.type('de ad be ef');
      await ed.page.keyboard.press('Enter');
      await selectedAt(ed.page, 0x0ffe, 4);
      await expectCells(ed.page, 'match-current', [0xffe, 0xfff, 0x1000, 0x1001], 'the current match is marked, across the page boundary');
      assert.equal(await note(ed.page), 'Match at 0xFFE');
      const s0 = await searchCount(ed.page);
      await ed.page.keyboard.press('F3');
      await selectedAt(ed.page, 0xfffe, 4);
      await ed.page.keyboard.press('Enter');
      await selectedAt(ed.page, 0x10100, 4);
      await ed.page.click('.search-next');
      await selectedAt(ed.page, 0x2ffff, 4);
      await ed.page.keyboard.press('F3');
      await selectedAt(ed.page, size - 4, 4);
      assert.equal(await searchCount(ed.page) - s0, 4, 'one search request per step');
      await ed.page.keyboard.press('F3');
      await selectedAt(ed.page, 0x0ffe, 4);
      assert.match(await note(ed.page), /Wrapped around to the start/);
      await ed.page.keyboard.press('Shift+F3');
      await selectedAt(ed.page, size - 4, 4);
      assert.match(await note(ed.page), /Wrapped around to the end/);
      await ed.page.focus('.search-input');
      await ed.page.keyboard.press('Shift+Enter');
      await selectedAt(ed.page, 0x2ffff, 4);
      await ed.page.click('.search-prev');
      await selectedAt(ed.page, 0x10100, 4);
      const searches = (await ed.stats()).searches;
      assert.ok(searches.every((s) => s.max === 1), 'next/previous ask for one match');
      assert.deepEqual(searches.at(-1), { pattern: DEADBEEF, mask: undefined, caseInsensitive: undefined, from: 0x2fffe, backwards: true, max: 1, cancelled: false, progressReports: lastOf(searches, 'searches').progressReports });
      // From a cursor the user put somewhere: the next match at or after it.
      await moveCursor(ed.page, 0x20000);
      await ed.page.focus('.search-input');
      await ed.page.keyboard.press('Enter');
      await selectedAt(ed.page, 0x2ffff, 4);
      // The query is kept in the view state.
      await ed.page.waitForTimeout(250);
      assert.deepEqual(((await ed.stats()).savedState as { inspect?: { search?: unknown } }).inspect?.search, { mode: 'hex', text: 'de ad be ef', caseInsensitive: false });
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('finds all matches of a pattern with ?? wildcards, lists and marks them, explains malformed hex, and closes with Escape', async () => {
    const size = 1 * MiB;
    const ed = await openEditor({ size });
    const mut = new Map<number, number>();
    try {
      await ed.waitLoaded();
      for (const at of [0x10, 0x33, 0xffe, 0x7fff0, size - 3]) await mutate(ed.page, mut, at, [0xde, at & 0xff, 0xbe]);
      const ref = referenceSearch(size, mut, [0xde, 0, 0xbe], { mask: [0xff, 0, 0xff] });
      assert.ok(ref.length >= 5 && ref.length < 1000, `reference: ${ref.length} matches`);
      await ed.page.click('.find-button');
      await ed.page.fill('.search-input', 'DE ?? be');
      await ed.page.click('.search-all');
      await ed.page.waitForFunction((n) => (globalThis as unknown as PageGlobals).document.querySelectorAll('.search-results option').length === n, ref.length, { timeout: 5000 });
      assert.equal(await note(ed.page), `${ref.length} matches`);
      const listed = await ed.page.$$eval('.search-results option', (os) => (os as unknown as PageElement[]).map((o) => o.textContent ?? ''));
      assert.deepEqual(listed, ref.map((o) => `0x${o.toString(16).toUpperCase()}  (${o})`));
      const last = lastOf((await ed.stats()).searches, 'searches');
      assert.deepEqual([last.pattern, last.mask, last.from, last.max], [[0xde, 0, 0xbe], [0xff, 0, 0xff], 0, 1000]);
      // Marked on screen: exactly the bytes of the matches in view.
      const rows = await ed.page.locator('.grid-body .row:not([hidden])').count();
      const inView = new Set<number>();
      for (const o of ref) for (let i = 0; i < 3; i++) if (o + i < rows * 16) inView.add(o + i);
      await expectCells(ed.page, 'match', [...inView].sort((a, b) => a - b));
      // Jump through the list: click, then arrows.
      await ed.page.selectOption('.search-results', '2');
      await selectedAt(ed.page, ref[2], 3);
      assert.equal(await note(ed.page), `Match 3 of ${ref.length}`);
      await ed.page.focus('.search-results');
      await ed.page.keyboard.press('ArrowDown');
      await selectedAt(ed.page, ref[3], 3);
      await ed.page.keyboard.press('Enter');
      assert.equal(await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.className), 'grid', 'Enter in the list: to the grid');
      await expectCells(ed.page, 'match-current', [ref[3], ref[3] + 1, ref[3] + 2], 'the current match is marked apart');
      // F3 continues in the list's order.
      await ed.page.keyboard.press('F3');
      await selectedAt(ed.page, ref[4], 3);
      assert.equal(await note(ed.page), `Match 5 of ${ref.length}`);
      // Malformed hex: the parser's message, nothing sent.
      const n = await searchCount(ed.page);
      await ed.page.fill('.search-input', 'de a');
      await ed.page.press('.search-input', 'Enter');
      assert.equal(await visibleText(ed.page, '.search-error'), '"de a" has an odd number of hex digits');
      assert.equal(await ed.page.getAttribute('.search-input', 'aria-invalid'), 'true');
      await ed.page.fill('.search-input', 'de zz');
      await ed.page.click('.search-all');
      assert.equal(await visibleText(ed.page, '.search-error'), '"zz" is not a hex byte or ??');
      await ed.page.fill('.search-input', '?? ??');
      await ed.page.press('.search-input', 'Enter');
      assert.equal(await visibleText(ed.page, '.search-error'), 'The pattern is all wildcards');
      assert.equal(await searchCount(ed.page), n, 'no request for a malformed pattern');
      await expectCells(ed.page, 'match', [], 'a changed query drops the old marks');
      // Escape closes the bar, drops the marks, gives the focus back to the grid.
      await ed.page.keyboard.press('Escape');
      assert.equal(await ed.page.isVisible('.search-bar'), false);
      assert.equal(await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.className), 'grid');
      await expectCells(ed.page, 'match-current', []);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('finds text, ignoring case or not, including across chunk and page boundaries', async () => {
    const size = 2 * MiB;
    const ed = await openEditor({ size });
    const mut = new Map<number, number>();
    const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
    try {
      await ed.waitLoaded();
      await mutate(ed.page, mut, 0x2000, ascii('Hello'));
      await mutate(ed.page, mut, 0x3000, ascii('HELLO'));
      await mutate(ed.page, mut, 0xfffe, ascii('hello')); // across the fake host's 64 KiB chunks
      await mutate(ed.page, mut, 0x20ffe, ascii('hElLo')); // across a 4 KiB page
      await mutate(ed.page, mut, 0x40000, ascii('hello'));
      const exact = referenceSearch(size, mut, ascii('hello'));
      const loose = referenceSearch(size, mut, ascii('hello'), { ci: true });
      assert.deepEqual(exact, [0xfffe, 0x40000]);
      assert.deepEqual(loose, [0x2000, 0x3000, 0xfffe, 0x20ffe, 0x40000]);
      await ed.page.keyboard.press('Control+f');
      await ed.page.selectOption('.search-mode', 'text');
      await ed.page.fill('.search-input', 'hello');
      await ed.page.click('.search-all');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.search-note')?.textContent === '2 matches');
      assert.deepEqual(await ed.page.$$eval('.search-results option', (os) => (os as unknown as PageElement[]).map((o) => Number((o.textContent ?? '').split('(')[1].slice(0, -1)))), exact);
      assert.equal(await ed.page.getAttribute('.search-case', 'aria-pressed'), 'false');
      await ed.page.click('.search-case');
      assert.equal(await ed.page.getAttribute('.search-case', 'aria-pressed'), 'true');
      await ed.page.click('.search-all');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.search-note')?.textContent === '5 matches');
      assert.deepEqual(await ed.page.$$eval('.search-results option', (os) => (os as unknown as PageElement[]).map((o) => Number((o.textContent ?? '').split('(')[1].slice(0, -1)))), loose);
      assert.equal(lastOf((await ed.stats()).searches, 'searches').caseInsensitive, true);
      // Next / previous ignoring case from the cursor.
      await moveCursor(ed.page, 0x2001);
      await ed.page.focus('.search-input');
      await ed.page.keyboard.press('Enter');
      await selectedAt(ed.page, 0x3000, 5);
      await ed.page.keyboard.press('F3');
      await selectedAt(ed.page, 0xfffe, 5);
      await ed.page.keyboard.press('F3');
      await selectedAt(ed.page, 0x20ffe, 5);
      await ed.page.keyboard.press('Shift+F3');
      await selectedAt(ed.page, 0xfffe, 5);
      // Case matters again.
      await ed.page.click('.search-case');
      await moveCursor(ed.page, 0);
      await ed.page.focus('.search-input');
      await ed.page.keyboard.press('Enter');
      await selectedAt(ed.page, 0xfffe, 5);
      // Not there at all.
      await ed.page.fill('.search-input', 'no such text here');
      await ed.page.keyboard.press('Enter');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.search-note')?.textContent === 'No matches for "no such text here"');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('stops at 1000 matches and says so, on a 1 GiB segment', async () => {
    const ed = await openEditor({ size: GiB });
    try {
      await ed.waitLoaded();
      await ed.page.keyboard.press('Control+f');
      await ed.page.keyboard.type('07');
      await ed.page.click('.search-all');
      await ed.page.waitForFunction(() => /^1000\+ matches/.test((globalThis as unknown as PageGlobals).document.querySelector('.search-note')?.textContent ?? ''), undefined, { timeout: 10000 });
      assert.equal(await ed.page.locator('.search-results option').count(), 1000);
      const lastListed = Number((await ed.page.textContent('.search-results option:last-child') ?? '').split('(')[1].slice(0, -1));
      const st = lastOf((await ed.stats()).searches, 'searches');
      assert.equal(st.max, 1000);
      // The next match after the last listed one is found by F3 (the list is not the limit).
      await ed.page.selectOption('.search-results', '999');
      await selectedAt(ed.page, lastListed, 1);
      await ed.page.keyboard.press('F3');
      await ed.page.waitForFunction((o) => {
        const m = /Offset 0x([0-9A-F]+)/.exec((globalThis as unknown as PageGlobals).document.querySelector('.status-offset')?.textContent ?? '');
        return !!m && parseInt(m[1], 16) > o;
      }, lastListed, { timeout: 5000 });
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('shows progress while searching and stops on Cancel', async () => {
    const ed = await openEditor({ size: 256 * MiB, searchChunk: MiB, searchDelayMs: 20 });
    try {
      await ed.waitLoaded();
      await ed.page.keyboard.press('Control+f');
      await ed.page.keyboard.type('de ad be ef 01');
      await ed.page.keyboard.press('Enter');
      await ed.page.waitForFunction(() => /^Searching… [1-9]\d?% \(\d+(\.\d)? MiB of 256 MiB\)$/.test((globalThis as unknown as PageGlobals).document.querySelector('.search-progress-text')?.textContent ?? ''), undefined, { timeout: 10000 });
      assert.ok(await ed.page.isVisible('.search-progress'));
      assert.equal(await ed.page.getAttribute('.search-bar', 'aria-busy'), 'true');
      const value = await ed.page.$eval('.search-progress-bar', (p) => (p as unknown as { value: number }).value);
      assert.ok(value > 0 && value < 1, `progress ${value}`);
      await ed.page.click('.search-cancel');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.search-note')?.textContent === 'Search cancelled');
      assert.equal(await ed.page.isVisible('.search-progress'), false);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).fakeHost.searchesRunning() === 0, undefined, { timeout: 5000 });
      const st = (await ed.stats()).searches;
      assert.equal(st.length, 1, 'no wrap-around search after a cancel');
      assert.equal(st[0].cancelled, true, 'the host saw the cancel');
      assert.ok(st[0].progressReports >= 2);
      assert.equal(await ed.status('offset'), 'Offset 0x0 (0)', 'the cursor did not move');
      // Closing the bar cancels a running search too.
      await ed.page.focus('.search-input');
      await ed.page.keyboard.press('Enter');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).fakeHost.searchesRunning() === 1);
      await ed.page.keyboard.press('Escape');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).fakeHost.searchesRunning() === 0, undefined, { timeout: 5000 });
      assert.equal((await ed.stats()).searches[1].cancelled, true);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it("runs the host's find actions, once per key press even when the press also arrives as an action", async () => {
    const size = 65536;
    const ed = await openEditor({ size });
    const mut = new Map<number, number>();
    try {
      await ed.waitLoaded();
      for (const at of [0x100, 0x200, 0x300, 0x400]) await mutate(ed.page, mut, at, DEADBEEF);
      assert.deepEqual(referenceSearch(size, mut, DEADBEEF), [0x100, 0x200, 0x300, 0x400]);
      // F3 with nothing to find opens the bar.
      await ed.page.focus('.grid');
      await ed.page.evaluate(`window.fakeHost.sendAction('findNext')`);
      await ed.page.waitForSelector('.search-bar', { state: 'visible' });
      assert.equal(await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id), 'search-input');
      await ed.page.keyboard.type('deadbeef');
      await ed.page.focus('.grid');
      await ed.page.evaluate(`window.fakeHost.sendAction('findNext')`);
      await selectedAt(ed.page, 0x100, 4);
      assert.equal(await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.className), 'grid', 'the focus stays in the grid');
      // One press of F3 in VS Code: our keydown, and the host's action a moment later.
      const n = await searchCount(ed.page);
      await ed.page.keyboard.press('F3');
      await ed.page.evaluate(`window.fakeHost.sendAction('findNext')`);
      await selectedAt(ed.page, 0x200, 4);
      await ed.page.waitForTimeout(150);
      assert.equal(await searchCount(ed.page) - n, 1, 'found once');
      await selectedAt(ed.page, 0x200, 4);
      await ed.page.keyboard.press('Shift+F3');
      await ed.page.evaluate(`window.fakeHost.sendAction('findPrevious')`);
      await selectedAt(ed.page, 0x100, 4);
      await ed.page.waitForTimeout(150);
      await selectedAt(ed.page, 0x100, 4);
      // `find` twice (Ctrl+F pressed in the webview and bound in VS Code): the bar, focused, once.
      await ed.page.focus('.grid');
      await ed.page.keyboard.press('Control+f');
      await ed.page.evaluate(`window.fakeHost.sendAction('find')`);
      assert.equal(await ed.page.locator('.search-bar').count(), 1);
      assert.equal(await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id), 'search-input');
      assert.equal(await ed.page.inputValue('.search-input'), 'deadbeef');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
    // A query kept in the view state: F3 in the grid finds it, and shows the bar with its note.
    const again = await openEditor({ size, savedState: { version: 1, docId: 42, cursor: 0, anchor: 0, column: 'hex', topOffset: 0, inspect: { search: { mode: 'text', text: 'Hi!', caseInsensitive: true } } } });
    try {
      await again.waitLoaded();
      await mutate(again.page, mut, 0x700, [0x68, 0x49, 0x21]);
      assert.equal(await again.page.isVisible('.search-bar'), false);
      await again.page.focus('.grid');
      await again.page.keyboard.press('F3');
      await selectedAt(again.page, 0x700, 3);
      assert.ok(await again.page.isVisible('.search-bar'));
      assert.equal(await note(again.page), 'Match at 0x700');
      assert.equal(await again.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.className), 'grid', 'the focus stays in the grid');
      await again.page.keyboard.press('Escape');
      assert.equal(await again.page.isVisible('.search-bar'), false, 'Escape in the grid closes the bar first');
      assert.equal((await selection(again.page)).length, 3, '...and keeps the match selected');
      await again.page.keyboard.press('Escape');
      assert.equal((await selection(again.page)).length, 0, 'then the selection goes');
      await again.assertClean();
    } finally {
      await again.close();
    }
  });
});
