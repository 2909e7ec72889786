// scripts/check-layers.mjs (the layer rules eslint cannot express, run by `npm run lint`) on small
// trees built here: a clean one passes, and each broken rule fails it with the file and line named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, testTmpDir } from './helpers';

const SCRIPT = path.join(REPO, 'scripts', 'check-layers.mjs');

/** A tree of the given files (path → text) with a package.json, in a fresh directory. */
function tree(name: string, files: Record<string, string>): string {
  const root = path.join(testTmpDir(), name);
  for (const [rel, text] of Object.entries({ 'package.json': '{"name":"t"}\n', ...files })) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

function checkLayers(root: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, CHECK_LAYERS_ROOT: root }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const CLEAN = {
  'src/protocol/messages.ts': "export interface Ping { kind: 'ping' }\n",
  'src/core/libc.ts': "import koffi from 'koffi';\nexport const lib = koffi;\n",
  'src/core/validate.ts': 'export const isKey = (n: number) => n >= 0;\n',
  'src/core/x.ts': "import { lib } from './libc';\nimport * as fs from 'node:fs';\nexport { lib, fs };\n",
  'src/webview/y.ts': "import type { Ping } from '../protocol/messages';\nexport const p: Ping = { kind: 'ping' };\n",
  'src/extension/z.ts': "import * as vscode from 'vscode';\nimport { isKey } from '../core/validate';\nexport { vscode, isKey };\n",
  'src/extension/agent/client.ts': "import * as net from 'node:net';\nimport { isKey } from '../../core/validate';\nexport { net, isKey };\n",
  'src/cli/main.ts': "import { lib } from '../core/libc';\nimport pkg from '../../package.json';\nexport { lib, pkg };\n",
  'src/agent/main.ts': "import { lib } from '../core/libc';\nexport { lib };\n",
  'src/ctypes/index.ts': "import * as fs from 'node:fs';\nimport { Parser } from 'web-tree-sitter';\nimport type { Ping } from '../protocol/messages';\nexport { fs, Parser };\nexport type { Ping };\n",
  'src/timeline/sampler.ts': "import * as zlib from 'node:zlib';\nimport type { Ping } from '../protocol/messages';\nexport { zlib };\nexport type { Ping };\n",
  // The CLI, the agent and the extension host may each use the timeline.
  'src/cli/timeline.ts': "export * from '../timeline/sampler';\n",
  'src/agent/timeline.ts': "export * from '../timeline/sampler';\n",
  'src/extension/timeline.ts': "export * from '../timeline/sampler';\n",
};

describe('check-layers', () => {
  test('passes a tree that keeps every rule', () => {
    const r = checkLayers(tree('clean', CLEAN));
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /layers: 14 files checked, 0 violations/);
  });

  const broken: [string, Record<string, string>, RegExp][] = [
    ['src/core importing vscode', { 'src/core/x.ts': "import * as vscode from 'vscode';\nexport { vscode };\n" },
      /^src\/core\/x\.ts:1: imports 'vscode' — src\/core must not import vscode$/m],
    ['src/webview importing src/extension', { 'src/webview/y.ts': "\nimport { vscode } from '../extension/z';\nexport { vscode };\n" },
      /^src\/webview\/y\.ts:2: imports '..\/extension\/z' — src\/webview may import only src\/webview and src\/protocol$/m],
    ['src/protocol importing a Node built-in', { 'src/protocol/messages.ts': "import * as fs from 'node:fs';\nexport { fs };\n" },
      /^src\/protocol\/messages\.ts:1: imports 'node:fs' — src\/protocol may import only src\/protocol$/m],
    ['koffi outside src/core/libc.ts', { 'src/agent/main.ts': "import koffi from 'koffi';\nexport { koffi };\n" },
      /^src\/agent\/main\.ts:1: imports 'koffi' — only src\/core\/libc\.ts may import koffi$/m],
    ['src/cli importing src/extension', { 'src/cli/main.ts': "const z = require('../extension/z');\nexport { z };\n" },
      /^src\/cli\/main\.ts:1: imports '..\/extension\/z' — src\/cli may import only src\/cli, src\/core, src\/ctypes, src\/timeline and src\/protocol$/m],
    ['src/ctypes importing src/core', { 'src/ctypes/index.ts': "import { lib } from '../core/libc';\nexport { lib };\n" },
      /^src\/ctypes\/index\.ts:1: imports '..\/core\/libc' — src\/ctypes may import only src\/ctypes and src\/protocol$/m],
    ['src/ctypes importing vscode', { 'src/ctypes/index.ts': "\nimport * as vscode from 'vscode';\nexport { vscode };\n" },
      /^src\/ctypes\/index\.ts:2: imports 'vscode' — src\/ctypes may import only Node built-ins, web-tree-sitter and src\/protocol$/m],
    ['src/timeline importing src/core', { 'src/timeline/sampler.ts': "import { lib } from '../core/x';\nexport { lib };\n" },
      /^src\/timeline\/sampler\.ts:1: imports '..\/core\/x' — src\/timeline may import only src\/timeline, src\/protocol and Node built-ins$/m],
    ['src/timeline importing vscode', { 'src/timeline/sampler.ts': "\nimport * as vscode from 'vscode';\nexport { vscode };\n" },
      /^src\/timeline\/sampler\.ts:2: imports 'vscode' — src\/timeline may import only Node built-ins, src\/timeline and src\/protocol \(no packages: no vscode, no koffi\)$/m],
    ['src/extension importing src/agent', { 'src/extension/agent/client.ts': "import { lib } from '../../agent/main';\nexport { lib };\n" },
      /^src\/extension\/agent\/client\.ts:1: imports '..\/..\/agent\/main' — src\/extension must not import src\/agent /m],
    ['the agent client importing a core file', { 'src/extension/agent/client.ts': "\n\nimport { lib } from '../../core/x';\nexport { lib };\n" },
      /^src\/extension\/agent\/client\.ts:3: imports '..\/..\/core\/x' — src\/extension may import from src\/core only src\/core\/validate\.ts, src\/core\/search\.ts, src\/core\/files\.ts$/m],
    ['the extension host reaching core through src/protocol', {
      'src/protocol/messages.ts': "export * from '../core/x';\n",
      'src/extension/z.ts': "export * from '../protocol/messages';\n",
    }, /^src\/extension\/z\.ts -> src\/protocol\/messages\.ts -> src\/core\/x\.ts: the extension host reaches src\/core\/x\.ts/m],
  ];
  for (const [what, change, expected] of broken) {
    test(`fails on ${what}, naming the file and line`, () => {
      const r = checkLayers(tree(what.replace(/\W+/g, '-'), { ...CLEAN, ...change }));
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, expected);
      assert.match(r.out, /layers: \d+ violation\(s\) in 14 files/);
    });
  }
  // A comment or a string that mentions an import is not one.
  test('ignores imports in comments and strings', () => {
    const r = checkLayers(tree('comments', { ...CLEAN, 'src/core/x.ts': "// import * as vscode from 'vscode';\nexport const s = \"require('vscode')\";\n" }));
    assert.equal(r.status, 0, r.out);
  });
});
