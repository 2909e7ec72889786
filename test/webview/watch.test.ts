// The watch view's webview in headless Chromium with a fake host (watchHost.ts): lanes, read-outs,
// the cursor, zoom / pan / Live, pause, rate, triggers, markers, remove, export, seek, decimation
// of 100,000 samples per series, and malformed host messages. Nothing here is timed: waits are
// for what the page shows.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshotFile } from './harness';
import { useWatchPages, type WatchPage } from './watchHarness';
import type { Shape, WatchCall, WatchHostApi } from './watchHost';
import type { WatchInfo, WatchMarker, WatchState } from '../../src/protocol/watch';
import type { PageElement } from './pageDom';

const openWatch = useWatchPages();

const PID: WatchInfo = { id: 1, label: 'pid', type: 'i32' };
const LEVEL: WatchInfo = { id: 2, label: '0x10:f64', type: 'f64', unit: 'V' };
const COUNTER: WatchInfo = { id: 7, label: 'hdr.seq', type: 'u64' };

type G = { watchHost: WatchHostApi };
const host = (p: Page) => ({
  samples: (id: number, t: number[], v: number[]) => p.evaluate(([i, ts, vs]) => (globalThis as unknown as G).watchHost.sendSamples(i, ts, vs), [id, t, v] as const),
  generated: (id: number, n: number, t0: number, dt: number, shape: Shape) =>
    p.evaluate(([i, count, start, step, s]) => (globalThis as unknown as G).watchHost.sendGenerated(i, count, start, step, s), [id, n, t0, dt, shape] as const),
  markers: (m: WatchMarker[]) => p.evaluate((ms) => (globalThis as unknown as G).watchHost.sendMarkers(ms), m),
  state: (s: Partial<WatchState>) => p.evaluate((st) => (globalThis as unknown as G).watchHost.sendState(st), s),
  raw: (m: unknown) => p.evaluate((msg) => (globalThis as unknown as G).watchHost.sendRaw(msg), m),
  calls: () => p.evaluate(() => (globalThis as unknown as G).watchHost.calls()),
});

const lane = (id: number): string => `.lane[data-id="${id}"]`;

async function stat(p: Page, id: number, name: 'current' | 'min' | 'max' | 'rate' | 'cursor'): Promise<string> {
  return (await p.textContent(`${lane(id)} .stat-${name}`)) ?? '';
}

async function waitStat(p: Page, id: number, name: 'current' | 'min' | 'max' | 'rate' | 'cursor', want: string): Promise<void> {
  await p.waitForFunction(([sel, w]) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(sel)?.textContent === w,
    [`${lane(id)} .stat-${name}`, want] as const, { timeout: 5000 }).catch(async () => {
    assert.fail(`lane ${id} ${name} never showed ${JSON.stringify(want)}: it shows ${JSON.stringify(await stat(p, id, name))}`);
  });
}

async function canvasData(p: Page, id: number): Promise<{ points: number; vertices: number; columns: number }> {
  const d = await p.$eval(`${lane(id)} canvas`, (c) => (c as unknown as { dataset: Record<string, string> }).dataset);
  return { points: Number(d.points), vertices: Number(d.vertices), columns: Number(d.columns) };
}

/** Pixels of the lane's canvas in the series colour (within a tolerance), counted in the page. */
async function colouredPixels(p: Page, id: number, rgb: [number, number, number]): Promise<number> {
  return p.evaluate(`(() => {
    const c = document.querySelector('${lane(id)} canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 200 && Math.abs(d[i] - ${rgb[0]}) < 30 && Math.abs(d[i + 1] - ${rgb[1]}) < 30 && Math.abs(d[i + 2] - ${rgb[2]}) < 30) n++;
    }
    return n;
  })()`);
}

/** After the next frame has been drawn (the view draws once per animation frame). */
async function drawn(p: Page): Promise<void> {
  await p.evaluate(() => new Promise<void>((resolve) => {
    const g = globalThis as unknown as { requestAnimationFrame(f: () => void): number };
    g.requestAnimationFrame(() => g.requestAnimationFrame(() => resolve()));
  }));
}

/** The time range shown, once what was asked before is drawn. */
async function range(p: Page): Promise<{ t0: number; t1: number }> {
  await drawn(p);
  const d = await p.$eval('.plot', (e) => (e as unknown as { dataset: Record<string, string> }).dataset);
  return { t0: Number(d.t0), t1: Number(d.t1) };
}

/** Client coordinates of time t on the plot, halfway down lane `id`. */
async function pointAt(p: Page, t: number, id: number): Promise<{ x: number; y: number }> {
  const { t0, t1 } = await range(p);
  const box = await p.locator('.overlay').boundingBox();
  const laneBox = await p.locator(`${lane(id)} canvas`).boundingBox();
  assert.ok(box && laneBox);
  return { x: box.x + ((t - t0) / (t1 - t0)) * box.width, y: laneBox.y + laneBox.height / 2 };
}

async function waitCall(p: Page, method: string, count = 1): Promise<WatchCall[]> {
  await p.waitForFunction(([m, n]) => (globalThis as unknown as G).watchHost.calls().filter((c) => c.method === m).length >= n, [method, count] as const, { timeout: 5000 });
  return (await host(p).calls()).filter((c) => c.method === method);
}

async function withPage(config: Parameters<typeof openWatch>[0], fn: (w: WatchPage) => Promise<void>): Promise<void> {
  const w = await openWatch(config);
  try {
    await fn(w);
    await w.assertClean();
  } finally {
    await w.close();
  }
}

describe('watch view', () => {
  it('puts samples in their own lane with current / min / max / rate of change from the data sent', () => withPage({ watches: [PID, LEVEL] }, async ({ page }) => {
    assert.equal(await page.locator('.lane').count(), 2);
    assert.deepEqual(await page.$$eval('.lane .lane-label', (es) => es.map((e) => (e as unknown as PageElement).textContent)), ['pid', '0x10:f64']);
    // v = i^2 at t = 100 i ms, i = 0..20: now 400, min 0, max 400; a second before the last
    // sample (t = 1000) it was 100, so the rate of change is 300 per second.
    const t = Array.from({ length: 21 }, (_, i) => 100 * i);
    await host(page).samples(2, t, t.map((_, i) => i * i));
    await waitStat(page, 2, 'current', '400 V');
    assert.equal(await stat(page, 2, 'min'), '0 V');
    assert.equal(await stat(page, 2, 'max'), '400 V');
    assert.equal(await stat(page, 2, 'rate'), '+300 V/s');
    assert.equal(await stat(page, 1, 'current'), '—', 'the other lane got nothing');
    assert.equal((await canvasData(page, 2)).points, 21);
    assert.equal((await canvasData(page, 1)).points, 0);
    // The line is drawn in lane 2's colour (the second chart colour, orange) and not in lane 1.
    assert.ok(await colouredPixels(page, 2, [0xd1, 0x86, 0x16]) > 50, 'lane 2 shows its line');
    assert.equal(await colouredPixels(page, 1, [0x37, 0x94, 0xff]), 0, 'lane 1 is empty');

    // A falling value, then a NaN sample (the read failed): read-outs say so, min/max keep the finite ones.
    await host(page).samples(1, [0, 500, 1000], [10, -4, 2]);
    await waitStat(page, 1, 'current', '2');
    assert.equal(await stat(page, 1, 'min'), '-4');
    assert.equal(await stat(page, 1, 'rate'), '-8/s');
    await host(page).samples(1, [1500], [Number.NaN]);
    await waitStat(page, 1, 'current', '—');
    assert.equal(await stat(page, 1, 'max'), '10');
  }));

  it('shows infinities at the lane edge and int64 values beyond 2^53 as approximate', () => withPage({ watches: [LEVEL, COUNTER] }, async ({ page }) => {
    await host(page).samples(2, [0, 10, 20, 30], [1, Infinity, 3, -Infinity]);
    await waitStat(page, 2, 'current', '−∞ V');
    assert.equal(await stat(page, 2, 'max'), '3 V', 'infinities are left out of min / max');
    assert.equal(await stat(page, 2, 'min'), '1 V');
    await host(page).samples(7, [0, 1000], [2 ** 60, 2 ** 60 + 2 ** 10]);
    await waitStat(page, 7, 'current', '≈1.15292e+18');
    assert.equal(await stat(page, 7, 'rate'), '+1024/s');
    assert.ok((await canvasData(page, 7)).vertices >= 2, 'the huge values are drawn');
  }));

  it('reads every lane at the cursor and seeks where the plot is clicked', () => withPage({ watches: [PID, LEVEL] }, async ({ page }) => {
    await host(page).samples(1, [0, 2000, 4000, 6000], [11, 22, 33, 44]);
    await host(page).samples(2, [0, 3000, 6000], [0.5, 1.5, 2.5]);
    await waitStat(page, 2, 'current', '2.5 V');
    // At t = 3500: pid holds 22 (since 2000), the level 1.5 (since 3000).
    const at = await pointAt(page, 3500, 1);
    await page.mouse.move(at.x, at.y);
    await waitStat(page, 1, 'cursor', '22');
    assert.equal(await stat(page, 2, 'cursor'), '1.5 V');
    assert.ok(await page.isVisible(`${lane(1)} .stat-cursor`), 'the cursor read-out shows while the pointer is on the plot');
    assert.ok(await page.isVisible('.cursor'));
    const cursorT = Number(await page.getAttribute('.cursor', 'data-t'));
    assert.ok(Math.abs(cursorT - 3500) < 20, `cursor at ${cursorT} ms`);

    await page.mouse.click(at.x, at.y);
    const seeks = await waitCall(page, 'seek');
    const t = (seeks[0].params as { t: number }).t;
    assert.ok(Math.abs(t - 3500) < 20, `seek to ${t} ms`);

    // Keyboard: period moves the cursor right, Enter seeks there.
    await page.focus('.plot');
    await page.keyboard.press('.');
    await page.keyboard.press('Enter');
    const again = await waitCall(page, 'seek', 2);
    assert.ok((again[1].params as { t: number }).t > t, 'the cursor moved right before seeking');

    await page.mouse.move(5, 5);
    await page.waitForSelector('.cursor', { state: 'hidden' });
    assert.ok(!(await page.isVisible(`${lane(1)} .stat-cursor`)));
  }));

  it('follows the live edge until zoomed or panned, and Live returns to it', () => withPage({ watches: [PID] }, async ({ page }) => {
    await host(page).generated(1, 2000, 0, 10, 'ramp'); // 0 .. 19.99 s
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string> } } }).document.querySelector('.plot').dataset.t1 === '19990');
    assert.deepEqual(await range(page), { t0: 9990, t1: 19990 }, 'live: the last 10 s');
    assert.equal(await page.getAttribute('.live', 'aria-pressed'), 'true');
    await host(page).generated(1, 100, 20000, 10, 'ramp');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string> } } }).document.querySelector('.plot').dataset.t1 === '20990');

    // Wheel over the plot: zoom in around the pointer, no longer live.
    const at = await pointAt(page, 15000, 1);
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -100);
    await page.waitForSelector('.live[aria-pressed="false"]');
    const zoomed = await range(page);
    assert.ok(zoomed.t1 - zoomed.t0 < 10000, `zoomed in to ${zoomed.t1 - zoomed.t0} ms`);
    assert.ok(zoomed.t0 < 15000 && zoomed.t1 > 15000, 'the time under the pointer stays in view');
    // New samples no longer move the range.
    await host(page).generated(1, 50, 21000, 10, 'ramp');
    await waitStat(page, 1, 'current', '49');
    assert.deepEqual(await range(page), zoomed);

    // A sideways scroll pans (later), it does not zoom.
    await page.mouse.wheel(120, 0);
    const sideways = await range(page);
    assert.ok(sideways.t0 > zoomed.t0 && Math.abs((sideways.t1 - sideways.t0) - (zoomed.t1 - zoomed.t0)) < 1e-6, 'panned, same span');
    await page.mouse.wheel(-120, 0);
    assert.ok(Math.abs((await range(page)).t0 - zoomed.t0) < 1e-6, 'and back');

    // Arrow keys pan by a tenth of the span; - zooms out.
    await page.focus('.plot');
    await page.keyboard.press('ArrowLeft');
    const panned = await range(page);
    assert.ok(Math.abs((zoomed.t0 - panned.t0) - (zoomed.t1 - zoomed.t0) / 10) < 1e-6, 'panned left by a tenth');
    await page.keyboard.press('-');
    const out = await range(page);
    assert.ok(Math.abs((out.t1 - out.t0) - 1.5 * (panned.t1 - panned.t0)) < 1e-6, 'zoomed out 1.5x');

    // Drag pans too (right = earlier).
    const from = await pointAt(page, (out.t0 + out.t1) / 2, 1);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 100, from.y, { steps: 4 });
    await page.mouse.up();
    const dragged = await range(page);
    assert.ok(dragged.t1 < out.t1, `dragging right shows earlier times: ${out.t1} -> ${dragged.t1}`);
    assert.equal((await host(page).calls()).filter((c) => c.method === 'seek').length, 0, 'a drag is not a click: no seek');

    await page.click('.live');
    await page.waitForSelector('.live[aria-pressed="true"]');
    const live = await range(page);
    assert.equal(live.t1, 21490, 'back at the newest sample');
  }));

  it('steps through markers with [ and ], keeps its zoom across a rebuild, and shows what a recording covers', async () => {
    const sessionStart = 1_700_000_000_000;
    const w = await openWatch({
      watches: [PID],
      markers: [{ t: 1000, kind: 'attach', text: 'pid 1 attached' }, { t: 30_000, kind: 'save', text: 'saved' }],
      state: { sessionStart, recorded: { from: 500, to: 4000 } },
      savedState: { version: 1, sessionStart, live: false, span: 4000, end: 6000 },
    });
    try {
      const page = w.page;
      assert.deepEqual(await range(page), { t0: 2000, t1: 6000 }, 'the saved zoom');
      assert.equal(await page.getAttribute('.live', 'aria-pressed'), 'false');
      assert.ok(await page.isVisible('.time-axis .recorded'), 'the recorded time is marked on the axis');
      await host(page).samples(1, [0, 40_000], [1, 2]);
      await page.focus('.plot');
      await page.keyboard.press('[');
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } } }).document.querySelector('.status').textContent === '1.000 s attach: pid 1 attached');
      assert.equal(await page.getAttribute('.cursor', 'data-t'), '1000');
      assert.equal(await stat(page, 1, 'cursor'), '1');
      await page.keyboard.press(']');
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } } }).document.querySelector('.status').textContent === '30.000 s save: saved');
      const r = await range(page);
      assert.ok(r.t0 <= 30_000 && r.t1 >= 30_000, 'the view moved to the marker');
      await page.keyboard.press(']');
      assert.equal(await page.textContent('.status'), 'No marker after the cursor');
      await page.keyboard.press('+');
      await page.waitForFunction(() => ((globalThis as unknown as G).watchHost.saved() as { span: number }).span < 4000);
      assert.equal(((await page.evaluate(() => (globalThis as unknown as G).watchHost.saved())) as { live: boolean }).live, false);
      await w.assertClean();
    } finally {
      await w.close();
    }
  });

  it('sends pause, rate and export requests and shows the host\'s answers', () => withPage({ watches: [PID] }, async ({ page }) => {
    assert.equal(await page.textContent('.pause'), 'Pause');
    await page.click('.pause');
    const [pause] = await waitCall(page, 'setPaused');
    assert.deepEqual(pause.params, { paused: true });
    await page.waitForSelector('.pause[aria-pressed="true"]');
    assert.equal(await page.textContent('.pause'), 'Resume');
    await page.click('.pause');
    assert.deepEqual((await waitCall(page, 'setPaused', 2))[1].params, { paused: false });

    assert.equal(await page.inputValue('.rate'), '100');
    await page.selectOption('.rate', '500');
    assert.deepEqual((await waitCall(page, 'setRate'))[0].params, { hz: 500 });
    // A rate the list lacks, set elsewhere, is added and selected.
    await host(page).state({ rateHz: 333 });
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document.querySelector('.rate').value === '333');

    // The host's one-line message about the session shows in the status line.
    await host(page).state({ message: 'Segment 32770 was removed: sampling stopped' });
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } } }).document.querySelector('.status').textContent === 'Segment 32770 was removed: sampling stopped');

    await page.evaluate(() => (globalThis as unknown as G).watchHost.exportAnswer({ path: '/tmp/pid.csv', rows: 12 }));
    await page.click('.export');
    assert.deepEqual((await waitCall(page, 'exportCsv'))[0].params, {}, 'live: everything');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } } }).document.querySelector('.status').textContent === 'Saved 12 rows to /tmp/pid.csv');
    await page.click('.zoom-in');
    const r = await range(page);
    await page.click('.export');
    assert.deepEqual((await waitCall(page, 'exportCsv', 2))[1].params, { from: Math.max(0, r.t0), to: r.t1 }, 'zoomed: the time shown');
  }));

  it('sets a trigger from the lane, draws its level and marks its crossings', () => withPage({ watches: [PID, LEVEL] }, async ({ page }) => {
    await page.click(`${lane(2)} .lane-trigger`);
    assert.equal(await page.getAttribute(`${lane(2)} .lane-trigger`, 'aria-expanded'), 'true');
    await page.selectOption(`${lane(2)} .trigger-kind`, 'above');
    await page.fill(`${lane(2)} .trigger-level`, '50');
    await page.selectOption(`${lane(2)} .trigger-action`, 'pause');
    await page.press(`${lane(2)} .trigger-level`, 'Enter');
    const [set] = await waitCall(page, 'setTrigger');
    assert.deepEqual(set.params, { id: 2, kind: 'above', level: 50, action: 'pause' });
    await page.waitForSelector(`${lane(2)} .lane-trigger.active`);
    assert.match((await page.getAttribute(`${lane(2)} .lane-trigger`, 'aria-label')) ?? '', /rises above 50 V, then pause/);
    assert.ok(await page.locator(`${lane(2)} .trigger-form`).isHidden(), 'the form closes');
    // Keyboard: the form opens on the kind, Escape closes it and gives focus back to its button.
    await page.focus(`${lane(2)} .lane-trigger`);
    await page.keyboard.press('Enter');
    assert.ok(await page.$eval(`${lane(2)} .trigger-kind`, (e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement));
    assert.equal(await page.inputValue(`${lane(2)} .trigger-level`), '50', 'the form shows the trigger set');
    await page.keyboard.press('Escape');
    assert.ok(await page.locator(`${lane(2)} .trigger-form`).isHidden());
    assert.ok(await page.$eval(`${lane(2)} .lane-trigger`, (e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement));
    assert.equal((await host(page).calls()).filter((c) => c.method === 'setTrigger').length, 1, 'Escape sends nothing');

    // 40 -> 60 at t = 300 and 30 -> 70 at t = 700 cross 50 upwards: two trigger markers there.
    await host(page).samples(2, [0, 100, 200, 300, 400, 500, 600, 700], [40, 45, 49, 60, 55, 30, 30, 70]);
    await page.waitForSelector('.marker.kind-trigger >> nth=1');
    const ts = await page.$$eval('.marker.kind-trigger', (es) => es.map((e) => Number((e as unknown as { dataset: Record<string, string> }).dataset.t)));
    assert.deepEqual(ts, [300, 700]);
    assert.match((await page.getAttribute('.marker.kind-trigger', 'aria-label')) ?? '', /trigger \(0x10:f64\)/);

    // A bad level is refused in the view, with a message; "changes" needs none.
    await page.click(`${lane(1)} .lane-trigger`);
    await page.fill(`${lane(1)} .trigger-level`, 'lots');
    await page.click(`${lane(1)} .trigger-set`);
    assert.match((await page.textContent('.status')) ?? '', /Enter a level for the trigger on pid/);
    await page.selectOption(`${lane(1)} .trigger-kind`, 'changes');
    assert.ok(await page.locator(`${lane(1)} .trigger-level`).isHidden());
    await page.click(`${lane(1)} .trigger-set`);
    assert.deepEqual((await waitCall(page, 'setTrigger', 2))[1].params, { id: 1, kind: 'changes', action: 'mark' });

    await page.click(`${lane(2)} .lane-trigger`);
    await page.click(`${lane(2)} .trigger-clear`);
    assert.deepEqual((await waitCall(page, 'clearTrigger'))[0].params, { id: 2 });
    await page.waitForSelector(`${lane(2)} .lane-trigger:not(.active)`);
  }));

  it('draws markers as lines with a tooltip, and removes a watch', () => withPage({ watches: [PID, LEVEL], markers: [{ t: 1000, kind: 'attach', text: 'pid 4242 attached (rw)' }] }, async ({ page }) => {
    await host(page).samples(1, [0, 5000], [1, 2]);
    await host(page).markers([{ t: 2500, kind: 'save', text: 'saved from the editor' }, { t: 4000, kind: 'detach', text: 'pid 4242 detached' }]);
    await page.waitForSelector('.marker.kind-detach');
    assert.deepEqual(await page.$$eval('.marker', (es) => es.map((e) => (e as unknown as PageElement).getAttribute('aria-label'))), [
      '1.000 s attach: pid 4242 attached (rw)', '2.500 s save: saved from the editor', '4.000 s detach: pid 4242 detached',
    ]);
    // Where the marker's time is on the plot.
    const box = await page.locator('.marker.kind-save').boundingBox();
    const expect = await pointAt(page, 2500, 1);
    assert.ok(box && Math.abs(box.x + box.width / 2 - expect.x) < 2, 'the marker stands at its time');
    await page.mouse.move(expect.x, expect.y);
    await page.waitForSelector('.tooltip:not([hidden])');
    assert.equal(await page.textContent('.tooltip'), '2.500 s save: saved from the editor');

    await page.click(`${lane(1)} .lane-remove`);
    assert.deepEqual((await waitCall(page, 'removeWatch'))[0].params, { id: 1 });
    await page.waitForSelector(lane(1), { state: 'detached' });
    assert.equal(await page.locator('.lane').count(), 1);
    await page.click(`${lane(2)} .lane-remove`);
    await page.waitForSelector('.empty:not([hidden])');
  }));

  it('draws 100,000 samples per series as at most 4 vertices per pixel column', () => withPage({ watches: [PID, LEVEL, COUNTER] }, async ({ page }) => {
    // 100 s at 1 kHz in each of three lanes.
    await host(page).generated(1, 100_000, 0, 1, 'sine');
    await host(page).generated(2, 100_000, 0, 1, 'square');
    await host(page).generated(7, 100_000, 0, 1, 'ramp');
    await waitStat(page, 7, 'current', '99999');
    await page.focus('.plot');
    for (let i = 0; i < 6; i++) await page.keyboard.press('-'); // 10 s x 1.5^6 = 114 s
    await page.keyboard.press('Home');
    const r = await range(page);
    assert.ok(r.t0 <= 0 && r.t1 >= 100_000, `all 100 s in view: ${JSON.stringify(r)}`);
    for (const id of [1, 2, 7]) {
      const d = await canvasData(page, id);
      assert.equal(d.points, 100_000, `lane ${id}: every sample is in view`);
      assert.ok(d.vertices <= 4 * d.columns + 2, `lane ${id}: ${d.vertices} vertices for ${d.columns} columns`);
      assert.ok(d.vertices >= d.columns, `lane ${id}: every column drawn (${d.vertices} vertices)`);
    }
    assert.equal(await stat(page, 1, 'max'), '100');
    assert.equal(await stat(page, 2, 'max'), '10 V');
    // The square wave's full swing is drawn across the lane (min/max per column, not a sample of it).
    const tall = await page.evaluate<number>(`(() => {
      const c = document.querySelector('${lane(2)} canvas');
      const d = c.getContext('2d').getImageData(Math.floor(c.width / 2), 0, 1, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200) n++;
      return n / c.height;
    })()`);
    assert.ok(tall > 0.8, `the square wave fills its lane's height at any column (${(tall * 100).toFixed(0)}%)`);
    // Zoomed into 50 ms: every sample is a vertex again.
    for (let i = 0; i < 14; i++) await page.keyboard.press('+');
    const z = await range(page);
    const d = await canvasData(page, 7);
    assert.ok(d.points <= 2 * d.columns && d.points > 0, `zoomed in: ${d.points} samples over ${z.t1 - z.t0} ms`);
    assert.ok(d.vertices >= d.points, 'each sample drawn');
  }));

  it('takes 16 watches streamed at 1 kHz in 100 ms batches with at most one draw per frame, and stays responsive', () => withPage({
    watches: Array.from({ length: 16 }, (_, i) => ({ id: 100 + i, label: `w${i}`, type: 'i32' })),
  }, async ({ page }) => {
    const draws = async (): Promise<number> => Number(await page.getAttribute('.plot', 'data-draws'));
    const before = await draws();
    const sent = await page.evaluate(() => (globalThis as unknown as G).watchHost.sendStream(Array.from({ length: 16 }, (_, i) => 100 + i), 60, 1000, 100));
    assert.equal(sent, 600);
    await waitStat(page, 115, 'current', String(Math.round(1000 * Math.sin(59_999 / 500 + 15))));
    const drawn = (await draws()) - before;
    assert.ok(drawn >= 1 && drawn <= sent, `${drawn} draws for ${sent} batches`);
    // Live: the last 10 s of each lane, 10,000 samples, drawn as at most 4 vertices per column.
    for (const id of [100, 107, 115]) {
      const d = await canvasData(page, id);
      assert.equal(d.points, 10_000, `lane ${id}`);
      assert.ok(d.vertices <= 4 * d.columns + 2, `lane ${id}: ${d.vertices} vertices for ${d.columns} columns`);
    }
    assert.deepEqual(await range(page), { t0: 49_999, t1: 59_999 });
    // The page still answers input at once: a key press zooms.
    await page.focus('.plot');
    await page.keyboard.press('+');
    await page.waitForSelector('.live[aria-pressed="false"]');
    const r = await range(page);
    assert.ok(Math.abs((r.t1 - r.t0) - 10_000 / 1.5) < 1e-6);
  }));

  it('ignores malformed messages from the host and keeps plotting', () => withPage({ watches: [PID, LEVEL] }, async ({ page }) => {
    const h = host(page);
    for (const m of [
      null, 'samples', 42, { rpc: 'event' }, { rpc: 'event', name: 'nonsense', payload: {} },
      { rpc: 'event', name: 'samples', payload: null },
      { rpc: 'event', name: 'samples', payload: { batches: 'x' } },
      { rpc: 'event', name: 'samples', payload: { batches: [{ id: 1, t: [1, 2], v: [1] }, { id: 'a', t: [], v: [] }, { id: 2, t: ['1'], v: [1] }, null] } },
      { rpc: 'event', name: 'samples', payload: { batches: [{ id: 99, t: [1], v: [1] }] } },
      { rpc: 'event', name: 'markers', payload: { markers: [{ t: -1, kind: 'attach', text: 'x' }, { t: 5, kind: 'boom', text: 'x' }, 7] } },
      { rpc: 'event', name: 'state', payload: { sessionStart: 1, rateHz: 5000, paused: false } },
      { rpc: 'event', name: 'state', payload: 'paused' },
      { rpc: 'event', name: 'watches', payload: { watches: 'none' } },
      { rpc: 'event', name: 'watches' },
      { rpc: 'res', id: 12345, ok: true, result: null },
    ]) await h.raw(m);
    // Out-of-order samples are dropped, the rest kept.
    await h.samples(1, [100, 50, 200], [1, 99, 3]);
    await waitStat(page, 1, 'current', '3');
    assert.equal(await stat(page, 1, 'max'), '3', 'the sample at t=50 after t=100 was dropped');
    assert.equal((await canvasData(page, 1)).points, 2);
    assert.equal(await page.locator('.marker').count(), 0);
    assert.equal(await page.inputValue('.rate'), '100');
    assert.equal(await page.locator('.lane').count(), 2);
    // A watch list with one bad entry keeps the good ones.
    await h.raw({ rpc: 'event', name: 'watches', payload: { watches: [{ id: 1, label: 'pid', type: 'i32' }, { id: -3, label: 'x' }, { id: 4 }] } });
    await page.waitForSelector(lane(2), { state: 'detached' });
    assert.equal(await page.locator('.lane').count(), 1);
  }));

  it('starts afresh on a new session and matches the theme (screenshot)', () => withPage({
    watches: [PID, LEVEL, { ...COUNTER, trigger: { kind: 'above', level: 60, action: 'mark' } }],
    markers: [{ t: 2000, kind: 'attach', text: 'pid 4242 attached (rw)' }, { t: 7000, kind: 'save', text: 'saved from the editor' }],
  }, async ({ page }) => {
    await host(page).generated(1, 1000, 0, 10, 'square');
    await host(page).generated(2, 1000, 0, 10, 'sine');
    await host(page).generated(7, 1000, 0, 10, 'ramp');
    await host(page).markers([{ t: 6010, kind: 'trigger', id: 7, text: 'hdr.seq above 60: 601' }]);
    await waitStat(page, 7, 'current', '999');
    const at = await pointAt(page, 4200, 2);
    await page.mouse.move(at.x, at.y);
    await waitStat(page, 1, 'cursor', '0');
    await page.screenshot({ path: screenshotFile('watch-view') });

    await host(page).state({ sessionStart: 1_800_000_000_000 });
    await waitStat(page, 7, 'current', '—');
    assert.equal(await page.locator('.marker').count(), 0);
    assert.equal(await page.locator('.lane').count(), 3, 'the watches stay');

    await page.evaluate(() => (globalThis as unknown as G).watchHost.setTheme('hc'));
    await host(page).samples(1, [0, 100], [1, 2]);
    await waitStat(page, 1, 'current', '2');
  }));
});
