// Test harness for the watch view's webview: bundles src/webview/watch/main.ts and the fake host
// (watchHost.ts) with esbuild, serves the page renderWatchViewHtml builds (real nonce, real CSP)
// with media/watchView.css from 127.0.0.1, and opens it in Debian's headless Chromium. Console
// errors, page errors, CSP violations and requests outside the server are recorded;
// `assertClean` fails on any.

import * as assert from 'node:assert/strict';
import { after, before } from 'node:test';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { renderWatchViewHtml } from '../../src/extension/timeline/watchHtml';
import { launchBrowser, ROOT } from './harness';
import type { WatchHostConfig } from './watchHost';

export interface WatchPage {
  page: Page;
  context: BrowserContext;
  problems: string[];
  assertClean(): Promise<void>;
  close(): Promise<void>;
}

function bundle(entry: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  return esbuild.buildSync({
    entryPoints: [path.join(ROOT, entry)], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
  }).outputFiles[0].text;
}

async function startServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const view = bundle('src/webview/watch/main.ts');
  const css = fs.readFileSync(path.join(ROOT, 'media', 'watchView.css'), 'utf8');
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const send = (type: string, body: string): void => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url === '/') {
      send('text/html; charset=utf-8', renderWatchViewHtml({
        scriptUri: `${origin}/dist/watchView.js`, styleUri: `${origin}/media/watchView.css`, cspSource: origin, nonce: crypto.randomBytes(16).toString('base64'),
      }));
    } else if (url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else if (url === '/dist/watchView.js') send('text/javascript; charset=utf-8', view);
    else if (url === '/media/watchView.css') send('text/css; charset=utf-8', css);
    else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

const INIT = `
window.__problems = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__problems.push('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)'));
});
`;

/** One server and one browser per test file; returns openWatch bound to them. */
export function useWatchPages(): (config: WatchHostConfig, viewport?: { width: number; height: number }) => Promise<WatchPage> {
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let host = '';
  before(async () => {
    host = bundle('test/webview/watchHost.ts');
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return async (config, viewport = { width: 1000, height: 520 }) => {
    assert.ok(browser && server, 'useWatchPages: its before() has not run');
    const origin = server.origin;
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(origin + '/')) problems.push(`request outside the webview's server: ${r.url()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    await page.addInitScript({ content: `${INIT}\nwindow.__WATCH_HOST_CONFIG__ = ${JSON.stringify(config)};\n${host}` });
    await page.goto(origin + '/');
    await page.waitForSelector('#root[aria-busy="false"]', { timeout: 10000 });
    return {
      page,
      context,
      problems,
      async assertClean() {
        const inPage = await page.evaluate<string[]>('window.__problems');
        assert.deepEqual([...problems, ...inPage], [], 'the page reported problems');
      },
      close: () => context.close(),
    };
  };
}
