// Measurements of the hex editor in the real workbench (VS Code's server + headless Chromium,
// the packaged .vsix), printed as figures beside the targets and asserted against guards ten
// times looser (memory against its target):
//
//  1. first painted rows, 1 GiB vs 4 KiB segment, opened the same way (palette: Open Segment
//     in Hex Editor…, type the key, Enter): from the Enter keydown to the moment cell 0 shows
//     the right digits; RUNS runs each after a warm-up, alternating the order; median ratio ≤ 1.5×.
//  2. Ctrl+End in the grid of a freshly opened 1 GiB segment: keydown → the cell of the last
//     offset shows the right digits; median ≤ 300 ms here (the webview test's target with a
//     fake host is 100 ms).
//  3. memory: RssAnon/RssShmem of the extension host and the agent before/after 200 Go to
//     Offset jumps spread over the 1 GiB segment plus PageDown bursts; RssAnon growth of host
//     + agent < 64 MiB (RssShmem is the segment's own pages the agent touched, not a copy).
//
// Timing happens in the browser (see lib/workbench.mjs), so no CDP round trip is counted.
import { CLK_TCK, cpuTicks, memory, mib, MiB, workbenchProcesses } from './lib/procs.mjs';
import { createSegment, stamp } from './lib/segments.mjs';
import {
  armWatch,
  closeAllEditors,
  extensionReady,
  median,
  openSegment,
  percentile,
  sleep,
  until,
  watchResult,
  webviewFrame,
} from './lib/workbench.mjs';

export const timeoutMs = 170000;

const GiB = 1024 * MiB;
const RUNS = 7;
const JUMPS = 200;
const BURST_EVERY = 10; // a PageDown burst after every 10th jump
const BURST_KEYS = 20;

const TARGET_RATIO = 1.5;
const TARGET_END_MS = 300;
const TARGET_ANON_GROWTH = 64 * MiB;

const fmt = (xs) => xs.map((x) => Math.round(x)).join(', ');

export async function test(t) {
  const page = t.page;
  await extensionReady(t);
  const small = await createSegment(t, 4096);
  const big = await createSegment(t, GiB);
  if (big.size !== GiB) throw new Error(`asked for 1 GiB, got ${big.size} bytes`);
  // Recognisable first and last bytes (a zero-filled segment would show 00 everywhere).
  await t.cli('write', small.id, '--offset', 0, '--hex', 'a5');
  await t.cli('write', big.id, '--offset', 0, '--hex', '5a');
  await t.cli('write', big.id, '--offset', GiB - 1, '--hex', 'e7');
  const first = new Map([[small.id, 'a5'], [big.id, '5a']]);
  t.log(`segments: 4 KiB id ${small.id} ${small.keyHex}, 1 GiB id ${big.id} ${big.keyHex}`);

  const phases = [];
  /** Open seg from the palette; ms from Enter to cell 0 showing its first byte. */
  const timeOpen = async (seg) => {
    await openSegment(t, seg, () => armWatch(page, { offset: 0, expected: first.get(seg.id), startKey: { key: 'Enter' }, startOn: 'top' }));
    const r = await watchResult(page, 30000);
    phases.push(`${seg === big ? '1 GiB' : '4 KiB'} ${r.ms} ms: ${['frame', 'editor', 'cell'].map((k) => r.phases[k] ?? '?').join(' / ')} / ${r.ms}`);
    return r.ms;
  };

  /** In the open 1 GiB editor: ms from Ctrl+End to the last byte showing. */
  const timeCtrlEnd = async () => {
    const frame = await webviewFrame(t);
    await frame.locator('.hex-cell[data-offset="0"]').first().click();
    await armWatch(page, { offset: GiB - 1, expected: 'e7', startKey: { key: 'End', ctrl: true }, startOn: 'webview' });
    await page.keyboard.press('Control+End');
    return (await watchResult(page, 30000)).ms;
  };

  // ---- 1 + 2: first rows and Ctrl+End ----------------------------------------------------
  // Warm-up, one open of each (first webview of the window, first editors of the agent, the
  // workbench still settling after start): reported, not counted.
  const warm = [];
  for (const seg of [small, big]) {
    warm.push(await timeOpen(seg));
    await closeAllEditors(t);
  }
  const warmPhases = phases.splice(0);
  const opens = { [small.id]: [], [big.id]: [] };
  const ends = [];
  for (let i = 0; i < RUNS; i++) {
    for (const seg of i % 2 ? [big, small] : [small, big]) {
      opens[seg.id].push(await timeOpen(seg));
      if (seg === big) ends.push(await timeCtrlEnd());
      await closeAllEditors(t);
    }
  }
  const mSmall = median(opens[small.id]);
  const mBig = median(opens[big.id]);
  const ratio = mBig / mSmall;
  const mEnd = median(ends);
  t.log(`[measure] first rows, warm-up opens (not counted): 4 KiB ${Math.round(warm[0])} ms, 1 GiB ${Math.round(warm[1])} ms`);
  t.log('  phases, ms after Enter: visible webview frame / hex editor in it / cell 0 has text / right digits');
  for (const p of warmPhases) t.log(`  warm-up ${p}`);
  t.log(`[measure] first rows 4 KiB: median ${Math.round(mSmall)} ms (runs ${fmt(opens[small.id])})`);
  t.log(`[measure] first rows 1 GiB: median ${Math.round(mBig)} ms (runs ${fmt(opens[big.id])})`);
  for (const p of phases) t.log(`  open ${p}`);
  t.log(`[measure] first rows ratio 1 GiB / 4 KiB: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x)`);
  t.log(`[measure] Ctrl+End to last byte of 1 GiB: median ${Math.round(mEnd)} ms, max ${Math.round(Math.max(...ends))} ms (runs ${fmt(ends)}; target <= ${TARGET_END_MS} ms here, 100 ms in the webview test)`);

  // ---- 3: memory over a walk through the whole 1 GiB -----------------------------------------
  // Jump targets spread over the segment, each with its own recognisable byte.
  const targets = [];
  for (let k = 0; k < JUMPS; k++) {
    // k+1: never the first page (its byte 0 is the open marker, its rows are on screen).
    const offset = Math.floor(((k + 1) * (GiB - 8192)) / JUMPS) + ((k * 1237) % 4096);
    targets.push({ offset, hex: (0x30 + (k % 200)).toString(16).padStart(2, '0') });
  }
  await stamp(big.id, targets.map(({ offset, hex }) => [offset, hex]));
  await timeOpen(big);
  const frame = await webviewFrame(t);
  await frame.locator('.hex-cell[data-offset="0"]').first().click();
  await sleep(1000);
  const procs = workbenchProcesses(big.id);
  const before = { host: memory(procs.host.pid), agent: memory(procs.agent.pid) };
  const cpuBefore = { host: cpuTicks(procs.host.pid), agent: cpuTicks(procs.agent.pid) };
  t.log(`processes: extension host ${procs.host.pid}, agent ${procs.agent.pid}, server ${procs.server?.pid}, ${procs.chromium.length} chromium`);

  const gotoInput = frame.locator('.goto-input');
  const jumpMs = [];
  const walkStart = Date.now();
  let pageDowns = 0;
  for (let k = 0; k < JUMPS; k++) {
    const { offset, hex } = targets[k];
    await page.keyboard.press('Control+g');
    await gotoInput.waitFor({ state: 'visible', timeout: 5000 });
    await gotoInput.fill('0x' + offset.toString(16));
    await armWatch(page, { offset, expected: hex, startKey: { key: 'Enter' }, startOn: 'webview' });
    await page.keyboard.press('Enter');
    jumpMs.push((await watchResult(page, 15000)).ms);
    if (k % BURST_EVERY === BURST_EVERY - 1) {
      for (let i = 0; i < BURST_KEYS; i++) await page.keyboard.press('PageDown');
      pageDowns += BURST_KEYS;
      await until(
        'the rows after a PageDown burst to load',
        () => frame.evaluate(() => document.querySelector('.grid .hex-cell') && !document.querySelector('.grid .hex-cell.unloaded')),
        10000,
        20,
      );
    }
  }
  const walkMs = Date.now() - walkStart;
  const cachePages = await frame.evaluate(() => document.querySelector('.grid')?.dataset.cachePages ?? '?');
  await sleep(1000);
  const after = { host: memory(procs.host.pid), agent: memory(procs.agent.pid) };
  const cpuAfter = { host: cpuTicks(procs.host.pid), agent: cpuTicks(procs.agent.pid) };

  const d = (who, field) => after[who][field] - before[who][field];
  const anonGrowth = d('host', 'anon') + d('agent', 'anon');
  const line = (who, label) =>
    `[measure] memory ${label}: RssAnon ${mib(before[who].anon)} → ${mib(after[who].anon)} MiB (${d(who, 'anon') >= 0 ? '+' : ''}${mib(d(who, 'anon'))}), ` +
    `RssShmem ${mib(before[who].shmem)} → ${mib(after[who].shmem)} MiB (${d(who, 'shmem') >= 0 ? '+' : ''}${mib(d(who, 'shmem'))}), ` +
    `VmRSS ${mib(before[who].rss)} → ${mib(after[who].rss)} MiB`;
  t.log(`[measure] walk over 1 GiB: ${JUMPS} Go to Offset jumps + ${pageDowns} PageDown in ${(walkMs / 1000).toFixed(1)} s; jump → bytes shown median ${Math.round(median(jumpMs))} ms, p95 ${Math.round(percentile(jumpMs, 95))} ms, max ${Math.round(Math.max(...jumpMs))} ms; webview cache ${cachePages} pages`);
  t.log(line('host', 'extension host'));
  t.log(line('agent', 'agent'));
  t.log(`[measure] memory RssAnon growth host + agent: ${mib(anonGrowth)} MiB (target < ${mib(TARGET_ANON_GROWTH)} MiB); RssShmem growth ${mib(d('host', 'shmem') + d('agent', 'shmem'))} MiB (segment pages touched, shared, not a copy)`);
  t.log(`[measure] CPU during the walk: extension host ${((cpuAfter.host - cpuBefore.host) / CLK_TCK).toFixed(2)} s, agent ${((cpuAfter.agent - cpuBefore.agent) / CLK_TCK).toFixed(2)} s`);

  await closeAllEditors(t);

  // ---- asserts (after printing every figure) ------------------------------------------------
  // Times against guards ten times the targets (a test times nothing tighter: a busy machine
  // must not fail it); the figures above say how close to the targets this run came.
  const failures = [];
  if (!(ratio <= 10 * TARGET_RATIO)) failures.push(`first rows of 1 GiB take ${ratio.toFixed(2)}x those of 4 KiB (guard ${10 * TARGET_RATIO}x, target ${TARGET_RATIO}x)`);
  if (!(mEnd <= 10 * TARGET_END_MS)) failures.push(`Ctrl+End to the last byte of 1 GiB takes ${Math.round(mEnd)} ms (median; guard ${10 * TARGET_END_MS} ms, target ${TARGET_END_MS} ms)`);
  if (!(anonGrowth < TARGET_ANON_GROWTH)) failures.push(`RssAnon of host + agent grew ${mib(anonGrowth)} MiB over the walk (>= ${mib(TARGET_ANON_GROWTH)} MiB)`);
  if (failures.length) throw new Error(failures.join('; '));
}
