#!/usr/bin/env node
// A stand-in for the desktop `code` executable, for @vscode/test-electron / @vscode/test-cli
// (runTests({vscodeExecutablePath: 'test/integration/bin/code'})): takes the desktop flags,
// runs the tests in VS Code's server + headless Chromium instead, exits with their code.
//
//   bin/code --extensionDevelopmentPath=DIR [--extensionDevelopmentPath=DIR2]
//            --extensionTestsPath=FILE [--user-data-dir=D] [--extensions-dir=E] [FOLDER]
//
// Other desktop flags (--no-sandbox, --disable-gpu-sandbox, --disable-updates,
// --skip-welcome, --skip-release-notes, --no-cached-data, --disable-workspace-trust,
// --disable-extensions, ...) are accepted and ignored. Both --flag=value and --flag value
// work. Environment: SHM_INSPECTOR_TEST_TIMEOUT_MS (default 600000),
// SHM_INSPECTOR_VERBOSE=1 (server and browser logs too).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupAll, makeTempDir, runExtensionTests } from './vscode-server.mjs';

const VALUE_FLAGS = new Set([
  'extensionDevelopmentPath',
  'extensionTestsPath',
  'user-data-dir',
  'extensions-dir',
  'folder-uri',
  'locale',
  'log',
  'profile',
  'inspect-extensions',
  'inspect-brk-extensions',
  'crash-reporter-directory',
]);

export function parseArgs(argv) {
  const opts = { extensionDevelopmentPath: [], folders: [], ignored: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      let value = eq < 0 ? undefined : a.slice(eq + 1);
      if (value === undefined && VALUE_FLAGS.has(name) && i + 1 < argv.length) value = argv[++i];
      switch (name) {
        case 'extensionDevelopmentPath':
          opts.extensionDevelopmentPath.push(path.resolve(value));
          break;
        case 'extensionTestsPath':
          opts.extensionTestsPath = path.resolve(value);
          break;
        case 'user-data-dir':
          opts.userDataDir = path.resolve(value);
          break;
        case 'extensions-dir':
          opts.extensionsDir = path.resolve(value);
          break;
        case 'folder-uri':
          if (value.startsWith('file://')) opts.folders.push(new URL(value).pathname);
          break;
        default:
          opts.ignored.push(a);
      }
    } else if (a.startsWith('-')) {
      opts.ignored.push(a);
    } else {
      opts.folders.push(path.resolve(a));
    }
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.extensionTestsPath || opts.extensionDevelopmentPath.length === 0) {
    console.error(
      'code-wrapper: only extension test runs are supported: pass --extensionDevelopmentPath=DIR ' +
        '--extensionTestsPath=FILE [FOLDER]',
    );
    return 2;
  }
  let folder = opts.folders[0];
  if (folder && !fs.existsSync(folder)) {
    console.error(`code-wrapper: folder ${folder} does not exist`);
    return 2;
  }
  if (!folder) folder = makeTempDir('workspace');
  // test-electron passes shared profile dirs under .vscode-test/; the server's user data
  // must not be shared between runs, so use a fresh one under the given dir.
  const userDataDir = opts.userDataDir ? fs.mkdtempSync(path.join(mkdirp(opts.userDataDir), 'server-')) : undefined;
  const timeoutMs = Number(process.env.SHM_INSPECTOR_TEST_TIMEOUT_MS) || 10 * 60 * 1000;
  try {
    return await runExtensionTests({
      extensionDevelopmentPath: opts.extensionDevelopmentPath,
      extensionTestsPath: opts.extensionTestsPath,
      folder,
      extensionsDir: opts.extensionsDir,
      userDataDir,
      timeoutMs,
    });
  } finally {
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

function mkdirp(d) {
  fs.mkdirSync(d, { recursive: true });
  return d;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('code-wrapper.mjs')) {
  let code;
  try {
    code = await main();
  } catch (e) {
    console.error(`code-wrapper: ${e?.stack ?? e}`);
    code = 1;
  } finally {
    await cleanupAll();
  }
  process.exit(code);
}
