// Live refresh, segment state banners, themes, saved state, host settings/goto events and
// the screenshot, in headless Chromium against the fake host.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { baseByte, boxOf, hex2, pasteText, screenshotFile, useEditors } from './harness';
import type { PageElement, PageGlobals } from './pageDom';

const openEditor = useEditors();

/** A heat level a cell went through, with its text and the status line's counter at the time. */
interface HeatStep { heat: number; text: string | null; live: string | null }
/** The page while it records a cell's heat steps in window.__heat. */
type HeatPage = PageGlobals & { __heat: HeatStep[] };

const heatOf = (page: Page, offset: number) =>
  page.evaluate((o) => {
    const c = (globalThis as unknown as PageGlobals).document.querySelector(`.grid .hex-cell[data-offset="${o}"]`);
    const m = /heat-(\d)/.exec(c?.className ?? '');
    return m ? Number(m[1]) : 0;
  }, offset);

/** Wait for n more completed live refreshes (each re-read of the visible rows). */
async function refreshes(page: Page, n: number): Promise<void> {
  const start = await page.evaluate<number>('window.fakeHost.stats().reads');
  await page.waitForFunction((want) => (globalThis as unknown as PageGlobals).fakeHost.stats().reads >= want, start + n, { timeout: 5000 });
  await page.waitForTimeout(30); // the answer is painted in the next frame
}

describe('live refresh', () => {
  it('re-reads the visible rows, highlights changed bytes, counts them, and fades the highlight', async () => {
    const ed = await openEditor({ size: 1 << 20, settings: { liveRefreshMs: 150 } });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x40);
      await ed.page.keyboard.press('Shift+ArrowRight');
      assert.ok(await ed.page.isVisible('.live-toggle'), 'pause button shown when live refresh is on');
      // Record every heat level cell 16 goes through, and the counter shown at each step.
      await ed.page.evaluate(() => {
        const g = globalThis as unknown as HeatPage;
        const cell = g.document.querySelector('.grid .hex-cell[data-offset="16"]');
        const live = g.document.querySelector('.status-live');
        if (!cell || !live) throw new Error('no cell 16 or no live status');
        g.__heat = [];
        const note = () => {
          const m = /heat-(\d)/.exec(cell.className);
          const h = m ? Number(m[1]) : 0;
          const last = g.__heat.at(-1);
          if (!last || last.heat !== h) g.__heat.push({ heat: h, text: cell.textContent, live: live.textContent });
        };
        note();
        new g.MutationObserver(note).observe(g.document.querySelector('.grid'), { subtree: true, attributes: true, characterData: true, childList: true });
      });
      await ed.page.evaluate('window.fakeHost.mutate(16, [1, 2, 3, 4])');
      await ed.waitCell(16, '01');
      await ed.waitCell(19, '04');
      // Highlighted (a refresh may already have faded it one step under load; the exact
      // 3 → 2 → 1 sequence is checked on cell 16's recorded steps below).
      const heat19 = await heatOf(ed.page, 19);
      assert.ok(heat19 >= 1 && heat19 <= 3, `cell 19 highlighted, heat ${heat19}`);
      assert.equal(await heatOf(ed.page, 20), 0, 'unchanged neighbour not highlighted');
      assert.equal(await ed.status('offset'), 'Offset 0x41 (65)', 'cursor stays');
      assert.equal(await ed.status('selection'), 'Selected 2 bytes (0x40–0x41)', 'selection stays');
      await ed.page.waitForFunction(() => (globalThis as unknown as HeatPage).__heat.length >= 5, undefined, { timeout: 5000 });
      const steps = await ed.page.evaluate<HeatStep[]>('window.__heat');
      assert.deepEqual(steps.map((s) => s.heat), [0, 3, 2, 1, 0], 'fades 3 → 2 → 1 → none over three refreshes');
      assert.deepEqual(steps.map((s) => s.text), [hex2(baseByte(16)), '01', '01', '01', '01']);
      assert.equal(steps[1].live, 'Live: 4 bytes changed', 'the push counted in the status line as it was painted');
      await refreshes(ed.page, 1);
      assert.equal(await ed.status('live'), 'Live: 0 bytes changed');
      // Only the watched window is read: the rows in view plus a margin, never the segment.
      const st = await ed.stats();
      const visibleBytes = (await ed.page.locator('.grid-body .row').count()) * 16;
      const bound = visibleBytes + 2 * Math.max(4096, visibleBytes);
      assert.ok(st.lastReads.length >= 3 && st.lastReads.every((r) => r.offset === 0 && r.length >= visibleBytes && r.length <= bound), JSON.stringify(st.lastReads.slice(-3)));
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('pauses and resumes from the toolbar, and skips refreshes while hidden', async () => {
    const ed = await openEditor({ size: 4096, settings: { liveRefreshMs: 80 } });
    try {
      await ed.waitLoaded();
      await ed.page.click('.live-toggle');
      assert.equal(await ed.page.textContent('.live-toggle'), 'Resume');
      assert.equal(await ed.page.getAttribute('.live-toggle', 'aria-pressed'), 'true');
      assert.equal(await ed.status('live'), 'Live refresh paused');
      await ed.page.waitForTimeout(150); // a refresh already in flight may still land
      const reads = (await ed.stats()).reads;
      await ed.page.evaluate('window.fakeHost.mutate(0, [0xAB])');
      await ed.page.waitForTimeout(400);
      assert.equal((await ed.stats()).reads, reads, 'no reads while paused');
      assert.equal(await ed.cell(0), hex2(baseByte(0)));
      await ed.page.click('.live-toggle');
      await ed.waitCell(0, 'AB');
      assert.equal(await ed.page.textContent('.live-toggle'), 'Pause');
      // document.hidden (the editor tab in the background): no reads.
      // (As the browser does, a visibilitychange event comes with each change.)
      await ed.page.evaluate(() => {
        const g = (globalThis as unknown as PageGlobals);
        Object.defineProperty(g.document, 'hidden', { configurable: true, get: () => true });
        g.document.dispatchEvent(new g.Event('visibilitychange'));
      });
      await ed.page.waitForTimeout(200);
      const hiddenReads = (await ed.stats()).reads;
      await ed.page.waitForTimeout(400);
      assert.equal((await ed.stats()).reads, hiddenReads, 'no reads while hidden');
      await ed.page.evaluate(() => {
        const g = (globalThis as unknown as PageGlobals);
        Reflect.deleteProperty(g.document, 'hidden'); // the document's own getter again
        g.document.dispatchEvent(new g.Event('visibilitychange'));
      });
      await refreshes(ed.page, 1);
      // Turned off by a settings change: the button goes away and so do the reads.
      await ed.page.evaluate('window.fakeHost.sendSettings({ liveRefreshMs: 0 })');
      await ed.page.waitForSelector('.live-toggle', { state: 'hidden' });
      await ed.page.waitForTimeout(200);
      const offReads = (await ed.stats()).reads;
      await ed.page.waitForTimeout(300);
      assert.equal((await ed.stats()).reads, offReads);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('keeps a half-typed byte and the cursor across refreshes', async () => {
    const ed = await openEditor({ size: 4096, settings: { liveRefreshMs: 60 } });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x21);
      await ed.page.keyboard.type('c');
      await ed.page.evaluate('window.fakeHost.mutate(0x20, [0x11, 0x22, 0x33])');
      await ed.waitCell(0x20, '11');
      await refreshes(ed.page, 2);
      assert.equal(await ed.cell(0x21), 'C_', 'pending nibble kept');
      await ed.page.keyboard.type('d');
      await ed.waitCell(0x21, 'CD');
      assert.equal(await ed.cell(0x22), '33');
      assert.equal(await ed.status('offset'), 'Offset 0x22 (34)');
      const st = await ed.waitEdits(1);
      assert.deepEqual(st.edits.map((e) => [e.offset, e.bytes]), [[0x21, [0xcd]]]);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});

describe('segment state, themes, saved state', () => {
  it('shows a banner when the segment is marked for destruction or gone', async () => {
    const ed = await openEditor({ size: 4096, state: { dest: true } });
    try {
      await ed.waitLoaded();
      assert.match((await ed.page.textContent('.banner')) ?? '', /marked for destruction/);
      assert.equal(await ed.page.getAttribute('.banner', 'role'), 'alert');
      // The host's own words replace the fallback, said once.
      const destText = 'Segment 42 was destroyed: it disappears when the last process detaches. Until then it stays readable and writable here.';
      await ed.page.evaluate(`window.fakeHost.sendState({ dirty: false, gone: false, dest: true, message: ${JSON.stringify(destText)} })`);
      await ed.page.waitForFunction((t) => (globalThis as unknown as PageGlobals).document.querySelector('.banner')?.textContent === t, destText);
      await ed.page.evaluate(`window.fakeHost.sendState({ dirty: false, gone: true, dest: true, message: 'Segment 42 was removed (shmid 42 no longer exists).' })`);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.banner')?.textContent === 'Segment 42 was removed (shmid 42 no longer exists). The bytes shown may be stale; edits cannot be saved.');
      await ed.page.evaluate(`window.fakeHost.sendState({ dirty: false, gone: false, dest: false })`);
      await ed.page.waitForSelector('.banner', { state: 'hidden' });
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('shows unreadable bytes and the reason when reads fail, and recovers at the next push', async () => {
    const ed = await openEditor({ size: 1 << 20 });
    try {
      await ed.waitLoaded();
      await ed.page.evaluate(`window.fakeHost.failReads('shmat: Invalid argument (segment 42 was removed)')`);
      await ed.page.evaluate('window.fakeHost.sendGoto(0x80000)');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.grid .hex-cell[data-offset="524288"]')?.textContent === '??');
      assert.match((await ed.page.getAttribute('.grid .hex-cell[data-offset="524288"]', 'class')) ?? '', /\bunreadable\b/);
      assert.equal(await ed.cell(0x80000, 'text'), '?');
      assert.equal(await ed.message(), 'Read failed: shmat: Invalid argument (segment 42 was removed)', 'the real host\'s message');
      assert.equal(await ed.status('value'), 'u8 unreadable');
      await ed.page.evaluate('window.fakeHost.failReads(null)');
      await ed.page.evaluate(`window.fakeHost.pushNow()`);
      await ed.waitCell(0x80000, hex2(baseByte(0x80000)));
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('is readable in light, dark and high-contrast themes', async (t) => {
    const ed = await openEditor({ size: 4096, state: { dest: true }, settings: { liveRefreshMs: 5000 } });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x10);
      await ed.page.keyboard.type('41');
      await ed.page.keyboard.press('Shift+ArrowRight');
      await pasteText(ed.page, 'not hex'); // an error message
      await ed.page.keyboard.press('Control+g');
      await ed.page.keyboard.type('zz');
      await ed.page.keyboard.press('Enter'); // an error in the Go to box
      await ed.page.focus('.grid');
      const seen: Record<string, string> = {};
      for (const theme of ['light', 'dark', 'hc'] as const) {
        await ed.page.evaluate((th) => (globalThis as unknown as PageGlobals).fakeHost.setTheme(th), theme);
        await ed.page.waitForTimeout(50);
        const c = await ed.page.evaluate(() => {
          const g = globalThis as unknown as PageGlobals;
          const d = g.document;
          const elementOf = (sel: string) => {
            const el = d.querySelector(sel);
            if (!el) throw new Error(`no ${sel}`);
            return el;
          };
          const parse = (s: string) => (s.match(/[\d.]+/g) ?? []).map(Number);
          const lum = (rgb: number[]) => {
            const [r, gg, b] = rgb.slice(0, 3).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
            return 0.2126 * r + 0.7152 * gg + 0.0722 * b;
          };
          const bgOf = (el: PageElement): number[] => {
            for (let e: PageElement | null = el; e; e = e.parentElement) {
              const v = parse(g.getComputedStyle(e).backgroundColor);
              if (v.length === 3 || (v.length === 4 && v[3] > 0.5)) return v;
            }
            return [255, 255, 255];
          };
          const contrast = (sel: string) => {
            const el = elementOf(sel);
            const fg = parse(g.getComputedStyle(el).color);
            const bg = bgOf(el);
            const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
            return Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100;
          };
          return {
            body: g.getComputedStyle(d.body).backgroundColor,
            hex: contrast('.grid-body .hex-cell:not(.selected):not(.cursor)'),
            text: contrast('.grid-body .text-cell:not(.nonprint):not(.selected)'),
            nonprint: contrast('.grid-body .text-cell.nonprint:not(.selected)'),
            offset: contrast('.grid-body .offset'),
            selected: contrast('.grid-body .hex-cell.selected:not(.cursor)'),
            edited: contrast('.grid-body .hex-cell.edited'),
            status: contrast('.status-offset'),
            banner: contrast('.banner'),
            message: contrast('.message'),
            gotoLabel: contrast('.goto-label'),
            gotoError: contrast('.goto-error'),
            select: contrast('.toolbar select'),
            button: contrast('.toolbar button'),
            header: contrast('.header-row .hex-cell'),
            cursorOutline: g.getComputedStyle(elementOf('.hex-cell.cursor')).outlineStyle,
          };
        });
        t.diagnostic(`${theme}: contrast ${Object.entries(c).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k} ${v}`).join(', ')}`);
        seen[theme] = c.body;
        for (const [k, v] of Object.entries(c)) {
          if (typeof v === 'number') assert.ok(v >= (k === 'nonprint' || k === 'edited' ? 3 : 4.5), `${theme}: ${k} contrast ${v}`);
        }
        assert.equal(c.cursorOutline, 'solid', `${theme}: cursor visible`);
      }
      assert.equal(new Set(Object.values(seen)).size, 3, `each theme has its own background: ${JSON.stringify(seen)}`);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('restores cursor, scroll position and layout choice from saved state', async () => {
    const size = 1 << 24;
    const first = await openEditor({ size });
    let saved: unknown;
    try {
      await first.waitLoaded();
      await first.page.selectOption('.bytes-per-row', '32');
      await first.page.selectOption('.grouping', '4');
      await first.page.evaluate('window.fakeHost.sendGoto(0x123456)');
      await first.waitCell(0x123456, hex2(baseByte(0x123456)));
      await first.page.keyboard.press('Shift+ArrowRight');
      await first.page.keyboard.press('Tab');
      const box = await boxOf(first.page, '.grid-body');
      await first.page.mouse.move(box.x + 50, box.y + 50);
      await first.page.mouse.wheel(0, 200);
      await first.page.waitForTimeout(300); // state is saved shortly after the last change
      saved = (await first.stats()).savedState;
      assert.ok(saved && typeof saved === 'object', 'state saved with setState');
    } finally {
      await first.close();
    }
    const topBefore = (saved as { topOffset: number }).topOffset;
    const second = await openEditor({ size, savedState: saved });
    try {
      await second.waitLoaded();
      assert.equal(await second.status('offset'), 'Offset 0x123457 (1193047)');
      assert.equal(await second.status('selection'), 'Selected 2 bytes (0x123456–0x123457)');
      assert.equal(await second.page.inputValue('.bytes-per-row'), '32');
      assert.equal(await second.page.inputValue('.grouping'), '4');
      assert.equal(await second.page.locator('.grid-body .row >> nth=0 >> .hex-cell').count(), 32);
      assert.equal(Number(await second.page.getAttribute('.grid-body .row .hex-cell', 'data-offset')), topBefore, 'same top row');
      assert.match((await second.page.getAttribute('.text-cell[data-offset="1193047"]', 'class')) ?? '', /\bcursor\b/, 'text column restored');
      await second.assertClean();
    } finally {
      await second.close();
    }
    // State of another document is ignored.
    const third = await openEditor({ size, docId: 7, savedState: saved });
    try {
      await third.waitLoaded();
      assert.equal(await third.status('offset'), 'Offset 0x0 (0)');
      await third.assertClean();
    } finally {
      await third.close();
    }
  });

  it('follows settings from the host unless the user chose a layout, and goes where the host says', async () => {
    const ed = await openEditor({ size: 65536 });
    try {
      await ed.waitLoaded();
      await ed.page.evaluate('window.fakeHost.sendSettings({ bytesPerRow: 8, grouping: 2 })');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.grid-body .row:first-child .hex-cell').length === 8);
      assert.equal(await ed.page.inputValue('.bytes-per-row'), '8');
      await ed.page.selectOption('.bytes-per-row', '16');
      await ed.page.evaluate('window.fakeHost.sendSettings({ bytesPerRow: 32 })');
      await ed.page.waitForTimeout(100);
      assert.equal(await ed.page.locator('.grid-body .row >> nth=0 >> .hex-cell').count(), 16, 'the user choice wins');
      await ed.page.evaluate('window.fakeHost.sendGoto(0x8000, 4)');
      await ed.waitCell(0x8000, hex2(baseByte(0x8000)));
      assert.equal(await ed.status('selection'), 'Selected 4 bytes (0x8000–0x8003)');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('takes the screenshot (dark theme)', async () => {
    const ed = await openEditor({ size: 1 << 30, settings: { liveRefreshMs: 1500, grouping: 4 }, theme: 'dark' }, { viewport: { width: 1100, height: 560 } });
    try {
      await ed.waitLoaded();
      await ed.page.evaluate('window.fakeHost.sendGoto(0x1000)');
      await ed.waitLoaded();
      await pasteText(ed.page, '53 48 4d 21 00 01 02 03');
      await ed.clickCell(0x1048, 'text');
      await ed.page.keyboard.type('live');
      await ed.clickCell(0x10a0);
      await ed.clickCell(0x10b3, 'hex', ['Shift']);
      // Another process writes: caught by the next live refresh, highlighted.
      await ed.page.evaluate('window.fakeHost.mutate(0x1090, [0, 0, 0, 0, 0xff, 0xff])');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.grid .hex-cell[data-offset="4240"]')?.classList.contains('heat-3'), undefined, { timeout: 5000 });
      await ed.page.waitForTimeout(400); // the highlight's fade-in transition
      const file = screenshotFile('webview-hex');
      await ed.page.screenshot({ path: file });
      assert.ok(fs.statSync(file).size > 10_000);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});
