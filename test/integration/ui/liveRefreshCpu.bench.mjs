// Measurement (npm run bench:ui): the CPU cost of live refresh at 10 Hz in the real workbench.
//
// A 4 KiB segment is open in the hex editor with shmInspector.hexEditor.liveRefresh = 100 ms
// (workspace settings of this test's folder, so nothing leaks into other test files). CPU is
// utime+stime (/proc/PID/stat) of the extension host, the agent and all Chromium processes of
// this run, over windows of WINDOW_S seconds, in ROUNDS rounds; each figure is the median over
// the rounds of (window − the paused window of the same round), i.e. what live refresh adds to
// a workbench that shows the same editor paused (the Pause button):
//   - busy: a writer process bumps a counter in the segment every 50 ms, so bytes in view
//     change at every refresh and the webview repaints ten times a second;
//   - quiet: nothing writes: the cost of polling itself.
// Baselines in the same run: (1) the paused webview with one cell's text changed ten times a
// second by an injected script (what any webview pays in this workbench to repaint at 10 Hz,
// without messages or our code: "the floor"), measured in the same rounds as busy; (2) the
// "message floor", also in the same rounds: the same paused webview receiving one host message
// per refresh, as large as a busy `view` push (the host's test pings, on only with
// SHM_INSPECTOR_TEST_HOOKS=1, which ui.mjs --bench sets; src/extension/hexEditor/testPings.ts),
// the injected script repainting one cell on each: what VS Code's webview relay costs for one
// message per refresh, without our code; (3) a bare page in the same browser repainting one
// cell (with --disable-gpu all painting and compositing is in software). It also counts the
// messages each way per refresh. Targets: busy at most BUSY_RATIO times the floor of the same
// run, quiet at most QUIET_PCT % of one core.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cpuDelta, cpuSnapshot, workbenchProcesses } from './lib/procs.mjs';
import { createSegment, startCounterWriter } from './lib/segments.mjs';
import { armWatch, closeAllEditors, extensionReady, openSegment, sleep, until, watchResult, webviewFrame } from './lib/workbench.mjs';

export const timeoutMs = 420000;

const LIVE_MS = 100;
const WRITER_MS = 50;
const COUNTER_AT = 0x20;
const WINDOW_S = 4;
const ROUNDS = 5;
/** Busy may cost at most this many times the same run's floor. */
const BUSY_RATIO = 1.25;
/** Quiet may cost at most this % of one core. */
const QUIET_PCT = 0.5;

/** Changes of the counter cell's text seen in the webview over ms (MutationObserver). */
function countCounterChanges(frame, offset, ms) {
  return frame.evaluate(
    ({ offset, ms }) =>
      new Promise((resolve) => {
        const sel = `.hex-cell[data-offset="${offset}"]`;
        let last = document.querySelector(sel)?.textContent;
        let changes = 0;
        const o = new MutationObserver(() => {
          const now = document.querySelector(sel)?.textContent;
          if (now !== last) {
            changes++;
            last = now;
          }
        });
        o.observe(document.querySelector('.grid') ?? document.body, { subtree: true, childList: true, characterData: true });
        setTimeout(() => {
          o.disconnect();
          resolve(changes);
        }, ms);
      }),
    { offset, ms },
  );
}

/**
 * Counts, over ms, the messages the webview receives (host -> webview: by rpc event or method
 * name, with their JSON sizes) and sends (webview -> host: through the outer frame of VS Code's
 * webview, by channel, and by rpc name for 'onmessage'). The outer frame's MessagePort to the
 * workbench is where every message of the webview leaves (acquireVsCodeApi's postMessage and
 * setState included). `during` (optional) runs while counting.
 */
async function countMessages(frame, outer, ms, during = async () => {}) {
  await outer.evaluate(() => {
    const w = globalThis;
    if (!w.__sent) {
      const orig = MessagePort.prototype.postMessage;
      w.__sent = {};
      MessagePort.prototype.postMessage = function (m, ...rest) {
        const d = m?.data;
        const msg = m?.channel === 'onmessage' ? d?.message : undefined;
        const k = msg ? `onmessage ${msg.rpc} ${msg.name ?? msg.method ?? ''}`.trim() : String(m?.channel);
        w.__sent[k] = (w.__sent[k] ?? 0) + 1;
        return orig.call(this, m, ...rest);
      };
    }
    w.__sent = {};
  });
  const receiving = frame.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const got = {};
        const h = (e) => {
          const m = e.data;
          const k = `${m?.rpc} ${m?.name ?? m?.method ?? ''}`.trim();
          (got[k] ??= []).push(JSON.stringify(m)?.length ?? 0);
        };
        window.addEventListener('message', h);
        setTimeout(() => {
          window.removeEventListener('message', h);
          resolve(got);
        }, ms);
      }),
    ms,
  );
  await during();
  const received = await receiving;
  const sent = await outer.evaluate(() => globalThis.__sent);
  return { received, sent };
}

export async function test(t) {
  const page = t.page;
  // Workspace settings: the configuration service picks the file up while the window runs.
  const settingsFile = path.join(t.folder, '.vscode', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(settingsFile, JSON.stringify({ 'shmInspector.hexEditor.liveRefresh': LIVE_MS }, null, 2) + '\n');
  await extensionReady(t);

  const seg = await createSegment(t, 4096);
  await t.cli('write', seg.id, '--text', 'live refresh CPU test');
  const writer = await startCounterWriter(t, seg.id, COUNTER_AT, WRITER_MS);
  t.log(`segment ${seg.id} ${seg.keyHex}, counter at 0x${COUNTER_AT.toString(16)} bumped every ${WRITER_MS} ms by pid ${writer.pid}`);

  await openSegment(t, seg, () => armWatch(page, { offset: 0, expected: '6c', startKey: { key: 'Enter' } }));
  await watchResult(page);
  const frame = await webviewFrame(t);
  const outer = frame.parentFrame();
  const toggle = frame.locator('.live-toggle');
  await until('the Pause button', async () => (await toggle.isVisible()) && (await toggle.innerText()).trim() === 'Pause', 10000);

  // The setting is in effect when the counter cell changes about 10 times a second (at the
  // default 500 ms it would be 2).
  let rate = 0;
  await until(
    `live refresh at ${LIVE_MS} ms (the workspace setting)`,
    async () => {
      rate = (await countCounterChanges(frame, COUNTER_AT, 2000)) / 2;
      return rate >= 6;
    },
    20000,
    0,
  );
  t.log(`counter cell changes ${rate.toFixed(1)} times/s in the webview (live refresh ${LIVE_MS} ms in effect)`);

  const procs = workbenchProcesses(seg.id);
  const pids = [procs.host.pid, procs.agent.pid];
  t.log(`processes: extension host ${procs.host.pid}, agent ${procs.agent.pid}, ${procs.chromium.length} chromium`);

  // Console messages reach the runner over CDP (and cost the browser work): count them.
  let consoleMessages = 0;
  page.on('console', () => consoleMessages++);

  const measureWindow = async () => {
    const a = cpuSnapshot(pids);
    await sleep(WINDOW_S * 1000);
    return cpuDelta(a, cpuSnapshot(pids));
  };
  const parts = (d) => ({
    host: d.byPid.get(procs.host.pid) ?? 0,
    agent: d.byPid.get(procs.agent.pid) ?? 0,
    chromium: d.chromium,
    ...Object.fromEntries(Object.entries(d.chromiumByType).map(([k, v]) => [`chromium ${k}`, v])),
  });
  const minus = (a, b) => Object.fromEntries(Object.keys({ ...a, ...b }).map((k) => [k, (a[k] ?? 0) - (b[k] ?? 0)]));
  const setPaused = async (paused) => {
    const want = paused ? 'Resume' : 'Pause';
    if ((await toggle.innerText()).trim() !== want) await toggle.click();
    await until(`live refresh ${paused ? 'paused' : 'running'}`, async () => (await toggle.innerText()).trim() === want, 5000);
    await sleep(500);
  };
  // The floor: the same paused editor, with one cell's text changed ten times a second by a
  // script injected into the webview (no messages, none of our code): what any webview
  // pays in this workbench to repaint at 10 Hz.
  const floorScript = (on) =>
    frame.evaluate(({ on, offset }) => {
      const w = globalThis;
      clearInterval(w.__floorTimer);
      if (!on) return;
      let n = 0;
      w.__floorTimer = setInterval(() => w.requestAnimationFrame(() => {
        const c = w.document.querySelector(`.hex-cell[data-offset="${offset}"]`);
        if (c) c.textContent = (++n & 255).toString(16).padStart(2, '0').toUpperCase();
      }), 100);
    }, { on, offset: COUNTER_AT });
  /**
   * ROUNDS × (window with live refresh running − window paused), and with `floor` the floor's
   * window − the same paused window: measured side by side, the load of the machine (other
   * jobs) shifts both alike. Medians are taken per part.
   */
  const measureLive = async (floor) => {
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      await setPaused(false);
      const live = parts(await measureWindow());
      await setPaused(true);
      const paused = parts(await measureWindow());
      const round = { live, paused, added: minus(live, paused) };
      if (floor) {
        await floorScript(true);
        await sleep(500);
        round.floor = { added: minus(parts(await measureWindow()), paused) };
        await floorScript(false);
        await pings(true, viewBytes);
        await sleep(500);
        round.messageFloor = { added: minus(parts(await measureWindow()), paused) };
        await pings(false);
      }
      rounds.push(round);
    }
    return rounds;
  };
  const medianOf = (rounds, pick) => median(rounds.map(pick));

  // The message floor: the host's test pings (one message per refresh, as large as a busy
  // `view` push), each repainting one cell from an injected script.
  const pings = async (on, bytes = 0) => {
    await frame.evaluate(({ on, offset }) => {
      const w = globalThis;
      if (w.__pingListener) w.removeEventListener('message', w.__pingListener);
      w.__pingListener = undefined;
      if (!on) return;
      w.__pingListener = (e) => {
        if (e.data?.name !== 'testPing') return;
        const n = e.data.payload.n;
        w.requestAnimationFrame(() => {
          const c = w.document.querySelector(`.hex-cell[data-offset="${offset}"]`);
          if (c) c.textContent = (n & 255).toString(16).padStart(2, '0').toUpperCase();
        });
      };
      w.addEventListener('message', w.__pingListener);
    }, { on, offset: COUNTER_AT });
    // The webview's own postMessage, as acquireVsCodeApi() sends it (the webview's Rpc has no
    // use for this event, so the bench sends it from VS Code's outer frame).
    await outer.evaluate(({ periodMs, bytes }) => {
      const post = globalThis.__vscode_post_message__;
      if (typeof post !== 'function') throw new Error("VS Code's webview frame has no __vscode_post_message__ (changed in this VS Code?)");
      post('onmessage', { message: { rpc: 'event', name: 'testPings', payload: { periodMs, bytes } } });
    }, { periodMs: on ? LIVE_MS : 0, bytes });
  };

  // What one refresh sends each way, and how large a `view` push is (the message floor's size).
  await setPaused(false);
  const traffic = await countMessages(frame, outer, 3000);
  const viewSizes = traffic.received['event view'] ?? [];
  const viewBytes = Math.round(median(viewSizes.length ? viewSizes : [0]));
  const perS = (n) => (n / 3).toFixed(1);
  t.log(`messages in 3 s of busy live refresh, host -> webview: ${Object.entries(traffic.received).map(([k, v]) => `${k} ${perS(v.length)}/s (median ${median(v)} B)`).join(', ') || 'none'}`);
  t.log(`  webview -> host: ${Object.entries(traffic.sent).map(([k, v]) => `${k} ${perS(v)}/s`).join(', ') || 'none'}`);
  if (viewBytes === 0) throw new Error('no `view` push seen in 3 s of busy live refresh');
  // The pings reach the webview (the host runs with the test hooks): else the floor is empty.
  await setPaused(true);
  const pingTraffic = await countMessages(frame, outer, 1500, () => pings(true, viewBytes));
  await pings(false);
  const pingsSeen = pingTraffic.received['event testPing'] ?? [];
  if (pingsSeen.length < 5) throw new Error(`${pingsSeen.length} test pings reached the webview in 1.5 s (is SHM_INSPECTOR_TEST_HOOKS=1 set for the server? ui.mjs --bench sets it)`);
  // Also shows that webview -> host messages are counted (the pings' start is one).
  t.log(`test pings: ${pingsSeen.length} in 1.5 s, median ${median(pingsSeen)} B (a busy view push: ${viewBytes} B); webview -> host meanwhile: ${Object.entries(pingTraffic.sent).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);

  const c0 = consoleMessages;
  const busy = await measureLive(true);
  const changesWhilePaused = await countCounterChanges(frame, COUNTER_AT, 1000);
  const status = (await frame.locator('.status-live').innerText().catch(() => '')).trim();
  await writer.stop();
  const quiet = await measureLive(false);
  const consoleDuring = consoleMessages - c0;

  const webviewFloorRounds = busy.map((r) => r.floor);
  const messageFloorRounds = busy.map((r) => r.messageFloor);

  // Baseline 2: a bare page in this browser repainting one cell ten times a second, measured
  // against the paused workbench alone (the bare page closed).
  const floorRounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const bare = await page.context().newPage();
    await bare.setContent(BARE_PAGE);
    await sleep(500);
    const running = parts(await measureWindow());
    await bare.close();
    await sleep(500);
    const idle = parts(await measureWindow());
    floorRounds.push(running.chromium - idle.chromium);
  }
  await page.bringToFront();

  const f = (x) => `${x.toFixed(2)}%`;
  const total = (rounds) => medianOf(rounds, (r) => r.added.host + r.added.agent + r.added.chromium);
  const busyTotal = Math.max(0, total(busy));
  const quietTotal = Math.max(0, total(quiet));
  const floor = Math.max(0, median(floorRounds));
  const webviewFloor = Math.max(0, total(webviewFloorRounds));
  const messageFloor = Math.max(0, total(messageFloorRounds));
  const describe = (rounds) => {
    const keys = Object.keys(rounds[0].added).filter((k) => k !== 'chromium');
    return keys.map((k) => `${k} ${f(medianOf(rounds, (r) => r.added[k]))}`).join(', ');
  };
  t.log(`[measure] live refresh ${LIVE_MS} ms; medians of ${ROUNDS} rounds of ${WINDOW_S} s windows, % of one core added over the paused editor:`);
  t.log(`[measure]   busy (bytes change at every refresh): ${f(busyTotal)} = ${describe(busy)}`);
  t.log(`[measure]   quiet (nothing writes): ${f(quietTotal)} = ${describe(quiet)}`);
  t.log(`[measure]   as measured, busy: host ${f(medianOf(busy, (r) => r.live.host))} (paused ${f(medianOf(busy, (r) => r.paused.host))}), chromium ${f(medianOf(busy, (r) => r.live.chromium))} (paused ${f(medianOf(busy, (r) => r.paused.chromium))})`);
  const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}x` : '∞');
  const sum = (a) => a.host + a.agent + a.chromium;
  const roundTotals = (rounds) => rounds.map((r) => f(sum(r.added))).join(', ');
  t.log(`[measure]   floor, the paused webview repainting one cell at 10 Hz by an injected script: ${f(webviewFloor)} = ${describe(webviewFloorRounds)} (rounds ${roundTotals(webviewFloorRounds)})`);
  t.log(`[measure]   message floor, the paused webview getting one ${viewBytes} B host message per refresh and repainting one cell: ${f(messageFloor)} = ${describe(messageFloorRounds)} (rounds ${roundTotals(messageFloorRounds)})`);
  t.log(`[measure]   busy rounds ${roundTotals(busy)}; quiet rounds ${roundTotals(quiet)}`);
  // Ratios within a round pair windows measured seconds apart: their median shrugs off a round
  // that other jobs on the machine disturbed.
  const byRound = (pick) => busy.map((r) => sum(r.added) / sum(pick(r)));
  const roundRatios = (xs) => `${xs.map((x) => (Number.isFinite(x) && x > 0 ? `${x.toFixed(2)}x` : '-')).join(', ')} (median ${median(xs.filter((x) => Number.isFinite(x) && x > 0)).toFixed(2)}x)`;
  t.log(`[measure]   busy / floor by round ${roundRatios(byRound((r) => r.floor.added))}; busy / message floor by round ${roundRatios(byRound((r) => r.messageFloor.added))}; message floor / floor by round ${roundRatios(busy.map((r) => sum(r.messageFloor.added) / sum(r.floor.added)))}`);
  t.log(`[measure]   baseline, a bare page repainting one cell at 10 Hz in the same browser: ${f(floor)} (rounds ${floorRounds.map(f).join(', ')}); busy / bare page = ${ratio(busyTotal, floor)}`);
  t.log(`console messages during the windows: ${consoleDuring}`);
  t.log(`paused: status "${status}", counter cell changes in 1 s while paused: ${changesWhilePaused}`);

  await closeAllEditors(t);

  if (changesWhilePaused > 0) throw new Error(`the counter cell still changed ${changesWhilePaused} times in 1 s after Pause`);
  // A measurement, reported like bench/: each verdict line says ok or short.
  const busyOk = busyTotal <= BUSY_RATIO * webviewFloor;
  t.log(`live-refresh-busy: ${f(busyTotal)} of one core with bytes changing at every refresh = ${ratio(busyTotal, webviewFloor)} the floor of this run (${f(webviewFloor)}; target <= ${BUSY_RATIO}x) ${busyOk ? 'ok' : 'short'}`);
  t.log(`live-refresh-busy vs message floor: ${f(busyTotal)} = ${ratio(busyTotal, messageFloor)} the message floor of this run (${f(messageFloor)}: what VS Code's relay costs for one message per refresh); message floor / floor = ${ratio(messageFloor, webviewFloor)}`);
  t.log(`live-refresh-quiet: ${f(quietTotal)} of one core with nothing changing (target <= ${QUIET_PCT}%) ${quietTotal <= QUIET_PCT ? 'ok' : 'short'}`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The baseline page: 40 rows of 16 hex cells; one cell's text and class change every 100 ms. */
const BARE_PAGE = `<!doctype html><html><head><style>
body { font: 13px monospace; margin: 0; background: #1e1e1e; color: #ccc; }
.row { display: flex; height: 19px; line-height: 19px; white-space: pre; padding: 0 1ch; contain: layout paint style; }
.c { width: 3ch; flex: 0 0 auto; text-align: center; }
.hot { background: #cca70066; }
</style></head><body><div id="g"></div><script>
const g = document.getElementById('g');
const cells = [];
for (let r = 0; r < 40; r++) {
  const row = document.createElement('div');
  row.className = 'row';
  for (let i = 0; i < 16; i++) {
    const c = document.createElement('span');
    c.className = 'c';
    c.textContent = ((r * 16 + i) & 255).toString(16).padStart(2, '0');
    row.append(c);
    cells.push(c);
  }
  g.append(row);
}
let n = 0;
setInterval(() => requestAnimationFrame(() => {
  n++;
  cells[32].textContent = (n & 255).toString(16).padStart(2, '0');
  cells[32].className = 'c hot';
}), 100);
</script></body></html>`;
