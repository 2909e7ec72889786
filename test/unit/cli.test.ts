// The shm-inspector CLI, run as a program (dist/cli.js) against real segments, compared with
// the system's own tools: ipcs -m, lsipc, hexdump -C. Every segment made here is tracked and
// removed (finally blocks, and the after-hook of helpers.installCleanup()).
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Segment, statSegment } from '../../src/core';
import { parseArgs, UsageError } from '../../src/cli/args';
import { HexDumper, hexdumpC } from '../../src/cli/hexdump';
import { humanSize } from '../../src/cli/format';
import { parseHex, parseKey, parsePerms, parseSize, parseInteger } from '../../src/cli/values';
import { toSegmentInfo } from '../../src/core/info';
import type { SegmentInfo } from '../../src/protocol/segment';
import {
  CORE_JS, NOBODY, REPO, createSegment, destroyTracked, disposeSegment, freshBundle, haveCommand, installCleanup, nobodyUnavailable, present, procRow,
  randomKey, runNode, seededRng, spawnAttacher, testTmpDir, track, waitFor,
} from './helpers';

installCleanup();

const CLI = path.join(REPO, 'dist', 'cli.js');


before(() => {
  freshBundle('cli');
});

// --- running the CLI --------------------------------------------------------------------------

interface Run {
  code: number | null;
  out: Buffer;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { input?: string | Buffer; user?: { uid: number; gid: number } } = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO,
    input: opts.input ?? '',
    maxBuffer: 1 << 30,
    timeout: 120_000,
    ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
  });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, `expected exit 0, got ${r.code}; stderr: ${r.stderr}`);
  return r;
}

/** Exit code as expected, one line on stderr `shm-inspector: ...`, no stack trace. */
function fails(r: Run, code: 1 | 2, message?: RegExp): Run {
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code}; stdout: ${r.stdout} stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `expected one line on stderr, got: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^shm-inspector: /);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'stack trace on stderr');
  if (message) assert.match(lines[0], message);
  return r;
}

/** `create` through the CLI; the id is tracked (with its identity) for cleanup. */
function mk(...args: string[]): number {
  const r = ok(cli(['create', ...args]));
  const id = Number(r.stdout.trim());
  assert.ok(Number.isSafeInteger(id), `create printed ${r.stdout}`);
  try {
    track(id, Segment.open(id).identity());
  } catch {
    track(id);
  }
  return id;
}

function rmQuiet(id: number): void {
  destroyTracked(id, null);
}

function exists(id: number): boolean {
  return procRow(id) !== undefined;
}

async function withCli<T>(args: string[], fn: (id: number) => T | Promise<T>): Promise<T> {
  const id = mk(...args);
  try {
    return await fn(id);
  } finally {
    rmQuiet(id);
  }
}

function segmentBytes(id: number, offset: number, length: number): Buffer {
  const seg = Segment.open(id).attach({ readOnly: true });
  try {
    return seg.readChunk(length, offset);
  } finally {
    seg.detach();
  }
}

function putBytes(id: number, data: Buffer, offset = 0): void {
  const seg = Segment.open(id).attach();
  try {
    seg.writeChunk(data, offset);
  } finally {
    seg.detach();
  }
}

function tmpFile(name: string, data?: Buffer): string {
  const p = path.join(testTmpDir(), name);
  if (data) fs.writeFileSync(p, data);
  return p;
}

/** A segment's /proc/sysvipc/shm row, failing the test by name if it is not there. */
const shmRow = (id: number) => present(procRow(id), `segment ${id} in /proc/sysvipc/shm`);

/** A segment in `ls --json -a` / `info --json`. */
type SegmentJson = SegmentInfo & { attachmentsComplete: boolean; attachments: { pid: number; readOnly: boolean }[] };

const SEGMENT_FIELDS = ['id', 'key', 'keyHex', 'size', 'mode', 'perms', 'uid', 'user', 'cuid', 'nattch', 'cpid', 'lpid', 'atime', 'dtime', 'ctime', 'rss', 'swap', 'dest', 'locked'];

// --- pure parts (in process) --------------------------------------------------------------------

describe('cli pieces', () => {
  test('numbers, sizes, keys and modes', () => {
    assert.equal(parseInteger('0x10', 'n'), 16);
    assert.equal(parseInteger('0o17', 'n'), 15);
    assert.equal(parseInteger('42', 'n'), 42);
    assert.throws(() => parseInteger('4k2', 'n'), UsageError);
    assert.equal(parseSize('4096', 's'), 4096);
    assert.equal(parseSize('64K', 's'), 65536);
    assert.equal(parseSize('1M', 's'), 1 << 20);
    assert.equal(parseSize('1MiB', 's'), 1 << 20);
    assert.equal(parseSize('1G', 's'), 1 << 30);
    assert.equal(parseSize('1.5K', 's'), 1536);
    assert.equal(parseSize('2KB', 's'), 2000);
    assert.equal(parseSize('0x1000', 's'), 4096);
    assert.throws(() => parseSize('1.3B', 's'), UsageError);
    assert.throws(() => parseSize('12Q', 's'), UsageError);
    assert.throws(() => parseSize('-5', 's'), UsageError);
    assert.equal(parseKey('0xdeadbeef'), 0xdeadbeef);
    assert.equal(parseKey('-1'), 0xffffffff);
    assert.equal(parseKey('private'), 0);
    assert.throws(() => parseKey('0x100000000'), UsageError);
    assert.equal(parsePerms('600'), 0o600);
    assert.equal(parsePerms('0644'), 0o644);
    assert.equal(parsePerms('0o640'), 0o640);
    assert.equal(parsePerms('rw-r-----'), 0o640);
    assert.throws(() => parsePerms('689'), UsageError);
    assert.throws(() => parsePerms('1777'), UsageError);
  });

  test('hex strings: separators, 0x and \\x prefixes, wildcards only where allowed, clear errors', () => {
    const want = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    for (const t of ['de ad be ef', 'deadbeef', 'DEADBEEF', '0xde,0xad,0xbe,0xef', 'de:ad:be:ef', '\\xde\\xad\\xbe\\xef', '0xdeadbeef']) {
      assert.deepEqual(parseHex(t).bytes, want, t);
    }
    const p = parseHex('de ?? be', '--hex', true);
    assert.deepEqual(p.bytes, Buffer.from([0xde, 0, 0xbe]));
    assert.deepEqual(p.mask, Buffer.from([0xff, 0, 0xff]));
    assert.throws(() => parseHex('de ?? be'), /only allowed in search/);
    assert.throws(() => parseHex('abc'), /odd number of hex digits/);
    assert.throws(() => parseHex('zz'), /not a hex digit/);
    assert.throws(() => parseHex('  '), /no bytes/);
  });

  test('sizes print like util-linux (lsipc)', () => {
    assert.equal(humanSize(100), '100B');
    assert.equal(humanSize(1500), '1.5K');
    assert.equal(humanSize(5000), '4.9K');
    assert.equal(humanSize(8192), '8K');
    assert.equal(humanSize(1 << 20), '1M');
    assert.equal(humanSize(1572864), '1.5M');
    assert.equal(humanSize(2047), '2K');
    assert.equal(humanSize(18446744073692774399n), '16E');
  });

  test('argument parser: long/short forms, =values, bundles, --, errors', () => {
    const opts = [
      { name: 'offset', short: 'o', value: 'N', parse: (t: string) => Number(t), help: '' },
      { name: 'json', short: 'j', help: '' },
      { name: 'bytes', short: 'b', help: '' },
      { name: 'key', value: 'K', help: '' },
    ];
    const args = [{ name: '<id>', help: '', optional: true, variadic: true }];
    assert.deepEqual(parseArgs(['5', '--offset=7', '-jb'], opts, args, 't'), { options: { offset: 7, json: true, bytes: true }, args: ['5'] });
    assert.deepEqual(parseArgs(['-o', '3', '--key', '-1', '--', '--json'], opts, args, 't'), { options: { offset: 3, key: '-1' }, args: ['--json'] });
    assert.deepEqual(parseArgs(['-o9'], opts, args, 't').options, { offset: 9 });
    assert.throws(() => parseArgs(['--nope'], opts, args, 't'), UsageError);
    assert.throws(() => parseArgs(['--offset'], opts, args, 't'), /needs a value/);
    assert.throws(() => parseArgs(['--json=1'], opts, args, 't'), /takes no value/);
    assert.throws(() => parseArgs(['-x'], opts, args, 't'), UsageError);
    assert.throws(() => parseArgs(['a', 'b'], opts, [{ name: '<id>', help: '' }], 't'), /unexpected argument/);
    assert.throws(() => parseArgs([], opts, [{ name: '<id>', help: '' }], 't'), /missing <id>/);
  });

  test('hex dumper gives the same text whatever the chunking', () => {
    const rng = seededRng(7);
    const data = Buffer.concat([Buffer.alloc(70), rng.bytes(33), Buffer.alloc(40, 0x41), rng.bytes(5)]);
    const whole = hexdumpC(data, 3);
    for (const step of [1, 5, 16, 17, 64]) {
      const d = new HexDumper(3);
      let text = '';
      for (let i = 0; i < data.length; i += step) text += d.push(data.subarray(i, i + step));
      assert.equal(text + d.end(), whole, `chunks of ${step}`);
    }
    assert.equal(hexdumpC(Buffer.alloc(0)), '');
  });

  test('stale: nattch 0 and creator gone, including a creator pid reused by a later process', () => {
    const now = Math.floor(Date.now() / 1000);
    const raw = { id: 1, key: 0, mode: 0o600, size: 4096, cpid: process.pid, lpid: 0, nattch: 0, uid: 0, gid: 0, cuid: 0, cgid: 0, atime: 0, dtime: 0, ctime: now, rss: 0, swap: 0 };
    const ctx = (alive: boolean, startTime: number | null) => ({ user: String, process: () => ({ alive, command: alive ? 'node' : null, startTime }) });
    const started = now - 10;
    assert.equal(toSegmentInfo(raw, ctx(true, started)).stale, false, 'creator alive');
    assert.equal(toSegmentInfo({ ...raw, nattch: 1 }, ctx(false, null)).stale, false, 'attached');
    assert.equal(toSegmentInfo(raw, ctx(false, null)).stale, true, 'creator gone');
    // The process with that pid started long after a segment "created" a day ago: a reused pid.
    const reused = toSegmentInfo({ ...raw, ctime: now - 86400 }, ctx(true, started));
    assert.equal(reused.stale, true);
    assert.equal(reused.creatorAlive, false);
    assert.equal(reused.creatorCommand, null, 'the command of an unrelated process is not shown as the creator');
  });
});

// --- the program ---------------------------------------------------------------------------------

describe('cli: general', () => {
  test('--version, --help, help for every command', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    assert.equal(ok(cli(['--version'])).stdout, `shm-inspector ${pkg.version}\n`);
    const top = ok(cli(['--help'])).stdout;
    for (const c of ['ls', 'info', 'create', 'read', 'write', 'rm', 'limits', 'search', 'dump', 'load']) {
      assert.match(top, new RegExp(`^  ${c} `, 'm'));
      const h = ok(cli([c, '--help'])).stdout;
      assert.match(h, new RegExp(`^Usage: shm-inspector ${c}`), c);
      assert.match(h, /Options:/);
      assert.equal(ok(cli(['help', c])).stdout, h);
    }
    assert.match(ok(cli(['create', '--help'])).stdout, /600 = 0600/);
  });

  test('usage errors exit 2 with one line: no command, unknown command/option, missing/invalid values', () => {
    assert.equal(cli([]).code, 2);
    fails(cli(['frobnicate']), 2, /unknown command 'frobnicate'/);
    fails(cli(['ls', '--nope']), 2, /unknown option --nope/);
    fails(cli(['ls', '--sort', 'colour']), 2, /not one of/);
    fails(cli(['create']), 2, /--size is required/);
    fails(cli(['create', '--size']), 2, /needs a value/);
    fails(cli(['create', '--size', 'lots']), 2, /not a size/);
    fails(cli(['create', '--size', '4K', '--perms', '689']), 2, /octal/);
    fails(cli(['read']), 2, /missing <id>/);
    fails(cli(['read', 'abc']), 2, /not a number/);
    fails(cli(['read', '1', '--format', 'octal']), 2, /hex or raw/);
    fails(cli(['rm']), 2);
    fails(cli(['rm', '1', '--key', '0x10']), 2, /only one/);
  });

  test('an unknown id is an operation error: exit 1, one line, no stack trace', () => {
    // An id that does not exist: far beyond anything in use.
    const used = new Set(fs.readFileSync('/proc/sysvipc/shm', 'latin1').split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[1])));
    let id = 0x7ffffff0;
    while (used.has(id)) id--;
    for (const args of [['info', String(id)], ['read', String(id)], ['write', String(id), '--hex', '00'], ['rm', String(id)], ['search', String(id), '--text', 'x'], ['dump', String(id), '-']]) {
      const r = fails(cli(args), 1, new RegExp(String(id)));
      assert.ok(!r.stderr.includes('at '), `"at " in stderr: ${r.stderr}`);
    }
    fails(cli(['info', '--key', String(randomKey())]), 1, /ENOENT/);
  });
});

describe('cli: create', () => {
  test('prints the id; sizes take units; --perms is octal like chmod; --json has every field', async () => {
    for (const [size, bytes] of [['4096', 4096], ['64K', 65536], ['1MiB', 1 << 20], ['0x3000', 0x3000]] as const) {
      await withCli(['--size', size], (id) => {
        const row = shmRow(id);
        assert.equal(row.size, bytes, size);
        assert.equal(row.mode & 0o777, 0o600, 'default perms 0600');
      });
    }
    await withCli(['--size', '4K', '--perms', '640'], (id) => assert.equal(shmRow(id).mode & 0o777, 0o640));
    await withCli(['--size', '4K', '--perms', 'rw-r--r--'], (id) => assert.equal(shmRow(id).mode & 0o777, 0o644));

    const key = randomKey();
    const r = ok(cli(['create', '--size', '8K', '--key', '0x' + key.toString(16), '--perms', '0o604', '--json']));
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    track(s.id as number);
    try {
      for (const f of SEGMENT_FIELDS) assert.ok(f in s, `JSON field ${f}`);
      assert.equal(s.key, key);
      assert.equal(s.keyHex, '0x' + key.toString(16).padStart(8, '0'));
      assert.equal(s.size, 8192);
      assert.equal((s.mode as number) & 0o777, 0o604);
      assert.equal(s.nattch, 0);
      assert.equal(s.dest, false);
      assert.equal(typeof s.ctime, 'number');
      assert.equal(s.atime, 0);

      // Same key without --exclusive: the existing segment, with a note; with it: EEXIST, exit 1.
      const again = ok(cli(['create', '--size', '4K', '--key', String(key)]));
      assert.equal(Number(again.stdout), s.id);
      assert.match(again.stderr, /already existed/);
      fails(cli(['create', '--size', '4K', '--key', String(key), '--exclusive']), 1, /EEXIST/);
    } finally {
      rmQuiet(s.id as number);
    }
  });

  test('--noreserve works; --hugetlb either works or fails with one line', () => {
    const id = mk('--size', '1G', '--noreserve');
    try {
      assert.equal(shmRow(id).size, 1 << 30);
    } finally {
      rmQuiet(id);
    }
    const r = cli(['create', '--size', '2M', '--hugetlb']);
    if (r.code === 0) {
      const hid = Number(r.stdout);
      track(hid);
      rmQuiet(hid);
    } else {
      fails(r, 1, /shmget/);
    }
  });
});

describe('cli: ls and info', () => {
  test('info says how the editor can read without attaching, and changes nothing itself', async () => {
    await withCli(['--size', '8K'], async (id) => {
      const alone = JSON.parse(ok(cli(['info', String(id), '--json'])).stdout) as { readWithoutAttaching: { kind: string } };
      assert.equal(alone.readWithoutAttaching.kind, 'transient');
      assert.match(ok(cli(['info', String(id)])).stdout, /Read without attaching: +no attached process can be read/);
      const att = await spawnAttacher(id);
      try {
        const before = statSegment(id);
        const held = JSON.parse(ok(cli(['info', String(id), '--json'])).stdout) as { readWithoutAttaching: { kind: string; pid: number } };
        assert.equal(held.readWithoutAttaching.kind, 'process');
        assert.match(ok(cli(['info', String(id)])).stdout, new RegExp(`Read without attaching: +through process ${held.readWithoutAttaching.pid} \\(`));
        const after = statSegment(id);
        assert.deepEqual([after.nattch, after.lpid, after.atime], [before.nattch, before.lpid, before.atime], 'info attached');
      } finally {
        await att.end();
      }
    });
  });

  test('ls agrees with ipcs -m (key, id, owner, perms, bytes, nattch, status)', { skip: !haveCommand('ipcs') && 'no ipcs' }, async () => {
    const key = randomKey();
    const a = mk('--size', '5000', '--key', String(key), '--perms', '644');
    const b = mk('--size', '64K');
    const c = mk('--size', '12K');
    const att = await spawnAttacher(c);
    try {
      ok(cli(['rm', String(c)])); // c: dest, still attached
      const ipcs = new Map<number, string[]>();
      for (const line of execFileSync('ipcs', ['-m'], { encoding: 'utf8' }).split('\n')) {
        const f = line.trim().split(/\s+/);
        if (/^0x[0-9a-f]{8}$/.test(f[0])) ipcs.set(Number(f[1]), f);
      }
      const text = ok(cli(['ls', '--bytes', '-P'])).stdout.split('\n');
      assert.match(text[0], /^KEY\s+ID\s+PERMS\s+OWNER\s+SIZE\s+NATTCH\s+STATUS\s+CPID\s+LPID\s+CTIME\s+COMMAND$/);
      const json = JSON.parse(ok(cli(['ls', '--json'])).stdout) as SegmentJson[];
      for (const id of [a, b, c]) {
        const i = ipcs.get(id);
        assert.ok(i, `ipcs lists ${id}`);
        // ipcs: key shmid owner perms bytes nattch [status]
        const line = text.find((l) => l.split(/\s+/)[1] === String(id));
        assert.ok(line, `ls lists ${id}`);
        const row = line.split(/\s+/);
        assert.equal(row[0], i[0], 'key');
        assert.equal(row[3], i[2], 'owner');
        assert.equal(parseInt(row[2], 8), parseInt(i[3], 8), 'perms');
        assert.equal(row[4], i[4], 'bytes');
        assert.equal(row[5], i[5], 'nattch');
        assert.equal(row[6] === '-' ? '' : row[6], i[6] ?? '', 'status');
        const j = present(json.find((s) => s.id === id), `ls --json lists ${id}`);
        assert.equal(j.keyHex, i[0]);
        assert.equal(j.size, Number(i[4]));
        assert.equal(j.nattch, Number(i[5]));
        assert.equal(j.user, i[2]);
        assert.equal(j.mode & 0o777, parseInt(i[3], 8));
        for (const f of SEGMENT_FIELDS) assert.ok(f in j, `ls --json field ${f}`);
      }
      assert.equal(json.find((s) => s.id === c)?.dest, true);
      assert.equal(json.find((s) => s.id === a)?.key, key);
    } finally {
      await att.end();
      for (const id of [a, b, c]) rmQuiet(id);
    }
  });

  test('info and ls -a say whether a segment uses huge pages once a process has it attached; unknown before', async () => {
    const id = mk('--size', '64K');
    try {
      assert.match(ok(cli(['info', String(id)])).stdout, /^Huge pages:\s+unknown$/m, 'nothing attached: no page size to go by');
      const att = await spawnAttacher(id);
      try {
        assert.match(ok(cli(['info', String(id)])).stdout, /^Huge pages:\s+no$/m);
        assert.equal((JSON.parse(ok(cli(['info', String(id), '--json'])).stdout) as { hugetlb: unknown }).hugetlb, false);
        const listed = (JSON.parse(ok(cli(['ls', '-a', '--json'])).stdout) as { id: number; hugetlb: unknown }[]).find((s) => s.id === id);
        assert.equal(listed?.hugetlb, false, 'ls -a fills it from the attachments too');
      } finally {
        await att.end();
      }
    } finally {
      rmQuiet(id);
    }
  });

  test('ls SIZE matches lsipc; --sort, --reverse, --stale, --mine, --attachments', { skip: !haveCommand('lsipc') && 'no lsipc' }, async () => {
    const sizes = [100, 1500, 5000, 1 << 20, 1572864];
    const ids = sizes.map((s) => mk('--size', String(s)));
    const live = createSegment(4096); // created by this (live) process: not stale
    const att = await spawnAttacher(ids[0], { readOnly: true });
    try {
      const lsipc = new Map(execFileSync('lsipc', ['-m', '-r', '--noheadings', '-o', 'ID,SIZE'], { encoding: 'utf8' })
        .trim().split('\n').map((l) => l.trim().split(/\s+/)).map(([i, s]) => [Number(i), s]));
      const rows = ok(cli(['ls'])).stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/));
      for (const id of ids) assert.equal(present(rows.find((r) => r[1] === String(id)), `ls lists ${id}`)[4], lsipc.get(id), `size of ${id}`);

      const order = (args: string[]) => (JSON.parse(ok(cli(['ls', '--json', ...args])).stdout) as { id: number }[]).map((s) => s.id).filter((i) => ids.includes(i));
      assert.deepEqual(order(['--sort', 'size']), ids);
      assert.deepEqual(order(['--sort', 'size', '--reverse']), [...ids].reverse());
      assert.deepEqual(order(['--sort', 'id']), [...ids].sort((x, y) => x - y));

      const stale = (JSON.parse(ok(cli(['ls', '--json', '--stale'])).stdout) as { id: number; stale: boolean }[]);
      assert.ok(stale.every((s) => s.stale));
      const staleIds = stale.map((s) => s.id);
      for (const id of ids.slice(1)) assert.ok(staleIds.includes(id), `${id} (CLI-made, creator gone) is stale`);
      assert.ok(!staleIds.includes(ids[0]), 'attached: not stale');
      assert.ok(!staleIds.includes(live.id), 'creator alive: not stale');
      const mine = (JSON.parse(ok(cli(['ls', '--json', '--mine'])).stdout) as { id: number }[]).map((s) => s.id);
      for (const id of ids) assert.ok(mine.includes(id));

      const withAtt = ok(cli(['ls', '--attachments'])).stdout.split('\n');
      assert.match(withAtt[0], /\bATTACHED\b/);
      const row = present(withAtt.find((l) => l.split(/\s+/)[1] === String(ids[0])), `ls --attachments lists ${ids[0]}`);
      assert.ok(row.split(/\s+/).includes(String(att.pid)), row);
      const j = present((JSON.parse(ok(cli(['ls', '--json', '-a'])).stdout) as SegmentJson[]).find((s) => s.id === ids[0]), `ls --json -a lists ${ids[0]}`);
      assert.deepEqual(j.attachments.map((x) => [x.pid, x.readOnly]), [[att.pid, true]]);
    } finally {
      await att.end();
      disposeSegment(live);
      for (const id of ids) rmQuiet(id);
    }
  });

  test('info shows every field and the attached processes (ro/rw), text and JSON', async () => {
    const key = randomKey();
    await withCli(['--size', '16K', '--key', String(key), '--perms', '644'], async (id) => {
      const rw = await spawnAttacher(id);
      const ro = await spawnAttacher(id, { readOnly: true });
      try {
        const t = ok(cli(['info', String(id)])).stdout;
        for (const label of ['ID', 'Key', 'Owner', 'Creator', 'Permissions', 'Size', 'Resident', 'Swapped', 'Status', 'Creator PID', 'Last PID', 'Attach time', 'Detach time', 'Change time', 'Attachments']) {
          assert.match(t, new RegExp(`^${label}:`, 'm'), label);
        }
        assert.match(t, /^Permissions:\s+rw-r--r-- \(0644\)$/m);
        assert.match(t, /^Size:\s+16K \(16384 bytes\)$/m);
        assert.match(t, /^Attachments:\s+2$/m);
        assert.match(t, new RegExp(`^\\s+${rw.pid}\\s+rw\\s+0x${rw.address}\\s+\\S+$`, 'm'));
        assert.match(t, new RegExp(`^\\s+${ro.pid}\\s+ro\\s`, 'm'));
        assert.doesNotMatch(t, /visible/);
        const j = JSON.parse(ok(cli(['info', '--key', '0x' + key.toString(16), '--json'])).stdout) as SegmentJson;
        for (const f of SEGMENT_FIELDS) assert.ok(f in j, `info --json field ${f}`);
        assert.equal(j.id, id);
        assert.equal(j.nattch, 2);
        assert.equal(j.attachmentsComplete, true);
        assert.deepEqual(j.attachments.map((a) => [a.pid, a.readOnly]).sort(), [[rw.pid, false], [ro.pid, true]].sort());
        assert.ok(j.atime > 0, 'attach time set');
      } finally {
        await rw.end();
        await ro.end();
      }
    });
  });

  test('info as another user: "N of M attachments visible"; ls --mine hides root\'s', async (t) => {
    const why = await nobodyUnavailable();
    if (why) { t.skip(why); return; }
    await withCli(['--size', '4K', '--perms', '644'], async (id) => {
      const att = await spawnAttacher(id);
      try {
        const r = ok(cli(['info', String(id)], { user: NOBODY }));
        assert.match(r.stdout, /0 of 1 attachments visible/);
        const j = JSON.parse(ok(cli(['info', String(id), '--json'], { user: NOBODY })).stdout) as { attachmentsComplete: boolean };
        assert.equal(j.attachmentsComplete, false);
        const mine = JSON.parse(ok(cli(['ls', '--json', '--mine'], { user: NOBODY })).stdout) as { id: number }[];
        assert.ok(!mine.some((s) => s.id === id));
        // read attaches read-only, so reading root's 0644 segment works; writing it is EACCES.
        ok(cli(['read', String(id), '-n', '16'], { user: NOBODY }));
        ok(cli(['search', String(id), '--hex', '00'], { user: NOBODY }));
        fails(cli(['write', String(id), '--hex', 'ff'], { user: NOBODY }), 1, /EACCES/);
        assert.equal(segmentBytes(id, 0, 1)[0], 0);
        // A dry run says what the real run would be refused, as the real run does (exit 1).
        fails(cli(['rm', String(id), '--dry-run'], { user: NOBODY }), 1, /would be refused: only its owner \(uid 0\), its creator \(uid 0\) or CAP_SYS_ADMIN may remove it; you are uid \d+ \(EPERM\)/);
        fails(cli(['rm', String(id)], { user: NOBODY }), 1, /EPERM/);
        assert.ok(exists(id));
        assert.match(ok(cli(['rm', String(id), '--dry-run'])).stdout, /^would remove segment /, 'root may');
      } finally {
        await att.end();
      }
    });
  });

  test('limits: text and JSON', () => {
    const j = JSON.parse(ok(cli(['limits', '--json'])).stdout) as Record<string, number>;
    for (const f of ['shmmax', 'shmmin', 'shmmni', 'shmseg', 'shmall', 'pageSize', 'usedIds', 'totalPages', 'rssPages', 'swapPages']) {
      assert.equal(typeof j[f], 'number', f);
    }
    assert.equal(j.shmmni, Number(fs.readFileSync('/proc/sys/kernel/shmmni', 'utf8')));
    // The u64 limits are exact integer literals in the JSON text (2^64 - 2^24 - 1 by default), not
    // rounded doubles: what jq or Python read must equal the kernel's number.
    const text = ok(cli(['limits', '--json'])).stdout;
    for (const f of ['shmmax', 'shmall']) {
      const kernel = fs.readFileSync(`/proc/sys/kernel/${f}`, 'utf8').trim();
      assert.match(text, new RegExp(`"${f}": ${kernel},\n`), `${f} as the kernel has it`);
    }
    assert.ok(j.usedIds >= 0);
    const t = ok(cli(['limits'])).stdout;
    assert.match(t, /^Max segment size \(SHMMAX\):\s+\S+ \((\d+) bytes\)$/m);
    const exact = present(/SHMMAX\):\s+\S+ \((\d+) bytes\)/.exec(t), 'SHMMAX in bytes')[1];
    assert.equal(exact, fs.readFileSync('/proc/sys/kernel/shmmax', 'utf8').trim(), 'exact even above 2^53');
    assert.match(t, /^Max segments \(SHMMNI\):\s+\d+$/m);
  });
});

describe('cli: read', () => {
  /** hexdump -C -s OFF [-n LEN] of a file holding the whole segment. */
  function hexdump(file: string, offset: number, length?: number): string {
    const args = ['-C', '-s', String(offset), ...(length === undefined ? [] : ['-n', String(length)]), file];
    return execFileSync('hexdump', args, { encoding: 'latin1', maxBuffer: 1 << 28 });
  }

  test('--format hex is byte for byte hexdump -C, incl. * runs, partial lines, any --offset and chunk boundaries', { skip: !haveCommand('hexdump') && 'no hexdump' }, async () => {
    const size = 200 * 1024 + 9;
    await withCli(['--size', String(size)], (id) => {
      const rng = seededRng(11);
      const data = Buffer.alloc(size);
      rng.bytes(300).copy(data, 0);
      data.fill(0x41, 1000, 5000); // a run of equal lines
      rng.bytes(100).copy(data, 60_000);
      data.fill(0x5a, 65_000, 70_000); // a run across the CLI's 64 KiB chunk boundary
      rng.bytes(1000).copy(data, 131_000);
      rng.bytes(9).copy(data, size - 9);
      putBytes(id, data);

      // The raw bytes, then hexdump -C of them (the pipeline the brief names).
      const raw = ok(cli(['read', String(id), '--format', 'raw'])).out;
      assert.ok(raw.equals(data), 'raw output = segment bytes');
      const file = tmpFile(`seg-${id}.bin`, raw);
      const piped = execFileSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" read ${id} --format raw | hexdump -C`], { encoding: 'latin1', maxBuffer: 1 << 28 });
      assert.equal(ok(cli(['read', String(id)])).stdout, piped, 'whole segment');

      const cases: [number, number | undefined][] = [
        [0, undefined], [1, undefined], [7, 100], [16, 16], [15, 17], [999, 4100], [1001, 33], [60_003, 20_000],
        [65_530, 12], [size - 9, undefined], [size - 20, 20], [size, undefined], [0, 0], [5, 1], [131_072 - 3, 4096],
      ];
      for (const [off, len] of cases) {
        const args = ['read', String(id), '--offset', String(off), ...(len === undefined ? [] : ['--length', String(len)])];
        assert.equal(ok(cli(args)).stdout, hexdump(file, off, len), `--offset ${off} --length ${len}`);
      }
      // Offsets in hex and with units.
      assert.equal(ok(cli(['read', String(id), '-o', '0x10', '-n', '1K'])).stdout, hexdump(file, 16, 1024));
    });
  });

  test('offsets above 4 GiB print like hexdump (9+ digits)', { skip: !haveCommand('hexdump') && 'no hexdump' }, async () => {
    const size = 2 ** 32 + 64;
    await withCli(['--size', String(size), '--noreserve'], (id) => {
      ok(cli(['write', String(id), '--offset', '0x100000010', '--text', 'hello']));
      const file = tmpFile('big.bin');
      fs.writeFileSync(file, '');
      fs.truncateSync(file, size); // sparse: same bytes as the segment
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.from('hello'), 0, 5, 2 ** 32 + 16);
      fs.closeSync(fd);
      try {
        for (const off of [2 ** 32, 2 ** 32 + 4]) {
          const want = execFileSync('hexdump', ['-C', '-s', String(off), file], { encoding: 'latin1' });
          assert.equal(ok(cli(['read', String(id), '--offset', String(off)])).stdout, want);
        }
      } finally {
        fs.rmSync(file, { force: true });
      }
    });
  });

  test('raw reads a range; default length is to the end; past the end is exit 1', async () => {
    await withCli(['--size', '4K'], (id) => {
      const rng = seededRng(3);
      const data = rng.bytes(4096);
      putBytes(id, data);
      assert.ok(ok(cli(['read', String(id), '--format', 'raw', '--offset', '100', '--length', '50'])).out.equals(data.subarray(100, 150)));
      assert.ok(ok(cli(['read', String(id), '-f', 'raw', '-o', '4000'])).out.equals(data.subarray(4000)));
      assert.equal(ok(cli(['read', String(id), '-f', 'raw', '-o', '4096'])).out.length, 0);
      fails(cli(['read', String(id), '--offset', '4097']), 1, /past the end/);
      fails(cli(['read', String(id), '--offset', '4000', '--length', '97']), 1, /past the end/);
    });
  });

  test('a reader that stops early (| head) ends the CLI quietly with exit 0', async () => {
    await withCli(['--size', '4M'], (id) => {
      const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" read ${id} | head -n 2`], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout.split('\n').length, 3);
    });
  });
});

describe('cli: write', () => {
  test('--hex, --text and stdin write at --offset and print the count', async () => {
    await withCli(['--size', '4K'], (id) => {
      assert.match(ok(cli(['write', String(id), '--offset', '0x10', '--hex', 'de ad be ef'])).stdout, /^wrote 4 bytes to segment \d+ at offset 16/);
      assert.deepEqual(segmentBytes(id, 16, 4), Buffer.from([0xde, 0xad, 0xbe, 0xef]));
      ok(cli(['write', String(id), '--hex', '0x01,0x02']));
      assert.deepEqual(segmentBytes(id, 0, 2), Buffer.from([1, 2]));
      ok(cli(['write', String(id), '-o', '100', '--text', 'héllo']));
      assert.equal(segmentBytes(id, 100, 6).toString('utf8'), 'héllo');
      const bin = seededRng(5).bytes(1000);
      assert.match(ok(cli(['write', String(id), '--offset', '3000'], { input: bin })).stdout, /^wrote 1000 bytes/);
      assert.ok(segmentBytes(id, 3000, 1000).equals(bin));
      assert.deepEqual(JSON.parse(ok(cli(['write', String(id), '--hex', 'ff', '--json'])).stdout), { id, offset: 0, written: 1 });
      // Up to the very end is fine.
      ok(cli(['write', String(id), '--offset', '4095', '--hex', '7f']));
      assert.equal(segmentBytes(id, 4095, 1)[0], 0x7f);
    });
  });

  test('writing past the end is refused (exit 1) and writes nothing, from --hex or stdin', async () => {
    await withCli(['--size', '4K'], (id) => {
      const before = segmentBytes(id, 0, 4096);
      fails(cli(['write', String(id), '--offset', '4094', '--hex', 'aa bb cc']), 1, /past the end/);
      fails(cli(['write', String(id), '--offset', '4090'], { input: Buffer.alloc(100, 0xee) }), 1, /does not fit/);
      fails(cli(['write', String(id)], { input: Buffer.alloc(5000, 0xee) }), 1, /does not fit/);
      fails(cli(['write', String(id), '--offset', '5000', '--hex', '00']), 1, /past the end/);
      assert.ok(segmentBytes(id, 0, 4096).equals(before), 'nothing written');
    });
  });

  test('stdin is streamed, never held in memory: 160 MiB written exactly; one byte too many writes nothing (write and load -)', async () => {
    const MiB = 1 << 20;
    const n = 160; // MiB of stdin
    const size = (n + 1) * MiB;
    await withCli(['--size', String(size)], (id) => {
      // The CLI's peak RSS, recorded at exit by a preloaded line. It counts the segment pages the
      // copy touched (n MiB) and what garbage the stream leaves until V8 collects it (tens of MiB);
      // holding stdin (chunks, then one concatenated Buffer) would add 2n MiB more.
      const preload = tmpFile('maxrss.js', Buffer.from("process.on('exit', () => require('fs').writeFileSync(process.env.SHM_MAXRSS_FILE, String(process.resourceUsage().maxRSS)));"));
      const rssFile = path.join(testTmpDir(), 'maxrss.txt');
      const measured = (args: string[], input: Buffer): { run: Run; mib: number } => {
        const r = spawnSync(process.execPath, ['-r', preload, CLI, ...args], { input, env: { ...process.env, SHM_MAXRSS_FILE: rssFile }, timeout: 120_000 });
        if (r.error) throw r.error;
        return { run: { code: r.status, out: r.stdout, stdout: r.stdout.toString(), stderr: r.stderr.toString() }, mib: Number(fs.readFileSync(rssFile, 'utf8')) / 1024 };
      };
      /** n MiB, no two MiB alike. */
      const stream = (seed: number) => {
        const block = seededRng(seed).bytes(MiB);
        return Buffer.concat(Array.from({ length: n }, (_, i) => { block.writeUInt32LE(i, 0); return Buffer.from(block); }));
      };
      const a = stream(21);
      const b = stream(22);
      const at = size - a.length; // up to the very end
      const base = measured(['write', String(id), '--hex', '5a'], Buffer.alloc(0)).mib;

      const w = measured(['write', String(id), '--offset', String(at)], a);
      assert.match(ok(w.run).stdout, new RegExp(`^wrote ${a.length} bytes to segment ${id} at offset ${at} `));
      assert.ok(segmentBytes(id, at, a.length).equals(a), 'every byte');
      assert.ok(w.mib - base < 2 * n, `peak RSS grew by ${(w.mib - base).toFixed(0)} MiB for ${n} MiB of stdin`);

      const before = segmentBytes(id, 0, size);
      fails(cli(['write', String(id), '--offset', String(at + 1)], { input: b }), 1,
        new RegExp(`the data from stdin \\(at least ${b.length} bytes\\) does not fit in the ${b.length - 1} bytes .*: nothing written$`));
      fails(cli(['load', String(id), '-', '--offset', String(at + 1)], { input: b }), 1, /does not fit .*: nothing written$/);
      assert.ok(segmentBytes(id, 0, size).equals(before), 'nothing written');

      const l = measured(['load', String(id), '-', '--offset', String(at)], b);
      assert.match(ok(l.run).stdout, new RegExp(`^loaded ${b.length} bytes from - into segment ${id} at offset ${at}`));
      assert.ok(segmentBytes(id, at, b.length).equals(b));
      assert.ok(l.mib - base < 2 * n, `load -: peak RSS grew by ${(l.mib - base).toFixed(0)} MiB for ${n} MiB of stdin`);
    });
  });

  test('malformed hex is a usage error (exit 2) with a clear message, even before the id is checked', async () => {
    await withCli(['--size', '4K'], (id) => {
      fails(cli(['write', String(id), '--hex', 'de ad zz']), 2, /'z' \(character 7\) is not a hex digit/);
      fails(cli(['write', String(id), '--hex', 'abc']), 2, /odd number of hex digits/);
      fails(cli(['write', String(id), '--hex', 'de ?? ef']), 2, /only allowed in search/);
      fails(cli(['write', String(id), '--hex', '']), 2, /no bytes/);
      fails(cli(['write', '2147483647', '--hex', 'xyz']), 2, /not a hex digit/);
      assert.ok(segmentBytes(id, 0, 16).equals(Buffer.alloc(16)));
    });
  });
});

describe('cli: rm', () => {
  test('by id (several), by key, and deferred while attached', async () => {
    const a = mk('--size', '4K');
    const b = mk('--size', '4K');
    const key = randomKey();
    const c = mk('--size', '4K', '--key', String(key));
    const d = mk('--size', '4K');
    let att: Awaited<ReturnType<typeof spawnAttacher>> | undefined;
    try {
      const r = ok(cli(['rm', String(a), String(b)]));
      assert.match(r.stdout, new RegExp(`^removed segment ${a} \\(`, 'm'));
      assert.match(r.stdout, new RegExp(`^removed segment ${b} \\(`, 'm'));
      assert.ok(!exists(a) && !exists(b));

      assert.match(ok(cli(['rm', '--key', '0x' + key.toString(16), '--dry-run'])).stdout, new RegExp(`^would remove segment ${c} `));
      assert.ok(exists(c));
      assert.match(ok(cli(['rm', '--key', String(key)])).stdout, new RegExp(`^removed segment ${c} `));
      assert.ok(!exists(c));
      fails(cli(['rm', '--key', String(key)]), 1, /no segment with key/);

      att = await spawnAttacher(d);
      assert.match(ok(cli(['rm', String(d)])).stdout, /marked for removal; deferred: 1 still attached/);
      assert.equal(shmRow(d).mode & 0o1000, 0o1000, 'SHM_DEST set');
      await att.end();
      await waitFor(() => !exists(d), `segment ${d} to go at its last detach`);
    } finally {
      await att?.end();
      for (const id of [a, b, c, d]) rmQuiet(id);
    }
  });

  test('a failing id does not stop the others; exit 1', () => {
    const a = mk('--size', '4K');
    try {
      const r = cli(['rm', '2147483646', String(a)]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`^removed segment ${a} `));
      assert.match(r.stderr, /^shm-inspector: .*2147483646/);
      assert.ok(!exists(a));
    } finally {
      rmQuiet(a);
    }
  });

  test('refuses a segment that is not the one expected (id reuse guard): exit 1, ECHANGED, nothing removed', async () => {
    const key = randomKey();
    await withCli(['--size', '8K', '--key', String(key)], (id) => {
      const row = shmRow(id);
      fails(cli(['rm', String(id), '--expect-key', String((key + 1) >>> 0)]), 1, /ECHANGED|now names another segment/);
      fails(cli(['rm', String(id), '--expect-cpid', String(row.cpid + 1)]), 1, /now names another segment/);
      fails(cli(['rm', String(id), '--expect-size', '4K']), 1, /now names another segment/);
      fails(cli(['rm', String(id), '--expect-size', '4K', '--dry-run']), 1, /now names another segment/);
      // The identity includes ctime: same key, creator and size but another ctime is another segment.
      const ctime = Segment.open(id).identity().ctime;
      fails(cli(['rm', String(id), '--expect-ctime', String(ctime + 1)]), 1, /now names another segment .*; expected .*\): nothing done$/);
      fails(cli(['rm', String(id), '--expect-ctime', String(ctime - 1), '--dry-run']), 1, /now names another segment/);
      assert.ok(exists(id), 'still there');
      fails(cli(['rm', String(id), String(id), '--expect-key', '1']), 2, /exactly one/);
      fails(cli(['rm', String(id), String(id), '--expect-ctime', '1']), 2, /exactly one/);
      fails(cli(['rm', String(id), '--expect-ctime', 'soon']), 2, /--expect-ctime: 'soon' is not a number/);
      // The right identity removes it.
      ok(cli(['rm', String(id), '--expect-key', String(key), '--expect-cpid', String(row.cpid), '--expect-size', '8K', '--expect-ctime', String(ctime)]));
      assert.ok(!exists(id));
    });
  });

  test('--stale [ids]: removes only stale ones (creator gone, nothing attached); --dry-run removes nothing', async () => {
    const stale = mk('--size', '4K'); // its creator (the CLI) has exited
    const attached = mk('--size', '4K');
    const live = createSegment(4096); // creator: this process, alive
    const att = await spawnAttacher(attached);
    try {
      const dry = ok(cli(['rm', '--stale', '--dry-run'])).stdout;
      assert.match(dry, new RegExp(`^would remove segment ${stale} `, 'm'));
      assert.doesNotMatch(dry, new RegExp(`segment (${attached}|${live.id}) `));
      assert.ok(exists(stale));

      const r = ok(cli(['rm', '--stale', String(stale), String(attached), String(live.id)]));
      assert.match(r.stdout, new RegExp(`^removed segment ${stale} \\(key 0x00000000, 4K, creator \\d+\\)\n$`));
      assert.ok(!exists(stale));
      assert.ok(exists(attached) && exists(live.id));
      const j = JSON.parse(ok(cli(['rm', '--stale', String(attached), '--json'])).stdout) as unknown;
      assert.deepEqual(j, []);
    } finally {
      await att.end();
      disposeSegment(live);
      rmQuiet(stale);
      rmQuiet(attached);
    }
  });

  test('--stale over the whole host, in a private IPC namespace', (t) => {
    if (process.getuid?.() !== 0 || !haveCommand('unshare')) { t.skip('needs root and unshare'); return; }
    const probe = spawnSync('unshare', ['--ipc', 'true']);
    if (probe.status !== 0) { t.skip(`unshare --ipc refused: ${probe.stderr.toString().trim()}`); return; }
    const script = `
const { execFileSync, spawn } = require('child_process');
const core = require(${JSON.stringify(CORE_JS)});
const cli = (...a) => execFileSync(process.execPath, [${JSON.stringify(CLI)}, ...a], { encoding: 'utf8' });
(async () => {
  const stale = Number(cli('create', '--size', '4096'));
  const stale2 = Number(cli('create', '--size', '8192', '--key', '0x1234'));
  const attached = Number(cli('create', '--size', '4096'));
  const live = core.Segment.create(4096);
  const holder = spawn(process.execPath, ['-e', 'require(' + JSON.stringify(${JSON.stringify(CORE_JS)}) + ').Segment.open(' + attached + ').attach(); console.log("ready"); process.stdin.resume(); process.stdin.on("end", () => process.exit(0));'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((r) => holder.stdout.once('data', r));
  const before = JSON.parse(cli('ls', '--json')).map((s) => s.id);
  const dry = cli('rm', '--stale', '--dry-run');
  const out = cli('rm', '--stale');
  const after = JSON.parse(cli('ls', '--json')).map((s) => s.id);
  holder.stdin.end();
  await new Promise((r) => holder.once('exit', r));
  live.destroy();
  console.log(JSON.stringify({ stale, stale2, attached, live: live.id, before, dry, out, after }));
})().catch((e) => { console.error(e); process.exit(1); });
`;
    const r = spawnSync('unshare', ['--ipc', process.execPath, '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as {
      stale: number; stale2: number; attached: number; live: number; before: number[]; dry: string; out: string; after: number[];
    };
    assert.deepEqual([...res.before].sort(), [res.stale, res.stale2, res.attached, res.live].sort());
    assert.equal(res.dry.trim().split('\n').length, 2);
    assert.match(res.dry, new RegExp(`would remove segment ${res.stale} `));
    assert.match(res.dry, new RegExp(`would remove segment ${res.stale2} \\(key 0x00001234, 8K`));
    assert.equal(res.out.trim().split('\n').length, 2, res.out);
    assert.match(res.out, new RegExp(`^removed segment ${res.stale} `, 'm'));
    assert.match(res.out, new RegExp(`^removed segment ${res.stale2} `, 'm'));
    assert.deepEqual([...res.after].sort(), [res.attached, res.live].sort());
  });
});

describe('cli: rm --stale and other users', () => {
  /** A segment made by `nobody` whose creator has exited: stale, and not root's. */
  async function nobodysStale(size: number): Promise<number> {
    const r = await runNode(`const s = core.Segment.create(${size}, {}); track(s.id); emit({ id: s.id, key: s.key, cpid: s.cpid });`, { user: NOBODY });
    assert.equal(r.code, 0, r.stderr);
    const { id, key, cpid } = r.result as { id: number; key: number; cpid: number };
    track(id, { id, key, cpid, size });
    const row = shmRow(id);
    assert.deepEqual([row.uid, row.cuid], [NOBODY.uid, NOBODY.uid]);
    return id;
  }

  test("removes only the caller's own stale segments unless --all-users; says what it left and lists what it removed", async (t) => {
    const why = await nobodyUnavailable();
    if (why) { t.skip(why); return; }
    const theirs = await nobodysStale(4096);
    const mine1 = mk('--size', '4K');
    const mine2 = mk('--size', '8K');
    const ids = [theirs, mine1, mine2].map(String); // only these: never sweep the host's other segments
    try {
      const dry = ok(cli(['rm', '--stale', '--dry-run', ...ids]));
      assert.equal(dry.stdout, `would remove segment ${mine1} (key 0x00000000, 4K, creator ${shmRow(mine1).cpid})\n` +
        `would remove segment ${mine2} (key 0x00000000, 8K, creator ${shmRow(mine2).cpid})\n`);
      assert.equal(dry.stderr, "shm-inspector: skipped 1 other user's stale segment: --all-users includes them\n");
      const j = JSON.parse(ok(cli(['rm', '--stale', '--dry-run', '--json', ...ids])).stdout) as { id: number; action: string; reason?: string }[];
      assert.deepEqual(j.map((x) => [x.id, x.action]), [[mine1, 'would-remove'], [mine2, 'would-remove'], [theirs, 'skipped']]);
      assert.match(j[2].reason ?? '', /^owned by uid 65534 \(creator uid 65534\), not yours: --all-users includes it$/);
      assert.ok(exists(theirs) && exists(mine1) && exists(mine2), 'a dry run removes nothing');

      // --mine is the default, still accepted; each removed segment is listed.
      const r = ok(cli(['rm', '--stale', '--mine', ...ids]));
      assert.match(r.stdout, new RegExp(`^removed segment ${mine1} \\(key 0x00000000, 4K, creator \\d+\\)\nremoved segment ${mine2} \\(key 0x00000000, 8K, creator \\d+\\)\n$`));
      assert.match(r.stderr, /skipped 1 other user's stale segment: --all-users includes them/);
      assert.ok(exists(theirs), "nobody's segment stays");
      assert.ok(!exists(mine1) && !exists(mine2));

      const none = ok(cli(['rm', '--stale', String(theirs)]));
      assert.equal(none.stdout, '');
      assert.equal(none.stderr, "shm-inspector: no stale segments\nshm-inspector: skipped 1 other user's stale segment: --all-users includes them\n");
      assert.ok(exists(theirs));
      fails(cli(['rm', '--stale', '--mine', '--all-users', String(theirs)]), 2, /contradict/);
      fails(cli(['rm', String(theirs), '--all-users']), 2, /--all-users only goes with --stale/);

      const all = ok(cli(['rm', '--stale', '--all-users', String(theirs)]));
      assert.match(all.stdout, new RegExp(`^removed segment ${theirs} \\(key 0x00000000, 4K, creator \\d+\\)\n$`));
      assert.equal(all.stderr, '');
      assert.ok(!exists(theirs));
    } finally {
      for (const id of [theirs, mine1, mine2]) rmQuiet(id);
    }
  });

  test('nobody running rm --stale leaves root\'s stale segments and says so', async (t) => {
    const why = await nobodyUnavailable();
    if (why) { t.skip(why); return; }
    const roots = mk('--size', '4K', '--perms', '666');
    try {
      const r = ok(cli(['rm', '--stale', String(roots)], { user: NOBODY }));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /skipped 1 other user's stale segment: --all-users includes them/);
      assert.ok(exists(roots));
      // With --all-users the kernel decides: nobody may not remove root's segment.
      fails(cli(['rm', '--stale', '--all-users', String(roots)], { user: NOBODY }), 1, /EPERM/);
      assert.ok(exists(roots));
    } finally {
      rmQuiet(roots);
    }
  });
});

/** Why `unshare --ipc` plus `unshare --pid --fork --mount-proc` cannot run here, or null if they can. */
function namespacesRefused(): string | null {
  if (process.getuid?.() !== 0) return 'needs root for unshare';
  if (!haveCommand('unshare')) return 'no unshare command';
  for (const args of [['--ipc', 'true'], ['--pid', '--fork', '--mount-proc', 'true']]) {
    const r = spawnSync('unshare', args, { encoding: 'utf8' });
    if (r.status !== 0) return `unshare ${args.join(' ')} refused: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
  }
  return null;
}

describe('cli: a creator in another PID namespace', () => {
  // A container sharing the host's IPC namespace but not its PID namespace sees cpid 0 (and lpid 0)
  // for processes it cannot name. Unknown is not gone: such segments are never stale. The CLI runs
  // in a new PID namespace; the whole scene is in a private IPC namespace so that rm --stale can
  // sweep every segment without touching anyone else's.
  test('ls/info say the creator is not visible, never stale; rm --stale (and --dry-run) skip them and say so', (t) => {
    const why = namespacesRefused();
    if (why) { t.skip(why); return; }
    const script = `
const { spawnSync } = require('child_process');
const core = require(${JSON.stringify(CORE_JS)});
const CLI = ${JSON.stringify(CLI)};
const inPidNs = (cmd, args) => {
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', cmd, ...args], { encoding: 'utf8', env: { ...process.env, CLI } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const cli = (...a) => inPidNs(process.execPath, [CLI, ...a]);
// Made by this process, which keeps running outside the namespace; one attached and detached
// (atime set, lpid = us), one never attached.
const used = core.Segment.create(4096);
used.attach(); used.writeChunk(Buffer.from('hi'), 0); used.detach();
const fresh = core.Segment.create(8192);
const out = {
  pid: process.pid, used: used.id, fresh: fresh.id,
  outside: core.listSegments(),
  ls: cli('ls', '--json'), lsText: cli('ls'),
  info: cli('info', String(used.id), '--json'), infoText: cli('info', String(used.id)), infoFresh: cli('info', String(fresh.id)),
  dry: cli('rm', '--stale', '--dry-run'), dryJson: cli('rm', '--stale', '--dry-run', '--json'),
  // One namespace for both commands: a segment its creator made there and left is stale there.
  real: inPidNs('sh', ['-c', '"$0" "$CLI" create --size 12K && "$0" "$CLI" rm --stale', process.execPath]),
};
out.after = core.listSegments().map((s) => s.id).sort((a, b) => a - b);
out.rmById = cli('rm', String(fresh.id)); // by id, as asked: removed, naming no pid
for (const id of core.listSegments().map((s) => s.id)) core.destroySegment(id);
console.log(JSON.stringify(out));
`;
    const r = spawnSync('unshare', ['--ipc', process.execPath, '-e', script], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    interface Run { code: number | null; stdout: string; stderr: string }
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as {
      pid: number; used: number; fresh: number; outside: SegmentInfo[]; after: number[];
      ls: Run; lsText: Run; info: Run; infoText: Run; infoFresh: Run; dry: Run; dryJson: Run; real: Run; rmById: Run;
    };
    const both = [res.used, res.fresh].sort((a: number, b: number) => a - b);

    // From where it was made: the creator is visible and running.
    for (const s of res.outside) assert.deepEqual([s.cpid, s.creatorVisible, s.stale], [res.pid, true, false]);

    assert.equal(res.ls.code, 0, res.ls.stderr);
    const ls = JSON.parse(res.ls.stdout) as Record<string, unknown>[];
    assert.deepEqual(ls.map((s) => s.id).sort(), both);
    for (const s of ls) assert.deepEqual([s.cpid, s.creatorVisible, s.stale, s.creatorAlive], [0, false, false, false], `ls --json ${String(s.id)}`);

    const rows = res.lsText.stdout.split('\n');
    const line = (id: number) => present(rows.find((l) => l.split(/\s+/)[1] === String(id)), `ls lists ${id}`);
    const row = (id: number) => line(id).split(/\s+/);
    const [cpidCol, lpidCol] = ['CPID', 'LPID'].map((h) => rows[0].split(/\s+/).indexOf(h));
    assert.deepEqual([row(res.used)[cpidCol], row(res.used)[lpidCol]], ['?', '?'], 'attached before by a pid we cannot see');
    assert.deepEqual([row(res.fresh)[cpidCol], row(res.fresh)[lpidCol]], ['?', '0'], 'never attached');
    assert.match(line(res.used), /\(not visible from this PID namespace\)$/);

    const info = JSON.parse(res.info.stdout) as Record<string, unknown>;
    assert.deepEqual([info.cpid, info.creatorVisible, info.stale, info.lpid], [0, false, false, 0]);
    assert.ok((info.atime as number) > 0);
    assert.match(res.infoText.stdout, /^Creator PID:\s+\? \(creator not visible from this PID namespace\)$/m);
    assert.match(res.infoText.stdout, /^Last PID:\s+\? \(not visible from this PID namespace\)$/m);
    assert.match(res.infoText.stdout, /^Stale:\s+no \(not known: the creator is not visible from here\)$/m);
    assert.match(res.infoFresh.stdout, /^Last PID:\s+- \(never attached\)$/m);

    const skipLine = 'shm-inspector: skipped 2 segments whose creator is not visible from this PID namespace (another container?): not known to be stale';
    assert.equal(res.dry.code, 0, res.dry.stderr);
    assert.equal(res.dry.stdout, '', 'nothing would be removed');
    assert.equal(res.dry.stderr, `shm-inspector: no stale segments\n${skipLine}\n`);
    const dryJson = JSON.parse(res.dryJson.stdout) as { id: number; action: string; creatorVisible: boolean; reason: string }[];
    assert.deepEqual(dryJson.map((x) => x.id).sort(), both);
    for (const x of dryJson) {
      assert.deepEqual([x.action, x.creatorVisible], ['skipped', false]);
      assert.equal(x.reason, 'creator not visible from this PID namespace (another container?): not known to be stale');
    }

    assert.equal(res.real.code, 0, res.real.stderr);
    // `create` prints the id, then rm removes that one only.
    assert.match(res.real.stdout, /^(\d+)\nremoved segment \1 \(key 0x00000000, 12K, creator \d+\)\n$/);
    assert.equal(res.real.stderr, `${skipLine}\n`);
    assert.deepEqual(res.after, both, 'both still there');
    assert.equal(res.rmById.stdout, `removed segment ${res.fresh} (key 0x00000000, 8K, creator not visible from this PID namespace)\n`, res.rmById.stderr);
  });
});

describe('cli: memory the kernel cannot supply', () => {
  // A SHM_HUGETLB|SHM_NORESERVE segment with an empty huge page pool: touching it is SIGBUS for
  // memcpy. The CLI goes through /proc/self/mem, so it gets EIO and says so in one line.
  test('read, write, search and dump of an unbacked huge-page segment fail with a message, not a bus error, and dump leaves no file', (t) => {
    const free = /HugePages_Free:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (free !== '0') { t.skip(`needs an empty huge page pool (HugePages_Free is ${free ?? 'unknown'})`); return; }
    const made = cli(['create', '--size', '2M', '--hugetlb', '--noreserve']);
    if (made.code !== 0) { t.skip(`this kernel refuses SHM_HUGETLB|SHM_NORESERVE: ${made.stderr.trim()}`); return; }
    const id = Number(made.stdout.trim());
    track(id, Segment.open(id).identity());
    try {
      const why = /could not supply the page at offset 0x0 .*huge-page.*\(EIO\)/;
      fails(cli(['read', String(id), '-n', '16']), 1, why);
      fails(cli(['write', String(id), '--hex', '01']), 1, why);
      fails(cli(['search', String(id), '--hex', '01']), 1, why);
      const file = path.join(testTmpDir(), 'unbacked.bin');
      fails(cli(['dump', String(id), file]), 1, why);
      assert.equal(fs.existsSync(file), false, 'the partial dump is removed');
      fs.writeFileSync(file, 'known content\n');
      fails(cli(['dump', String(id), file]), 1, why);
      assert.equal(fs.readFileSync(file, 'utf8'), 'known content\n', 'an existing file survives a failed dump');
      assert.deepEqual(fs.readdirSync(testTmpDir()).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
    } finally {
      rmQuiet(id);
    }
  });
});

describe('cli: search, dump, load', () => {
  test('search --hex with wildcards, --text --ignore-case, --max, --from, --backwards, --json', async () => {
    await withCli(['--size', '64K'], (id) => {
      putBytes(id, Buffer.from([0xde, 0xad, 0x00, 0xef]), 10);
      putBytes(id, Buffer.from([0xde, 0xad, 0x77, 0xef]), 40_000);
      putBytes(id, Buffer.from('Hello hello HELLO'), 1000);
      assert.equal(ok(cli(['search', String(id), '--hex', 'de ad ?? ef'])).stdout, '0x0000000a\n0x00009c40\n');
      assert.equal(ok(cli(['search', String(id), '--hex', 'dead00ef'])).stdout, '0x0000000a\n');
      assert.equal(ok(cli(['search', String(id), '--text', 'hello'])).stdout, '0x000003ee\n');
      assert.equal(ok(cli(['search', String(id), '--text', 'hello', '-i'])).stdout, '0x000003e8\n0x000003ee\n0x000003f4\n');
      const capped = ok(cli(['search', String(id), '--text', 'hello', '-i', '--max', '2']));
      assert.equal(capped.stdout.split('\n').filter(Boolean).length, 2);
      assert.match(capped.stderr, /stopped after 2 matches/);
      assert.equal(ok(cli(['search', String(id), '--text', 'hello', '-i', '--from', '1001'])).stdout, '0x000003ee\n0x000003f4\n');
      assert.equal(ok(cli(['search', String(id), '--text', 'hello', '-i', '--backwards', '--max', '1'])).stdout, '0x000003f4\n');
      assert.deepEqual(JSON.parse(ok(cli(['search', String(id), '--hex', 'de ad', '--json'])).stdout), { offsets: [10, 40_000], truncated: false });
      assert.equal(ok(cli(['search', String(id), '--text', 'absent'])).stdout, '');
      fails(cli(['search', String(id), '--hex', 'd?']), 2);
      fails(cli(['search', String(id), '--hex', '?? ??']), 2, /all wildcards/);
      fails(cli(['search', String(id)]), 2, /exactly one/);
    });
  });

  test('dump to a file and to stdout, load back, load too big refused with nothing written', async () => {
    await withCli(['--size', '100K'], (id) => {
      const data = seededRng(9).bytes(100 * 1024);
      putBytes(id, data);
      const file = tmpFile(`dump-${id}.bin`);
      assert.match(ok(cli(['dump', String(id), file])).stdout, /^dumped 102400 bytes/);
      assert.ok(fs.readFileSync(file).equals(data));
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      ok(cli(['dump', String(id), file, '--offset', '1K', '--length', '100']));
      assert.ok(fs.readFileSync(file).equals(data.subarray(1024, 1124)));
      assert.ok(ok(cli(['dump', String(id), '-', '-o', '5', '-n', '7'])).out.equals(data.subarray(5, 12)));

      const patch = tmpFile('patch.bin', Buffer.alloc(1000, 0xab));
      assert.match(ok(cli(['load', String(id), patch, '--offset', '500'])).stdout, /^loaded 1000 bytes/);
      assert.ok(segmentBytes(id, 500, 1000).equals(Buffer.alloc(1000, 0xab)));
      const before = segmentBytes(id, 0, 100 * 1024);
      fails(cli(['load', String(id), patch, '--offset', String(100 * 1024 - 999)]), 1, /does not fit/);
      const big = tmpFile('big.bin', Buffer.alloc(100 * 1024 + 1, 0xcd));
      fails(cli(['load', String(id), big]), 1, /does not fit/);
      assert.ok(segmentBytes(id, 0, 100 * 1024).equals(before), 'nothing written');
      ok(cli(['load', String(id), '-', '--offset', '0x10'], { input: 'abc' }));
      assert.equal(segmentBytes(id, 16, 3).toString(), 'abc');
      fails(cli(['load', String(id), path.join(testTmpDir(), 'missing.bin')]), 1, /ENOENT/);
      fails(cli(['dump', String(id)]), 2, /missing <file>/);
    });
  });

  test('a failed dump leaves an existing file as it was; a good one replaces it whole, keeping its mode and symlinks', async (t) => {
    await withCli(['--size', '2M'], (id) => {
      const data = seededRng(31).bytes(2 << 20);
      putBytes(id, data);
      const known = 'known content\n';
      const file = tmpFile(`keep-${id}.bin`, Buffer.from(known));
      fs.chmodSync(file, 0o644);
      fails(cli(['dump', String(id), file, '--offset', '3M']), 1, /past the end/);
      fails(cli(['dump', '2147483646', file]), 1, /2147483646/);
      assert.equal(fs.readFileSync(file, 'utf8'), known);

      // Written in full: the new content, the file's own mode; through a symlink, the link stays.
      assert.match(ok(cli(['dump', String(id), file, '-n', '1M'])).stdout, /^dumped 1048576 bytes/);
      assert.ok(fs.readFileSync(file).equals(data.subarray(0, 1 << 20)));
      assert.equal(fs.statSync(file).mode & 0o777, 0o644);
      const link = path.join(testTmpDir(), `link-${id}`);
      fs.symlinkSync(file, link);
      ok(cli(['dump', String(id), link, '-o', '5', '-n', '10']));
      assert.ok(fs.lstatSync(link).isSymbolicLink(), 'still a link');
      assert.ok(fs.readFileSync(file).equals(data.subarray(5, 15)));
      assert.deepEqual(fs.readdirSync(testTmpDir()).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');

      // The disk fills up half way (a 1 MiB tmpfs in a private mount namespace): the old way had
      // truncated the file, then removed it.
      if (process.getuid?.() !== 0 || !haveCommand('unshare')) { t.skip('the disk-full case needs root and unshare --mount'); return; }
      const dir = fs.mkdtempSync(path.join(testTmpDir(), 'full-'));
      const r = spawnSync('unshare', ['--mount', 'sh', '-c',
        'mount -t tmpfs -o size=1m shm-inspector-test "$1" || exit 99; printf "known content\\n" > "$1/f"; ' +
        '"$2" "$3" dump "$4" "$1/f"; echo "exit $?"; cat "$1/f"; ls -A "$1"', 'sh', dir, process.execPath, CLI, String(id)], { encoding: 'utf8', timeout: 60_000 });
      if (r.status === 99) { t.skip(`cannot mount a tmpfs in a private mount namespace: ${r.stderr.trim()}`); return; }
      assert.equal(r.stdout, `exit 1\n${known}f\n`, r.stderr);
      assert.match(r.stderr, /^shm-inspector: .*ENOSPC.*\n$/);

      // The same for stdin spooled to a full $TMPDIR: one line saying what to do, nothing written.
      const bytes = segmentBytes(id, 0, 2 << 20);
      const w = spawnSync('unshare', ['--mount', 'sh', '-c', 'mount -t tmpfs -o size=1m shm-inspector-test "$1" || exit 99; TMPDIR="$1" "$2" "$3" write "$4"; echo "exit $?"; ls -A "$1"',
        'sh', dir, process.execPath, CLI, String(id)], { encoding: 'utf8', input: Buffer.alloc(2 << 20, 0x77), timeout: 60_000 });
      assert.equal(w.stdout, 'exit 1\n', 'exit 1, no temporary file left');
      assert.match(w.stderr, /^shm-inspector: no room in \S+ to hold the input \(\d+ bytes so far\): set TMPDIR to a larger directory; nothing written \(ENOSPC\)\n$/);
      assert.ok(segmentBytes(id, 0, 2 << 20).equals(bytes), 'nothing written');
    });
  });
});

describe('cli: layout', () => {
  const header = () => {
    const file = path.join(testTmpDir(), 'shared.h');
    fs.writeFileSync(file, [
      '#include <stdint.h>',
      '#define NAME_LEN 3',
      'struct hdr { uint32_t magic; uint64_t seq; };',
      'typedef struct shared_state {',
      '  struct hdr hdr;',
      '  int ready:1, :0;',
      '  unsigned mode:5;',
      '  char name[2][NAME_LEN];',
      '  struct { int id; union { short s; char c; }; } items[2];',
      '  struct shared_state *next;',
      '} state_t;',
      '',
    ].join('\n'));
    return file;
  };

  test('lists the types a file declares; --type shows holes and padding; --json is the contract and gcc agrees', (t) => {
    const file = header();
    const list = ok(cli(['layout', file]));
    assert.equal(list.stdout, ['struct hdr               16 bytes  align 8', 'struct shared_state      56 bytes  align 8', 'state_t                  56 bytes  align 8', ''].join('\n'));
    const text = ok(cli(['layout', file, '--type', 'state_t'])).stdout;
    assert.match(text, /uint32_t magic;\s+\/\*\s+0\s+4 \*\//);
    assert.match(text, /\/\* XXX 4 bytes hole \*\//);
    assert.match(text, /unsigned int mode:5;\s+\/\*\s+20:0 5 bits \*\//);
    assert.match(text, /\/\* x86_64: size 56, align 8 \*\/|\/\* aarch64: size 56, align 8 \*\//);
    const json = JSON.parse(ok(cli(['layout', file, '--type', 'state_t', '--json', '--abi', 'x86_64'])).stdout) as { type: string; abi: string; size: number; align: number; fields: { path: string; offset: number; size: number; type: string; count?: number; bitOffset?: number; bitSize?: number }[] };
    assert.deepEqual({ type: json.type, abi: json.abi, size: json.size, align: json.align }, { type: 'state_t', abi: 'x86_64', size: 56, align: 8 });
    assert.deepEqual(json.fields, [
      { path: 'hdr', offset: 0, size: 16, type: 'struct hdr' },
      { path: 'hdr.magic', offset: 0, size: 4, type: 'uint32_t' },
      { path: 'hdr.seq', offset: 8, size: 8, type: 'uint64_t' },
      { path: 'ready', offset: 16, size: 1, type: 'int', bitOffset: 128, bitSize: 1 },
      { path: 'mode', offset: 20, size: 1, type: 'unsigned int', bitOffset: 160, bitSize: 5 },
      { path: 'name', offset: 21, size: 6, type: 'char [2][3]', count: 2 },
      { path: 'items', offset: 28, size: 16, type: 'struct <anonymous> [2]', count: 2 },
      { path: 'items[0].id', offset: 28, size: 4, type: 'int' },
      { path: 'items[0].s', offset: 32, size: 2, type: 'short' },
      { path: 'items[0].c', offset: 32, size: 1, type: 'char' },
      { path: 'next', offset: 48, size: 8, type: 'struct shared_state *' },
    ]);
    if (!haveCommand('gcc')) { t.skip('no gcc: cannot check the offsets against the compiler'); return; }
    const probe = path.join(testTmpDir(), 'probe.c');
    fs.writeFileSync(probe, `#include "${file}"\n_Static_assert(sizeof(state_t) == ${json.size}, "size");\n` +
      json.fields.filter((f) => f.bitSize === undefined).map((f) => `_Static_assert(__builtin_offsetof(state_t, ${f.path}) == ${f.offset}, "${f.path}");`).join('\n') + '\n');
    const r = spawnSync('gcc', ['-fsyntax-only', probe], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  test('errors: one line, exit 1 for the file (naming file:line), 2 for usage', () => {
    const file = header();
    fails(cli(['layout', file, '--type', 'struct nope']), 1, /no type named 'struct nope'/);
    fails(cli(['layout', path.join(testTmpDir(), 'missing.h')]), 1, /missing\.h: no such file/);
    fails(cli(['layout', file, '--abi', 'sparc']), 2, /--abi must be x86_64 or aarch64/);
    fails(cli(['layout']), 2, /missing FILE/);
    const bad = path.join(testTmpDir(), 'bad.h');
    fs.writeFileSync(bad, 'struct ok { int a; };\nstruct v { int x __attribute__((vector_size(16))); };\n');
    fails(cli(['layout', bad]), 1, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: attribute 'vector_size' changes the layout and is not supported`));
  });
});
