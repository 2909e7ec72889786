#!/usr/bin/env node
// npm run package: production build, then one VSIX per platform, each carrying exactly that
// platform's koffi binaries (glibc + musl of one architecture):
//
//   shm-inspector-linux-x64-<version>.vsix    node_modules/@koromix/koffi-linux-x64 (installed)
//   shm-inspector-linux-arm64-<version>.vsix  @koromix/koffi-linux-arm64 at koffi's exact
//                                             version, fetched with `npm pack` (cached in .cache/)
//
// Each platform is staged in a temp directory holding only what ships (package.json, README,
// LICENSE, dist/*.js, media/, koffi's loader and one @koromix package); `.vscodeignore` is
// applied there too, and vsce runs in it. Options: --skip-build, --target linux-x64|linux-arm64
// (repeatable; default both), --keep-stage (print and keep the staging directories).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const skipBuild = args.includes('--skip-build');
const keepStage = args.includes('--keep-stage');
const targets = args.flatMap((a, i) => (a === '--target' ? [args[i + 1]] : a.startsWith('--target=') ? [a.slice(9)] : []));
const TARGETS = targets.length ? targets : ['linux-x64', 'linux-arm64'];

/** ELF e_machine of each architecture's koffi.node. */
const ELF_MACHINE = { x64: 62, arm64: 183 };

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const koffiDir = path.join(root, 'node_modules', 'koffi');
const koffiVersion = JSON.parse(fs.readFileSync(path.join(koffiDir, 'package.json'), 'utf8')).version;

/** What ships of koffi itself: its require() chain and its licence (see .vscodeignore). */
const KOFFI_FILES = ['package.json', 'LICENSE.txt', 'index.cjs', 'src/koffi/index.cjs', 'src/koffi/src/static.cjs'];

function run(cmd, argv, opts = {}) {
  console.log(`$ ${[cmd, ...argv].join(' ')}${opts.cwd && opts.cwd !== root ? `   (in ${opts.cwd})` : ''}`);
  execFileSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts });
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true, dereference: true });
}

function elfMachine(file) {
  const b = fs.readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file`);
  return b.readUInt16LE(18);
}

/** Every koffi.node under dir must be for `arch`, and both glibc and musl must be there. */
function checkBinaries(dir, arch) {
  const found = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.node'));
  for (const f of found) {
    const m = elfMachine(path.join(dir, f));
    if (m !== ELF_MACHINE[arch]) throw new Error(`${path.join(dir, f)}: ELF machine ${m}, expected ${ELF_MACHINE[arch]} (${arch})`);
  }
  const want = [`linux_${arch}/koffi.node`, `musl_${arch}/koffi.node`];
  for (const w of want) if (!found.includes(w)) throw new Error(`${dir} lacks ${w} (has: ${found.join(', ') || 'nothing'})`);
}

/** The @koromix/koffi-linux-<arch> package directory at koffi's exact version. */
function koffiBinaryPackage(arch) {
  const name = `@koromix/koffi-linux-${arch}`;
  const installed = path.join(root, 'node_modules', '@koromix', `koffi-linux-${arch}`);
  if (fs.existsSync(path.join(installed, 'package.json'))) {
    const v = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).version;
    if (v === koffiVersion) return installed;
    console.warn(`${name} installed at ${v}, koffi is ${koffiVersion}: fetching ${koffiVersion}`);
  }
  const cache = path.join(root, '.cache', `koffi-linux-${arch}-${koffiVersion}`);
  const unpacked = path.join(cache, 'package');
  if (!fs.existsSync(path.join(unpacked, 'package.json'))) {
    fs.rmSync(cache, { recursive: true, force: true });
    fs.mkdirSync(cache, { recursive: true });
    run('npm', ['pack', `${name}@${koffiVersion}`, '--pack-destination', cache, '--silent']);
    const tgz = fs.readdirSync(cache).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${name}@${koffiVersion} produced no tarball in ${cache}`);
    run('tar', ['xzf', path.join(cache, tgz), '-C', cache]);
  }
  const v = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8')).version;
  if (v !== koffiVersion) throw new Error(`${unpacked} is ${name}@${v}, expected ${koffiVersion}`);
  return unpacked;
}

function stage(target) {
  const arch = target.replace(/^linux-/, '');
  if (!ELF_MACHINE[arch]) throw new Error(`unsupported target ${target} (linux-x64 or linux-arm64)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `shm-inspector-${target}-`));
  for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
    if (fs.existsSync(path.join(root, f))) copy(path.join(root, f), path.join(dir, f));
  }
  for (const f of fs.readdirSync(path.join(root, 'dist')).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'))) {
    copy(path.join(root, 'dist', f), path.join(dir, 'dist', f));
  }
  if (fs.existsSync(path.join(root, 'media'))) copy(path.join(root, 'media'), path.join(dir, 'media'));
  for (const f of KOFFI_FILES) copy(path.join(koffiDir, f), path.join(dir, 'node_modules', 'koffi', f));
  const bin = koffiBinaryPackage(arch);
  checkBinaries(bin, arch);
  copy(bin, path.join(dir, 'node_modules', '@koromix', `koffi-linux-${arch}`));
  return dir;
}

function vsixContents(file) {
  const out = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).sort();
}

function main() {
  if (!skipBuild) run(process.execPath, ['esbuild.mjs', '--production']);
  for (const f of ['extension.js', 'agent.js', 'cli.js', 'webview.js', 'watchView.js', 'tree-sitter.wasm', 'tree-sitter-c.wasm']) {
    if (!fs.existsSync(path.join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run the build first`);
  }
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const outputs = [];
  for (const target of TARGETS) {
    const dir = stage(target);
    const out = path.join(root, `${pkg.name}-${target}-${pkg.version}.vsix`);
    fs.rmSync(out, { force: true });
    try {
      run(process.execPath, [vsce, 'package', '--target', target, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'], { cwd: dir });
    } finally {
      if (keepStage) console.log(`staged ${target} in ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    }
    const files = vsixContents(out);
    const binaries = files.filter((f) => f.endsWith('.node'));
    console.log(`${path.basename(out)}: ${files.length} files, ${(fs.statSync(out).size / 1024 / 1024).toFixed(2)} MiB; binaries: ${binaries.join(', ')}`);
    outputs.push(out);
  }
  console.log(`packaged: ${outputs.map((o) => path.relative(root, o)).join(', ')}`);
}

try {
  main();
} catch (err) {
  console.error(`package: ${err.message ?? err}`);
  process.exit(1);
}
