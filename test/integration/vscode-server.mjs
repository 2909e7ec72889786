// Run our extension in a real VS Code: VS Code's server (from the code-server npm package,
// installed by scripts/install-vscode-server.sh) with its workbench opened in Debian's
// headless Chromium through playwright-core. See /work/shared/TESTING-IN-VSCODE.md.
//
//   startServer({extensionsDir, userDataDir, port?, host?, settings?, smokeTestDriver?, log?})
//                                     -> {url, port, pid, stop(), exited, output()}
//   installVsix(vsixPath, {extensionsDir, userDataDir?, log?})
//   openWorkbench(url, {folder?, payload?, onExit?, onConsole?, viewport?, waitForReady?})
//                                     -> {context, page, close()}
//   runExtensionTests({extensionDevelopmentPath, extensionTestsPath, folder?, timeoutMs?,
//                      extensionsDir?, userDataDir?, out?, verbose?}) -> exit code
//   consoleForwarder(out, {verbose})  -> {onConsole, flush()}: extension host console lines
//   workbenchUrl(url, {folder, payload}), remoteUri(url, absPath)
//   makeTempDir(prefix), removeDir(dir), addCleanup(fn), cleanupAll()
//   QUIET_SETTINGS, CHROMIUM_ARGS
//
// Everything started here (server process groups, browsers, temp dirs) is registered and
// torn down by its own stop()/close(), by cleanupAll(), on SIGINT/SIGTERM/SIGHUP, and, as a
// last resort, synchronously on process exit (SIGKILL to the server's process group).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromiumPath, node24, serverMain } from './paths.mjs';

/**
 * User settings for test and demo workbenches (code-server's workbench keeps user settings on
 * the server, in <user-data-dir>/User/settings.json): no welcome page, no chat side bar, no
 * update or marketplace checks.
 */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
  // VS Code in a browser saves dirty editors after a second by default: for a live segment that
  // means writing it. Tests save explicitly, and the demo should not write behind the user's back.
  'files.autoSave': 'off',
};

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------------------
// Resource bookkeeping

/** Async cleanups, run newest first. */
const cleanups = new Set();
/** Things that must die even if the event loop never runs again (sync, on 'exit'). */
const liveGroups = new Set(); // pids of detached process groups
const liveDirs = new Set();
let signalsInstalled = false;
let cleaningUp = null;

/** Register an async cleanup; returns a function that unregisters it. */
export function addCleanup(fn) {
  installSignalHandlers();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Run every registered cleanup (newest first), each at most 15 s. */
export function cleanupAll() {
  if (cleaningUp) return cleaningUp;
  cleaningUp = (async () => {
    for (const fn of [...cleanups].reverse()) {
      cleanups.delete(fn);
      try {
        await withTimeout(Promise.resolve().then(fn), 15000, 'cleanup');
      } catch (e) {
        console.error(`[vscode-server] cleanup failed: ${e?.message ?? e}`);
      }
    }
    killAllSync();
  })().finally(() => {
    cleaningUp = null;
  });
  return cleaningUp;
}

function killAllSync() {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  liveGroups.clear();
  for (const d of liveDirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      /* best effort */
    }
  }
  liveDirs.clear();
}

function installSignalHandlers() {
  if (signalsInstalled) return;
  signalsInstalled = true;
  process.on('exit', killAllSync);
  for (const [sig, num] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
    process.on(sig, () => {
      console.error(`\n[vscode-server] ${sig}: cleaning up`);
      cleanupAll().finally(() => process.exit(128 + num));
    });
  }
}

/** A fresh temp dir under os.tmpdir(), removed by cleanupAll()/exit. */
export function makeTempDir(prefix = 'tmp') {
  installSignalHandlers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `shm-inspector-${prefix}-`));
  liveDirs.add(dir);
  addCleanup(() => removeDir(dir));
  return dir;
}

export function removeDir(dir) {
  liveDirs.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------
// The server

export function assertInstalled() {
  for (const f of [node24, serverMain]) {
    if (!fs.existsSync(f)) {
      throw new Error(`${f} is missing: run 'bash scripts/install-vscode-server.sh' first`);
    }
  }
}

/** Environment for VS Code's server: no marketplace, nothing inherited from a VS Code we may run in. */
function serverEnv(extra = {}) {
  const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE');
  const env = { ...Object.fromEntries(inherited), EXTENSIONS_GALLERY: '{}', ...extra };
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== null && v !== undefined));
}

/**
 * Start VS Code's server. Resolves when it accepts HTTP requests.
 * `smokeTestDriver` (default true) passes --enable-smoke-test-driver, which the workbench needs
 * to honour the `payload` of extension test runs, but which also suppresses notification
 * toasts: UI tests and `npm start` turn it off.
 * `settings` (default QUIET_SETTINGS; null for none) is written as the user settings unless
 * userDataDir already has a User/settings.json.
 * @param {{extensionsDir: string, userDataDir: string, port?: number, host?: string,
 *          settings?: object|null, smokeTestDriver?: boolean, log?: (line: string) => void, env?: Record<string,string>,
 *          args?: string[]}} opts
 * @returns {Promise<{url: string, port: number, pid: number, stop: () => Promise<void>, exited: Promise<number|null>}>}
 */
export async function startServer(opts) {
  assertInstalled();
  const { extensionsDir, userDataDir, host = '127.0.0.1' } = opts;
  const log = opts.log ?? (() => {});
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(userDataDir, { recursive: true });
  const settings = opts.settings === undefined ? QUIET_SETTINGS : opts.settings;
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (settings && !fs.existsSync(settingsFile)) {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2) + '\n');
  }
  const args = [
    serverMain,
    '--host', host,
    '--port', String(opts.port ?? 0),
    '--without-connection-token',
    '--accept-server-license-terms',
    ...(opts.smokeTestDriver === false ? [] : ['--enable-smoke-test-driver']),
    '--telemetry-level', 'off',
    '--disable-workspace-trust',
    '--user-data-dir', userDataDir,
    '--server-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...(opts.args ?? []),
  ];
  installSignalHandlers();
  // The server and its extension hosts put IPC sockets (vscode-ipc-*.sock, vscode-git-*.sock)
  // into the temp dir and leave them when killed: give them one of ours.
  const tmp = makeTempDir('server-tmp');
  const child = spawn(node24, args, {
    env: serverEnv({ TMPDIR: tmp, XDG_RUNTIME_DIR: null, ...opts.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: stop() kills the extension hosts and pty host too
  });
  liveGroups.add(child.pid);
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
  let output = '';
  let port;
  let resolvePort;
  const portKnown = new Promise((r) => (resolvePort = r));
  const onData = (chunk) => {
    const text = chunk.toString();
    if (output.length < 100000) output += text;
    for (const line of text.split('\n')) if (line.trim()) log(line);
    const m = /Extension host agent listening on (\d+)/.exec(output);
    if (m) resolvePort(Number(m[1]));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  let stopped = null;
  const stop = () => {
    if (stopped) return stopped;
    stopped = (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        const r = await Promise.race([exited.then(() => 'exited'), sleep(5000).then(() => 'timeout')]);
        if (r === 'timeout') log('[vscode-server] server did not stop in 5 s: SIGKILL');
      }
      // Whatever is left of the group (extension host, pty host, watchers): kill it.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      liveGroups.delete(child.pid);
      unregister();
      removeDir(tmp);
    })();
    return stopped;
  };
  const unregister = addCleanup(stop);

  try {
    port = await withTimeout(
      Promise.race([
        portKnown,
        exited.then((c) => {
          throw new Error(`VS Code server exited (${c}) before listening:\n${output}`);
        }),
      ]),
      60000,
      'VS Code server start',
    );
    const url = `http://${host}:${port}/`;
    // Listening is printed before the HTTP handler is wired: wait for a real response.
    const deadline = Date.now() + 30000;
    for (;;) {
      const status = await httpStatus(url).catch(() => 0);
      if (status >= 200 && status < 500) break;
      if (Date.now() > deadline) throw new Error(`VS Code server at ${url} does not answer:\n${output}`);
      await sleep(100);
    }
    return { url, port, pid: child.pid, stop, exited, output: () => output };
  } catch (e) {
    await stop();
    throw e;
  }
}

function httpStatus(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * Install a packaged extension into extensionsDir with the server's own CLI.
 * @param {string} vsixPath
 * @param {{extensionsDir: string, userDataDir?: string, log?: (line: string) => void}} opts
 */
export async function installVsix(vsixPath, opts) {
  assertInstalled();
  if (!fs.existsSync(vsixPath)) throw new Error(`${vsixPath} does not exist`);
  fs.mkdirSync(opts.extensionsDir, { recursive: true });
  const userDataDir = opts.userDataDir ?? makeTempDir('install-data');
  fs.mkdirSync(userDataDir, { recursive: true });
  const args = [
    serverMain,
    '--accept-server-license-terms',
    '--telemetry-level', 'off',
    '--user-data-dir', userDataDir,
    '--server-data-dir', userDataDir,
    '--extensions-dir', opts.extensionsDir,
    '--install-extension', path.resolve(vsixPath),
    '--force',
  ];
  const child = spawn(node24, args, { env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  liveGroups.add(child.pid);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await withTimeout(
    new Promise((resolve) => child.once('exit', (c, s) => resolve(c ?? s))),
    120000,
    'extension install',
  ).finally(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    liveGroups.delete(child.pid);
  });
  for (const line of output.split('\n')) if (line.trim()) opts.log?.(line);
  if (code !== 0 || /Failed Installing|\bError\b/.test(output) && !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsixPath} failed (exit ${code}):\n${output}`);
  }
  return output;
}

// ---------------------------------------------------------------------------------------
// The workbench in Chromium

/**
 * Build the workbench URL: folder (absolute path on the server) and an optional payload
 * (array of [key, value] pairs, e.g. extensionDevelopmentPath/extensionTestsPath).
 */
export function workbenchUrl(url, { folder, payload } = {}) {
  const u = new URL(url);
  if (folder) u.searchParams.set('folder', path.resolve(folder));
  if (payload) u.searchParams.set('payload', JSON.stringify(payload));
  return u.toString();
}

/** A file path on the server as the workbench's remote URI. */
export function remoteUri(serverUrl, absPath) {
  const u = new URL(serverUrl);
  return `vscode-remote://${u.host}${path.resolve(absPath)}`;
}

/**
 * Open the workbench in headless Chromium.
 * @param {string} url server URL from startServer()
 * @param {{folder?: string, payload?: [string,string][], onExit?: (code:number)=>void,
 *          onConsole?: (msg: import('playwright-core').ConsoleMessage)=>void,
 *          viewport?: {width:number,height:number}, waitForReady?: boolean, timeoutMs?: number}} opts
 */
export async function openWorkbench(url, opts = {}) {
  const { chromium } = await import('playwright-core');
  const profile = makeTempDir('chromium');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1400, height: 900 },
    deviceScaleFactor: 1,
  });
  let closed = null;
  const close = () => {
    if (closed) return closed;
    closed = (async () => {
      await withTimeout(context.close(), 10000, 'browser close').catch((e) =>
        console.error(`[vscode-server] ${e.message}`),
      );
      unregister();
      removeDir(profile);
    })();
    return closed;
  };
  const unregister = addCleanup(close);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    if (opts.onExit) await page.exposeFunction('codeAutomationExit', opts.onExit);
    if (opts.onConsole) page.on('console', opts.onConsole);
    await page.goto(workbenchUrl(url, opts), { waitUntil: 'domcontentloaded', timeout: opts.timeoutMs ?? 60000 });
    if (opts.waitForReady !== false) {
      await page.locator('.monaco-workbench .part.activitybar').first().waitFor({ timeout: opts.timeoutMs ?? 60000 });
    }
    return { context, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Workbench-internal log lines that share the extension host's console format. */
const WORKBENCH_NOISE = [
  /^\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)\]/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^\[\d\d:\d\d:\d\d\] /,
];

/**
 * Forwards the extension host's console (mocha's report, the extension's own logs) from the
 * page console. The host's lines reach the page as console.log('%c INFO', 'color: …',
 * fmt, ...args) (also '%c  ERR', '%c WARN'), the same shape as the workbench's own log
 * lines, which are dropped by pattern (all lines are kept with verbose).
 * Returns {onConsole, flush}: flush() resolves when every line seen so far was written.
 * @param {(line: string) => void} out
 */
export function consoleForwarder(out, { verbose = false } = {}) {
  let chain = Promise.resolve();
  const onConsole = (msg) => {
    const args = msg.args();
    chain = chain.then(async () => {
      const vals = await Promise.all(
        args.map((a) => a.evaluate((v) => (v instanceof Error ? String(v.stack || v) : v)).catch(() => undefined)),
      );
      // Some versions/paths log '%c[Extension Host] %c<fmt>', 'color: blue', 'color: ', args…
      if (typeof vals[0] === 'string' && vals[0].startsWith('%c[Extension Host] %c')) {
        const text = util.format(vals[0].slice('%c[Extension Host] %c'.length), ...vals.slice(3));
        const level = { warning: 'WARN', error: 'ERR' }[msg.type()];
        for (const line of text.split('\n')) out(level ? `[${level}] ${line}` : line);
        return;
      }
      const head = typeof vals[0] === 'string' ? /^%c\s*(INFO|WARN|ERR|ERROR|DEBUG|TRACE)\s*$/.exec(vals[0]) : null;
      if (!head) {
        if (verbose) out(`[browser:${msg.type()}] ${msg.text()}`);
        return;
      }
      const rest = vals.slice(2);
      const text = rest.length ? util.format(...rest) : '';
      // The workbench's own errors carry stacks into its bundle (http://…/static/out/vs/…);
      // the extension host's carry file paths.
      if (!verbose && (WORKBENCH_NOISE.some((re) => re.test(text)) || /\/static\/out\/vs\//.test(text))) return;
      const level = head[1];
      for (const line of text.split('\n')) out(level === 'INFO' ? line : `[${level}] ${line}`);
    });
  };
  const flush = () => withTimeout(chain, 5000, 'console flush').catch(() => {});
  return { onConsole, flush };
}

// ---------------------------------------------------------------------------------------
// Extension tests inside the server's extension host

/**
 * Load an extension from source and run its test module inside VS Code's server extension
 * host (like `code --extensionDevelopmentPath=… --extensionTestsPath=…`).
 * @param {{extensionDevelopmentPath: string|string[], extensionTestsPath: string, folder?: string,
 *          timeoutMs?: number, extensionsDir?: string, userDataDir?: string,
 *          out?: (line: string) => void, verbose?: boolean}} opts
 * @returns {Promise<number>} the exit code the test module reported (1 on timeout/crash)
 */
export async function runExtensionTests(opts) {
  const out = opts.out ?? ((line) => process.stdout.write(line + '\n'));
  const verbose = opts.verbose ?? !!process.env.SHM_INSPECTOR_VERBOSE;
  const timeoutMs = opts.timeoutMs ?? 10 * 60 * 1000;
  const t0 = Date.now();
  const extensionsDir = opts.extensionsDir ?? makeTempDir('extensions');
  const userDataDir = opts.userDataDir ?? makeTempDir('user-data');
  const folder = opts.folder ?? makeTempDir('workspace');
  const devPaths = Array.isArray(opts.extensionDevelopmentPath)
    ? opts.extensionDevelopmentPath
    : [opts.extensionDevelopmentPath];

  let server;
  let workbench;
  let finished = false;
  try {
    server = await startServer({
      extensionsDir,
      userDataDir,
      log: verbose ? (l) => out(`[server] ${l}`) : undefined,
    });
    if (verbose) out(`[vscode-server] server ready at ${server.url} in ${Date.now() - t0} ms`);
    const payload = [
      ...devPaths.map((p) => ['extensionDevelopmentPath', remoteUri(server.url, p)]),
      ['extensionTestsPath', remoteUri(server.url, opts.extensionTestsPath)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    let settle;
    const done = new Promise((r) => (settle = r));
    const fwd = consoleForwarder(out, { verbose });
    const serverDied = server.exited.then((c) => {
      if (!finished) out(`[vscode-server] VS Code server exited unexpectedly (${c})`);
      return 1;
    });
    workbench = await openWorkbench(server.url, {
      folder,
      payload,
      waitForReady: false,
      onExit: (code) => settle(Number(code) || 0),
      onConsole: fwd.onConsole,
    });
    workbench.page.on('pageerror', (e) => verbose && out(`[browser:pageerror] ${e.message}`));
    workbench.page.on('crash', () => {
      out('[vscode-server] the workbench page crashed');
      settle(1);
    });
    let timer;
    const timedOut = new Promise((r) => {
      timer = setTimeout(() => {
        out(`[vscode-server] extension tests did not finish in ${timeoutMs} ms: giving up`);
        r(1);
      }, timeoutMs);
    });
    const code = await Promise.race([done, timedOut, serverDied]);
    clearTimeout(timer);
    await fwd.flush();
    if (verbose) out(`[vscode-server] tests exited with ${code} after ${Date.now() - t0} ms`);
    return code;
  } finally {
    finished = true;
    if (workbench) await workbench.close();
    if (server) await server.stop();
    // temp dirs made here
    for (const [given, dir] of [
      [opts.extensionsDir, extensionsDir],
      [opts.userDataDir, userDataDir],
      [opts.folder, folder],
    ]) {
      if (!given) removeDir(dir);
    }
  }
}
