// Bundles the four programs: extension host, agent, CLI (node, cjs) and webview (browser, iife).
// koffi stays external: its native binary ships in node_modules/@koromix/koffi-linux-*.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

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

const builds = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/agent/main.ts'], outfile: 'dist/agent.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, platform: 'browser', format: 'iife', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
