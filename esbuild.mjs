// Bundles the programs: extension host, agent, CLI (node, cjs) and the two webviews (browser, iife):
// the hex editor and the watch view.
// koffi stays external: its native binary ships in node_modules/@koromix/koffi-linux-*.
// `--only=NAME [--outfile=PATH]` builds one of them (tests: test/unit/helpers.ts freshBundle).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const argValue = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = argValue('only');
const outfile = argValue('outfile');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
};

// web-tree-sitter's ESM build needs import.meta.url, which a cjs bundle lacks: use its cjs build.
const node = {
  ...common, platform: 'node', format: 'cjs', external: ['vscode', 'koffi'],
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/tree-sitter.cjs' },
};

// The C parser's wasm files, loaded at run time from next to the bundle (src/ctypes/parser.ts).
fs.mkdirSync('dist', { recursive: true });
for (const f of ['node_modules/web-tree-sitter/tree-sitter.wasm', 'node_modules/tree-sitter-c/tree-sitter-c.wasm']) {
  fs.copyFileSync(f, `dist/${f.split('/').pop()}`);
}

const all = {
  extension: { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  agent: { ...node, entryPoints: ['src/agent/main.ts'], outfile: 'dist/agent.js' },
  cli: { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  webview: { ...common, platform: 'browser', format: 'iife', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' },
  watch: { ...common, platform: 'browser', format: 'iife', entryPoints: ['src/webview/watch/main.ts'], outfile: 'dist/watchView.js' },
};
if (only !== undefined && !(only in all)) throw new Error(`--only=${only}: not one of ${Object.keys(all).join(', ')}`);
const builds = only === undefined ? Object.values(all) : [{ ...all[only], ...(outfile ? { outfile, sourcemap: false } : {}) }];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
