#!/usr/bin/env node
// npm run test:integration — the mocha suites of test/integration/suite inside a real VS Code.
//
//   node test/integration/run.mjs            VS Code's server (code-server package) + headless
//                                            Chromium, driven through @vscode/test-electron's
//                                            runTests() with test/integration/bin/code as the
//                                            "VS Code executable"; extension loaded from the repo
//   node test/integration/run.mjs --vsix [F] the same, but the extension under test is the
//                                            packaged .vsix (default: shm-inspector-linux-x64-*.vsix
//                                            in the repo root) installed by the server's CLI
//   node test/integration/run.mjs --desktop  desktop VS Code via test-electron's download; where
//                                            it cannot be downloaded this is reported as SKIPPED
//                                            ("desktop: 0 passed, 0 failed, 1 skipped"), never passed
//
// Before running: dist/extension.js must exist (npm run build); the suite is compiled here
// (tsc -p tsconfig.json, when out/test/integration/suite is missing or older than its sources;
// --no-compile never); the server is installed by
// scripts/install-vscode-server.sh (skip with SHM_INSPECTOR_SKIP_INSTALL=1).
// Environment: SHM_INSPECTOR_GREP=<regexp> (only matching tests), SHM_INSPECTOR_VERBOSE=1,
// SHM_INSPECTOR_TEST_TIMEOUT_MS (whole run, default 600000). Sets SHM_INSPECTOR_OVERLAYS to a
// temp file: the overlay store of the run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { cacheDir, installScript, newestVsix, repoRoot } from './paths.mjs';
import { cleanupAll, installVsix, makeTempDir } from './vscode-server.mjs';

const argv = process.argv.slice(2);
const desktop = argv.includes('--desktop');
const noCompile = argv.includes('--no-compile');
const vsixIdx = argv.indexOf('--vsix');
const useVsix = vsixIdx >= 0;
const vsixArg = useVsix && argv[vsixIdx + 1] && !argv[vsixIdx + 1].startsWith('--') ? argv[vsixIdx + 1] : null;

const wrapper = path.join(repoRoot, 'test', 'integration', 'bin', 'code');
const testsIndex = path.join(repoRoot, 'out', 'test', 'integration', 'suite', 'index.js');
const SUMMARY = /^integration: \d+ passed, \d+ failed/m;

function fail(msg, label = 'integration') {
  console.error(`\n${label}: FAILED: ${msg}`);
  console.log(`${label}: 0 passed, 1 failed`);
  return 1;
}

function elapsed(t0) {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

/** Newest mtime of the suite's TypeScript sources. */
function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(f));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(f).mtimeMs);
  }
  return newest;
}

/** Compiles the project (tsc) when the suite's output is missing or older than its sources. */
function compile() {
  if (noCompile) return fs.existsSync(testsIndex);
  const suiteSrc = path.join(repoRoot, 'test', 'integration', 'suite');
  const outDir = path.dirname(testsIndex);
  const stale = !fs.existsSync(testsIndex) || newestSource(suiteSrc) > oldestOutput(outDir);
  if (!stale) return true;
  const t0 = Date.now();
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(repoRoot, 'tsconfig.json')], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  // tsc still emits on type errors elsewhere in the project; what matters here is the suite.
  if (r.status !== 0) console.error(`[integration] tsc reported errors (exit ${r.status}); continuing with what it emitted`);
  else console.log(`[integration] compiled in ${elapsed(t0)}`);
  return fs.existsSync(testsIndex);
}

function oldestOutput(dir) {
  let oldest = Infinity;
  // the oldest emitted .js: every source must be older than its output
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith('.js')) oldest = Math.min(oldest, fs.statSync(f).mtimeMs);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return oldest === Infinity ? 0 : oldest;
}

function ensureServer() {
  if (process.env.SHM_INSPECTOR_SKIP_INSTALL === '1') return true;
  const t0 = Date.now();
  const r = spawnSync('bash', [installScript], { stdio: 'inherit' });
  if (r.status === 0) console.log(`[integration] server check/install took ${elapsed(t0)}`);
  return r.status === 0;
}

/** A stream that passes output through and remembers whether the suite's summary appeared. */
function teeStream(target, seen) {
  let buf = '';
  return new Writable({
    write(chunk, _enc, cb) {
      target.write(chunk);
      buf = (buf + chunk.toString()).slice(-4096);
      if (SUMMARY.test(buf)) seen.summary = true;
      cb();
    },
  });
}


async function runDesktop() {
  const t0 = Date.now();
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  let exe;
  try {
    const timeoutMs = 30000;
    exe = await Promise.race([
      downloadAndUnzipVSCode({ cachePath: path.join(cacheDir, 'vscode-desktop'), timeout: timeoutMs }),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs)),
    ]);
  } catch (e) {
    const reason = String(e?.message ?? e).split('\n')[0];
    console.log('');
    console.log('!!! ==================================================================== !!!');
    console.log(`!!! desktop VS Code (test-electron download) not available here: SKIPPED`);
    console.log(`!!! reason: ${reason}`);
    console.log('!!! The same suites ran (or run) in VS Code\'s server: npm run test:integration');
    console.log('!!! ==================================================================== !!!');
    console.log('desktop: 0 passed, 0 failed, 1 skipped');
    return 0;
  }
  const seen = { summary: false };
  const folder = makeTempDir('workspace');
  const profile = makeTempDir('desktop-profile');
  // Desktop VS Code needs a display; use xvfb-run when there is none.
  let launcher = exe;
  if (!process.env.DISPLAY) {
    const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).stdout.trim();
    if (!xvfb) {
      console.log(`desktop VS Code downloaded to ${exe}, but there is no DISPLAY and no xvfb-run: SKIPPED`);
      console.log('desktop: 0 passed, 0 failed, 1 skipped');
      return 0;
    }
    launcher = path.join(profile, 'code-xvfb');
    fs.writeFileSync(launcher, `#!/bin/sh\nexec ${xvfb} -a "${exe}" "$@"\n`, { mode: 0o755 });
  }
  let code;
  try {
    code = await runTests({
      vscodeExecutablePath: launcher,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsIndex,
      launchArgs: [folder, `--user-data-dir=${path.join(profile, 'user')}`, `--extensions-dir=${path.join(profile, 'ext')}`],
      stdout: teeStream(process.stdout, seen),
      stderr: process.stderr,
    });
  } catch (e) {
    code = typeof e?.code === 'number' ? e.code : 1;
  }
  console.log(`[integration] desktop run took ${elapsed(t0)}, exit ${code}`);
  console.log(`desktop: ${code === 0 ? 1 : 0} passed, ${code === 0 ? 0 : 1} failed`);
  return code;
}

async function runServer() {
  const t0 = Date.now();
  if (!ensureServer()) return fail('installing VS Code server failed (scripts/install-vscode-server.sh)');
  const { runTests } = await import('@vscode/test-electron');

  let extensionDevelopmentPath = repoRoot;
  if (useVsix) {
    const vsix = vsixArg ? path.resolve(vsixArg) : newestVsix();
    if (!vsix || !fs.existsSync(vsix)) {
      return fail('no shm-inspector-linux-x64-*.vsix in the repo root: run `npm run package` first');
    }
    // Install it with the server's own CLI into a scratch dir and load that copy as the
    // extension under development: the test then sees exactly what the .vsix ships.
    const installed = makeTempDir('vsix-install');
    await installVsix(vsix, { extensionsDir: installed });
    const dir = fs.readdirSync(installed).find((d) => d.startsWith('shm-inspector.shm-inspector-'));
    if (!dir) return fail(`installing ${vsix} produced no shm-inspector.shm-inspector-* folder`);
    extensionDevelopmentPath = path.join(installed, dir);
    console.log(`[integration] testing the packaged ${path.basename(vsix)} (${extensionDevelopmentPath})`);
  }

  const folder = makeTempDir('workspace');
  const profile = makeTempDir('profile');
  const seen = { summary: false };
  let code;
  try {
    code = await runTests({
      vscodeExecutablePath: wrapper,
      extensionDevelopmentPath,
      extensionTestsPath: testsIndex,
      launchArgs: [folder, `--user-data-dir=${path.join(profile, 'user')}`, `--extensions-dir=${path.join(profile, 'ext')}`],
      stdout: teeStream(process.stdout, seen),
      stderr: process.stderr,
    });
  } catch (e) {
    code = typeof e?.code === 'number' && e.code !== 0 ? e.code : 1;
  }
  console.log(`[integration] run took ${elapsed(t0)}, exit ${code}`);
  if (!seen.summary) {
    // The suite never reported (harness, server or extension host failure): say so plainly.
    console.log(`[integration] the suite printed no report (exit ${code}): counted as one failure`);
    console.log('integration: 0 passed, 1 failed');
    if (code === 0) code = 1;
  }
  return code;
}

async function main() {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
    return fail('dist/extension.js is missing: run `npm run build` first', desktop ? 'desktop' : 'integration');
  }
  if (!compile()) return fail(`${path.relative(repoRoot, testsIndex)} was not produced by tsc`);
  // C types the suites apply go to a store of this run (the extension host inherits it), never
  // to the user's own.
  process.env.SHM_INSPECTOR_OVERLAYS = path.join(makeTempDir('overlays'), 'overlays.json');
  return desktop ? runDesktop() : runServer();
}

let code;
try {
  code = await main();
} catch (e) {
  code = fail(e?.stack ?? String(e));
} finally {
  await cleanupAll();
}
process.exit(code);
