// `npm run bench:webview`: the hex editor webview in headless Chromium with the fake host
// (test/webview), each figure beside a baseline measured in the same run, in the same browser:
//
//   jumps        Ctrl+End and Ctrl+G to uncached offsets of a 1 GiB segment, key event to the
//                painted frame; baseline: the same keys on a 4 KiB segment (all in the cache).
//   first rows   navigation start to the first painted rows, 1 GiB vs 4 KiB.
//   live         live refresh at 10 Hz of a 4 KiB window: the renderer's main-thread share of a
//                core; baseline: a bare page changing one element 10 times a second.
//   overlay      decoding and diffing the visible fields of a C type overlay at live-refresh rate
//                (10 Hz, 16 bytes of the struct changing at every refresh): the main-thread
//                share the overlay panel and tints add, beside the hex grid's own refresh of the
//                same changes (busy minus quiet) measured in the same rounds. Target: no more.
//
//   node out/bench/webview.js [--reps N] [--only jumps,first,live,overlay]
import type { Browser } from 'playwright-core';
import { layoutText } from '../src/ctypes';
import { type OverlayView, overlayId, overlayLabel } from '../src/protocol/overlay';
import type { PageGlobals } from '../test/webview/pageDom';
import { type Editor, launchBrowser, openEditor as open, startServer } from '../test/webview/harness';
import { type Verdict, f1, machine, median, now, verdict } from './util';
import {
  type CpuSample, GiB, type OpenEditor, cpuMeter, measureBarePage, measureFirstRows, measureJumps, openLiveEditor, pct, startWriter, summary,
} from './webviewScenarios';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const REPS = Number(opt('--reps') ?? 5);
const ONLY = new Set((opt('--only') ?? 'jumps,first,live,overlay').split(','));
const log = (s: string) => process.stdout.write(s + '\n');

const JUMP_TARGET_MS = 100;
const FIRST_ROWS_TARGET = 1.5;
const LIVE_BUDGET = 0.05;
/** Live refresh with bytes changing at every refresh: no budget, a regression guard (a CSS transition on the heat cost 66%). */
const LIVE_BUSY_GUARD = 0.15;
const WATCHED_MS = 10_000;
const BUSY_MS = 4_000;

const ms = (x: number) => `${f1(x)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

async function jumps(openEditor: OpenEditor): Promise<Verdict[]> {
  const run = async (size: number) => {
    const ed: Editor = await openEditor({ size });
    try {
      return await measureJumps(ed, size);
    } finally {
      await ed.close();
    }
  };
  const big = { end: [] as number[], go: [] as number[] };
  const small = { end: [] as number[], go: [] as number[] };
  for (let i = 0; i < REPS; i++) {
    const b = await run(GiB);
    const s = await run(4096);
    big.end.push(b.ctrlEnd); big.go.push(...b.viaGoto);
    small.end.push(s.ctrlEnd); small.go.push(...s.viaGoto);
    log(`  run ${i + 1}: 1 GiB Ctrl+End ${ms(b.ctrlEnd)}, Ctrl+G ${b.viaGoto.map(ms).join(', ')}; 4 KiB Ctrl+End ${ms(s.ctrlEnd)}, Ctrl+G ${s.viaGoto.map(ms).join(', ')}`);
  }
  const e = median(big.end), e0 = median(small.end), g = median(big.go), g0 = median(small.go);
  return [
    verdict('Ctrl+End to the last byte of 1 GiB', `median ${ms(e)} (max ${ms(Math.max(...big.end))}), 4 KiB ${ms(e0)}, ratio ${ratio(e, e0)}`, e <= JUMP_TARGET_MS, `<= ${JUMP_TARGET_MS} ms`),
    verdict('Ctrl+G to an uncached offset of 1 GiB', `median ${ms(g)} (max ${ms(Math.max(...big.go))}), 4 KiB ${ms(g0)}, ratio ${ratio(g, g0)}`, g <= JUMP_TARGET_MS, `<= ${JUMP_TARGET_MS} ms`),
  ];
}

async function firstRows(openEditor: OpenEditor): Promise<Verdict[]> {
  const runs = Math.max(REPS, 9);
  const small: number[] = [];
  const big: number[] = [];
  const reads: number[] = [];
  // Alternating page loads, so a busy moment of the machine falls on both sizes.
  for (let i = 0; i < runs; i++) {
    small.push((await measureFirstRows(openEditor, 4096)).nav);
    const b = await measureFirstRows(openEditor, GiB);
    big.push(b.nav);
    reads.push(b.bytesRead);
  }
  const s = median(small), b = median(big);
  log(`  ${runs} loads each: 4 KiB ${small.map(ms).join(', ')}; 1 GiB ${big.map(ms).join(', ')}; 1 GiB read at most ${Math.max(...reads)} bytes`);
  return [verdict('first painted rows, 1 GiB vs 4 KiB (from navigation start)', `${ms(b)} vs ${ms(s)}, ratio ${ratio(b, s)}`, b / s <= FIRST_ROWS_TARGET, `<= ${FIRST_ROWS_TARGET}x`)];
}

async function live(openEditor: OpenEditor): Promise<Verdict[]> {
  const reps = Math.max(1, Math.min(REPS, 3)); // 18 s each
  const watched: CpuSample[] = [];
  const busy: CpuSample[] = [];
  const bare: CpuSample[] = [];
  for (let i = 0; i < reps; i++) {
    const { ed, window } = await openLiveEditor(openEditor);
    try {
      const measure = await cpuMeter(ed.context, ed.page);
      let stop = await startWriter(ed, window, 'watched');
      watched.push(await measure(WATCHED_MS));
      await stop();
      stop = await startWriter(ed, window, 'busy');
      busy.push(await measure(BUSY_MS));
      await stop();
      bare.push(await measureBarePage(ed.context, BUSY_MS));
      await ed.assertClean();
      log(`  run ${i + 1}: ${summary('watched', window, watched[i])}`);
      log(`  run ${i + 1}: ${summary('busy', window, busy[i])}`);
      log(`  run ${i + 1}: bare page, one element at 10 Hz: main thread ${pct(bare[i].task)}, whole browser ${pct(bare[i].cpu)}`);
    } finally {
      await ed.close();
    }
  }
  const w = median(watched.map((s) => s.task)), bz = median(busy.map((s) => s.task)), b0 = median(bare.map((s) => s.task));
  return [
    verdict('live refresh 10 Hz, 4 KiB window, a few bytes changing each second: renderer main thread', `${pct(w)} of a core, bare page ${pct(b0)}, ratio ${ratio(w, b0)}`, w < LIVE_BUDGET, `< ${pct(LIVE_BUDGET)}`),
    verdict('the same, 16 bytes changing at every refresh', `${pct(bz)} of a core, bare page ${pct(b0)}, ratio ${ratio(bz, b0)}`, bz < LIVE_BUSY_GUARD, `guard < ${pct(LIVE_BUSY_GUARD)}`),
  ];
}

/** A struct of 96 scalar fields of mixed types (about 400 bytes): every row in view has a value. */
function liveStruct(): string {
  const types = ['uint32_t', 'int16_t', 'uint8_t', 'double', 'int64_t', 'float', 'char name_@[6]', 'unsigned bits_@ : 5'];
  const fields = Array.from({ length: 96 }, (_, i) => {
    const t = types[i % types.length];
    return t.includes('@') ? `  ${t.replace('@', String(i))};` : `  ${t} f${i};`;
  });
  return `#include <stdint.h>\nstruct live_state {\n${fields.join('\n')}\n};\n`;
}

async function overlayRefresh(openEditor: OpenEditor): Promise<Verdict[]> {
  const text = liveStruct();
  const layouts = await layoutText(text, { abi: 'x86_64' });
  const type = layouts.lookup('struct live_state');
  const spec = { text, typeName: 'struct live_state', offset: 0, count: 1, abi: 'x86_64' as const };
  const view: OverlayView = { ...spec, id: overlayId(spec), label: overlayLabel(spec), type };
  const reps = Math.max(1, Math.min(REPS, 3));
  const quiet: number[] = [], grid: number[] = [], both: number[] = [];
  const ed = await openEditor({ size: 16 << 20, settings: { bytesPerRow: 32, liveRefreshMs: 100 }, overlays: [view] }, { viewport: { width: 1600, height: 1400 } });
  try {
    await ed.waitLoaded();
    await ed.page.waitForSelector('.overlay-tree .ov-row[data-path="f0"]');
    const rowsInView = await ed.page.locator('.overlay-tree .ov-leaf').count();
    const measure = await cpuMeter(ed.context, ed.page);
    const panel = async (open: boolean) => {
      if ((await ed.page.isVisible('.overlays')) !== open) await ed.page.click('.overlays-toggle');
      await ed.page.waitForTimeout(300);
    };
    const writer = async (on: boolean) => {
      // 16 bytes of the struct's first 256 (the fields in view) change at every refresh.
      await ed.page.evaluate(([go, size]) => {
        const g = globalThis as unknown as PageGlobals;
        if (g.__writer) clearInterval(g.__writer);
        g.__writer = undefined;
        if (!go) return;
        let n = 0;
        g.__writer = g.setInterval(() => {
          n++;
          g.fakeHost.mutate((n * 40) % (size - 16), Array.from({ length: 16 }, (_, i) => (n * 7 + i * 13) & 0xff));
        }, 100);
      }, [on, Math.min(256, type.size)] as const);
      await ed.page.waitForTimeout(300);
    };
    for (let i = 0; i < reps; i++) {
      await writer(false);
      await panel(true);
      const q = await measure(BUSY_MS);
      await writer(true);
      await panel(false);
      const g = await measure(BUSY_MS);
      await panel(true);
      const b = await measure(BUSY_MS);
      quiet.push(q.task); grid.push(g.task); both.push(b.task);
      const parts = (x: CpuSample) => `${pct(x.task)} (script ${pct(x.script)}, layout ${pct(x.layout)}, style ${pct(x.style)})`;
      log(`  run ${i + 1}: quiet ${parts(q)}; changing, panel closed ${parts(g)}; changing, panel open (${rowsInView} fields in view) ${parts(b)}`);
    }
    await writer(false);
    await ed.assertClean();
  } finally {
    await ed.close();
  }
  const q = median(quiet), g = median(grid), b = median(both);
  const gridCost = Math.max(g - q, 1e-6);
  const fieldCost = b - g;
  return [verdict('overlay fields decoded and diffed at 10 Hz vs the grid\'s own refresh (main thread, busy minus the level below)',
    `fields ${pct(fieldCost)} of a core, grid ${pct(g - q)}, ratio ${ratio(fieldCost, gridCost)}`, fieldCost <= gridCost, '<= 1x the grid')];
}

async function main(): Promise<void> {
  const started = now();
  log(`SHM Inspector webview benchmarks (headless Chromium, fake host): ${machine()}`);
  log(`repetitions: ${REPS} (medians)`);
  const server = await startServer();
  let browser: Browser | undefined;
  const verdicts: Verdict[] = [];
  try {
    const b = (browser = await launchBrowser());
    const openEditor: OpenEditor = (config, opts) => open(b, server, config, opts);
    if (ONLY.has('jumps')) {
      log('\n[jumps] Ctrl+End and Ctrl+G, key event to painted frame: 1 GiB vs 4 KiB');
      verdicts.push(...await jumps(openEditor));
    }
    if (ONLY.has('first')) {
      log('\n[first] first painted rows: 1 GiB vs 4 KiB');
      verdicts.push(...await firstRows(openEditor));
    }
    if (ONLY.has('live')) {
      log('\n[live] live refresh at 10 Hz vs a bare page repainting at 10 Hz');
      verdicts.push(...await live(openEditor));
    }
    if (ONLY.has('overlay')) {
      log('\n[overlay] C type overlay fields at live-refresh rate vs the grid\'s own refresh');
      verdicts.push(...await overlayRefresh(openEditor));
    }
  } finally {
    await browser?.close();
    await server.close();
  }
  log(`\nresults (${((now() - started) / 1000).toFixed(0)} s):`);
  for (const v of verdicts) log(v.line);
  const short = verdicts.filter((v) => !v.ok).length;
  if (short) log(`${short} target(s) missed`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:webview: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
