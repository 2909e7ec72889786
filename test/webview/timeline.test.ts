// A recording opened as a timeline (issue 12), in headless Chromium against the fake host's
// virtual recording (virtualTimeline.ts) served by the real host handlers: the strip above the
// grid (absent for a live segment), its label, seeking by click, drag, steps, keys, previous /
// next change of the selection, the "go to time" box, play, and moves made elsewhere. The grid
// is checked by its cells' text against the frames, and by the heat of the bytes a move changed.
// First, in Node: the strip's time text and geometry (pure modules bundled for Node).

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { layoutText } from '../../src/ctypes';
import { type OverlayView, overlayId, overlayLabel } from '../../src/protocol/overlay';
import type { TimelineOverview } from '../../src/protocol/timeline';
import { baseByte, boxOf, type Editor, hex2, lastOf, loadWebviewModule, useEditors } from './harness';
import { expectCells, visibleText } from './inspectHelpers';
import type { PageElement, PageGlobals } from './pageDom';
import { type TimelineConfig, timelineByte } from './virtualTimeline';

const timeText = loadWebviewModule<{
  formatMs(ms: number): string;
  parseTime(text: string): { ok: true; ms: number } | { ok: false; error: string };
}>('timeline/timeText');
const plot = loadWebviewModule<{
  stripSpan(ov: TimelineOverview): { t0: number; span: number };
  timeAtX(ov: TimelineOverview, x: number, width: number): number;
  binAt(ov: TimelineOverview, t: number): number;
}>('timeline/stripPlot');

describe('timeline strip units', () => {
  it('writes times with 3 decimals in a readable unit', () => {
    assert.deepEqual([0, 12.3456, 999.9994, 1250, 59_999.4, 125_250, 3_725_250].map((t) => timeText.formatMs(t)),
      ['0.000 ms', '12.346 ms', '999.999 ms', '1.250 s', '59.999 s', '2:05.250', '1:02:05.250']);
  });

  it('reads ms or seconds, and explains anything else', () => {
    const ms = (text: string) => { const r = timeText.parseTime(text); return r.ok ? r.ms : r.error; };
    assert.deepEqual(['1500', ' 12.5 ', '250ms', '1.5s', '2 S', '.5s'].map(ms), [1500, 12.5, 250, 1500, 2000, 500]);
    assert.equal(ms(''), 'Enter a time: ms (1500) or seconds (1.5s)');
    for (const bad of ['-5', 'abc', '1h', '1e3', '0x10', '1.2.3']) assert.equal(ms(bad), `'${bad}' is not a time: give ms (1500) or seconds (1.5s)`, bad);
  });

  it('maps x to time within the frames, and time to its bin', () => {
    const ov: TimelineOverview = {
      frames: 10, firstMs: 100, lastMs: 1000, hz: 10, startWallMs: 0, segmentOffset: 0,
      binMs: 90, changed: new Array<number>(10).fill(0), counts: new Array<number>(10).fill(1), ended: 'stopped',
    };
    assert.deepEqual(plot.stripSpan(ov), { t0: 100, span: 900 });
    assert.deepEqual([-5, 0, 50, 100, 120].map((x) => plot.timeAtX(ov, x, 100)), [100, 100, 550, 1000, 1000]);
    assert.deepEqual([100, 189, 190, 999, 1000, 5000, 0].map((t) => plot.binAt(ov, t)), [0, 0, 1, 9, 9, 9, 0]);
    // One frame: a span of 1 ms, never a division by zero.
    const one = { ...ov, frames: 1, lastMs: 100, binMs: 1, changed: [0], counts: [1] };
    assert.deepEqual(plot.stripSpan(one), { t0: 100, span: 1 });
    assert.equal(plot.timeAtX(one, 50, 100), 100);
  });
});

const openEditor = useEditors();

/** The strip's canvas as a page callback sees it. */
type CanvasElement = PageElement & { readonly width: number; readonly clientLeft: number };

/** Ten frames 100 ms apart; which bytes each changes is chosen for the change-finding tests. */
const RECORDING: TimelineConfig = {
  frames: [
    { t: 0 },
    { t: 100, writes: [{ offset: 0x10, bytes: [0xa1, 0xa2] }] },
    { t: 200, writes: [{ offset: 0x40, bytes: [0xb1] }] },
    { t: 300 },
    { t: 400, writes: [{ offset: 0x11, bytes: [0xc2, 0xc3] }] },
    { t: 500, writes: [{ offset: 0x40, bytes: [0xb2] }] },
    { t: 600, writes: [{ offset: 0x20, bytes: [1, 2, 3, 4, 5, 6, 7, 8] }] },
    { t: 700, writes: [{ offset: 0x13, bytes: [0xd4] }] },
    { t: 800, writes: [{ offset: 0x40, bytes: [0xb3] }] },
    { t: 900, writes: [{ offset: 0x80, bytes: [0xe0] }] },
  ],
  hz: 10,
};
const SIZE = 4096;

/** What the grid shows at offset when the recording is at frame index. */
const at = (index: number, offset: number) => hex2(timelineByte(RECORDING, index, offset, baseByte));

/** Wait until the strip says it shows frame index (0-based), and return the label. */
async function atFrame(page: Page, index: number): Promise<string> {
  const want = `frame ${index + 1} of ${RECORDING.frames.length} · `;
  await page.waitForFunction((w) => (globalThis as unknown as PageGlobals).document.querySelector('.timeline-label')?.textContent?.startsWith(w), want, { timeout: 5000 })
    .catch(async () => { throw new Error(`expected "${want}…", the strip says "${await visibleText(page, '.timeline-label')}"`); });
  return visibleText(page, '.timeline-label');
}

/** The grid shows frame index's bytes at these offsets. */
async function gridAt(ed: Editor, index: number, offsets: number[]): Promise<void> {
  for (const o of offsets) await ed.waitCell(o, at(index, o));
}

/** Where on screen time t of the recording is on the strip's canvas (y: the middle). */
async function canvasPoint(page: Page, t: number): Promise<{ x: number; y: number }> {
  const box = await boxOf(page, '.timeline-canvas');
  const inner = await page.$eval('.timeline-canvas', (c) => {
    const e = c as unknown as CanvasElement;
    return { left: e.clientLeft, width: e.clientWidth };
  });
  const span = 900; // 10 frames over 900 ms: 10 bins of 90 ms
  return { x: box.x + inner.left + (t / span) * inner.width, y: box.y + box.height / 2 };
}

async function timelineRequests(ed: Editor): Promise<{ method: string; params: Record<string, unknown> }[]> {
  await ed.sync();
  return (await ed.stats()).timelineRequests;
}

const messageIs = (page: Page, text: string) =>
  page.waitForFunction((w) => (globalThis as unknown as PageGlobals).document.querySelector('.message:not([hidden])')?.textContent === w, text, { timeout: 5000 })
    .catch(async () => { throw new Error(`expected the message "${text}", it is "${await visibleText(page, '.message')}"`); });

describe('timeline', () => {
  it('shows no strip for a live segment, and [ ] { } do nothing there', async () => {
    const ed = await openEditor({ size: SIZE });
    try {
      await ed.waitLoaded();
      assert.equal(await ed.page.locator('.timeline').count(), 0, 'no strip');
      await ed.clickCell(0x10);
      for (const key of ['[', ']', '{', '}']) await ed.page.keyboard.press(key);
      assert.deepEqual(await timelineRequests(ed), []);
      assert.equal(await ed.cell(0x10), hex2(baseByte(0x10)));
      assert.equal(await ed.message(), '');
      assert.equal(await ed.status('offset'), 'Offset 0x10 (16)', 'the keys did not move the cursor');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('shows the strip above the grid with where the recording is, read-only and never polled', async () => {
    const ed = await openEditor({ size: SIZE, timeline: { ...RECORDING, start: 4 }, settings: { liveRefreshMs: 100 } });
    try {
      await ed.waitLoaded();
      assert.equal(await atFrame(ed.page, 4), 'frame 5 of 10 · 400.000 ms · 2 bytes changed');
      await gridAt(ed, 4, [0x10, 0x11, 0x12, 0x13, 0x40]);
      const strip = await boxOf(ed.page, '.timeline');
      const grid = await boxOf(ed.page, '.grid-scroller');
      assert.ok(strip.y + strip.height <= grid.y, 'the strip is above the grid');
      // The canvas is drawn at the device's resolution, with the cursor at the moment shown.
      const canvas = await ed.page.$eval('.timeline-canvas', (c) => {
        const e = c as unknown as CanvasElement;
        return { width: e.width, css: e.clientWidth, t: e.dataset.cursorT };
      });
      assert.ok(canvas.css > 100 && canvas.width === Math.round(canvas.css * await ed.page.evaluate<number>('window.devicePixelRatio')), JSON.stringify(canvas));
      assert.equal(canvas.t, '400');
      // Every control names its key.
      const titles = await ed.page.$$eval('.timeline-controls button', (bs) => (bs as unknown as PageElement[]).map((b) => b.getAttribute('title')));
      assert.deepEqual(titles, [
        'Previous change of the selected bytes ({)', 'Step back one frame ([)', 'Play in real time from here', 'Step forward one frame (])', 'Next change of the selected bytes (})',
      ]);
      assert.equal(await ed.status('flags'), 'Read-only');
      // A recording is not refreshed: no live toggle, no live counter, though the setting is on.
      assert.ok(await ed.page.isHidden('.live-toggle'));
      assert.equal(await ed.status('live'), '');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('seeks where the canvas is clicked or dragged to, and tells a bin on hover', async () => {
    const ed = await openEditor({ size: SIZE, timeline: RECORDING });
    try {
      await ed.waitLoaded();
      assert.equal(await atFrame(ed.page, 0), 'frame 1 of 10 · 0.000 ms · 0 bytes changed');
      const p = await canvasPoint(ed.page, 650);
      await ed.page.mouse.click(p.x, p.y);
      assert.equal(await atFrame(ed.page, 6), 'frame 7 of 10 · 600.000 ms · 8 bytes changed');
      await gridAt(ed, 6, [0x10, 0x11, 0x20, 0x27, 0x40]);
      const seek = lastOf(await timelineRequests(ed));
      assert.equal(seek.method, 'timelineSeek');
      assert.ok(Math.abs((seek.params.ms as number) - 650) < 10, JSON.stringify(seek));
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.timeline-canvas')?.dataset.cursorT === '600');
      // A drag follows the pointer; where it is let go counts.
      const from = await canvasPoint(ed.page, 150);
      const to = await canvasPoint(ed.page, 850);
      await ed.page.mouse.move(from.x, from.y);
      await ed.page.mouse.down();
      await atFrame(ed.page, 1);
      await ed.page.mouse.move(to.x, to.y, { steps: 6 });
      await ed.page.mouse.up();
      await atFrame(ed.page, 8);
      await gridAt(ed, 8, [0x10, 0x11, 0x12, 0x13, 0x40]);
      // Hover: the time and the change of the bin under the pointer (bins of 90 ms: 360-450 holds frame 4).
      const h = await canvasPoint(ed.page, 405);
      await ed.page.mouse.move(h.x, h.y);
      const title = await ed.page.getAttribute('.timeline-canvas', 'title');
      assert.match(title ?? '', /^40\d\.\d{3} ms \(\d\d:\d\d:\d\d\.\d{3}\) · 2 bytes changed$/);
      const quiet = await canvasPoint(ed.page, 315);
      await ed.page.mouse.move(quiet.x, quiet.y);
      assert.match(await ed.page.getAttribute('.timeline-canvas', 'title') ?? '', / · 0 bytes changed$/);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('steps one frame with the buttons and [ ], the grid following with heat on what changed', async () => {
    const ed = await openEditor({ size: SIZE, timeline: RECORDING });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x30);
      await ed.page.keyboard.press(']');
      assert.equal(await atFrame(ed.page, 1), 'frame 2 of 10 · 100.000 ms · 2 bytes changed');
      await gridAt(ed, 1, [0x10, 0x11, 0x40]);
      await expectCells(ed.page, 'heat-3', [0x10, 0x11], 'the bytes of this move are hot');
      await ed.page.keyboard.press(']');
      await atFrame(ed.page, 2);
      await gridAt(ed, 2, [0x40]);
      await expectCells(ed.page, 'heat-3', [0x40]);
      await expectCells(ed.page, 'heat-2', [0x10, 0x11], 'the move before cools one step');
      await ed.page.keyboard.press('[');
      await atFrame(ed.page, 1);
      assert.equal(at(1, 0x40), hex2(baseByte(0x40)));
      await gridAt(ed, 1, [0x40]);
      await expectCells(ed.page, 'heat-3', [0x40], 'back: the byte changed again');
      await expectCells(ed.page, 'heat-1', [0x10, 0x11]);
      await ed.page.click('.timeline-step-forward');
      await atFrame(ed.page, 2);
      await ed.page.click('.timeline-step-back');
      await ed.page.click('.timeline-step-back');
      await atFrame(ed.page, 0);
      await gridAt(ed, 0, [0x10, 0x11, 0x40]);
      // At the first frame a step back stays (the host clamps).
      await ed.page.click('.timeline-step-back');
      await ed.sync();
      await atFrame(ed.page, 0);
      // In the text column the keys move in time too (they are not typed: a recording is read-only).
      await ed.clickCell(0x30, 'text');
      await ed.page.keyboard.press(']');
      await atFrame(ed.page, 1);
      assert.equal(await ed.message(), '', 'no "read-only" refusal: the key was not typed');
      assert.deepEqual((await ed.stats()).edits, []);
      assert.deepEqual((await timelineRequests(ed)).map((r) => r.params), [
        { step: 1 }, { step: 1 }, { step: -1 }, { step: 1 }, { step: -1 }, { step: -1 }, { step: -1 }, { step: 1 },
      ]);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('moves to the previous / next change of the selected bytes, or says there is none', async () => {
    const ed = await openEditor({ size: SIZE, timeline: RECORDING });
    try {
      await ed.waitLoaded();
      await ed.clickCell(0x10);
      await ed.clickCell(0x13, 'hex', ['Shift']);
      assert.equal(await ed.status('selection'), 'Selected 4 bytes (0x10–0x13)');
      await ed.page.keyboard.press('}');
      await atFrame(ed.page, 1);
      await ed.page.keyboard.press('}');
      await atFrame(ed.page, 4);
      await gridAt(ed, 4, [0x10, 0x11, 0x12, 0x13]);
      await ed.page.click('.timeline-next-change');
      await atFrame(ed.page, 7);
      await gridAt(ed, 7, [0x13]);
      await ed.page.keyboard.press('}');
      await messageIs(ed.page, 'No later change of bytes 0x10–0x13');
      await atFrame(ed.page, 7);
      await ed.page.keyboard.press('{');
      await atFrame(ed.page, 4);
      await ed.page.click('.timeline-prev-change');
      await atFrame(ed.page, 1);
      await ed.page.click('.timeline-prev-change');
      await messageIs(ed.page, 'No earlier change of bytes 0x10–0x13');
      assert.equal(await ed.status('selection'), 'Selected 4 bytes (0x10–0x13)', 'the selection stays');
      // Nothing selected: the byte under the cursor.
      await ed.clickCell(0x40);
      await ed.page.keyboard.press('}');
      await atFrame(ed.page, 2);
      await ed.page.keyboard.press('}');
      await atFrame(ed.page, 5);
      await ed.page.keyboard.press('{');
      await atFrame(ed.page, 2);
      await ed.page.keyboard.press('{');
      await messageIs(ed.page, 'No earlier change of byte 0x40');
      const asked = (await timelineRequests(ed)).filter((r) => r.method === 'timelineChange').map((r) => r.params);
      assert.deepEqual(asked.slice(-4), [1, 1, -1, -1].map((direction) => ({ offset: 0x40, length: 1, direction })));
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it("steps through the changes of a field selected in the C Types panel", async () => {
    // struct pair at 0x10: a is 0x10-0x11 (changed in frames 1 and 4), b is 0x12-0x13 (frames 4 and 7).
    const header = 'struct pair { unsigned short a; unsigned short b; };';
    const spec = { text: header, typeName: 'struct pair', offset: 0x10, count: 1, abi: 'x86_64' as const };
    const view: OverlayView = { ...spec, id: overlayId(spec), label: overlayLabel(spec), type: (await layoutText(header, { abi: 'x86_64' })).lookup('struct pair') };
    const ed = await openEditor({ size: SIZE, timeline: RECORDING, overlays: [view] });
    try {
      await ed.waitLoaded();
      await ed.page.click('.overlay-tree .ov-row[data-path="b"]:not(.ov-padding) .ov-label');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.status-selection')?.textContent === 'Selected 2 bytes (0x12–0x13)');
      await ed.page.keyboard.press('}');
      await atFrame(ed.page, 4);
      await ed.page.keyboard.press('}');
      await atFrame(ed.page, 7);
      await ed.page.keyboard.press('}');
      await messageIs(ed.page, 'No later change of bytes 0x12–0x13');
      await ed.page.click('.timeline-prev-change');
      await atFrame(ed.page, 4);
      await ed.page.click('.timeline-prev-change');
      await messageIs(ed.page, 'No earlier change of bytes 0x12–0x13');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('goes to a time typed in the box, and explains input it cannot read', async () => {
    const ed = await openEditor({ size: SIZE, timeline: RECORDING });
    try {
      await ed.waitLoaded();
      await ed.page.fill('.timeline-time', '750');
      await ed.page.press('.timeline-time', 'Enter');
      await atFrame(ed.page, 7);
      await gridAt(ed, 7, [0x13]);
      await ed.page.fill('.timeline-time', '0.25s');
      await ed.page.press('.timeline-time', 'Enter');
      await atFrame(ed.page, 2);
      await ed.page.fill('.timeline-time', '1h');
      await ed.page.press('.timeline-time', 'Enter');
      await messageIs(ed.page, "'1h' is not a time: give ms (1500) or seconds (1.5s)");
      assert.equal(await ed.page.getAttribute('.timeline-time', 'aria-invalid'), 'true');
      // Keys typed in the box are text, not steps.
      await ed.page.fill('.timeline-time', '');
      await ed.page.locator('.timeline-time').pressSequentially('[]');
      assert.equal(await ed.page.inputValue('.timeline-time'), '[]');
      await ed.page.press('.timeline-time', 'Enter');
      await messageIs(ed.page, "'[]' is not a time: give ms (1500) or seconds (1.5s)");
      await atFrame(ed.page, 2);
      // Past the end: the last frame.
      await ed.page.fill('.timeline-time', '99999');
      await ed.page.press('.timeline-time', 'Enter');
      assert.equal(await atFrame(ed.page, 9), 'frame 10 of 10 · 900.000 ms · 1 byte changed');
      assert.deepEqual((await timelineRequests(ed)).map((r) => r.params), [{ ms: 750 }, { ms: 250 }, { ms: 900 }]);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('plays in real time to the last frame, one seek at a time, and stops when told to', async () => {
    const ed = await openEditor({ size: SIZE, timeline: RECORDING });
    try {
      await ed.waitLoaded();
      const pressed = () => ed.page.getAttribute('.timeline-play', 'aria-pressed');
      const waitPressed = (v: 'true' | 'false') => ed.page.waitForSelector(`.timeline-play[aria-pressed="${v}"]`, { timeout: 5000 });
      await ed.page.click('.timeline-play');
      assert.equal(await pressed(), 'true');
      assert.equal(await ed.page.textContent('.timeline-play'), 'Pause');
      await atFrame(ed.page, 9);
      await waitPressed('false');
      assert.equal(await ed.page.textContent('.timeline-play'), 'Play');
      await gridAt(ed, 9, [0x13, 0x40, 0x80]);
      const seeks = (await timelineRequests(ed)).map((r) => r.params.ms as number);
      assert.ok(seeks.length >= 2 && seeks.every((ms, i) => typeof ms === 'number' && (i === 0 || ms >= seeks[i - 1])), `forward in time: ${JSON.stringify(seeks)}`);
      assert.equal(lastOf(seeks), 900, 'the last seek reaches the end');

      // From the end it plays from the start; a step stops it.
      await ed.page.click('.timeline-play');
      await waitPressed('true');
      await ed.page.keyboard.press(']');
      await waitPressed('false');
      const all = await timelineRequests(ed);
      assert.deepEqual(all[seeks.length].params, { index: 0 }, 'play at the end starts from the first frame');
      assert.deepEqual(lastOf(all).params, { step: 1 });
      const after = all.length;
      await ed.page.waitForTimeout(350); // three ticks of play: none may come
      assert.equal((await timelineRequests(ed)).length, after, 'no seek after the step stopped it');

      // The button pauses; hiding the editor pauses too.
      await ed.page.click('.timeline-play');
      await waitPressed('true');
      await ed.page.click('.timeline-play');
      await waitPressed('false');
      await ed.page.click('.timeline-play');
      await waitPressed('true');
      await ed.page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        Object.defineProperty(g.document, 'hidden', { configurable: true, get: () => true });
        g.document.dispatchEvent(new g.Event('visibilitychange'));
      });
      await waitPressed('false');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });

  it('follows moves made elsewhere (another editor, a Watch plot): label, cursor, bytes and heat', async () => {
    const ed = await openEditor({ size: SIZE, timeline: RECORDING });
    try {
      await ed.waitLoaded();
      await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).fakeHost.timelineSeek({ index: 6 }));
      assert.equal(await atFrame(ed.page, 6), 'frame 7 of 10 · 600.000 ms · 8 bytes changed');
      await ed.page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.timeline-canvas')?.dataset.cursorT === '600');
      await gridAt(ed, 6, [0x10, 0x11, 0x20, 0x27, 0x40]);
      // Everything frames 1 to 6 changed in view differs from frame 0: all of it is hot.
      const changed = [0x10, 0x11, 0x12, ...Array.from({ length: 8 }, (_, i) => 0x20 + i), 0x40];
      await expectCells(ed.page, 'heat-3', changed);
      assert.deepEqual(await timelineRequests(ed), [], 'the webview asked nothing');
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});
