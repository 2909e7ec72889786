// Test harness for the hex editor webview: bundles the webview and the fake host with
// esbuild, serves the page built by renderHexEditorHtml (real nonce, real CSP) from a
// local http server on 127.0.0.1, and opens it in Debian's headless Chromium with the
// fake host injected before the page's own scripts. Every page records console errors,
// page errors, CSP violations and requests outside the server; `assertClean` fails on any.

import * as assert from 'node:assert/strict';
import { after, before } from 'node:test';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { renderHexEditorHtml } from '../../src/extension/hexEditor/html';
import type { FakeHostConfig, FakeHostStats } from './fakeHost';
import type { PageEvent, PageGlobals } from './pageDom';

export { baseByte, THEMES } from './virtualSegment';

/** Repo root (this file runs from out/test/webview). */
export const ROOT = findRoot(__dirname);

/**
 * Path for a screenshot: media/screenshots (committed, shown by the README) only with
 * SHM_UPDATE_SCREENSHOTS=1 (`npm run screenshots`), else test-results/screenshots, so a test
 * run leaves the working tree as it was (the same rule as test/integration/paths.mjs).
 */
export function screenshotFile(name: string): string {
  const dir = process.env.SHM_UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'media', 'screenshots') : path.join(ROOT, 'test-results', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

function findRoot(dir: string): string {
  let d = dir;
  while (!fs.existsSync(path.join(d, 'package.json')) || !fs.existsSync(path.join(d, 'src', 'webview', 'main.ts'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error(`repo root not found above ${dir}`);
    d = up;
  }
  return d;
}

interface Bundles { webview: string; fakeHost: string }
let bundles: Bundles | undefined;

/** Bundle src/webview/main.ts and test/webview/fakeHost.ts (once per process). */
export function buildBundles(): Bundles {
  if (bundles) return bundles;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const build = (entry: string): string => {
    const r = esbuild.buildSync({
      entryPoints: [path.join(ROOT, entry)],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    return r.outputFiles[0].text;
  };
  bundles = { webview: build('src/webview/main.ts'), fakeHost: build('test/webview/fakeHost.ts') };
  return bundles;
}

/** Bundle a vscode-free webview module for Node (unit tests of pure logic) and load it. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller declares the bundled module's shape
export function loadWebviewModule<T>(name: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = path.join(os.tmpdir(), `shm-webview-${name.replaceAll('/', '-')}-${process.pid}.cjs`);
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'src', 'webview', `${name}.ts`)],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'es2022',
    outfile: out,
    logLevel: 'silent',
  });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(out) as T;
  } finally {
    fs.rmSync(out, { force: true });
  }
}

export interface Server {
  origin: string;
  /** The nonce of the last page served. */
  lastNonce: string;
  close(): Promise<void>;
}

export async function startServer(): Promise<Server> {
  const b = buildBundles();
  const css = fs.readFileSync(path.join(ROOT, 'media', 'hexEditor.css'), 'utf8');
  const state = { origin: '', lastNonce: '' };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const send = (type: string, body: string) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url === '/' || url.startsWith('/?')) {
      state.lastNonce = crypto.randomBytes(16).toString('base64');
      send('text/html; charset=utf-8', renderHexEditorHtml({
        scriptUri: `${state.origin}/dist/webview.js`,
        styleUri: `${state.origin}/media/hexEditor.css`,
        cspSource: state.origin,
        nonce: state.lastNonce,
      }));
    } else if (url === '/favicon.ico') {
      res.writeHead(204); // Chromium asks for it; a VS Code webview would not
      res.end();
    } else if (url === '/dist/webview.js') {
      send('text/javascript; charset=utf-8', b.webview);
    } else if (url === '/media/hexEditor.css') {
      send('text/css; charset=utf-8', css);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get origin() { return state.origin; },
    get lastNonce() { return state.lastNonce; },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Editor {
  page: Page;
  context: BrowserContext;
  /** Problems seen so far: console errors, page errors, CSP violations, foreign requests. */
  problems: string[];
  assertClean(): Promise<void>;
  close(): Promise<void>;
  stats(): Promise<FakeHostStats>;
  /** Round trip host -> webview -> host: everything the webview sent before is now received. */
  sync(): Promise<void>;
  /** Wait until the fake host has received `count` edits in total; returns the stats. */
  waitEdits(count: number): Promise<FakeHostStats>;
  /** Text of the on-screen cell of offset (hex or text column), or null if not in the DOM. */
  cell(offset: number, column?: 'hex' | 'text'): Promise<string | null>;
  /** Wait until the cell of offset shows `text` and is loaded. */
  waitCell(offset: number, text: string, column?: 'hex' | 'text'): Promise<void>;
  /** Wait until no visible cell is waiting for data. */
  waitLoaded(): Promise<void>;
  status(part: 'offset' | 'selection' | 'value' | 'live' | 'flags'): Promise<string>;
  message(): Promise<string>;
  /** Click a cell (centre). */
  clickCell(offset: number, column?: 'hex' | 'text', modifiers?: ('Shift')[]): Promise<void>;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
}

const INIT_WATCH = `
window.__problems = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__problems.push('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
`;

/**
 * One static server and one browser for a test file (started before its tests, closed after);
 * returns openEditor bound to them.
 */
export function useEditors(): (config: FakeHostConfig, opts?: OpenOptions) => Promise<Editor> {
  let browser: Browser | undefined;
  let server: Server | undefined;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return (config, opts) => {
    assert.ok(browser && server, 'useEditors: its before() has not run');
    return openEditor(browser, server, config, opts);
  };
}

export async function openEditor(browser: Browser, server: Server, config: FakeHostConfig, opts: OpenOptions = {}): Promise<Editor> {
  const b = buildBundles();
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1000, height: 700 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(server.origin + '/')) problems.push(`request outside the webview's server: ${r.url()}`);
    else if (r.url().endsWith('/favicon.ico')) return;
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  await page.addInitScript({ content: `${INIT_WATCH}\nwindow.__FAKE_HOST_CONFIG__ = ${JSON.stringify(config)};\n${b.fakeHost}` });
  await page.goto(server.origin + '/');
  await page.waitForSelector('#root[aria-busy="false"]', { timeout: 10000 });

  const cellSel = (offset: number, column: 'hex' | 'text') => `.grid .${column}-cell[data-offset="${offset}"]`;
  const editor: Editor = {
    page,
    context,
    problems,
    async assertClean() {
      const inPage = await page.evaluate<string[]>('window.__problems');
      assert.deepEqual([...problems, ...inPage], [], 'the page reported problems');
    },
    async close() {
      await context.close();
    },
    stats: () => page.evaluate<FakeHostStats>('window.fakeHost.stats()'),
    async sync() {
      await page.evaluate('window.fakeHost.requestSelection()');
    },
    async waitEdits(count) {
      await page.waitForFunction((n) => (globalThis as unknown as PageGlobals).fakeHost.stats().edits.length >= n, count, { timeout: 5000 });
      return editor.stats();
    },
    async cell(offset, column = 'hex') {
      const h = await page.$(cellSel(offset, column));
      return h ? h.textContent() : null;
    },
    async waitCell(offset, text, column = 'hex') {
      await page.waitForFunction(
        ([sel, want]) => {
          const d = (globalThis as unknown as PageGlobals).document;
          const c = d.querySelector(sel);
          return !!c && c.textContent === want && !c.classList.contains('unloaded') && d.querySelector('.grid[aria-busy="false"]') !== null;
        },
        [cellSel(offset, column), text] as const,
        { timeout: 5000 },
      ).catch(async (e: unknown) => {
        throw new Error(`cell ${offset} (${column}) never showed ${JSON.stringify(text)}; it shows ${JSON.stringify(await editor.cell(offset, column))}: ${e instanceof Error ? e.message : String(e)}`);
      });
    },
    async waitLoaded() {
      await page.waitForFunction(() => {
        const d = (globalThis as unknown as PageGlobals).document;
        return d.querySelector('.grid[aria-busy="false"]') !== null && d.querySelector('.grid .unloaded') === null;
      }, undefined, { timeout: 5000 });
    },
    async status(part) {
      return (await page.textContent(`.status-${part}`)) ?? '';
    },
    async message() {
      return page.evaluate(() => {
        const m = (globalThis as unknown as PageGlobals).document.querySelector('.message');
        return m && !m.hidden ? (m.textContent as string) : '';
      });
    },
    async clickCell(offset, column = 'hex', modifiers = []) {
      await page.click(cellSel(offset, column), { modifiers });
    },
  };
  return editor;
}

/**
 * Milliseconds from the first key event of `action` until the cell of offset shows `text`
 * (loaded), measured inside the page, up to the next animation frame (when it is painted).
 */
export async function timeUntilCell(page: Page, offset: number, text: string, action: () => Promise<void>): Promise<number> {
  await page.evaluate(([sel, want]) => {
    const g = globalThis as unknown as PageGlobals;
    const d = g.document;
    let t0 = -1;
    d.addEventListener('keydown', (e: PageEvent) => { if (t0 < 0) t0 = e.timeStamp; }, { capture: true, once: true });
    g.__timing = new Promise((resolve, reject) => {
      const done = () => {
        const c = d.querySelector(sel);
        return !!c && c.textContent === want && !c.classList.contains('unloaded');
      };
      const mo = new g.MutationObserver(() => {
        if (t0 < 0 || !done()) return;
        mo.disconnect();
        g.requestAnimationFrame(() => resolve(g.performance.now() - t0));
      });
      mo.observe(d.querySelector('.grid'), { subtree: true, childList: true, characterData: true, attributes: true });
      g.setTimeout(() => { mo.disconnect(); reject(new Error(`cell ${sel} did not show ${want} within 5 s`)); }, 5000);
    });
  }, [`.grid .hex-cell[data-offset="${offset}"]`, text] as const);
  await action();
  return page.evaluate<number>('window.__timing');
}

/** Dispatch a paste event carrying text at the focused element (what VS Code's paste does). */
export async function pasteText(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const g = globalThis as unknown as PageGlobals;
    const dt = new g.DataTransfer();
    dt.setData('text/plain', t);
    const target = g.document.activeElement ?? g.document.body;
    target.dispatchEvent(new g.ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, text);
}

/** Dispatch a copy event at the focused element and return what the page put on the clipboard. */
export async function copyText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const dt = new g.DataTransfer();
    const target = g.document.activeElement ?? g.document.body;
    target.dispatchEvent(new g.ClipboardEvent('copy', { clipboardData: dt, bubbles: true, cancelable: true }));
    return dt.getData('text/plain');
  });
}

/** The last element of xs, failing the test if there is none. */
export function lastOf<T>(xs: readonly T[], what = 'the list'): T {
  const x = xs.at(-1);
  assert.ok(x !== undefined, `${what} is empty`);
  return x;
}

/** Where an element is on screen, failing the test by name if it is not. */
export async function boxOf(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator(selector).boundingBox();
  assert.ok(box, `${selector} is on screen`);
  return box;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const hex2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

export const GiB = 1024 * 1024 * 1024;
