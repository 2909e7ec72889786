// What live refresh costs in the webview: a 4 KiB window re-read 10 times a second (live
// refresh 100 ms), with the inspector, a diff, bookmarks and search matches on screen.
// 10 s while another process changes a few bytes each second (a watched segment: the
// budget, 5% of one core), then 4 s while it changes 16 bytes at every refresh (printed,
// with a looser guard). The renderer's main-thread time comes from Chromium's own accounting
// (CDP Performance.getMetrics TaskDuration, in thread time so other load on the machine does
// not count); the whole browser's CPU time (all its processes, from /proc) is printed beside it.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';

import { useEditors } from './harness';

const openEditor = useEditors();

const MEASURE_MS = 10_000;
const BUSY_MS = 4_000;
/** The budget: 5% of one core. */
const MAX_SHARE = 0.05;
/** Bytes changing at every refresh: a guard against regressions (e.g. a transition on the heat, 66%). */
const MAX_BUSY_SHARE = 0.15;

/** CPU seconds (user + system) of this process's descendants whose name says Chromium. */
function browserCpuSeconds(): number {
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

interface Sample { wall: number; task: number; script: number; layout: number; style: number; cpu: number; reads: number }

describe('live refresh cost', () => {
  it('keeps a 4 KiB window at 10 Hz under 5% of one core in the webview', async (t) => {
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
      const window = rows * 32;
      assert.ok(window >= 4096, `the window shows ${window} bytes`);
      const cdp = await ed.context.newCDPSession(ed.page);
      // Thread time, not wall time: other work on the machine must not count.
      await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
      const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics).map((m) => [m.name, m.value]));
      const measure = async (ms: number): Promise<Sample> => {
        await ed.page.evaluate('window.fakeHost.resetStats()');
        const m0 = await metrics();
        const cpu0 = browserCpuSeconds();
        const t0 = Date.now();
        await ed.page.waitForTimeout(ms);
        const m1 = await metrics();
        const cpu1 = browserCpuSeconds();
        const wall = (Date.now() - t0) / 1000;
        const share = (k: string) => (m1[k] - m0[k]) / wall;
        return { wall, task: share('TaskDuration'), script: share('ScriptDuration'), layout: share('LayoutDuration'), style: share('RecalcStyleDuration'), cpu: (cpu1 - cpu0) / wall, reads: (await ed.stats()).reads };
      };
      const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
      const summary = (what: string, s: Sample) =>
        `${what}: ${s.reads} reads of the ${window}-byte window in ${s.wall.toFixed(1)} s; renderer main thread ${pct(s.task)} of a core (script ${pct(s.script)}, layout ${pct(s.layout)}, style ${pct(s.style)}); whole browser, all processes: ${pct(s.cpu)}`;

      // A segment being watched: a counter and a timestamp change once a second, somewhere else a flag now and then.
      await ed.page.evaluate((w) => {
        const g = globalThis as any;
        let n = 0;
        g.__writer = g.setInterval(() => {
          n++;
          g.fakeHost.mutate(0x40, [n & 0xff, (n >> 8) & 0xff, 0, 0, 0, 0, 0, 0]);
          g.fakeHost.mutate(0x48, [(n * 37) & 0xff, (n * 11) & 0xff, 0x5f, 0x66]);
          if (n % 3 === 0) g.fakeHost.mutate((n * 997) % (w - 1), [n & 0xff]);
        }, 1000);
      }, window);
      await ed.page.waitForTimeout(300);
      const steady = await measure(MEASURE_MS);
      await ed.page.evaluate('clearInterval(window.__writer)');
      // Busy: another process writes 16 bytes somewhere in the window at every refresh.
      await ed.page.evaluate((w) => {
        const g = globalThis as any;
        let n = 0;
        g.__writer = g.setInterval(() => {
          n++;
          g.fakeHost.mutate((n * 733) % (w - 16), Array.from({ length: 16 }, (_, i) => (n * 7 + i * 13) & 0xff));
        }, 100);
      }, window);
      await ed.page.waitForTimeout(300);
      const busy = await measure(BUSY_MS);
      await ed.page.evaluate('clearInterval(window.__writer)');

      for (const line of [summary('live refresh, a few bytes changing each second', steady), summary('live refresh, 16 bytes changing at every refresh', busy)]) {
        t.diagnostic(line);
        process.stdout.write(`# ${line}\n`);
      }
      assert.ok(steady.reads >= 0.8 * steady.wall * 10, `about 10 refreshes a second: ${steady.reads} in ${steady.wall.toFixed(1)} s`);
      const reads = (await ed.stats()).lastReads;
      assert.ok(reads.length > 0 && reads.every((r) => r.length >= window), `each refresh reads the whole window: ${JSON.stringify(reads.slice(-3))}`);
      assert.ok(steady.task < MAX_SHARE, `watching: the renderer's main thread used ${pct(steady.task)} of a core (budget ${pct(MAX_SHARE)})`);
      assert.ok(busy.task < MAX_BUSY_SHARE, `busy: the renderer's main thread used ${pct(busy.task)} of a core (guard ${pct(MAX_BUSY_SHARE)})`);
      await ed.assertClean();
    } finally {
      await ed.close();
    }
  });
});
