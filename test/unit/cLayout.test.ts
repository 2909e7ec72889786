// src/ctypes against the compiler: thousands of random declarations (test/unit/cLayoutGen.ts)
// laid out by us and checked by gcc for x86_64 and aarch64-linux-gnu-gcc for aarch64 (sizes,
// alignments, offsets in _Static_asserts; bit-fields from the bytes of objects in the
// compiler's own assembly); real system headers through `cc -E`; the built-in standard types;
// our own preprocessor; errors that name file and line.
import { type TestContext, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CLayouts, CTypeError, findCompiler, layoutText, loadLayouts } from '../../src/ctypes';
import { STANDARD_HEADERS, STANDARD_TYPE_NAMES } from '../../src/ctypes/abi';
import { type CAbi, flattenFields } from '../../src/protocol/cTypes';
import { setBits } from '../../src/ctypes/probe';
import { compileProbe, generate, probe } from './cLayoutGen';
import { testTmpDir } from './helpers';

/** The compiler for abi, or undefined after skipping the test loudly. */
function compilerOrSkip(abi: CAbi, t: TestContext): string[] | undefined {
  const c = findCompiler(abi);
  if (!c) t.skip(`no C compiler for ${abi} on PATH (install ${abi === 'aarch64' ? 'gcc-aarch64-linux-gnu' : 'gcc'}): cannot check layouts against it`);
  return c;
}

// A fixed seed (reproducible) and a fresh one (new cases each run); SHM_CLAYOUT_SEED replays one.
const SEEDS = process.env.SHM_CLAYOUT_SEED ? [Number(process.env.SHM_CLAYOUT_SEED)] : [20261204, randomInt(1, 0x7fffffff)];
const COUNT = 1500;

async function checkAgainstCompiler(abi: CAbi, compiler: string[], seed: number): Promise<void> {
  const gen = generate(seed, COUNT);
  const where = `seed ${seed} (replay: SHM_CLAYOUT_SEED=${seed})`;
  let layouts: CLayouts;
  try {
    layouts = await layoutText(gen.text, { abi, name: 'generated.h' });
  } catch (err) {
    const m = /generated\.h:(\d+)/.exec((err as Error).message);
    const line = m ? gen.text.split('\n')[Number(m[1]) - 1] : '';
    assert.fail(`${where}: ${(err as Error).message}\n  ${line}`);
  }
  const { text, bitObjects } = probe(gen, (n) => layouts.lookup(n));
  const result = await compileProbe(compiler, text);
  assert.equal(result.error, undefined, `${where}: the compiler rejected the probe: ${result.error}`);
  const smallest = (types: string[]) => types.map((t) => gen.decls.get(t) ?? t).sort((a, b) => a.length - b.length)[0];
  if (result.failures.length) {
    const first = smallest(result.failures.map((y) => y.type));
    const f = result.failures.find((x) => gen.decls.get(x.type) === first) ?? result.failures[0];
    const t = layouts.lookup(f.type);
    assert.fail(`${where}: ${result.failures.length} disagreement(s) with ${compiler.join(' ')}; smallest: ${f.type}: ${f.what}\n` +
      `  ${gen.decls.get(f.type)}\n  ours: size ${t.size} align ${t.align} ${JSON.stringify(flattenFields(t))}`);
  }
  const wrong: string[] = [];
  for (const [obj, bf] of bitObjects) {
    const bytes = result.objects.get(obj);
    assert.ok(bytes, `${where}: no bytes for ${obj} in the compiler's assembly`);
    assert.equal(bytes.length, bf.size, `${where}: ${obj} (${bf.type}) has ${bytes.length} bytes`);
    const bits = setBits(bytes);
    const ok = bits.length === bf.bitSize && bits[0] === bf.bitOffset && bits.at(-1) === bf.bitOffset + bf.bitSize - 1;
    if (!ok) wrong.push(bf.type);
    if (!ok && wrong.length === 1) {
      // keep going to find the smallest declaration
    }
  }
  if (wrong.length) {
    const type = smallest(wrong);
    const name = [...gen.decls].find(([, v]) => v === type)?.[0];
    const bad = [...bitObjects.entries()].filter(([, bf]) => bf.type === name).map(([o, bf]) => `${bf.path}: ours bits ${bf.bitOffset}+${bf.bitSize}, compiler's ${JSON.stringify(setBits(result.objects.get(o) ?? new Uint8Array()))}`);
    assert.fail(`${where}: ${wrong.length} bit-field(s) disagree with ${compiler.join(' ')}; smallest: ${name}\n  ${type}\n  ${bad.join('\n  ')}`);
  }
}

for (const abi of ['x86_64', 'aarch64'] as const) {
  describe(`layouts agree with the compiler for ${abi}`, () => {
    for (const seed of SEEDS) {
      test(`${COUNT} random declarations, seed ${seed}`, async (t) => {
        const compiler = compilerOrSkip(abi, t);
        if (compiler) await checkAgainstCompiler(abi, compiler, seed);
      });
    }
  });
}

const SYSTEM_TYPES = ['struct stat', 'struct shmid_ds', 'struct ipc_perm', 'struct tcp_info', 'struct perf_event_attr', 'pthread_mutex_t', 'sem_t'];
const SYSTEM_HEADERS = ['sys/stat.h', 'sys/shm.h', 'netinet/tcp.h', 'linux/perf_event.h', 'pthread.h', 'semaphore.h'];

for (const abi of ['x86_64', 'aarch64'] as const) {
  describe(`real system headers and the built-in standard types for ${abi}`, () => {
    test(`${SYSTEM_TYPES.join(', ')} through cc -E agree with the compiler (bit-fields too)`, async (t) => {
      const compiler = compilerOrSkip(abi, t);
      if (!compiler) return;
      const file = path.join(testTmpDir(), `system-${abi}.h`);
      const text = SYSTEM_HEADERS.map((h) => `#include <${h}>`).join('\n') + '\n';
      fs.writeFileSync(file, text);
      const layouts = await loadLayouts(file, { abi });
      const gen = { text, names: SYSTEM_TYPES, decls: new Map<string, string>() };
      const { text: probeText, bitObjects } = probe(gen, (n) => layouts.lookup(n));
      assert.ok([...bitObjects.values()].some((b) => b.type === 'struct perf_event_attr'), 'perf_event_attr has bit-fields to check');
      const result = await compileProbe(compiler, probeText);
      assert.equal(result.error, undefined);
      assert.deepEqual(result.failures, []);
      for (const [obj, bf] of bitObjects) {
        const bits = setBits(result.objects.get(obj) ?? new Uint8Array());
        assert.deepEqual([bits[0], bits.length], [bf.bitOffset, bf.bitSize], `${bf.type}.${bf.path}`);
      }
    });

    test('the built-in standard types (used without a compiler) match glibc\'s headers', async (t) => {
      const compiler = compilerOrSkip(abi, t);
      if (!compiler) return;
      const layouts = await layoutText('', { abi });
      const text = STANDARD_HEADERS.map((h) => `#include <${h}>`).join('\n') + '\n';
      const { text: probeText } = probe({ text, names: STANDARD_TYPE_NAMES, decls: new Map() }, (n) => layouts.lookup(n));
      const signs = STANDARD_TYPE_NAMES.flatMap((n) => {
        const ty = layouts.lookup(n);
        return ty.kind === 'int' ? [`_Static_assert(((${n})-1 < 0) == ${ty.signed ? 1 : 0}, "${n}|signedness");`] : [];
      });
      const result = await compileProbe(compiler, probeText + signs.join('\n') + '\n');
      assert.equal(result.error, undefined);
      assert.deepEqual(result.failures, []);
    });
  });
}

describe('our own preprocessor and errors', () => {
  test('#define, #if/#elif/#else with defined() and arithmetic, quoted #include, #pragma pack, -D', async () => {
    const dir = testTmpDir();
    fs.writeFileSync(path.join(dir, 'inner.h'), '#pragma once\n#define INNER 4\n');
    const text = [
      '#include "inner.h"', '#include "inner.h"', '#include <stdint.h>',
      '#if defined(BIG) && BIG * 2 > 3', '#define N (INNER * 4)', '#elif !defined(BIG)', '#define N 1', '#else', '#define N 2', '#endif',
      '#pragma pack(push, 1)', 'struct s { char c; uint64_t v[N]; };', '#pragma pack(pop)', 'struct t { char c; int64_t v; };',
    ].join('\n');
    const on = await layoutText(text, { name: path.join(dir, 'x.h'), defines: ['BIG=2'], abi: 'x86_64' });
    assert.equal(on.lookup('struct s').size, 1 + 8 * 16);
    assert.equal(on.lookup('struct t').size, 16);
    const off = await layoutText(text, { name: path.join(dir, 'x.h'), abi: 'x86_64' });
    assert.equal(off.lookup('struct s').size, 9);
  });

  test('unsupported constructs and syntax errors name the file and line', async () => {
    const cases: [string, RegExp][] = [
      ['struct a { int x; };\nstruct b { float _Complex z; };', /^in\.h:2: /],
      ['struct a { int x __attribute__((mode(DI))); };', /^in\.h:1: attribute 'mode' changes the layout/],
      ['\nstruct a { int x; ', /^in\.h:2: syntax error/],
      ['struct a { struct nope n; };', /^in\.h:1: struct nope is incomplete here/],
    ];
    for (const [text, re] of cases) {
      await assert.rejects(layoutText(text, { name: 'in.h' }), (err: Error) => err instanceof CTypeError && re.test(err.message), text);
    }
  });
});
