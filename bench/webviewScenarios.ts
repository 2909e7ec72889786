// Scenarios of the hex editor webview in headless Chromium, shared by the webview tests
// (which assert behaviour, with guards ten times looser than the targets) and by
// `npm run bench:webview` (which prints the figures against baselines measured in the same run).
import * as fs from 'node:fs';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { baseByte, type Editor, GiB, hex2, timeUntilCell } from '../test/webview/harness';
import type { FakeHostConfig } from '../test/webview/fakeHost';
import type { PageGlobals } from '../test/webview/pageDom';

export type OpenEditor = (config: FakeHostConfig, opts?: { viewport?: { width: number; height: number } }) => Promise<Editor>;

// ---- jumps --------------------------------------------------------------------------------

export interface Jumps {
  /** Ctrl+End: key event to the painted frame showing the last byte, ms. */
  ctrlEnd: number;
  /** Ctrl+G to offsets not in the page cache, same measure, ms. */
  viaGoto: number[];
}

/** Offsets Ctrl+G jumps to in a segment of `size` bytes (in 1 GiB far apart: never in the cache). */
export const gotoTargets = (size: number) => [size - Math.min(0x10000, size >> 4) - 3, Math.floor(size / 3), Math.min(0x100000, size >> 3) + 7];

/**
 * On a freshly loaded editor: Ctrl+End, then Ctrl+G to each of gotoTargets. Checks where
 * each jump lands (the status bar's offset); returns how long each took.
 */
export async function measureJumps(ed: Editor, size: number): Promise<Jumps> {
  await ed.waitLoaded();
  const last = size - 1;
  const ctrlEnd = await timeUntilCell(ed.page, last, hex2(baseByte(last)), () => ed.page.keyboard.press('Control+End'));
  await expectOffset(ed, last);
  const viaGoto: number[] = [];
  for (const o of gotoTargets(size)) {
    await ed.page.keyboard.press('Control+G');
    await ed.page.waitForSelector('.goto-input', { state: 'visible' });
    await ed.page.keyboard.type(`0x${o.toString(16)}`);
    viaGoto.push(await timeUntilCell(ed.page, o, hex2(baseByte(o)), () => ed.page.keyboard.press('Enter')));
    await expectOffset(ed, o);
  }
  return { ctrlEnd, viaGoto };
}

async function expectOffset(ed: Editor, o: number): Promise<void> {
  const want = `Offset 0x${o.toString(16).toUpperCase()} (${o})`;
  const got = await ed.status('offset');
  if (got !== want) throw new Error(`the jump landed at '${got}', not '${want}'`);
}

// ---- first rows -----------------------------------------------------------------------------

export interface FirstRows {
  /** From navigation start to the first rows painted, ms. */
  nav: number;
  /** From the webview script's start to the first rows, ms. */
  app: number;
  bytesRead: number;
}

/** Load the page for a segment of `size` bytes and read its own marks of the first rows. */
export async function measureFirstRows(openEditor: OpenEditor, size: number): Promise<FirstRows> {
  const ed = await openEditor({ size });
  try {
    const [start, rows] = await ed.page.evaluate<number[]>(`['shm-hex-start', 'shm-hex-first-rows'].map((n) => performance.getEntriesByName(n)[0]?.startTime ?? -1)`);
    if (!(start > 0 && rows > start)) throw new Error(`the webview did not mark its start and first rows (${start}, ${rows})`);
    const { bytesRead } = await ed.stats();
    await ed.assertClean();
    return { nav: rows, app: rows - start, bytesRead };
  } finally {
    await ed.close();
  }
}

export { GiB };

// ---- live refresh cost -----------------------------------------------------------------------

export interface CpuSample {
  wall: number;
  /** Shares of one core, from Chromium's thread-time accounting of the page's main thread. */
  task: number;
  script: number;
  layout: number;
  style: number;
  /** Whole browser, all processes (from /proc), share of one core. */
  cpu: number;
  /** Reads the fake host answered during the sample (-1 on a page without one). */
  reads: number;
}

/**
 * Samples a page's main-thread time with CDP Performance.getMetrics in thread time, so other
 * load on the machine does not count; the whole browser's CPU time is taken beside it.
 */
export async function cpuMeter(context: BrowserContext, page: Page): Promise<(ms: number) => Promise<CpuSample>> {
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics).map((m) => [m.name, m.value]));
  const hasHost = (await page.evaluate('typeof window.fakeHost')) === 'object';
  return async (ms) => {
    if (hasHost) await page.evaluate('window.fakeHost.resetStats()');
    const m0 = await metrics();
    const cpu0 = browserCpuSeconds();
    const t0 = Date.now();
    await page.waitForTimeout(ms);
    const m1 = await metrics();
    const cpu1 = browserCpuSeconds();
    const wall = (Date.now() - t0) / 1000;
    const share = (k: string) => (m1[k] - m0[k]) / wall;
    const reads = hasHost ? await page.evaluate<number>('window.fakeHost.stats().reads') : -1;
    return { wall, task: share('TaskDuration'), script: share('ScriptDuration'), layout: share('LayoutDuration'), style: share('RecalcStyleDuration'), cpu: (cpu1 - cpu0) / wall, reads };
  };
}

/** CPU seconds (user + system) of this process's descendants whose name says Chromium. */
export function browserCpuSeconds(): number {
  const tick = 100; // USER_HZ on Linux
  const parent = new Map<number, number>();
  const stats = new Map<number, { comm: string; cpu: number }>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(f[1]));
      stats.set(Number(name), { comm, cpu: (Number(f[11]) + Number(f[12])) / tick });
    } catch { /* gone */ }
  }
  let total = 0;
  for (const [pid, st] of stats) {
    if (!/chrom/i.test(st.comm)) continue;
    for (let p = pid, hops = 0; p > 1 && hops < 32; p = parent.get(p) ?? 0, hops++) {
      if (p === process.pid) { total += st.cpu; break; }
    }
  }
  return total;
}

export const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/**
 * A 4 KiB (or larger) window re-read 10 times a second (live refresh 100 ms), with the
 * inspector, a diff, bookmarks and search matches on screen: what a watched segment looks like.
 * Returns the editor and how many bytes the window shows.
 */
export async function openLiveEditor(openEditor: OpenEditor): Promise<{ ed: Editor; window: number }> {
  const ed = await openEditor({
    size: 16 << 20,
    settings: { bytesPerRow: 32, liveRefreshMs: 100, inspector: 'side' },
    bookmarks: [{ name: 'a', offset: 0x100, length: 64, color: 'green' }, { name: 'b', offset: 0x800, length: 32, color: 'purple' }],
    diff: { against: 'x', ranges: Array.from({ length: 40 }, (_, i) => ({ offset: i * 97, length: 3 })), bytes: 120, truncated: false },
  }, { viewport: { width: 1600, height: 3100 } });
  try {
    await ed.waitLoaded();
    await ed.page.keyboard.press('Control+f');
    await ed.page.keyboard.type('07');
    await ed.page.click('.search-all');
    await ed.page.waitForSelector('.search-results', { state: 'visible' });
    await ed.clickCell(0x400);
    const rows = await ed.page.locator('.grid-body .row:not([hidden])').count();
    return { ed, window: rows * 32 };
  } catch (err) {
    await ed.close();
    throw err;
  }
}

/**
 * Start "another process" writing into the window through the fake host: 'watched' changes a
 * counter and a timestamp once a second and a flag now and then; 'busy' changes 16 bytes at
 * every refresh. Returns a function that stops it.
 */
export async function startWriter(ed: Editor, window: number, kind: 'watched' | 'busy'): Promise<() => Promise<void>> {
  await ed.page.evaluate(([w, k]) => {
    const g = globalThis as unknown as PageGlobals;
    let n = 0;
    g.__writer = k === 'watched'
      ? g.setInterval(() => {
        n++;
        g.fakeHost.mutate(0x40, [n & 0xff, (n >> 8) & 0xff, 0, 0, 0, 0, 0, 0]);
        g.fakeHost.mutate(0x48, [(n * 37) & 0xff, (n * 11) & 0xff, 0x5f, 0x66]);
        if (n % 3 === 0) g.fakeHost.mutate((n * 997) % (w - 1), [n & 0xff]);
      }, 1000)
      : g.setInterval(() => {
        n++;
        g.fakeHost.mutate((n * 733) % (w - 16), Array.from({ length: 16 }, (_, i) => (n * 7 + i * 13) & 0xff));
      }, 100);
  }, [window, kind] as const);
  await ed.page.waitForTimeout(300); // let the first changes arrive before measuring
  return () => ed.page.evaluate<undefined>('clearInterval(window.__writer)');
}

/**
 * The floor any page pays for what live refresh shows: a bare page in the same browser that
 * changes one element's text 10 times a second. Measured the same way as the editor.
 */
export async function measureBarePage(context: BrowserContext, ms: number): Promise<CpuSample> {
  const page = await context.newPage();
  try {
    await page.setContent('<!doctype html><html><body style="font: 13px monospace"><div id="c">00</div></body></html>');
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      let n = 0;
      const c = g.document.getElementById('c');
      g.setInterval(() => { if (c) c.textContent = (++n & 0xff).toString(16).padStart(2, '0'); }, 100);
    });
    const meter = await cpuMeter(context, page);
    await page.waitForTimeout(300);
    return await meter(ms);
  } finally {
    await page.close();
  }
}

export const summary = (what: string, window: number, s: CpuSample) =>
  `${what}: ${s.reads} reads of the ${window}-byte window in ${s.wall.toFixed(1)} s; renderer main thread ${pct(s.task)} of a core (script ${pct(s.script)}, layout ${pct(s.layout)}, style ${pct(s.style)}); whole browser, all processes: ${pct(s.cpu)}`;
