#!/usr/bin/env node
// Enforces DESIGN.md's layering by scanning every import under src/ (static and type imports,
// export-from, require() and import()), with TypeScript's own pre-processor so comments and
// strings never count. Prints each violation and exits 1 if there is any.
//
//   src/core      no vscode; nothing from src/extension, src/webview, src/agent, src/cli
//   koffi         imported only by src/core/libc.ts
//   src/protocol  only src/protocol (no packages, no Node built-ins: the browser loads it too)
//   src/webview   only src/webview and src/protocol (no vscode, no Node built-ins)
//   src/extension the extension host, src/extension/agent (the agent's client) included: no
//                 src/core except HOST_CORE (pure Node helpers: validation, search, file replacement), no src/webview, no src/agent (the agent
//                 is another process, reached through src/protocol), and nothing it reaches
//                 (transitively) may be other core files or koffi
//   src/cli       only src/cli, src/core, src/ctypes, src/timeline, src/protocol, package.json (and packages but vscode)
//   src/agent     the agent process only: no vscode, nothing from src/extension, src/webview, src/cli
//   src/ctypes    C layouts (Node: the CLI and the extension host): only src/ctypes, src/protocol,
//                 Node built-ins and web-tree-sitter (no vscode, no koffi, no other src/ area)
//   src/timeline  the sampler and the recording format (Node: the CLI, the agent, the extension
//                 host): only src/timeline, src/protocol and Node built-ins (no packages, no core)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules, createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

// CHECK_LAYERS_ROOT: check another tree (used to test this script on deliberate violations).
const root = path.resolve(process.env.CHECK_LAYERS_ROOT || path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const rootManifest = path.join(root, 'package.json');
const SRC = path.join(root, 'src');
const EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The core modules the extension host may use: pure Node, no koffi (a timeline searches and exports in the host). */
const HOST_CORE = new Set(['src/core/validate.ts', 'src/core/search.ts', 'src/core/files.ts']);
const rel = (abs) => path.relative(root, abs).split(path.sep).join('/');

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full));
    else if (EXTS.includes(path.extname(e.name)) && !e.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Resolve a relative specifier to a file, as esbuild/tsc would. */
function resolveRelative(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [base, ...EXTS.map((e) => base + e), ...EXTS.map((e) => path.join(base, 'index' + e))];
  if (/\.js$/.test(base)) candidates.push(base.replace(/\.js$/, '.ts'));
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? base;
}

/** { spec, kind: 'relative'|'package'|'builtin', target (abs path, relative only), line } */
function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => {
    const spec = f.fileName;
    const line = text.slice(0, f.pos).split('\n').length;
    if (spec.startsWith('.') || spec.startsWith('/')) return { spec, kind: 'relative', target: resolveRelative(file, spec), line };
    if (builtins.has(spec)) return { spec, kind: 'builtin', line };
    return { spec, kind: 'package', pkg: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0], line };
  });
}

/** "core", "protocol", "extension"... for a file under src/, else "outside". */
function areaOf(abs) {
  const r = path.relative(SRC, abs);
  if (r.startsWith('..') || path.isAbsolute(r)) return 'outside';
  return r.split(path.sep)[0];
}

const files = walk(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const violations = [];
const flag = (file, imp, why) => violations.push(`${rel(file)}:${imp.line}: imports '${imp.spec}' — ${why}`);

for (const [file, imps] of graph) {
  const area = areaOf(file);
  for (const imp of imps) {
    const target = imp.kind === 'relative' ? areaOf(imp.target) : undefined;
    const targetRel = imp.kind === 'relative' ? rel(imp.target) : undefined;

    if (imp.kind === 'package' && imp.pkg === 'koffi' && rel(file) !== 'src/core/libc.ts') {
      flag(file, imp, 'only src/core/libc.ts may import koffi');
    }
    switch (area) {
      case 'core':
        if (imp.spec === 'vscode') flag(file, imp, 'src/core must not import vscode');
        if (['extension', 'webview', 'agent', 'cli'].includes(target)) flag(file, imp, `src/core must not import src/${target}`);
        break;
      case 'protocol':
        if (imp.kind !== 'relative' || target !== 'protocol') flag(file, imp, 'src/protocol may import only src/protocol');
        break;
      case 'webview':
        if (imp.kind !== 'relative' || !['webview', 'protocol'].includes(target)) flag(file, imp, 'src/webview may import only src/webview and src/protocol');
        break;
      case 'extension':
        if (target === 'core' && !HOST_CORE.has(targetRel)) flag(file, imp, `src/extension may import from src/core only ${[...HOST_CORE].join(', ')}`);
        if (target === 'webview') flag(file, imp, 'src/extension must not import src/webview (talk to it through src/protocol messages)');
        if (target === 'cli') flag(file, imp, 'src/extension must not import src/cli');
        if (target === 'agent') flag(file, imp, 'src/extension must not import src/agent (the agent runs in its own process: share through src/protocol)');
        break;
      case 'cli':
        if (imp.spec === 'vscode') flag(file, imp, 'src/cli must not import vscode');
        if (imp.kind === 'relative' && imp.target !== rootManifest && !['cli', 'core', 'ctypes', 'timeline', 'protocol'].includes(target)) flag(file, imp, 'src/cli may import only src/cli, src/core, src/ctypes, src/timeline and src/protocol');
        break;
      case 'ctypes':
        if (imp.kind === 'relative' && !['ctypes', 'protocol'].includes(target)) flag(file, imp, 'src/ctypes may import only src/ctypes and src/protocol');
        if (imp.kind === 'package' && imp.pkg !== 'web-tree-sitter') flag(file, imp, 'src/ctypes may import only Node built-ins, web-tree-sitter and src/protocol');
        break;
      case 'timeline':
        if (imp.kind === 'package') flag(file, imp, 'src/timeline may import only Node built-ins, src/timeline and src/protocol (no packages: no vscode, no koffi)');
        if (imp.kind === 'relative' && !['timeline', 'protocol'].includes(target)) flag(file, imp, 'src/timeline may import only src/timeline, src/protocol and Node built-ins');
        break;
      case 'agent':
        if (imp.spec === 'vscode') flag(file, imp, 'src/agent must not import vscode');
        if (['extension', 'webview', 'cli'].includes(target)) flag(file, imp, `src/agent must not import src/${target}`);
        break;
    }
  }
}

// Transitive: what the extension host bundle reaches must not load koffi or the core.
const seen = new Map(); // file -> first importer chain
const queue = files.filter((f) => areaOf(f) === 'extension');
for (const f of queue) seen.set(f, [rel(f)]);
while (queue.length) {
  const f = queue.shift();
  for (const imp of graph.get(f) ?? importsOf(f)) {
    const chain = seen.get(f);
    if (imp.kind === 'package' && imp.pkg === 'koffi') {
      violations.push(`${chain.join(' -> ')}: reaches koffi — the extension host must not load it (only the agent does)`);
    }
    if (imp.kind !== 'relative' || seen.has(imp.target) || !fs.existsSync(imp.target)) continue;
    const t = imp.target;
    seen.set(t, [...chain, rel(t)]);
    if (areaOf(t) === 'core' && !HOST_CORE.has(rel(t)) && areaOf(f) !== 'extension') {
      violations.push(`${seen.get(t).join(' -> ')}: the extension host reaches ${rel(t)} (only ${[...HOST_CORE].join(', ')} are allowed)`);
    }
    if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(t)) queue.push(t);
  }
}

if (violations.length) {
  for (const v of violations) console.error(v);
  console.error(`layers: ${violations.length} violation(s) in ${files.length} files`);
  process.exit(1);
}
console.log(`layers: ${files.length} files checked, 0 violations`);
