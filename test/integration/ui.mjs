#!/usr/bin/env node
// npm run test:ui — drives the real VS Code workbench (VS Code's server from the code-server
// package, opened in Debian's headless Chromium) with the packaged extension installed.
//
//   node test/integration/ui.mjs [--vsix FILE] [NAME_FILTER...]
//
// Installs the newest shm-inspector-linux-x64-*.vsix of the repo root (`npm run package`)
// into a fresh extensions dir, starts the server once, and for every
// test/integration/ui/*.ui.mjs (with --bench: *.bench.mjs, measurements that report ok/short
// instead of failing) (alphabetical; only those whose name contains a filter when
// given) opens a fresh browser on a fresh temp workspace folder and calls its export:
//
//   export const timeoutMs = 120000;            // optional, per file (default 120 s)
//   export async function test(t) { ... }       // throw (or reject) to fail
//
// `t` (the helper API):
//   t.page                      playwright-core Page of the workbench
//   t.folder                    absolute path of the workspace folder (on this machine)
//   t.serverUrl                 e.g. http://127.0.0.1:41234/
//   t.repoRoot                  repo root
//   t.userDataDir               the server's user data dir (User/settings.json, User/keybindings.json;
//                               a keybindings.json written after load is read only on a reload)
//   t.overlayStore              the C type overlay store of this run (SHM_INSPECTOR_OVERLAYS of the
//                               server and of t.cli): UI tests never touch the user's own store
//   t.openView(title)           click the activity bar item whose aria-label starts with
//                               title (e.g. 'Shared Memory'); resolves when its side bar is shown
//   t.runCommand(label)         command palette: F1, type label, wait for a match, Enter
//   t.viewPane(viewTitle)       Locator of the view pane whose header title starts with viewTitle
//   t.treeRows(viewTitle?)      Locator of tree/list rows ('.monaco-list-row'), inside the
//                               view pane whose header title starts with viewTitle if given
//   t.treeRow(text, viewTitle?) the first of those rows containing text
//   t.waitForText(loc, re, ms?) wait (default 5 s) until loc's innerText matches re; returns it
//                               (a view's message reaches the workbench after its rows)
//   t.viewLoaded(scope?)        wait until the side bar (or scope Locator) has no running
//                               progress bar and shows list rows or welcome content
//   t.webview(nth = 0)          FrameLocator of the nth visible webview's document
//                               (iframe.webview → iframe#active-frame)
//   t.answerDialog(button)      click a button (by accessible name) of the modal dialog;
//                               resolves with the dialog's message text
//   t.notification(text)        Locator of a notification toast containing text
//   t.screenshot(name, opts?)   save <name>.png in test-results/screenshots, or in
//                               media/screenshots (committed, used by README) with
//                               SHM_UPDATE_SCREENSHOTS=1; opts are Page.screenshot options (e.g. {clip}),
//                               plus keepMouse: true to keep hovers (the mouse is parked
//                               on the title bar first otherwise)
//   t.cli(...args)              run `node dist/cli.js args…`, returns stdout (throws on exit≠0)
//   t.cliJson(...args)          same with --json appended, parsed
//   t.addCleanup(fn)            run fn after this test file, pass or fail (e.g. remove segments)
//   t.log(...args)              print indented under the test's name
//   t.sleep(ms)
//
// A failing file gets test-results/ui/<file>-failure.png and the extension host's console. The run ends with the line
// `ui: N passed, N failed`. Environment: SHM_INSPECTOR_VERBOSE=1 (server + browser logs),
// SHM_INSPECTOR_SKIP_INSTALL=1 (don't run scripts/install-vscode-server.sh).
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { installScript, newestVsix, repoRoot, screenshotsDir } from './paths.mjs';
import {
  cleanupAll,
  consoleForwarder,
  installVsix,
  makeTempDir,
  openWorkbench,
  removeDir,
  startServer,
} from './vscode-server.mjs';

const execFileP = promisify(execFile);
/** src/protocol/testHooks.ts TEST_HOOKS_ENV (this script runs without a build). */
const TEST_HOOKS_ENV = 'SHM_INSPECTOR_TEST_HOOKS';
const verbose = !!process.env.SHM_INSPECTOR_VERBOSE;
const uiDir = path.join(repoRoot, 'test', 'integration', 'ui');
const failuresDir = path.join(repoRoot, 'test-results', 'ui');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseArgs(argv) {
  const o = { vsix: null, filters: [], suffix: '.ui.mjs' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--vsix') o.vsix = path.resolve(argv[++i]);
    // Measurements that print a figure and ok/short like bench/, run by `npm run bench:ui`.
    else if (argv[i] === '--bench') o.suffix = '.bench.mjs';
    else o.filters.push(argv[i]);
  }
  return o;
}



const cssString = (s) => JSON.stringify(String(s));

/** The helper object handed to each UI test. */
function helpers({ page, folder, serverUrl, cleanups, userDataDir, overlayStore }) {
  const t = {
    page,
    folder,
    serverUrl,
    repoRoot,
    userDataDir,
    overlayStore,
    sleep,
    log: (...args) => console.log(`      ${args.join(' ')}`),
    addCleanup: (fn) => cleanups.push(fn),

    async openView(title) {
      const item = page.locator(`.activitybar a.action-label[aria-label^=${cssString(title)}]`).first();
      await item.waitFor({ state: 'visible', timeout: 30000 });
      const selected = await item.evaluate((el) => {
        const li = el.closest('li, .action-item');
        return !!(li && (li.classList.contains('checked') || li.getAttribute('aria-selected') === 'true' || li.getAttribute('aria-pressed') === 'true'));
      });
      if (!selected) await item.click();
      await page.locator('.part.sidebar').first().waitFor({ state: 'visible', timeout: 15000 });
      return page.locator('.part.sidebar').first();
    },

    async runCommand(label) {
      const input = page.locator('.quick-input-widget input').first();
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
      // Right after the window loads the palette's command list can lag the extension's
      // contributions: reopen it a few times before giving up.
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout: 15000 });
        await input.fill(`>${label}`);
        try {
          await row.waitFor({ state: 'visible', timeout: attempt < 3 ? 5000 : 15000 });
          break;
        } catch (e) {
          if (attempt >= 3) throw e;
          await page.keyboard.press('Escape');
        }
      }
      // Enter runs the focused (first) match; click the exact one when it is not first.
      const first = page.locator('.quick-input-widget .monaco-list-row').first();
      if ((await first.getAttribute('aria-label'))?.includes(label)) await page.keyboard.press('Enter');
      else await row.click();
    },

    viewPane(viewTitle) {
      return page
        .locator('.pane', {
          has: page.locator(`.pane-header[aria-label^=${cssString(viewTitle)}], .pane-header .title[title^=${cssString(viewTitle)}]`),
        })
        .first();
    },

    treeRows(viewTitle) {
      const scope = viewTitle ? t.viewPane(viewTitle) : page.locator('.part.sidebar');
      return scope.locator('.monaco-list-row');
    },

    treeRow(text, viewTitle) {
      return t.treeRows(viewTitle).filter({ hasText: text }).first();
    },

    async waitForText(locator, re, timeout = 5000) {
      let text;
      for (const until = Date.now() + timeout; ; await sleep(100)) {
        text = ((await locator.innerText({ timeout }).catch(() => '')) ?? '').trim();
        if (re.test(text) || Date.now() > until) break;
      }
      if (!re.test(text)) throw new Error(`expected text matching ${re}, got '${text.slice(0, 200)}'`);
      return text;
    },

    async viewLoaded(scope, timeout = 30000) {
      const root = scope ?? page.locator('.part.sidebar').first();
      await root.locator('.monaco-list-row, .welcome-view-content').first().waitFor({ state: 'visible', timeout });
      const deadline = Date.now() + timeout;
      // Views show welcome content while their first getChildren() is pending; the progress
      // bar (.monaco-progress-container.active) says it is still loading.
      while ((await root.locator('.monaco-progress-container.active').count()) > 0) {
        if (Date.now() > deadline) throw new Error('view still loading after ' + timeout + ' ms');
        await sleep(100);
      }
      await root.locator('.monaco-list-row, .welcome-view-content').first().waitFor({ state: 'visible', timeout });
    },

    webview(nth = 0) {
      return page.frameLocator('iframe.webview.ready').nth(nth).frameLocator('iframe#active-frame');
    },

    async answerDialog(button) {
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ state: 'visible', timeout: 15000 });
      const message = await dialog
        .locator('.dialog-message-row')
        .first()
        .innerText({ timeout: 2000 })
        .catch(() => '');
      await dialog.getByRole('button', { name: button, exact: false }).first().click();
      await dialog.waitFor({ state: 'hidden', timeout: 15000 });
      return message.trim();
    },

    notification(text) {
      return page.locator('.notification-toast', { hasText: text }).first();
    },

    async screenshot(shotName, opts = {}) {
      fs.mkdirSync(screenshotsDir, { recursive: true });
      const file = path.join(screenshotsDir, `${shotName}.png`);
      const { keepMouse, ...shotOpts } = opts;
      if (!keepMouse) {
        // Park the mouse on an empty bit of the title bar so no hover/tooltip is captured.
        const vp = page.viewportSize() ?? { width: 1280, height: 800 };
        await page.mouse.move(Math.round(vp.width * 0.8), 8);
        await sleep(400);
      }
      await page.screenshot({ path: file, animations: 'disabled', ...shotOpts });
      t.log(`screenshot ${path.relative(repoRoot, file)}`);
      return file;
    },

    async cli(...args) {
      const cli = path.join(repoRoot, 'dist', 'cli.js');
      try {
        const { stdout } = await execFileP(process.execPath, [cli, ...args.map(String)], { cwd: repoRoot });
        return stdout;
      } catch (e) {
        throw new Error(`shm-inspector ${args.join(' ')} failed (exit ${e.code}): ${e.stderr || e.message}`, { cause: e });
      }
    },

    async cliJson(...args) {
      return JSON.parse(await t.cli(...args, '--json'));
    },
  };
  return t;
}

async function runOne(file, server) {
  const name = path.basename(file).replace(/\.(ui|bench)\.mjs$/, '');
  const mod = await import(pathToFileURL(file).href);
  if (typeof mod.test !== 'function') throw new Error(`${file} does not export async function test(t)`);
  const timeoutMs = mod.timeoutMs ?? 120000;
  // A stable folder name: it shows in the title bar of screenshots.
  const folder = path.join(makeTempDir(`ui-${name}`), 'workspace');
  fs.mkdirSync(folder);
  const cleanups = [];
  // Extension host console: printed live with SHM_INSPECTOR_VERBOSE, else kept and shown
  // (the last 60 lines) when the file fails.
  const hostLines = [];
  const fwd = consoleForwarder(
    (l) => (verbose ? console.log(`      [ext] ${l}`) : hostLines.push(l) > 500 && hostLines.shift()),
    { verbose },
  );
  const wb = await openWorkbench(server.url, {
    folder,
    viewport: { width: 1280, height: 800 },
    onConsole: fwd.onConsole,
  });
  const t = helpers({ page: wb.page, folder, serverUrl: server.url, cleanups, userDataDir: server.userDataDir, overlayStore: server.overlayStore });
  let timer;
  try {
    await Promise.race([
      mod.test(t),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    fs.mkdirSync(failuresDir, { recursive: true });
    const shot = path.join(failuresDir, `${name}-failure.png`);
    await wb.page.screenshot({ path: shot }).catch(() => {});
    e.screenshot = path.relative(repoRoot, shot);
    await fwd.flush();
    e.hostLog = hostLines.slice(-60);
    throw e;
  } finally {
    clearTimeout(timer);
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        console.error(`      cleanup failed: ${e?.message ?? e}`);
      }
    }
    await fwd.flush();
    await wb.close();
    removeDir(path.dirname(folder));
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const vsix = args.vsix ?? newestVsix();
  if (!vsix || !fs.existsSync(vsix)) {
    console.error('ui: FAILED: no shm-inspector-linux-x64-*.vsix in the repo root: run `npm run package` first');
    console.log('ui: 0 passed, 1 failed');
    return 1;
  }
  const files = (fs.existsSync(uiDir) ? fs.readdirSync(uiDir) : [])
    .filter((f) => f.endsWith(args.suffix))
    .filter((f) => args.filters.length === 0 || args.filters.some((p) => f.includes(p)))
    .sort()
    .map((f) => path.join(uiDir, f));
  if (files.length === 0) {
    console.error(`ui: FAILED: no test/integration/ui/*${args.suffix}${args.filters.length ? ` matching ${args.filters.join(' ')}` : ''}`);
    console.log('ui: 0 passed, 1 failed');
    return 1;
  }
  if (process.env.SHM_INSPECTOR_SKIP_INSTALL !== '1') {
    const r = spawnSync('bash', [installScript], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.log('ui: 0 passed, 1 failed');
      return 1;
    }
  }

  const t0 = Date.now();
  const extensionsDir = makeTempDir('ui-extensions');
  const userDataDir = makeTempDir('ui-user-data');
  // C types applied in UI tests go to a store of this run (the server's extension hosts and
  // t.cli inherit it), never to the user's own.
  const overlayStore = path.join(makeTempDir('ui-overlays'), 'overlays.json');
  process.env.SHM_INSPECTOR_OVERLAYS = overlayStore;
  await installVsix(vsix, { extensionsDir, userDataDir: makeTempDir('ui-install-data') });
  console.log(`[ui] installed ${path.relative(repoRoot, vsix) || vsix} in ${Date.now() - t0} ms`);
  const server = await startServer({
    extensionsDir,
    userDataDir,
    smokeTestDriver: false, // it would hide notification toasts
    // Measurements use test hooks (the hex editor's test pings: liveRefreshCpu.bench.mjs).
    env: args.suffix === '.bench.mjs' ? { [TEST_HOOKS_ENV]: '1' } : undefined,
    log: verbose ? (l) => console.log(`[server] ${l}`) : undefined,
  });
  Object.assign(server, { userDataDir, overlayStore });
  console.log(`[ui] VS Code server at ${server.url} (ready ${Date.now() - t0} ms)`);

  let passed = 0;
  let failed = 0;
  try {
    for (const file of files) {
      const name = path.basename(file);
      const s = Date.now();
      console.log(`  ${name}`);
      try {
        await runOne(file, server);
        passed++;
        console.log(`    ✔ ${name} (${Date.now() - s} ms)`);
      } catch (e) {
        failed++;
        console.log(`    ✖ ${name} (${Date.now() - s} ms): ${e?.stack ?? e}`);
        if (e?.screenshot) console.log(`      failure screenshot: ${e.screenshot}`);
        if (e?.hostLog?.length) {
          console.log('      extension host console (last lines):');
          for (const l of e.hostLog) console.log(`        ${l}`);
        }
      }
    }
  } finally {
    await server.stop();
  }
  console.log(`[ui] ${files.length} file(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`ui: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`ui: FAILED: ${e?.stack ?? e}`);
  console.log('ui: 0 passed, 1 failed');
} finally {
  await cleanupAll();
}
process.exit(code);
