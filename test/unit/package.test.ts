// The packaged VSIXs (scripts/package.mjs): exactly the files that run, each with only its own
// platform's koffi binaries, and an extension-host bundle that never loads koffi.
// Packages first when a VSIX is missing or older than what it is made from (`npm test` packages
// before the unit tests; the first arm64 package fetches @koromix/koffi-linux-arm64 from npm).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { BYTES_PER_ROW, GROUPING, INSPECTOR, READ_MODE } from '../../src/protocol/settings';
import { MAX_LIVE_REFRESH_MS, MIN_LIVE_REFRESH_MS, liveRefreshPeriod } from '../../src/protocol/webview';

const REPO = path.resolve(__dirname, '../../..');
interface Walkthrough { id: string; steps: { id: string; media: { markdown?: string; image?: unknown } }[] }
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  name: string; version: string; icon?: string;
  contributes: { walkthroughs?: Walkthrough[]; configuration: { properties: Record<string, { enum?: unknown[]; default?: unknown; minimum?: number; maximum?: number }> } };
};
const koffiVersion = (JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules/koffi/package.json'), 'utf8')) as { version: string }).version;
const ARCHS = ['x64', 'arm64'] as const;
type Arch = (typeof ARCHS)[number];
const ELF_MACHINE: Record<Arch, number> = { x64: 62, arm64: 183 };

const vsixPath = (arch: Arch) => path.join(REPO, `${pkg.name}-linux-${arch}-${pkg.version}.vsix`);

// ---- a minimal zip reader (central directory + stored/deflated entries): no unzip needed

interface ZipEntry { name: string; method: number; compressedSize: number; localOffset: number }

function readZip(file: string): { entries: ZipEntry[]; read(name: string): Buffer } {
  const b = fs.readFileSync(file);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, `${file}: not a zip (no end of central directory)`);
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(b.readUInt32LE(p), 0x02014b50, `${file}: bad central directory entry ${i}`);
    const nameLen = b.readUInt16LE(p + 28), extraLen = b.readUInt16LE(p + 30), commentLen = b.readUInt16LE(p + 32);
    entries.push({
      name: b.toString('utf8', p + 46, p + 46 + nameLen),
      method: b.readUInt16LE(p + 10),
      compressedSize: b.readUInt32LE(p + 20),
      localOffset: b.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return {
    entries,
    read(name: string): Buffer {
      const e = entries.find((x) => x.name === name);
      assert.ok(e, `${file}: no entry ${name}`);
      const l = e.localOffset;
      assert.equal(b.readUInt32LE(l), 0x04034b50, `${file}: bad local header for ${name}`);
      const start = l + 30 + b.readUInt16LE(l + 26) + b.readUInt16LE(l + 28);
      const data = b.subarray(start, start + e.compressedSize);
      if (e.method === 0) return Buffer.from(data);
      assert.equal(e.method, 8, `${name}: compression method ${e.method}`);
      return zlib.inflateRawSync(data);
    },
  };
}

// ---- what each VSIX must hold, exactly

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(path.join(REPO, dir))) return [];
  return (fs.readdirSync(path.join(REPO, dir), { recursive: true }) as string[])
    .map((f) => `${dir}/${f.split(path.sep).join('/')}`)
    .filter((f) => fs.statSync(path.join(REPO, f)).isFile());
}

function expectedFiles(arch: Arch): string[] {
  const files = [
    'extension.vsixmanifest', '[Content_Types].xml',
    'extension/package.json', 'extension/LICENSE.txt',
    ...['agent', 'cli', 'extension', 'webview', 'watchView'].map((n) => `extension/dist/${n}.js`),
    ...['tree-sitter', 'tree-sitter-c'].map((n) => `extension/dist/${n}.wasm`), // the C parser, offline
    ...filesUnder('media').map((f) => `extension/${f}`),
    ...['package.json', 'LICENSE.txt', 'index.cjs', 'src/koffi/index.cjs', 'src/koffi/src/static.cjs'].map((f) => `extension/node_modules/koffi/${f}`),
    ...['README.md', 'index.js', 'package.json', `linux_${arch}/koffi.node`, `musl_${arch}/koffi.node`].map((f) => `extension/node_modules/@koromix/koffi-linux-${arch}/${f}`),
  ];
  if (fs.existsSync(path.join(REPO, 'README.md'))) files.push('extension/readme.md');
  files.push('extension/changelog.md'); // required: the changelog test says why when it is missing
  return files.sort();
}

function stale(vsix: string): boolean {
  if (!fs.existsSync(vsix)) return true;
  const t = fs.statSync(vsix).mtimeMs;
  const inputs = ['package.json', '.vscodeignore', 'scripts/package.mjs', 'LICENSE', 'README.md', 'CHANGELOG.md', ...filesUnder('media')];
  return inputs.some((f) => fs.existsSync(path.join(REPO, f)) && fs.statSync(path.join(REPO, f)).mtimeMs > t);
}

describe('VSIX packages', () => {
  before(() => {
    if (ARCHS.some((a) => stale(vsixPath(a)))) {
      execFileSync(process.execPath, [path.join(REPO, 'scripts/package.mjs')], { cwd: REPO, stdio: 'inherit', timeout: 300_000 });
    }
  }, { timeout: 320_000 });

  for (const arch of ARCHS) {
    const other: Arch = arch === 'x64' ? 'arm64' : 'x64';

    test(`linux-${arch}: exactly the files that run`, () => {
      const names = readZip(vsixPath(arch)).entries.map((e) => e.name).sort();
      assert.deepEqual(names, expectedFiles(arch));
      for (const n of names) {
        assert.doesNotMatch(n, /\.map$|^extension\/(src|test|out|bench|scripts)\//, `${n} must not ship`);
      }
    });

    test(`linux-${arch}: the C parser's wasm files ship, byte for byte the ones the build copied`, () => {
      const zip = readZip(vsixPath(arch));
      for (const [name, from] of [['tree-sitter.wasm', 'node_modules/web-tree-sitter/tree-sitter.wasm'], ['tree-sitter-c.wasm', 'node_modules/tree-sitter-c/tree-sitter-c.wasm']]) {
        const shipped = zip.read(`extension/dist/${name}`);
        assert.equal(shipped.readUInt32BE(0), 0x0061736d, `${name} is WebAssembly`);
        assert.ok(shipped.equals(fs.readFileSync(path.join(REPO, from))), `${name} is ${from}`);
      }
    });

    test(`linux-${arch}: only ${arch} koffi binaries (glibc and musl), at koffi's version`, () => {
      const zip = readZip(vsixPath(arch));
      const binaries = zip.entries.filter((e) => e.name.endsWith('.node'));
      assert.deepEqual(binaries.map((e) => e.name).sort(), [
        `extension/node_modules/@koromix/koffi-linux-${arch}/linux_${arch}/koffi.node`,
        `extension/node_modules/@koromix/koffi-linux-${arch}/musl_${arch}/koffi.node`,
      ]);
      for (const e of binaries) {
        const elf = zip.read(e.name);
        assert.equal(elf.readUInt32BE(0), 0x7f454c46, `${e.name} is ELF`);
        assert.equal(elf.readUInt16LE(18), ELF_MACHINE[arch], `${e.name} is built for ${arch}`);
      }
      assert.ok(!zip.entries.some((e) => e.name.includes(`koffi-linux-${other}`) || e.name.includes(`_${other}/`)), `no ${other} files`);
      const binPkg = JSON.parse(zip.read(`extension/node_modules/@koromix/koffi-linux-${arch}/package.json`).toString('utf8')) as { version: string; cpu: string[] };
      assert.equal(binPkg.version, koffiVersion);
      assert.deepEqual(binPkg.cpu, [arch]);
    });

    test(`linux-${arch}: the icon ships, is a 128x128 PNG, and the gallery manifest names it`, () => {
      assert.equal(pkg.icon, 'media/icon.png', "package.json's icon");
      const zip = readZip(vsixPath(arch));
      const png = zip.read('extension/media/icon.png');
      assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'icon.png has the PNG signature');
      assert.equal(png.toString('latin1', 12, 16), 'IHDR');
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'icon.png is 128x128');
      assert.ok(png.equals(fs.readFileSync(path.join(REPO, 'media/icon.png'))), 'the VSIX holds the committed icon');
      const manifest = zip.read('extension.vsixmanifest').toString('utf8');
      assert.match(manifest, /<Icon>extension\/media\/icon\.png<\/Icon>/);
      assert.match(manifest, /Type="Microsoft\.VisualStudio\.Services\.Icons\.Default" Path="extension\/media\/icon\.png"/);
    });

    test(`linux-${arch}: the CHANGELOG ships with a section for this version, and the gallery manifest names it`, () => {
      const zip = readZip(vsixPath(arch));
      assert.ok(zip.entries.some((e) => e.name === 'extension/changelog.md'), 'extension/changelog.md is in the VSIX (CHANGELOG.md, whitelisted in .vscodeignore)');
      const text = zip.read('extension/changelog.md').toString('utf8');
      assert.equal(text, fs.readFileSync(path.join(REPO, 'CHANGELOG.md'), 'utf8'));
      assert.match(text, new RegExp(`^## ${pkg.version.replace(/\./g, '\\.')}\\b`, 'm'), `a section for version ${pkg.version}`);
      assert.match(zip.read('extension.vsixmanifest').toString('utf8'), /Type="Microsoft\.VisualStudio\.Services\.Content\.Changelog" Path="extension\/changelog\.md"/);
    });

    test(`linux-${arch}: every walkthrough step's media ships`, () => {
      const zip = readZip(vsixPath(arch));
      const names = new Set(zip.entries.map((e) => e.name));
      const walkthroughs = pkg.contributes.walkthroughs ?? [];
      assert.ok(walkthroughs.length > 0, 'package.json contributes a walkthrough');
      for (const w of walkthroughs) {
        for (const step of w.steps) {
          const media = step.media.markdown ?? (typeof step.media.image === 'string' ? step.media.image : undefined);
          assert.ok(media, `${w.id}/${step.id} has markdown or image media`);
          assert.ok(names.has(`extension/${media}`), `${w.id}/${step.id}: ${media} is in the VSIX`);
          // Images a markdown page shows are relative to it: they must ship too.
          if (step.media.markdown) {
            for (const m of zip.read(`extension/${media}`).toString('utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) {
              const target = path.posix.join(path.posix.dirname(`extension/${media}`), m[1]);
              assert.ok(names.has(target), `${media} shows ${m[1]}, which is not in the VSIX`);
            }
          }
        }
      }
    });

    test(`linux-${arch}: the manifest names the target; only the agent and the CLI load koffi`, () => {
      const zip = readZip(vsixPath(arch));
      assert.match(zip.read('extension.vsixmanifest').toString('utf8'), new RegExp(`TargetPlatform="linux-${arch}"`));
      const manifest = JSON.parse(zip.read('extension/package.json').toString('utf8')) as { main: string };
      assert.equal(manifest.main, './dist/extension.js');
      const loadsKoffi = /require\(\s*["'`]koffi["'`]\s*\)|from\s*["']koffi["']/;
      assert.doesNotMatch(zip.read('extension/dist/extension.js').toString('utf8'), loadsKoffi, 'the extension host bundle must not load koffi');
      assert.doesNotMatch(zip.read('extension/dist/webview.js').toString('utf8'), loadsKoffi);
      assert.doesNotMatch(zip.read('extension/dist/watchView.js').toString('utf8'), loadsKoffi);
      assert.match(zip.read('extension/dist/agent.js').toString('utf8'), loadsKoffi, 'the agent loads koffi');
      for (const f of ['extension', 'agent', 'cli', 'webview', 'watchView']) {
        assert.doesNotMatch(zip.read(`extension/dist/${f}.js`).toString('utf8'), /sourceMappingURL=/, `dist/${f}.js: production build, no source map`);
      }
    });
  }
});

describe('settings in package.json', () => {
  // The host reads these settings and the webview offers them with the choices in
  // src/protocol/settings.ts: the manifest must offer exactly those, with the same default.
  const choices = { bytesPerRow: BYTES_PER_ROW, grouping: GROUPING, inspector: INSPECTOR, readMode: READ_MODE };
  for (const [name, setting] of Object.entries(choices)) {
    test(`shmInspector.hexEditor.${name}: enum and default as src/protocol/settings.ts declares them`, () => {
      const declared = pkg.contributes.configuration.properties[`shmInspector.hexEditor.${name}`];
      assert.ok(declared, `package.json declares shmInspector.hexEditor.${name}`);
      assert.deepEqual(declared.enum, [...setting.choices]);
      assert.equal(declared.default, setting.default);
    });
  }

  test('shmInspector.hexEditor.liveRefresh: the manifest\'s maximum is the host\'s, and any value means a period within the limits or off', () => {
    const declared = pkg.contributes.configuration.properties['shmInspector.hexEditor.liveRefresh'];
    assert.equal(declared.maximum, MAX_LIVE_REFRESH_MS);
    assert.equal(declared.minimum, 0);
    assert.equal(liveRefreshPeriod(declared.default), declared.default);
    const cases: [unknown, number][] = [[0, 0], [-5, 0], [NaN, 0], [Infinity, 0], ['500', 0], [null, 0], [undefined, 0],
      [1, MIN_LIVE_REFRESH_MS], [250.4, 250], [10_000, 10_000], [60_000, MAX_LIVE_REFRESH_MS]];
    for (const [value, period] of cases) assert.equal(liveRefreshPeriod(value), period, `liveRefresh ${String(value)}`);
  });
});
