// src/ctypes/compileFlags.ts: include dirs and defines from the settings and the workspace's
// compile_commands.json (both entry forms, shell quoting, relative paths, the rule for headers
// without an entry of their own, where it is looked for), malformed databases as one clear
// error, and the flags actually changing a layout through loadLayouts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CTypeError, loadLayouts } from '../../src/ctypes';
import { type CompileFlags, compileFlags, describeSource, splitCommand } from '../../src/ctypes/compileFlags';
import { testTmpDir } from './helpers';

let n = 0;
/** A fresh workspace with files (path -> text; directories made as needed). */
function workspace(files: Record<string, string>): string {
  const root = path.join(testTmpDir(), `ws${n++}`);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const sources = (f: CompileFlags) => f.flags.map((x) => `${x.kind} ${x.value} <- ${describeSource(x.from)}`);

describe('compile flags from compile_commands.json', () => {
  const database = (root: string) => JSON.stringify([
    {
      directory: path.join(root, 'build'),
      file: '../src/a.c',
      arguments: ['gcc', '-I../include', '-I', 'gen', '-isystem', '/opt/sys', '-iquote../q', '-idirafter', 'late',
        '-DA=1', '-D', 'B', '-DS="x y"', '-UB', '-UNEVER', '-include', 'cfg.h', '-O2', '-o', 'a.o', '-c', '../src/a.c'],
    },
    {
      directory: root,
      file: 'lib/b.c',
      command: `cc -I'dir with space' -D'MSG="hi there"' -DESC=a\\ b "-Iquoted \\"x\\"" -I inc -o lib/b.o -c lib/b.c`,
    },
  ]);

  test('the arguments form: -I/-isystem/-iquote/-idirafter joined and separate, -D/-U in order, relative to directory', async () => {
    const root = workspace({ 'src/a.c': '', 'src/a.h': '' });
    fs.mkdirSync(path.join(root, 'build'));
    fs.writeFileSync(path.join(root, 'build', 'compile_commands.json'), database(root));
    const f = await compileFlags(path.join(root, 'src/a.c'), { root });
    assert.equal(f.database, path.join(root, 'build', 'compile_commands.json'));
    assert.equal(f.entry, path.join(root, 'src/a.c'));
    // gcc's search order: -iquote, -I, -isystem, -idirafter.
    assert.deepEqual(f.includeDirs, [path.join(root, 'q'), path.join(root, 'include'), path.join(root, 'build/gen'), '/opt/sys', path.join(root, 'build/late')]);
    assert.deepEqual(f.defines, ['A=1', 'S="x y"']);
    assert.deepEqual(f.ignored, [
      { arg: '-UNEVER', why: 'undefines a macro no -D defined: built-in macros cannot be undefined here' },
      { arg: '-include cfg.h', why: 'forced includes are not applied' },
    ]);
    const from = `${f.database} (the entry of ${path.join(root, 'src/a.c')})`;
    assert.deepEqual(sources(f).slice(-2), [`define A=1 <- ${from}`, `define S="x y" <- ${from}`]);
  });

  test('the command form is split as a shell would (quotes, backslashes)', async () => {
    const root = workspace({ 'lib/b.c': '' });
    fs.writeFileSync(path.join(root, 'compile_commands.json'), database(root));
    const f = await compileFlags(path.join(root, 'lib/b.c'), { root });
    assert.equal(f.entry, path.join(root, 'lib/b.c'));
    assert.deepEqual(f.includeDirs, [path.join(root, 'dir with space'), path.join(root, 'quoted "x"'), path.join(root, 'inc')]);
    assert.deepEqual(f.defines, ['MSG="hi there"', 'ESC=a b']);
  });

  test('a header without an entry: a source file in its directory, else an entry that includes its directory, else none', async () => {
    const root = workspace({ 'src/a.h': '', 'include/x.h': '', 'other/z.h': '', 'lib/b.h': '' });
    fs.writeFileSync(path.join(root, 'compile_commands.json'), database(root));
    const near = await compileFlags(path.join(root, 'src/a.h'), { root });
    assert.equal(near.entry, path.join(root, 'src/a.c'));
    assert.deepEqual(near.defines, ['A=1', 'S="x y"']);
    assert.equal((await compileFlags(path.join(root, 'lib/b.h'), { root })).entry, path.join(root, 'lib/b.c'));
    const included = await compileFlags(path.join(root, 'include/x.h'), { root });
    assert.equal(included.entry, path.join(root, 'src/a.c'), 'src/a.c is compiled with -I../include');
    const none = await compileFlags(path.join(root, 'other/z.h'), { root, settings: { includeDirs: ['other'] } });
    assert.equal(none.database, path.join(root, 'compile_commands.json'));
    assert.equal(none.entry, undefined);
    assert.deepEqual(none.includeDirs, [path.join(root, 'other')]);
    assert.deepEqual(none.defines, []);
  });

  test('settings come first and win: relative dirs from the root, a define of the same name replaces the database\'s', async () => {
    const root = workspace({ 'src/a.c': '' });
    fs.writeFileSync(path.join(root, 'compile_commands.json'), database(root));
    const f = await compileFlags(path.join(root, 'src/a.c'), { root, settings: { includeDirs: ['mine', path.join(root, 'include')], defines: ['A=2', 'EXTRA'] } });
    assert.deepEqual(f.includeDirs.slice(0, 3), [path.join(root, 'mine'), path.join(root, 'include'), path.join(root, 'q')]);
    assert.equal(f.includeDirs.filter((d) => d === path.join(root, 'include')).length, 1, 'no duplicates');
    assert.deepEqual(f.defines, ['A=2', 'EXTRA', 'S="x y"']);
    assert.ok(f.ignored.some((i) => i.arg === '-DA=1' && i.why === 'the settings define it'));
    assert.deepEqual(sources(f).slice(0, 2), [`include ${path.join(root, 'mine')} <- the settings`, `include ${path.join(root, 'include')} <- the settings`]);
  });

  test('where it is looked for: the root first, then build/, out/, cmake-build-*/; --compile-commands FILE or DIR', async () => {
    const entry = (d: string) => JSON.stringify([{ directory: '.', file: 'a.c', arguments: ['cc', `-D${d}`] }]);
    const root = workspace({ 'a.c': '', 'cmake-build-debug/compile_commands.json': entry('CMAKE'), 'out/compile_commands.json': entry('OUT') });
    const a = path.join(root, 'a.c');
    assert.equal((await compileFlags(a, { root })).database, path.join(root, 'out/compile_commands.json'));
    fs.rmSync(path.join(root, 'out'), { recursive: true });
    assert.equal((await compileFlags(a, { root })).database, path.join(root, 'cmake-build-debug/compile_commands.json'));
    // A relative "directory" is relative to the database's own directory.
    assert.deepEqual((await compileFlags(path.join(root, 'cmake-build-debug/a.c'), { root })).defines, ['CMAKE']);
    fs.writeFileSync(path.join(root, 'compile_commands.json'), entry('ROOT'));
    assert.deepEqual((await compileFlags(a, { root })).defines, ['ROOT']);
    const other = workspace({ 'elsewhere/compile_commands.json': JSON.stringify([{ directory: root, file: 'a.c', arguments: ['cc', '-DTHERE'] }]) });
    assert.deepEqual((await compileFlags(a, { root, database: path.join(other, 'elsewhere') })).defines, ['THERE']);
    assert.deepEqual((await compileFlags(a, { root, database: path.join(other, 'elsewhere/compile_commands.json') })).defines, ['THERE']);
    assert.equal((await compileFlags(a, { root, database: false })).database, undefined);
    const empty = workspace({ 'x.h': '' });
    const none = await compileFlags(path.join(empty, 'x.h'), { root: empty, settings: { defines: ['X'] } });
    assert.deepEqual([none.database, none.entry, none.defines], [undefined, undefined, ['X']]);
    await assert.rejects(compileFlags(a, { database: empty }), new CTypeError(`no compile_commands.json in ${empty} (nor in build/, out/ or cmake-build-*/)`));
    await assert.rejects(compileFlags(a, { database: path.join(empty, 'nope.json') }), new CTypeError(`${path.join(empty, 'nope.json')}: no such file or directory`));
  });

  test('a malformed database is one clear error naming the file (and the entry), never a crash', async () => {
    const cases: [string, RegExp][] = [
      ['[{"directory": "/", "file": "a.c",', /: not valid JSON \(/],
      ['{"directory": "/"}', /: not a compilation database \(expected a JSON array of entries\)$/],
      ['[{"directory": "/", "file": "a.c", "arguments": ["cc"]}, 3]', /: entry 2: not an object$/],
      ['[{"file": "a.c", "command": "cc"}]', /: entry 1: no "directory"$/],
      ['[{"directory": "/", "command": "cc"}]', /: entry 1: no "file"$/],
      ['[{"directory": "/", "file": "a.c", "arguments": ["cc", 1]}]', /: entry 1: neither "arguments" \(an array of strings\) nor "command"$/],
      ['[{"directory": "/", "file": "a.c", "command": "cc -DX=\'oops"}]', /: entry 1: "command": unterminated ' quote$/],
    ];
    for (const [text, re] of cases) {
      const root = workspace({ 'compile_commands.json': text });
      const db = path.join(root, 'compile_commands.json');
      await assert.rejects(compileFlags(path.join(root, 'a.h'), { root }), (err: Error) => {
        assert.ok(err instanceof CTypeError, `${text}: ${err.name}`);
        assert.ok(err.message.startsWith(`${db}: `), err.message);
        assert.match(err.message, re, text);
        assert.ok(!err.message.includes('\n'), 'one line');
        return true;
      });
    }
  });

  test('splitCommand: words, quotes, backslashes as sh does', () => {
    assert.deepEqual(splitCommand('  cc  -c\ta.c\n'), ['cc', '-c', 'a.c']);
    assert.deepEqual(splitCommand(`a'b c'd "e \\" \\$ \\x" f\\ g '' ""`), ['ab cd', 'e " $ \\x', 'f g', '', '']);
    assert.deepEqual(splitCommand(`-D'S="q"' -DT=\\"t\\"`), ['-DS="q"', '-DT="t"']);
    assert.throws(() => splitCommand('cc "open'), /unterminated " quote/);
  });

  test('the flags reach the layout: a define and an include dir from the database change it', async () => {
    const root = workspace({
      'src/state.h': '#include "cfg.h"\nstruct state { int id; char name[NAME_LEN]; \n#ifdef WIDE\n long long wide;\n#endif\n};\n',
      'src/main.c': '',
      'config/cfg.h': '#define NAME_LEN 12\n',
    });
    fs.writeFileSync(path.join(root, 'compile_commands.json'), JSON.stringify([{ directory: path.join(root, 'src'), file: 'main.c', command: 'cc -I../config -DWIDE -c main.c' }]));
    const header = path.join(root, 'src/state.h');
    const f = await compileFlags(header, { root });
    for (const compiler of [undefined, false] as const) {
      const l = await loadLayouts(header, { abi: 'x86_64', includeDirs: f.includeDirs, defines: f.defines, compiler });
      assert.equal(l.lookup('struct state').size, 24, `with ${compiler === false ? 'our preprocessor' : 'the compiler'}`);
    }
  });
});
