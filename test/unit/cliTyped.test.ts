// `shm-inspector read/write --header FILE --type NAME` run as a program (dist/cli.js) against real
// segments: the JSON contract of issue #11 checked value by value on bytes this test wrote with
// Buffer at known offsets, the same struct filled by a gcc-built program, typed writes checked
// byte by byte (bit-fields keep their neighbours), and refusals that leave every byte as it was.
// Every segment is made with helpers.createSegment and removed in finally / the after-hook.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Segment } from '../../src/core';
import { REPO, compileC, createSegment, disposeSegment, freshBundle, haveCommand, installCleanup, present, testTmpDir } from './helpers';

installCleanup();

const CLI = path.join(REPO, 'dist', 'cli.js');


before(() => {
  freshBundle('cli');
});

interface Run { code: number | null; stdout: string; stderr: string }

function cli(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, input: '', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, `expected exit 0, got ${r.code}; stderr: ${r.stderr}`);
  return r;
}

/** Exit code as expected, one line on stderr `shm-inspector: ...`, no stack trace. */
function fails(r: Run, code: 1 | 2, message: RegExp): Run {
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code}; stdout: ${r.stdout} stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `expected one line on stderr, got: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^shm-inspector: /);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'stack trace on stderr');
  assert.match(lines[0], message);
  assert.equal(r.stdout, '', 'nothing on stdout');
  return r;
}

// --- the header and where its fields are (x86_64 and aarch64 agree on this one) ---------------------

const HEADER = `#include <stdint.h>
#include <stdbool.h>
enum mode { IDLE, RUNNING = 5, STOPPED = -1 };
struct hdr { uint16_t magic; uint16_t version; };
struct item { uint32_t id; char name[6]; };
struct shared_state {
  struct hdr hdr;
  unsigned flags : 3;
  unsigned level : 5;
  signed delta : 6;
  enum mode mode;
  float f;
  double ratio;
  struct item items[3];
  void *ptr;
  uint64_t big;
  int64_t neg;
  bool on;
  union { int32_t i; uint8_t raw[4]; };
};
struct chars { char c; };
`;
const SIZE = 96;
const ITEM = 12;
/** Offsets as the ABI puts them (checked against gcc's offsetof below). */
const AT = { magic: 0, version: 2, bits: 4, mode: 8, f: 12, ratio: 16, items: 24, ptr: 64, big: 72, neg: 80, on: 88, u: 92 } as const;

let headerFile = '';
function header(): string {
  if (!headerFile) {
    headerFile = path.join(testTmpDir(), 'state.h');
    fs.writeFileSync(headerFile, HEADER);
  }
  return headerFile;
}

/** The known struct, written field by field with Buffer. */
function knownBytes(): Buffer {
  const b = Buffer.alloc(SIZE, 0xa5); // padding holds junk: it must not show up anywhere
  b.writeUInt16LE(0x5348, AT.magic);
  b.writeUInt16LE(2, AT.version);
  // flags = 5 (bits 0-2), level = 17 (bits 3-7), delta = -7 (bits 8-13); bits 14-31 of the unit are junk.
  b.writeUInt32LE((5 | (17 << 3) | ((-7 & 0x3f) << 8) | (0x2a5 << 14)) >>> 0, AT.bits);
  b.writeInt32LE(5, AT.mode);
  b.writeFloatLE(0.5, AT.f);
  b.writeDoubleLE(NaN, AT.ratio);
  const item = (i: number, id: number, name: string) => {
    b.writeUInt32LE(id, AT.items + i * ITEM);
    b.fill(0, AT.items + i * ITEM + 4, AT.items + i * ITEM + 10);
    b.write(name, AT.items + i * ITEM + 4, 'latin1');
  };
  item(0, 1, 'alpha');
  item(1, 0xffffffff, '');
  b.write('zz', AT.items + ITEM + 5, 'latin1'); // after the NUL: not part of the string
  item(2, 3, 'abcde');
  b.writeBigUInt64LE(0x7f0012345678n, AT.ptr);
  b.writeBigUInt64LE(2n ** 64n - 1n, AT.big);
  b.writeBigInt64LE(-(2n ** 53n) + 1n, AT.neg);
  b.writeUInt8(1, AT.on);
  b.writeInt32LE(-2, AT.u);
  return b;
}

/** What `read --json` must say for knownBytes, in declaration order. */
const KNOWN_VALUES: Record<string, unknown> = {
  'hdr.magic': 0x5348, 'hdr.version': 2, flags: 5, level: 17, delta: -7, mode: 'RUNNING', f: 0.5, ratio: 'NaN',
  'items[0].id': 1, 'items[0].name': 'alpha', 'items[1].id': 4294967295, 'items[1].name': '', 'items[2].id': 3, 'items[2].name': 'abcde',
  ptr: '0x7f0012345678', big: '18446744073709551615', neg: -9007199254740991, on: true, i: -2,
  'raw[0]': 254, 'raw[1]': 255, 'raw[2]': 255, 'raw[3]': 255,
};

function bytesOf(seg: Segment, offset = 0, length = seg.size): Buffer {
  return seg.readChunk(length, offset);
}

async function withTyped(fn: (seg: Segment, id: string) => void | Promise<void>): Promise<void> {
  const seg = createSegment(4096);
  try {
    seg.attach();
    await fn(seg, String(seg.id));
  } finally {
    disposeSegment(seg);
  }
}

const typed = (cmd: 'read' | 'write', id: string, ...rest: string[]) => [cmd, id, '--header', header(), '--type', 'struct shared_state', ...rest];

describe('read --header', () => {
  test('--json: every leaf path with its value exactly as the contract says', async () => {
    await withTyped((seg, id) => {
      seg.writeChunk(knownBytes(), 128);
      const out = JSON.parse(ok(cli(typed('read', id, '--at', '128', '--json'))).stdout) as { type: string; offset: number; values: Record<string, unknown> };
      assert.deepEqual(out, { type: 'struct shared_state', offset: 128, values: KNOWN_VALUES });
      assert.deepEqual(Object.keys(out.values), Object.keys(KNOWN_VALUES), 'declaration order');
      // Infinities, a float32 that is not exact, an enum value without a name, a false bool.
      const b = knownBytes();
      b.writeFloatLE(0.1, AT.f);
      b.writeDoubleLE(-Infinity, AT.ratio);
      b.writeInt32LE(3, AT.mode);
      b.writeUInt8(0, AT.on);
      seg.writeChunk(b, 0);
      const v = (JSON.parse(ok(cli(typed('read', id, '--json'))).stdout) as { values: Record<string, unknown> }).values;
      assert.deepEqual([v.f, v.ratio, v.mode, v.on], [0.1, '-Infinity', 3, false]);
    });
  });

  test('--count N: consecutive elements with [i]. prefixes; the text tree', async () => {
    await withTyped((seg, id) => {
      seg.writeChunk(knownBytes(), 0);
      const items = JSON.parse(ok(cli(['read', id, '--header', header(), '--type', 'struct item', '--at', String(AT.items), '--count', '3', '--json'])).stdout) as unknown;
      assert.deepEqual(items, {
        type: 'struct item', offset: AT.items,
        values: { '[0].id': 1, '[0].name': 'alpha', '[1].id': 4294967295, '[1].name': '', '[2].id': 3, '[2].name': 'abcde' },
      });
      const text = ok(cli(typed('read', id))).stdout;
      assert.match(text, /^struct shared_state = \{\n {2}hdr = \{\n {4}magic = 21320,\n {4}version = 2\n {2}\},\n {2}flags = 5,\n {2}level = 17,\n {2}delta = -7,\n {2}mode = RUNNING,\n/);
      assert.match(text, /\n {2}items = \{\n {4}\[0\] = \{\n {6}id = 1,\n {6}name = "alpha"\n {4}\},\n/);
      assert.match(text, /\n {2}ptr = 0x7f0012345678,\n {2}big = 18446744073709551615,\n/);
      assert.match(text, /\n {2}i = -2,\n {2}raw = \{254, 255, 255, 255\}\n\}\n$/);
      const two = ok(cli(['read', id, '--header', header(), '--type', 'struct hdr', '--count', '2'])).stdout;
      assert.match(two, /^\[0\] = \{\n {2}magic = 21320,\n {2}version = 2\n\}\n\[1\] = \{\n {2}magic = \d+,\n {2}version = \d+\n\}\n$/);
    });
  });

  test('--abi: plain char is signed on x86_64, unsigned on aarch64; -I and -D reach the header', async () => {
    await withTyped((seg, id) => {
      seg.writeChunk(Buffer.from([0xff]), 0);
      const c = (abi: string) => (JSON.parse(ok(cli(['read', id, '--header', header(), '--type', 'struct chars', '--abi', abi, '--json'])).stdout) as { values: { c: number } }).values.c;
      assert.equal(c('x86_64'), -1);
      assert.equal(c('aarch64'), 255);
      const inc = path.join(testTmpDir(), 'inc');
      fs.mkdirSync(inc, { recursive: true });
      fs.writeFileSync(path.join(inc, 'defs.h'), '#include <stdint.h>\ntypedef uint32_t count_t;\n');
      const tagged = path.join(testTmpDir(), 'tagged.h');
      fs.writeFileSync(tagged, '#include "defs.h"\nstruct tagged { char tag[TAG_LEN]; count_t n; };\n');
      seg.writeChunk(Buffer.concat([Buffer.from('hello\0\0\0'), Buffer.from([7, 0, 0, 0])]), 0);
      const out = JSON.parse(ok(cli(['read', id, '--header', tagged, '--type', 'struct tagged', '-I', inc, '-D', 'TAG_LEN=8', '--json'])).stdout) as unknown;
      assert.deepEqual(out, { type: 'struct tagged', offset: 0, values: { tag: 'hello', n: 7 } });
      fails(cli(['read', id, '--header', tagged, '--type', 'struct tagged', '-D', 'TAG_LEN=8']), 1, /defs\.h/);
    });
  });

  test('matches a struct filled by a gcc-built program (same header, offsets from the compiler)', async (t) => {
    if (!haveCommand('gcc')) {
      t.skip('gcc is not installed: the cross-check against the compiler needs it');
      return;
    }
    const exe = compileC('fillstate', `#include <stdio.h>
#include <string.h>
#include <math.h>
#include <stddef.h>
#include "${header()}"
_Static_assert(sizeof(struct shared_state) == ${SIZE}, "size");
_Static_assert(offsetof(struct shared_state, mode) == ${AT.mode}, "mode");
_Static_assert(offsetof(struct shared_state, f) == ${AT.f}, "f");
_Static_assert(offsetof(struct shared_state, ratio) == ${AT.ratio}, "ratio");
_Static_assert(offsetof(struct shared_state, items) == ${AT.items}, "items");
_Static_assert(offsetof(struct shared_state, ptr) == ${AT.ptr}, "ptr");
_Static_assert(offsetof(struct shared_state, big) == ${AT.big}, "big");
_Static_assert(offsetof(struct shared_state, neg) == ${AT.neg}, "neg");
_Static_assert(offsetof(struct shared_state, on) == ${AT.on}, "on");
_Static_assert(offsetof(struct shared_state, i) == ${AT.u}, "u");
int main(void) {
  struct shared_state s;
  memset(&s, 0xa5, sizeof s);
  s.hdr.magic = 0x5348; s.hdr.version = 2;
  s.flags = 5; s.level = 17; s.delta = -7;
  s.mode = RUNNING; s.f = 0.5f; s.ratio = NAN;
  s.items[0].id = 1; strcpy(s.items[0].name, "alpha");
  s.items[1].id = 0xffffffffu; memset(s.items[1].name, 0, sizeof s.items[1].name); s.items[1].name[5] = 'z';
  s.items[2].id = 3; strcpy(s.items[2].name, "abcde");
  s.ptr = (void *)0x7f0012345678; s.big = UINT64_MAX; s.neg = -9007199254740991LL; s.on = true;
  s.i = -2;
  fwrite(&s, sizeof s, 1, stdout);
  return 0;
}
`);
    const bytes = execFileSync(present(exe, 'the gcc-built program'), { maxBuffer: 1 << 20 });
    assert.equal(bytes.length, SIZE);
    await withTyped((seg, id) => {
      seg.writeChunk(bytes, 0);
      const out = JSON.parse(ok(cli(typed('read', id, '--json'))).stdout) as { values: Record<string, unknown> };
      assert.deepEqual(out.values, KNOWN_VALUES);
      // And what the CLI writes, the compiler's layout reads the same: compare with knownBytes' fields.
      assert.deepEqual(bytes.subarray(0, 4), knownBytes().subarray(0, 4));
      assert.equal(bytes.readUInt32LE(AT.bits) & 0x3fff, knownBytes().readUInt32LE(AT.bits) & 0x3fff, 'bit-fields where gcc puts them');
    });
  });

  test('refusals: past the end, unknown type, bad options; one line, right exit code', async () => {
    await withTyped((_seg, id) => {
      fails(cli(typed('read', id, '--at', String(4096 - SIZE + 1))), 1, /read: struct shared_state at offset 4001 needs 96 bytes, past the end of segment \d+ \(4096 bytes\)/);
      fails(cli(['read', id, '--header', header(), '--type', 'struct item', '--count', '400']), 1, /400 × struct item at offset 0 needs 4800 bytes, past the end/);
      fails(cli(['read', id, '--header', header(), '--type', 'struct nope']), 1, /no type named 'struct nope'/);
      fails(cli(['read', id, '--header', path.join(testTmpDir(), 'missing.h'), '--type', 'struct x']), 1, /missing\.h/);
      fails(cli(typed('read', id, '--count', '0')), 2, /--count: 0 is out of range/);
      fails(cli(typed('read', id, '--offset', '4')), 2, /--offset cannot be used with --header \(use --at/);
      fails(cli(typed('read', id, '--abi', 'mips')), 2, /--abi must be x86_64 or aarch64, not 'mips'/);
      fails(cli(['read', id, '--header', header()]), 2, /--header needs --type NAME/);
      fails(cli(['read', id, '--type', 'struct item']), 2, /--type needs --header FILE/);
      fails(cli(['read', id, '--json']), 2, /--json needs --header FILE --type NAME/);
      fails(cli(['read', id, '--at', '4']), 2, /--at needs --header/);
      const bad = path.join(testTmpDir(), 'bad.h');
      fs.writeFileSync(bad, 'struct broken { int a; int b c; };\n');
      fails(cli(['read', id, '--header', bad, '--type', 'struct broken']), 1, /bad\.h:1/);
    });
  });
});

describe('write --header --set', () => {
  test('sets fields in their own terms; only the bytes of the fields set are written; bit-fields keep their neighbours', async () => {
    await withTyped((seg, id) => {
      const junk = Buffer.alloc(4096);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 37 + 11) & 0xff;
      seg.writeChunk(junk, 0);
      const at = 256;
      seg.writeChunk(knownBytes(), at);
      const before = bytesOf(seg);
      const r = ok(cli(typed('write', id, '--at', String(at), '--set', 'level=31', '--set', 'mode=STOPPED', '--set', 'items[1].name=xy', '--set', 'f=-1.25')));
      // level's bits are in one byte; mode and f are adjacent (8 bytes); name is 6: 15 bytes in three writes.
      assert.equal(r.stdout, `wrote 15 bytes to segment ${id} at offset ${at + AT.bits} (0x${(at + AT.bits).toString(16)}): level = 31, mode = STOPPED, items[1].name = "xy", f = -1.25\n`);
      const after = bytesOf(seg);
      const unit = after.readUInt32LE(at + AT.bits);
      assert.equal((unit >> 3) & 0x1f, 31, 'level');
      assert.equal(unit & 7, 5, 'flags (bits below) kept');
      assert.equal(unit >>> 8, before.readUInt32LE(at + AT.bits) >>> 8, 'delta and the junk bits above kept');
      assert.equal(after.readInt32LE(at + AT.mode), -1);
      assert.equal(after.readFloatLE(at + AT.f), -1.25);
      assert.deepEqual(after.subarray(at + AT.items + ITEM + 4, at + AT.items + ITEM + 10), Buffer.from('xy\0\0\0\0'), 'string, NUL, then NULs');
      // Every other byte is as it was.
      const changed = new Set<number>();
      for (let i = 0; i < 4; i++) changed.add(at + AT.bits + i).add(at + AT.mode + i).add(at + AT.f + i);
      for (let i = 4; i < 10; i++) changed.add(at + AT.items + ITEM + i);
      for (let i = 0; i < 4096; i++) if (!changed.has(i)) assert.equal(after[i], before[i], `byte ${i} changed`);

      const j = JSON.parse(ok(cli(typed('write', id, '--at', String(at), '--set', 'big=0xffffffffffffffff', '--set', 'on=false', '--set', 'ratio=Infinity', '--set', 'hdr.version=7', '--json'))).stdout) as unknown;
      assert.deepEqual(j, { id: Number(id), type: 'struct shared_state', offset: at + AT.version, written: 2 + 8 + 8 + 1, values: { big: '18446744073709551615', on: false, ratio: 'Infinity', 'hdr.version': 7 } });
      const now = bytesOf(seg, at, SIZE);
      assert.equal(now.readBigUInt64LE(AT.big), 2n ** 64n - 1n);
      assert.equal(now.readUInt8(AT.on), 0);
      assert.equal(now.readDoubleLE(AT.ratio), Infinity);
      assert.equal(now.readUInt16LE(AT.version), 7);
      // Read back through the CLI: the values written, the rest unchanged.
      const v = (JSON.parse(ok(cli(typed('read', id, '--at', String(at), '--json'))).stdout) as { values: Record<string, unknown> }).values;
      assert.deepEqual(v, { ...KNOWN_VALUES, level: 31, mode: 'STOPPED', 'items[1].name': 'xy', f: -1.25, big: '18446744073709551615', on: false, ratio: 'Infinity', 'hdr.version': 7 });
    });
  });

  test('a value that does not fit, an unknown path, a bad option: nothing is written', async () => {
    await withTyped((seg, id) => {
      seg.writeChunk(knownBytes(), 0);
      const before = bytesOf(seg);
      const refused: [string[], 1 | 2, RegExp][] = [
        [['--set', 'level=32'], 2, /write: level \(unsigned int : 5\): 32 is out of range \(0\.\.31\)/],
        [['--set', 'delta=-33'], 2, /delta \(int : 6\): -33 is out of range \(-32\.\.31\)/],
        [['--set', 'hdr.magic=1', '--set', 'mode=PAUSED'], 2, /mode \(enum mode\): 'PAUSED' is not one of IDLE, RUNNING, STOPPED or a number/],
        [['--set', 'items[0].name=abcdef'], 2, /the string is 6 bytes; 6 bytes hold at most 5 and the NUL/],
        [['--set', 'items[3].id=1'], 2, /index 3 is out of range for items \(3 elements\)/],
        [['--set', 'nope=1'], 2, /struct shared_state has no member 'nope'/],
        [['--set', 'hdr=1'], 2, /hdr is a struct hdr: give one of its fields/],
        [['--set', 'on=maybe'], 2, /'maybe' is not true or false/],
        [['--set', 'f=1e39'], 2, /out of range for float/],
        [['--set', 'big=-1'], 2, /big \(uint64_t\): -1 is out of range \(0\.\.18446744073709551615\)/],
        [['--set', 'level'], 2, /'level' is not PATH=VALUE/],
        [[], 2, /--header needs at least one --set PATH=VALUE/],
        [['--set', 'flags=1', '--hex', '00'], 2, /--hex cannot be used with --header/],
        [['--set', 'flags=1', '--at', String(4096 - SIZE + 1)], 1, /past the end of segment/],
      ];
      for (const [args, code, re] of refused) {
        fails(cli(typed('write', id, ...args)), code, re);
        assert.ok(bytesOf(seg).equals(before), `${args.join(' ')}: the segment changed`);
      }
      fails(cli(['write', id, '--header', header(), '--type', 'struct nope', '--set', 'a=1']), 1, /no type named 'struct nope'/);
      fails(cli(['write', id, '--set', 'a=1']), 2, /--set needs --header FILE --type NAME/);
      // A bad value is reported before the id is even looked at.
      fails(cli(typed('write', '2147483647', '--set', 'level=99')), 2, /level \(unsigned int : 5\): 99 is out of range/);
      assert.ok(bytesOf(seg).equals(before), 'the segment changed');
    });
  });
});

