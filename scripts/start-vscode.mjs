#!/usr/bin/env node
// npm start — try the extension in a real VS Code in your browser.
//
//   npm start [-- --port 8080] [--host 127.0.0.1] [--demo] [--folder DIR] [--no-build] [--vsix FILE]
//
// Builds (npm run build) and packages (npm run package) the extension, installs VS Code's
// server (scripts/install-vscode-server.sh, cached), installs the .vsix into a fresh
// extensions dir, starts the server and prints the URL to open. Runs until Ctrl+C/SIGTERM;
// then everything it started is stopped and its temp dirs removed.
//
// --demo first creates sample System V segments with the CLI (a 4 KiB text one with key
// 0x5348d001, a 1 MiB one with key 0x5348d002 whose first 4 bytes count up 5 times a second
// through scripts/demo-writer.mjs, and a private one) and removes them on exit.
// --no-build reuses dist/ and the newest .vsix (--vsix FILE: that one). --folder opens DIR
// instead of a scratch folder.
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { installScript, repoRoot } from '../test/integration/paths.mjs';
import { addCleanup, cleanupAll, installVsix, makeTempDir, startServer } from '../test/integration/vscode-server.mjs';

const execFileP = promisify(execFile);
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const value = (name, def) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return def;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
};
const port = Number(value('port', process.env.PORT || 8080));
const host = value('host', '127.0.0.1');
const demo = flag('demo');
const noBuild = flag('no-build') || argv.some((a) => a === '--vsix' || a.startsWith('--vsix='));
const folderArg = value('folder', null);
const cliPath = path.join(repoRoot, 'dist', 'cli.js');
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => (stopping = true));

function step(title) {
  console.log(`\n==> ${title}`);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

async function cli(...args) {
  const { stdout } = await execFileP(process.execPath, [cliPath, ...args.map(String)], { cwd: repoRoot }).catch((e) => {
    throw new Error(`shm-inspector ${args.join(' ')} failed (exit ${e.code}): ${(e.stderr || e.message).trim()}`);
  });
  return stdout;
}

function newestVsix() {
  return (
    fs
      .readdirSync(repoRoot)
      .filter((f) => /^shm-inspector-linux-x64-.*\.vsix$/.test(f))
      .map((f) => path.join(repoRoot, f))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0] ?? null
  );
}

/** Creates the demo segments; registers their removal (and the writer's end) as cleanups. */
async function createDemoSegments() {
  const ids = [];
  addCleanup(async () => {
    if (ids.length === 0) return;
    try {
      await cli('rm', ...ids);
      console.log(`removed demo segments ${ids.join(', ')}`);
    } catch (e) {
      console.error(`could not remove demo segments ${ids.join(', ')}: ${e.message}`);
    }
  });
  const create = async (size, key) => {
    const out = await cli('create', '--size', size, ...(key ? ['--key', key] : []), '--json');
    const seg = JSON.parse(out);
    ids.push(String(seg.id));
    return seg;
  };

  const text = await create(4096, '0x5348d001');
  const banner =
    'SHM Inspector demo segment (key 0x5348d001, 4 KiB).\n' +
    'Open it from the Shared Memory view, edit bytes in the hex editor, save, and watch\n' +
    'other attachments see the change. This text is plain ASCII.\n\n';
  let body = banner;
  for (let i = 0; body.length < 4096; i++) body += `line ${String(i).padStart(3, '0')}: the quick brown fox jumps over the lazy dog\n`;
  await cli('write', text.id, '--offset', 0, '--hex', Buffer.from(body.slice(0, 4096), 'latin1').toString('hex'));

  const big = await create(1024 * 1024, '0x5348d002');
  const priv = await create(64 * 1024, null);

  const writer = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'demo-writer.mjs'), String(big.id), '--offset', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const writerExit = new Promise((r) => writer.once('exit', r));
  addCleanup(async () => {
    if (writer.exitCode === null && writer.signalCode === null) {
      writer.kill('SIGTERM');
      await Promise.race([writerExit, new Promise((r) => setTimeout(r, 3000))]);
      if (writer.exitCode === null && writer.signalCode === null) writer.kill('SIGKILL');
    }
  });

  console.log(`  ${text.keyHex ?? '0x5348d001'}  id ${text.id}  4 KiB   text`);
  console.log(`  ${big.keyHex ?? '0x5348d002'}  id ${big.id}  1 MiB   counter at offset 0 (u32 LE, +1 every 200 ms, pid ${writer.pid})`);
  console.log(`  ${priv.keyHex ?? '0x00000000'}  id ${priv.id}  64 KiB  private (IPC_PRIVATE)`);
}

async function main() {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad --port ${value('port')}`);
  const t0 = Date.now();
  if (!noBuild) {
    step('npm run build');
    run('npm', ['run', 'build']);
    step('npm run package');
    run('npm', ['run', 'package']);
  }
  const vsixArg = value('vsix', null);
  const vsix = vsixArg ? path.resolve(vsixArg) : newestVsix();
  if (!vsix) throw new Error('no shm-inspector-linux-x64-*.vsix in the repo root (npm run package makes it)');

  step('VS Code server (scripts/install-vscode-server.sh)');
  run('bash', [installScript]);

  step(`installing ${path.basename(vsix)}`);
  const extensionsDir = makeTempDir('start-extensions');
  const userDataDir = makeTempDir('start-user-data');
  await installVsix(vsix, { extensionsDir, userDataDir: makeTempDir('start-install-data') });

  let folder;
  if (folderArg) {
    folder = path.resolve(folderArg);
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--folder ${folder} is not a directory`);
  } else {
    folder = path.join(makeTempDir('start'), 'workspace');
    fs.mkdirSync(folder);
  }

  if (demo) {
    step('demo segments');
    if (!fs.existsSync(cliPath)) throw new Error('dist/cli.js is missing (npm run build makes it)');
    await createDemoSegments();
  }

  step(`starting VS Code server on ${host}:${port}`);
  const server = await startServer({
    extensionsDir,
    userDataDir,
    host,
    port,
    smokeTestDriver: false,
    log: process.env.SHM_INSPECTOR_VERBOSE ? (l) => console.log(`[server] ${l}`) : undefined,
  });
  const url = new URL(server.url);
  url.searchParams.set('folder', folder);
  console.log(`\nVS Code with SHM Inspector is running (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s). Open:\n`);
  console.log(`    ${url.toString().replace(/%2F/g, '/')}\n`);
  console.log('Press Ctrl+C to stop' + (demo ? ' (the demo segments are removed then).' : '.'));

  const code = await server.exited;
  if (stopping) return 0;
  console.error(`VS Code server exited (${code})`);
  return 1;
}

let code;
try {
  code = await main();
} catch (e) {
  console.error(`\nnpm start: ${e?.message ?? e}`);
  code = 1;
} finally {
  await cleanupAll();
}
process.exit(code);
