// src/ctypes/verify.ts ("Verify Layout with the Compiler") against gcc for x86_64 and
// aarch64-linux-gnu-gcc for aarch64: a header we lay out right verifies clean; a layout made
// wrong on purpose (a member's offset, a bit-field's bits, the size, the alignment) is reported
// field by field; the header's flags reach the compiler; a header that does not compile gives
// the compiler's message; no compiler and a hung compiler are clear messages. And the CLI's
// `layout --verify` / `--compile-commands`.
import { type TestContext, test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findCompiler, hostAbi, loadLayouts } from '../../src/ctypes';
import { describeDisagreement, verifyLayout } from '../../src/ctypes/verify';
import { type CAbi, type CRecordType, type CType, flattenFields } from '../../src/protocol/cTypes';
import { REPO, freshBundle, testTmpDir } from './helpers';

function compilerOrSkip(abi: CAbi, t: TestContext): string[] | undefined {
  const c = findCompiler(abi);
  if (!c) t.skip(`no C compiler for ${abi} on PATH (install ${abi === 'aarch64' ? 'gcc-aarch64-linux-gnu' : 'gcc'}): cannot verify against it`);
  return c;
}

/** Every construct that moves members: nesting, anonymous members, arrays of records, bit-fields, packing. */
const HEADER = [
  '#include <stdint.h>',
  '#include <sys/types.h>',
  '#define magic renamed_by_a_macro', // a macro named like a member must not break the probe
  'struct hdr { uint32_t magic; pid_t pid; uint64_t seq; };',
  'typedef struct shared {',
  '  struct hdr hdr;',
  '  char tag;',
  '  unsigned ready:1, mode:5, :0;',
  '  signed char level:3;',
  '  _Bool on:1;',
  '  struct { int id; unsigned short flags:4, kind:9; union { short s; double d; }; } items[3];',
  '  long double ld;',
  '  struct __attribute__((packed)) { char c; int i; } packed;',
  '  _Alignas(32) char aligned[5][2];',
  '  char data[];',
  '} shared_t;',
  '',
].join('\n');

function writeHeader(name: string, text = HEADER): string {
  const file = path.join(testTmpDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

const clone = (t: CType): CType => structuredClone(t);
const member = (t: CType, name: string) => {
  const m = (t as CRecordType).members.find((x) => x.name === name);
  assert.ok(m, name);
  return m;
};

for (const abi of ['x86_64', 'aarch64'] as const) {
  describe(`verifyLayout for ${abi}`, () => {
    test('a header we lay out right verifies clean: every field, bit-field and the size and alignment checked', async (t) => {
      const compiler = compilerOrSkip(abi, t);
      if (!compiler) return;
      const file = writeHeader(`ok-${abi}.h`);
      const layouts = await loadLayouts(file, { abi });
      for (const name of ['shared_t', 'struct hdr']) {
        const type = layouts.lookup(name);
        const r = await verifyLayout({ file, abi, typeName: name, type });
        assert.deepEqual(r, { kind: 'checked', compiler: compiler.join(' '), fields: flattenFields(type).length, disagreements: [] }, name);
      }
      assert.ok(flattenFields(layouts.lookup('shared_t')).length >= 20);
    });

    test('system types whose member names are also macros (sigaction\'s sa_handler, siginfo_t\'s si_pid), enums and array typedefs verify clean', async (t) => {
      const compiler = compilerOrSkip(abi, t);
      if (!compiler) return;
      const file = writeHeader(`system-${abi}.h`, '#include <signal.h>\n#include <sys/stat.h>\n#include <linux/perf_event.h>\ntypedef enum { A, B = 300 } e_t;\ntypedef char buf_t[5];\n');
      const layouts = await loadLayouts(file, { abi });
      for (const name of ['struct sigaction', 'siginfo_t', 'struct stat', 'struct perf_event_attr', 'e_t', 'buf_t']) {
        const r = await verifyLayout({ file, abi, typeName: name, type: layouts.lookup(name) });
        assert.deepEqual(r, { kind: 'checked', compiler: compiler.join(' '), fields: flattenFields(layouts.lookup(name)).length, disagreements: [] }, name);
      }
    });

    test('a wrong layout is reported field by field: an offset, a bit-field\'s bits, the size, the alignment', async (t) => {
      const compiler = compilerOrSkip(abi, t);
      if (!compiler) return;
      const file = writeHeader(`wrong-${abi}.h`);
      const good = (await loadLayouts(file, { abi })).lookup('shared_t');
      const bad = clone(good);
      bad.size += 16;
      bad.align = 8;
      member(bad, 'tag').offset += 1;
      const mode = member(bad, 'mode');
      mode.bitOffset = (mode.bitOffset ?? 0) + 2;
      const items = member(bad, 'items').type;
      assert.equal(items.kind, 'array');
      const kind = member(items.element, 'kind');
      kind.bitSize = 8;
      const r = await verifyLayout({ file, abi, typeName: 'shared_t', type: bad });
      assert.equal(r.kind, 'checked');
      const goodMode = member(good, 'mode').bitOffset ?? 0;
      const goodKind = (flattenFields(good).find((f) => f.path === 'items[0].kind')?.bitOffset) ?? 0;
      assert.deepEqual(r.disagreements.map((d) => describeDisagreement(d, 'shared_t')), [
        `shared_t: size ${good.size + 16} here, ${good.size} by the compiler`,
        `shared_t: alignment 8 here, 32 by the compiler`,
        `tag: offset ${member(good, 'tag').offset + 1} here, ${member(good, 'tag').offset} by the compiler`,
        `mode: bits ${goodMode + 2}-${goodMode + 6} here, bits ${goodMode}-${goodMode + 4} by the compiler`,
        `items[0].kind: bits ${goodKind}-${goodKind + 7} here, bits ${goodKind}-${goodKind + 8} by the compiler`,
      ]);
      assert.deepEqual(r.disagreements[2], { path: 'tag', what: 'offset', ours: member(good, 'tag').offset + 1, compiler: member(good, 'tag').offset });
    });

    test('the flags reach the compiler: include dirs and defines', async (t) => {
      const compiler = compilerOrSkip(abi, t);
      if (!compiler) return;
      const dir = path.join(testTmpDir(), `flags-${abi}`);
      fs.mkdirSync(path.join(dir, 'inc'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'inc', 'cfg.h'), '#define N 7\n');
      const file = path.join(dir, 'state.h');
      fs.writeFileSync(file, '#include "cfg.h"\nstruct state { char name[N];\n#ifdef WIDE\n long wide;\n#endif\n};\n');
      const flags = { includeDirs: [path.join(dir, 'inc')], defines: ['WIDE'] };
      const type = (await loadLayouts(file, { abi, ...flags })).lookup('struct state');
      assert.equal(type.size, 16);
      assert.deepEqual(await verifyLayout({ file, abi, typeName: 'struct state', type, ...flags }), { kind: 'checked', compiler: compiler.join(' '), fields: 2, disagreements: [] });
      // Without -DWIDE the compiler's struct has no member `wide`: its message says so.
      const without = await verifyLayout({ file, abi, typeName: 'struct state', type, includeDirs: flags.includeDirs });
      assert.equal(without.kind, 'failed');
      assert.match(without.message, /error: ['‘]struct state['’] has no member named ['‘]wide['’]/);
    });
  });
}

describe('verifyLayout: failures are one clear message', () => {
  test('a header that does not compile gives the compiler\'s first error lines, naming the file', async (t) => {
    const compiler = compilerOrSkip('x86_64', t);
    if (!compiler) return;
    const good = writeHeader('fine.h', 'struct s { int a; };\n');
    const type = (await loadLayouts(good, { abi: 'x86_64' })).lookup('struct s');
    const broken = writeHeader('broken.h', 'struct s { int a; };\nstruct t { undeclared_t x; };\n');
    const r = await verifyLayout({ file: broken, abi: 'x86_64', typeName: 'struct s', type });
    assert.equal(r.kind, 'failed');
    assert.match(r.message, new RegExp(`^${compiler.join(' ')} could not compile the probe: .*broken\\.h:2:\\d+: error: unknown type name ['‘]undeclared_t['’]`));
    assert.ok(!r.message.includes('\n'));
  });

  test('no compiler for the ABI says so; a compiler that cannot start, or hangs, is a message too', async () => {
    const type = (await loadLayouts(writeHeader('any.h', 'struct s { int a; };\n'), { abi: 'x86_64', compiler: false })).lookup('struct s');
    const req = { file: path.join(testTmpDir(), 'any.h'), abi: 'aarch64' as const, typeName: 'struct s', type };
    const saved = process.env.PATH;
    process.env.PATH = path.join(testTmpDir(), 'empty-path');
    try {
      assert.deepEqual(await verifyLayout(req), { kind: 'failed', message: 'no compiler for aarch64 on PATH (install gcc-aarch64-linux-gnu)' });
    } finally {
      process.env.PATH = saved;
    }
    const missing = await verifyLayout({ ...req, compiler: ['/nonexistent/cc'] });
    assert.deepEqual(missing, { kind: 'failed', message: 'cannot run /nonexistent/cc: spawn /nonexistent/cc ENOENT' });
    const hung = await verifyLayout({ ...req, compiler: ['sh', '-c', 'exec sleep 60', 'sh'], timeoutMs: 300 });
    assert.deepEqual(hung, { kind: 'failed', message: 'sh -c exec sleep 60 sh took more than 0.3 s' });
  });
});

describe('cli: layout --verify, --compile-commands', () => {
  const CLI = path.join(REPO, 'dist', 'cli.js');
  before(() => {
    freshBundle('cli');
  });
  const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

  test('--verify prints that the layout agrees with the compiler (and the fields counted)', (t) => {
    const compiler = compilerOrSkip('x86_64', t);
    if (!compiler) return;
    const file = writeHeader('cli.h');
    const r = cli(['layout', file, '--type', 'shared_t', '--abi', 'x86_64', '--verify']);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(cli(['layout', file, '--type', 'shared_t', '--abi', 'x86_64', '--json']).stdout) as { fields: unknown[]; size: number; align: number };
    assert.equal(r.stdout, `shared_t: layout agrees with ${compiler.join(' ')} (${json.fields.length} fields, size ${json.size}, align ${json.align})\n`);
  });

  test('disagreements are listed, exit 1 (a cc on PATH that compiles the probe with a define the layout did not see)', (t) => {
    if (!compilerOrSkip('x86_64', t)) return;
    if (hostAbi() !== 'x86_64') { t.skip('the wrapper cc stands in for the host compiler, which here is not x86_64'); return; }
    const bin = path.join(testTmpDir(), 'wrapper-bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'cc'), '#!/bin/sh\ncase " $* " in *" -S "*) exec gcc -DSHIFTED "$@";; esac\nexec gcc "$@"\n', { mode: 0o755 });
    const file = writeHeader('shifted.h', 'struct s {\n#ifdef SHIFTED\n char pad;\n#endif\n char c; int bits:4; };\n');
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const r = spawnSync(process.execPath, [CLI, 'layout', file, '--type', 'struct s', '--abi', 'x86_64', '--verify'], { encoding: 'utf8', env, timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, [
      'struct s: layout disagrees with cc (x86_64) in 2 places:',
      '  c: offset 0 here, 1 by the compiler',
      '  bits: bits 8-11 here, bits 16-19 by the compiler',
      '',
    ].join('\n'));
    const json = spawnSync(process.execPath, [CLI, 'layout', file, '--type', 'struct s', '--abi', 'x86_64', '--verify', '--json'], { encoding: 'utf8', env, timeout: 60_000 });
    assert.equal(json.status, 1, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      type: 'struct s', abi: 'x86_64', compiler: 'cc', fields: 2, disagreements: [
        { path: 'c', what: 'offset', ours: 0, compiler: 1 },
        { path: 'bits', what: 'bits', ours: 'bits 8-11', compiler: 'bits 16-19' },
      ],
    });
  });

  test('--compile-commands gives the flags (a DIR or the FILE); without them the header does not preprocess (one line, exit 1)', (t) => {
    const compiler = compilerOrSkip('x86_64', t);
    if (!compiler) return;
    const dir = path.join(testTmpDir(), 'cliws');
    fs.mkdirSync(path.join(dir, 'inc'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'build'));
    fs.writeFileSync(path.join(dir, 'inc', 'cfg.h'), '#define N 7\n');
    fs.writeFileSync(path.join(dir, 'state.h'), '#include "cfg.h"\nstruct state { char name[N];\n#ifdef WIDE\n long wide;\n#endif\n};\n');
    fs.writeFileSync(path.join(dir, 'build', 'compile_commands.json'), JSON.stringify([{ directory: path.join(dir, 'build'), file: '../main.c', command: 'cc -I../inc -DWIDE -c ../main.c' }]));
    const file = path.join(dir, 'state.h');
    const json = cli(['layout', file, '--type', 'struct state', '--abi', 'x86_64', '--compile-commands', dir, '--json']);
    assert.equal(json.status, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { size: number }).size, 16);
    const v = cli(['layout', file, '--type', 'struct state', '--abi', 'x86_64', '--compile-commands', path.join(dir, 'build', 'compile_commands.json'), '--verify']);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, `struct state: layout agrees with ${compiler.join(' ')} (2 fields, size 16, align 8)\n`);
    const without = cli(['layout', file, '--type', 'struct state', '--abi', 'x86_64']);
    assert.equal(without.status, 1);
    assert.match(without.stderr, /^shm-inspector: .* -E failed: .*cfg\.h.*\n$/);
    const bad = cli(['layout', file, '--type', 'struct state', '--abi', 'x86_64', '--compile-commands', path.join(dir, 'inc')]);
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, `shm-inspector: no compile_commands.json in ${path.join(dir, 'inc')} (nor in build/, out/ or cmake-build-*/)\n`);
    const noType = cli(['layout', file, '--verify']);
    assert.equal(noType.status, 2);
    assert.match(noType.stderr, /^shm-inspector: --verify needs --type NAME/);
  });
});
