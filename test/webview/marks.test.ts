// Differences and bookmarks in headless Chromium against the fake host: the `diff` event's
// ranges marked in the grid, the summary line, Next / Previous difference (F7, Shift+F7,
// buttons, the host's actions) over thousands of ranges in 1 GiB, Clear; bookmarks tinted
// with their colour, listed, jumped to, removed and added. Plus keyboard access to every
// new control, readability in light / dark / high-contrast, and the screenshot.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Bookmark, DiffView } from '../../src/protocol/webview';
import { GiB, screenshotFile, useEditors } from './harness';
import { expectCells, goTo, mutate, selection, visibleText } from './inspectHelpers';
import type { PageElement, PageGlobals } from './pageDom';

const openEditor = useEditors();

/** 5000 ranges spread over 1 GiB, of 1 to 5 bytes. */
function bigDiff(): DiffView {
  const ranges = Array.from({ length: 5000 }, (_, i) => ({ offset: i * 200_000 + (i % 7), length: 1 + (i % 5) }));
  return { against: "snapshot 'before' (12:01:33)", ranges, bytes: ranges.reduce((s, r) => s + r.length, 0), truncated: false };
}

async function selectedRange(page: Page, offset: number, length: number): Promise<void> {
  await page.waitForFunction(([o, n]) => {
    const d = (globalThis as unknown as PageGlobals).document;
    const status = d.querySelector('.status-selection')?.textContent;
    return d.querySelector('.status-offset')?.textContent === `Offset 0x${o.toString(16).toUpperCase()} (${o})`
      && (n <= 1 ? status === 'No selection' : status?.startsWith(`Selected ${n} byte`));
  }, [offset, length] as const, { timeout: 5000 }).catch(async () => {
    throw new Error(`expected 0x${offset.toString(16)}+${length} selected; status: ${await visibleText(page, '.status-offset')}, ${await visibleText(page, '.status-selection')}; note ${await visibleText(page, '.diff-note')}`);
  });
  assert.deepEqual(await selection(page), { offset, length: length > 1 ? length : 0, cursor: offset });
}

describe('differences', () => {
  it('marks the differing bytes, says how many, and moves between them with F7 / Shift+F7, the buttons and the host actions', async () => {
    const diff = bigDiff();
    const ranges = diff.ranges;
    const ed = await openEditor({ size: GiB, diff });
    try {
      await ed.waitLoaded();
      await ed.page.waitForSelector('.diff-bar', { state: 'visible' });
      assert.equal(await visibleText(ed.page, '.diff-summary'), `${diff.bytes.toLocaleString('en-US')} bytes differ in 5,000 ranges vs snapshot 'before' (12:01:33)`);
      await expectCells(ed.page, 'diff', [0], 'the first range (offset 0, 1 byte) is marked, nothing else in view');
      await ed.page.focus('.grid');
      await ed.page.keyboard.press('F7');
      await selectedRange(ed.page, ranges[1].offset, ranges[1].length);
      await expectCells(ed.page, 'diff', [ranges[1].offset, ranges[1].offset + 1]);
      assert.equal(await visibleText(ed.page, '.diff-note'), `Difference 2 of 5,000: 0x${ranges[1].offset.toString(16).toUpperCase()}, 2 bytes`);
      await ed.page.keyboard.press('F7');
      await selectedRange(ed.page, ranges[2].offset, ranges[2].length);
      await ed.page.keyboard.press('Shift+F7');
      await selectedRange(ed.page, ranges[1].offset, ranges[1].length);
      await ed.page.waitForTimeout(550); // right after the F7 key, the host's action would be taken for its echo
      await ed.page.evaluate(`window.fakeHost.sendAction('nextDifference')`);
      await selectedRange(ed.page, ranges[2].offset, ranges[2].length);
      await ed.page.click('.diff-next');
      await selectedRange(ed.page, ranges[3].offset, ranges[3].length);
      await ed.page.click('.diff-prev');
      await selectedRange(ed.page, ranges[2].offset, ranges[2].length);
      await ed.page.waitForTimeout(550);
      await ed.page.evaluate(`window.fakeHost.sendAction('previousDifference')`);
      await selectedRange(ed.page, ranges[1].offset, ranges[1].length);
      // From anywhere: the next range after the cursor, the previous before it (binary search).
      const middle = 512 * 1024 * 1024 + 12345;
      const next = ranges.findIndex((r) => r.offset > middle);
      await goTo(ed.page, middle);
      await ed.page.focus('.grid');
      await ed.page.keyboard.press('F7');
      await selectedRange(ed.page, ranges[next].offset, ranges[next].length);
      await goTo(ed.page, middle);
      await ed.page.focus('.grid');
      await ed.page.keyboard.press('Shift+F7');
      await selectedRange(ed.page, ranges[next - 1].offset, ranges[next - 1].length);
      // One F7 press that also arrives as the host's action: one step.
      await ed.page.keyboard.press('F7');
      await ed.page.evaluate(`window.fakeHost.sendAction('nextDifference')`);
      await ed.page.waitForTimeout(100);
      await selectedRange(ed.page, ranges[next].offset, ranges[next].length);
      // Wrap around at the ends.
      await goTo(ed.page, ranges[4999].offset);
      await ed.page.focus('.grid');
      await ed.page.keyboard.press('F7');
      await selectedRange(ed.page, 0, 1);
      assert.match(await visibleText(ed.page, '.diff-note'), /Difference 1 of 5,000: 0x0, 1 byte · wrapped around to the first/);
      await ed.page.keyboard.press('Shift+F7');
      await selectedRange(ed.page, ranges[4999].offset, ranges[4999].length);
      assert.match(await visibleText(ed.page, '.diff-note'), /wrapped around to the last/);
      // Clear: asks the host, which answers with `diff: null`.
      await ed.page.click('.diff-clear');
      await ed.page.waitForSelector('.diff-bar', { state: 'hidden' });
      assert.deepEqual((await ed.stats()).calls.map((c) => c.method), ['clearDiff']);
      // The marks go with the next paint of the rows (it can trail the bar under load).
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.grid .hex-cell.diff').length === 0, undefined, { timeout: 5000 });
      await expectCells(ed.page, 'diff', []);
      await ed.page.focus('.grid');
      await ed.page.keyboard.press('F7');
      assert.match(await ed.message(), /^No differences to go to/);
      // A comparison that hit its limit says so.
      await ed.page.evaluate(`window.fakeHost.sendDiff({ against: 'snapshot "x"', ranges: [{ offset: 5, length: 3 }], bytes: 3, truncated: true })`);
      await ed.page.waitForFunction(() => /only the first 1 range are marked/.test((globalThis as unknown as PageGlobals).document.querySelector('.diff-summary')?.textContent ?? ''));
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it("marks what the host's comparison found after another process wrote, distinct from heat and pending edits", async () => {
    const ed = await openEditor({ size: 65536, settings: { liveRefreshMs: 100 } });
    const mut = new Map<number, number>();
    try {
      await ed.waitLoaded();
      await mutate(ed.page, mut, 0x20, [1, 2, 3]);
      await mutate(ed.page, mut, 0x50, [9]);
      await ed.page.evaluate('window.fakeHost.sendDiff(window.fakeHost.liveDiff())');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.grid .hex-cell.diff').length === 4);
      await expectCells(ed.page, 'diff', [0x20, 0x21, 0x22, 0x50]);
      assert.equal(await visibleText(ed.page, '.diff-summary'), "4 bytes differ in 2 ranges vs snapshot 'before' (12:00:00)");
      await ed.clickCell(0x60);
      await ed.page.keyboard.type('ab');
      await ed.waitEdits(1);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.grid .hex-cell[data-offset="96"]')?.classList.contains('edited'));
      const cls = async (o: number) => {
        const c = await ed.page.getAttribute(`.grid .hex-cell[data-offset="${o}"]`, 'class');
        assert.ok(c !== null, `cell ${o} is on screen`);
        return c;
      };
      assert.doesNotMatch(await cls(0x60), /\bdiff\b/);
      assert.doesNotMatch(await cls(0x20), /\bedited\b/);
      // Heat (live refresh) and difference are separate classes on the same byte.
      await mutate(ed.page, mut, 0x21, [0x77]);
      // The class is taken when heat-3 shows (a second read could already see it cooled).
      const hot = await ed.page.waitForFunction(() => {
        const c = (globalThis as unknown as PageGlobals).document.querySelector('.grid .hex-cell[data-offset="33"]')?.className ?? '';
        return /heat-3/.test(c) && c;
      });
      assert.match((await hot.jsonValue()) as string, /\bdiff\b.*\bheat-3\b|\bheat-3\b.*\bdiff\b/);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});

describe('bookmarks', () => {
  const marks: Bookmark[] = [
    { name: 'header', offset: 0, length: 16, color: 'blue' },
    { name: 'counter', offset: 0x40, length: 8, color: 'orange' },
    { name: 'far away', offset: 0x80000, length: 4, color: 'red' },
  ];

  it('tints bookmarked bytes with their colour, lists them, jumps to, removes and adds them', async () => {
    const ed = await openEditor({ size: 1 << 20, bookmarks: marks });
    try {
      await ed.waitLoaded();
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.bookmarks-toggle')?.textContent === 'Bookmarks (3)');
      await expectCells(ed.page, 'bm-blue', Array.from({ length: 16 }, (_, i) => i));
      await expectCells(ed.page, 'bm-orange', Array.from({ length: 8 }, (_, i) => 0x40 + i));
      await expectCells(ed.page, 'bm', [...Array.from({ length: 16 }, (_, i) => i), ...Array.from({ length: 8 }, (_, i) => 0x40 + i)], 'no other byte tinted');
      assert.match((await ed.page.getAttribute('.grid .text-cell[data-offset="65"]', 'class')) ?? '', /\bbm bm-orange\b/, 'the text column too');
      // The panel: closed at first, opened from the toolbar (focus on the first bookmark).
      assert.equal(await ed.page.isVisible('.bookmarks'), false);
      await ed.page.click('.bookmarks-toggle');
      assert.equal(await ed.page.getAttribute('.bookmarks-toggle', 'aria-expanded'), 'true');
      const listed = await ed.page.$$eval('.bookmark', (li) => (li as unknown as PageElement[]).map((l) => [l.querySelector('.bookmark-name')?.textContent, l.querySelector('.bookmark-range')?.textContent]));
      assert.deepEqual(listed, [['header', '0x0–0xF'], ['counter', '0x40–0x47'], ['far away', '0x80000–0x80003']]);
      assert.equal(await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.getAttribute('aria-label')), 'header, blue, 0x0–0xF, 16 bytes');
      await ed.page.click('.bookmark[data-name="far away"] .bookmark-go');
      await selectedRange(ed.page, 0x80000, 4);
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.grid .hex-cell.bm-red').length === 4);
      // Keyboard: Tab to the next bookmark, Enter jumps.
      await ed.page.focus('.bookmark[data-name="header"] .bookmark-go');
      await ed.page.keyboard.press('Tab');
      await ed.page.keyboard.press('Tab'); // past header's remove button
      await ed.page.keyboard.press('Enter');
      await selectedRange(ed.page, 0x40, 8);
      // Remove.
      await ed.page.click('.bookmark[data-name="counter"] .bookmark-remove');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.bookmark').length === 2);
      assert.deepEqual((await ed.stats()).calls.map((c) => [c.method, c.params]), [['removeBookmark', { name: 'counter' }]]);
      // The list changes at once, the grid at its next frame.
      await expectCells(ed.page, 'bm-orange', []);
      assert.equal(await ed.page.textContent('.bookmarks-toggle'), 'Bookmarks (2)');
      // Add the selection: the host asks name and colour, then sends the new list.
      await goTo(ed.page, 0x100, 16);
      await ed.page.evaluate(`window.fakeHost.nextBookmark('table', 'green')`);
      await ed.page.click('.bookmark-add');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.bookmark').length === 3);
      assert.deepEqual((await ed.stats()).calls.at(-1), { method: 'addBookmark', params: { offset: 0x100, length: 16 } });
      await expectCells(ed.page, 'bm-green', Array.from({ length: 16 }, (_, i) => 0x100 + i));
      assert.equal(await ed.message(), "Bookmark 'table' added at 0x100 (16 bytes)");
      // Cancelled in the host's dialog: nothing changes, no error.
      await ed.page.evaluate('window.fakeHost.cancelDialogs(true)');
      await ed.page.click('.bookmark-add');
      await ed.sync();
      assert.equal(await ed.page.locator('.bookmark').count(), 3);
      // The panel stays open in the saved state; the host may replace the list at any time.
      await ed.page.waitForTimeout(250);
      assert.equal(((await ed.stats()).savedState as { inspect?: { bookmarksOpen?: boolean } }).inspect?.bookmarksOpen, true);
      await ed.page.evaluate(`window.fakeHost.sendBookmarks([])`);
      await ed.page.waitForSelector('.bookmarks-empty', { state: 'visible' });
      await expectCells(ed.page, 'bm', []);
      await ed.page.keyboard.press('Escape');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});

describe('accessibility and themes', () => {
  it('labels every control and reaches each one with Tab', async () => {
    const ed = await openEditor({ size: 65536, settings: { inspector: 'side' }, bookmarks: [{ name: 'b', offset: 4, length: 4, color: 'yellow' }], diff: { against: 'x', ranges: [{ offset: 3, length: 1 }], bytes: 1, truncated: false } });
    try {
      await ed.waitLoaded();
      await ed.page.keyboard.press('Control+f');
      await ed.page.keyboard.type('07');
      await ed.page.click('.search-all');
      await ed.page.waitForSelector('.search-results', { state: 'visible' });
      await ed.page.click('.bookmarks-toggle');
      // Every visible control has an accessible name.
      const unnamed = await ed.page.evaluate(() => {
        const d = (globalThis as unknown as PageGlobals).document;
        const nameOf = (e: PageElement): string => {
          const by = e.getAttribute('aria-labelledby');
          if (by) return by.split(' ').map((id) => d.getElementById(id)?.textContent ?? '').join(' ').trim();
          return (e.getAttribute('aria-label') ?? '').trim() || [...(e.labels ?? [])].map((l) => l.textContent).join(' ').trim() || (e.textContent ?? '').trim();
        };
        return [...d.querySelectorAll('button, input, select, [tabindex]')]
          .filter((e) => e.offsetParent !== null && e.tabIndex >= 0 && !e.closest('[hidden]'))
          .filter((e) => nameOf(e) === '')
          .map((e) => e.outerHTML.slice(0, 80));
      });
      assert.deepEqual(unnamed, []);
      // Tab from the first toolbar control through the page.
      await ed.page.focus('.bytes-per-row');
      const seen: string[] = [];
      for (let i = 0; i < 60; i++) {
        seen.push(await ed.page.evaluate(() => {
          const e = (globalThis as unknown as PageGlobals).document.activeElement;
          if (!e) return 'nothing focused';
          return (e.className || e.tagName).split(' ')[0];
        }));
        await ed.page.keyboard.press('Tab');
      }
      for (const want of ['find-button', 'copy-as', 'bookmarks-toggle', 'more-actions', 'search-mode', 'search-input', 'search-prev', 'search-next', 'search-all', 'search-close', 'search-results', 'diff-prev', 'diff-next', 'diff-clear', 'grid', 'inspector-endian', 'inspector-value', 'bookmark-add', 'bookmarks-close', 'bookmark-go', 'bookmark-remove']) {
        assert.ok(seen.includes(want), `Tab reaches ${want}: ${seen.join(' ')}`);
      }
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('keeps text readable over the new marks and panels in light, dark and high-contrast themes', async (t) => {
    const ed = await openEditor({
      size: 65536,
      settings: { inspector: 'side' },
      bookmarks: [{ name: 'b', offset: 0x44, length: 4, color: 'yellow' }, { name: 'r', offset: 0x50, length: 4, color: 'red' }, { name: 'p', offset: 0x58, length: 4, color: 'purple' }],
      diff: { against: 'x', ranges: [{ offset: 0x30, length: 3 }], bytes: 3, truncated: false },
    });
    try {
      await ed.waitLoaded();
      await ed.page.keyboard.press('Control+f');
      await ed.page.keyboard.type('07');
      await ed.page.click('.search-all');
      await ed.page.waitForSelector('.search-results', { state: 'visible' });
      await ed.page.click('.bookmarks-toggle');
      await ed.page.click('#inspector-value-int8');
      await ed.page.fill('.inspector-input', '999');
      await ed.page.keyboard.press('Enter'); // an inline error
      await ed.page.keyboard.press('Escape');
      await ed.clickCell(0x90);
      for (const theme of ['light', 'dark', 'hc'] as const) {
        await ed.page.evaluate((th) => (globalThis as unknown as PageGlobals).fakeHost.setTheme(th), theme);
        await ed.page.waitForTimeout(80);
        const c = await ed.page.evaluate(() => {
          const g = globalThis as unknown as PageGlobals;
          const d = g.document;
          // Colours as computed: rgb()/rgba() or color(srgb r g b / a) (color-mix results).
          const parse = (s: string): number[] => {
            const m = /color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.e-]+))?\)/.exec(s);
            const alpha = m?.at(4); // the group is optional
            if (m) return [Number(m[1]) * 255, Number(m[2]) * 255, Number(m[3]) * 255, alpha === undefined ? 1 : Number(alpha)];
            const v = (s.match(/[\d.]+/g) ?? []).map(Number);
            return v.length >= 3 ? [v[0], v[1], v[2], v.length > 3 ? v[3] : 1] : [0, 0, 0, 0];
          };
          // The background actually behind an element: its and its ancestors' fills, composited.
          const backdrop = (el: PageElement): number[] => {
            const layers: number[][] = [];
            for (let e: PageElement | null = el; e; e = e.parentElement) layers.push(parse(g.getComputedStyle(e).backgroundColor));
            let out = [255, 255, 255];
            for (const [r, gg, b, a] of layers.reverse()) out = [r * a + out[0] * (1 - a), gg * a + out[1] * (1 - a), b * a + out[2] * (1 - a)];
            return out;
          };
          const lum = (rgb: number[]) => {
            const [r, gg, b] = rgb.slice(0, 3).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
            return 0.2126 * r + 0.7152 * gg + 0.0722 * b;
          };
          const contrast = (sel: string) => {
            const el = d.querySelector(sel);
            if (!el) return -1;
            const bg = backdrop(el);
            const fgRaw = parse(g.getComputedStyle(el).color);
            const fg = [0, 1, 2].map((i) => fgRaw[i] * fgRaw[3] + bg[i] * (1 - fgRaw[3]));
            const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
            return Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100;
          };
          const style = (sel: string) => {
            const el = d.querySelector(sel);
            if (!el) throw new Error(`no ${sel}`);
            const s = g.getComputedStyle(el);
            return { bg: s.backgroundColor, outline: s.outlineStyle, shadow: s.boxShadow };
          };
          return {
            contrast: {
              match: contrast('.grid .hex-cell.match:not(.selected):not(.diff):not(.bm)'),
              diff: contrast('.grid .hex-cell.diff:not(.match)'),
              bmYellow: contrast('.grid .hex-cell.bm-yellow:not(.match)'),
              bmRed: contrast('.grid .hex-cell.bm-red:not(.match)'),
              bmPurple: contrast('.grid .hex-cell.bm-purple:not(.match)'),
              inspectorLabel: contrast('.inspector-label'),
              inspectorValue: contrast('#inspector-value-uint32'),
              inspectorTitle: contrast('.inspector-title'),
              inspectorError: contrast('.inspector-error'),
              endian: contrast('.inspector-endian'),
              searchInput: contrast('.search-input'),
              searchNote: contrast('.search-note'),
              searchResults: contrast('.search-results option'),
              searchButton: contrast('.search-all'),
              diffSummary: contrast('.diff-summary'),
              diffButton: contrast('.diff-next'),
              bookmarkName: contrast('.bookmark-name'),
              bookmarkRange: contrast('.bookmark-range'),
              bookmarksTitle: contrast('.bookmarks-title'),
              toolbarFind: contrast('.find-button'),
            },
            match: style('.grid .hex-cell.match:not(.selected):not(.diff):not(.bm)'),
            diff: style('.grid .hex-cell.diff:not(.match)'),
            bm: style('.grid .hex-cell.bm-red:not(.match)'),
          };
        });
        t.diagnostic(`${theme}: contrast ${Object.entries(c.contrast).map(([k, v]) => `${k} ${v}`).join(', ')}`);
        for (const [k, v] of Object.entries(c.contrast)) assert.ok(v >= 4.5, `${theme}: ${k} contrast ${v}`);
        if (theme === 'hc') {
          // No fills that could hide text: outlines and edges instead.
          assert.match(c.match.bg, /rgba\(0, 0, 0, 0\)|transparent/);
          assert.equal(c.match.outline, 'dashed');
          assert.match(c.diff.shadow, /inset/);
          assert.match(c.bm.shadow, /inset/);
        } else {
          assert.doesNotMatch(c.match.bg, /rgba\(0, 0, 0, 0\)/, `${theme}: matches are filled`);
          assert.notEqual(c.diff.bg, c.match.bg, `${theme}: differences look different from matches`);
        }
      }
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('takes the screenshot with the inspector, search results and a diff (dark theme)', async () => {
    const size = 16 << 20;
    const ed = await openEditor({
      size,
      theme: 'dark',
      settings: { inspector: 'side', grouping: 4, liveRefreshMs: 0 },
      bookmarks: [{ name: 'header', offset: 0x1030, length: 16, color: 'blue' }, { name: 'sequence no.', offset: 0x1098, length: 8, color: 'purple' }],
    }, { viewport: { width: 1280, height: 640 } });
    const mut = new Map<number, number>();
    try {
      await ed.waitLoaded();
      for (const at of [0x1063, 0x10c7, 0x1105]) await mutate(ed.page, mut, at, [0xca, 0xfe]);
      await mutate(ed.page, mut, 0x1072, [0x00, 0x00, 0x00]);
      await ed.page.evaluate('window.fakeHost.sendDiff(window.fakeHost.liveDiff())');
      await mutate(ed.page, mut, 0x1030, [0x53, 0x48, 0x4d, 0x21, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
      await mutate(ed.page, mut, 0x1098, [0x2a, 0x01, 0, 0, 0, 0, 0, 0]);
      await ed.page.evaluate(`window.fakeHost.pushNow()`);
      await ed.page.evaluate('window.fakeHost.sendGoto(0x1030)');
      await ed.waitLoaded();
      await ed.page.keyboard.press('Control+f');
      await ed.page.keyboard.type('ca fe');
      await ed.page.click('.search-all');
      await ed.page.waitForSelector('.search-results', { state: 'visible' });
      await ed.page.click('.bookmarks-toggle');
      await ed.page.selectOption('.search-results', '0');
      await ed.page.focus('.grid');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.inspector-title')?.textContent === 'Values at 0x1063');
      await ed.page.waitForTimeout(300);
      const file = screenshotFile('hex-inspect');
      await ed.page.screenshot({ path: file });
      assert.ok(fs.statSync(file).size > 20_000);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});
