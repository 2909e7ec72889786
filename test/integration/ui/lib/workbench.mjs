// Workbench helpers for the measure/liveHeat UI tests: open a segment from the command
// palette, close editors, reach the hex editor's webview document, and time "key press →
// cell shows the right digits" inside the browser.
//
// Timing is done in the workbench page itself: the webview's frames are same-origin
// (iframe.webview → iframe#active-frame, both served by VS Code's server), so a watcher in the
// top document can look into them every animation frame and observe their DOM. Start = the
// keydown event of the key that triggers the action (captured on the window that receives
// it), end = the first moment the cell `.hex-cell[data-offset=N]` of a visible, active webview
// frame has the expected text (a MutationObserver on the webview document, with an
// animation-frame poll as a fallback). Both are Date.now() in the browser, so the figures
// contain no CDP round trips.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function until(what, fn, timeout = 15000, every = 50) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(every);
  }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
};

/** The extension's contributions are in (its activity bar item shows). */
export async function extensionReady(t) {
  await t.page
    .locator('.activitybar a.action-label[aria-label^="Shared Memory"]')
    .first()
    .waitFor({ state: 'visible', timeout: 60000 });
}

/**
 * Command palette → "Open Segment in Hex Editor…" → type the segment's key → wait until the
 * listed segment (`id N`) is the first row → `beforeEnter()` (arm a watch) → Enter. Retries
 * the palette step (the command list can lag the extension's registration right after the
 * workbench loads).
 */
export async function openSegment(t, seg, beforeEnter) {
  const page = t.page;
  const input = page.locator('.quick-input-widget input').first();
  for (let attempt = 1; ; attempt++) {
    try {
      await t.runCommand('Open Segment in Hex Editor');
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.keyboard.press('Escape');
      await sleep(1000);
    }
  }
  await until('the Open Segment quick pick', async () => (await input.getAttribute('placeholder'))?.includes('Pick a segment'), 15000);
  await input.fill(seg.keyHex);
  const first = page.locator('.quick-input-widget .monaco-list-row').first();
  await until(
    `the quick pick to list segment ${seg.id}`,
    async () => {
      const label = (await first.getAttribute('aria-label').catch(() => null)) ?? '';
      return label.includes(seg.keyHex) && label.includes(`id ${seg.id}`);
    },
    15000,
    20,
  );
  if (beforeEnter) await beforeEnter();
  await page.keyboard.press('Enter');
}

/** View: Close All Editors, then wait until no editor tab is left. */
export async function closeAllEditors(t) {
  await t.runCommand('View: Close All Editors');
  await until('all editors to close', async () => (await t.page.locator('.tabs-container .tab').count()) === 0, 15000);
}

/** The Playwright Frame of the visible hex editor webview's document (for evaluate()). */
export async function webviewFrame(t, nth = 0) {
  return until(
    'the hex editor webview frame',
    async () => {
      const outer = await t.page.locator('iframe.webview.ready').nth(nth).elementHandle({ timeout: 1000 }).catch(() => null);
      const outerFrame = await outer?.contentFrame();
      const inner = await outerFrame?.locator('iframe#active-frame').elementHandle({ timeout: 1000 }).catch(() => null);
      const frame = await inner?.contentFrame();
      if (!frame) return null;
      const ok = await frame.evaluate(() => !!document.querySelector('.hex-editor .grid')).catch(() => false);
      return ok ? frame : null;
    },
    30000,
    100,
  );
}

/**
 * Arm a watch in the workbench page: it records `start` at the first keydown matching
 * `startKey` ({key, ctrl?}) on `startOn` ('top': the workbench window, e.g. Enter in the
 * quick pick; 'webview': the hex editor's document, e.g. Ctrl+End in the grid), and `shown`
 * when the cell for `offset` shows `expected` (two lowercase hex digits) in a visible, active
 * webview frame. Read the result with watchResult().
 */
export async function armWatch(page, { offset, expected, startKey, startOn = 'top' }) {
  await page.evaluate(
    ({ offset, expected, startKey, startOn }) => {
      const W = { start: null, shown: null, text: null, error: null, done: false };
      window.__shmWatch = W;
      const sel = `.hex-cell[data-offset="${offset}"]`;
      const visible = (el) => {
        if (!el) return false;
        const cs = el.ownerDocument.defaultView.getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return cs.visibility !== 'hidden' && cs.display !== 'none' && r.width > 0 && r.height > 0;
      };
      const webviews = () => {
        const out = [];
        for (const outer of document.querySelectorAll('iframe.webview')) {
          let od = null;
          try {
            od = outer.contentDocument;
          } catch {
            /* cross-origin: not ours */
          }
          const inner = od?.querySelector('iframe#active-frame');
          let idoc = null;
          try {
            idoc = inner?.contentDocument ?? null;
          } catch {
            /* cross-origin */
          }
          if (idoc) out.push({ outer, inner, idoc });
        }
        return out;
      };
      // Phases on the way (first time seen after the key press): a visible webview frame, its
      // document with the hex editor, the cell with any text, the cell with the right text.
      W.phases = {};
      const phase = (name) => {
        if (W.phases[name] === undefined) W.phases[name] = Date.now();
      };
      const check = () => {
        if (W.done) return;
        if (startKey && W.start === null) return; // shown only counts after the key press
        for (const f of webviews()) {
          if (!visible(f.outer)) continue;
          phase('frame');
          if (f.idoc.querySelector('.hex-editor')) phase('editor');
          const cell = f.idoc.querySelector(sel);
          const text = cell?.textContent?.trim().toLowerCase();
          if (text) phase('cell');
          if (text === expected && visible(f.outer) && visible(f.inner)) {
            W.shown = Date.now();
            W.text = text;
            W.done = true;
            return;
          }
        }
      };
      // Start: the trigger key's keydown, on the window that receives it.
      if (startKey) {
        const target =
          startOn === 'webview'
            ? webviews().find((f) => visible(f.outer) && f.idoc.querySelector('.hex-editor'))?.inner.contentWindow
            : window;
        if (!target) {
          W.error = 'no visible hex editor webview to listen to';
          W.done = true;
          return;
        }
        const onKey = (e) => {
          if (e.key === startKey.key && !!e.ctrlKey === !!startKey.ctrl && W.start === null) {
            W.start = Date.now();
            target.removeEventListener('keydown', onKey, true);
          }
        };
        target.addEventListener('keydown', onKey, true);
      }
      // End: DOM mutations of every webview document (precise), plus a per-frame poll (for
      // documents that appear later and for visibility changes).
      const observed = new WeakSet();
      const observers = [];
      const tick = () => {
        if (W.done) {
          for (const o of observers) o.disconnect();
          return;
        }
        for (const f of webviews()) {
          if (observed.has(f.idoc)) continue;
          observed.add(f.idoc);
          const o = new MutationObserver(check);
          o.observe(f.idoc, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['class'] });
          observers.push(o);
        }
        check();
        requestAnimationFrame(tick);
      };
      tick();
    },
    { offset, expected, startKey, startOn },
  );
}

/**
 * Wait for the armed watch: {start, shown, ms, phases} (ms = shown - start; phases: ms after
 * start at which a visible webview frame / the hex editor / any text in the cell appeared).
 */
export async function watchResult(page, timeout = 30000) {
  try {
    await page.waitForFunction(() => window.__shmWatch?.done, undefined, { timeout, polling: 20 });
  } catch (e) {
    const w = await page.evaluate(() => window.__shmWatch).catch(() => null);
    throw new Error(`${e.message}; watch state: ${JSON.stringify(w)}`, { cause: e });
  }
  const w = await page.evaluate(() => window.__shmWatch);
  if (w.error) throw new Error(w.error);
  if (w.start === null) throw new Error('the trigger key press was not seen');
  const phases = {};
  for (const [k, v] of Object.entries(w.phases ?? {})) phases[k] = v - w.start;
  return { ...w, ms: w.shown - w.start, phases };
}
