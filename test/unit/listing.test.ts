// Listing against the system's own tools: `ipcs -m`, /proc/sysvipc/shm, SHM_STAT_ANY; status bits,
// user names, creator liveness, limits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { limits, listByStat, listSegments, parseProcShm, statSegment, type Segment } from '../../src/core';
import type { SegmentInfo } from '../../src/protocol/segment';
import { userNames } from '../../src/core/users';
import {
  CORE_JS, type CreatedInChild, LineChild, compileC, createSegment, disposeSegment, haveCommand, installCleanup, openSegment, procRow, procShm, runNode, sleep, track,
  present, withSegment,
} from './helpers';

installCleanup();

const PAGE = 4096;

interface IpcsRow { key: number; id: number; owner: string; perms: string; bytes: number; nattch: number; status: string }

function ipcs(): IpcsRow[] {
  const text = execFileSync('ipcs', ['-m'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const rows: IpcsRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!/^0x[0-9a-f]{8}$/.test(f[0] ?? '')) continue;
    rows.push({ key: parseInt(f[0], 16) >>> 0, id: Number(f[1]), owner: f[2], perms: f[3], bytes: Number(f[4]), nattch: Number(f[5]), status: f.slice(6).join(' ') });
  }
  return rows;
}

/** A few segments of different shapes; one attached, one destroyed-but-attached. */
function makeFixture(): { segs: Segment[]; attachedRo: Segment; dest: Segment; dispose(): void } {
  const segs: Segment[] = [];
  const extra: Segment[] = [];
  try {
    segs.push(createSegment(PAGE));
    segs.push(createSegment(2 * PAGE + 5, { key: 'random', perms: 0o640 }));
    const attached = createSegment(3 * PAGE, { key: 'random', perms: 0o666 });
    segs.push(attached);
    attached.attach();
    attached.writeChunk(Buffer.alloc(2 * PAGE, 7), 0); // 2 resident pages
    const attachedRo = openSegment(attached.id).attach({ readOnly: true });
    extra.push(attachedRo);
    const dest = createSegment(PAGE, { key: 'random', perms: 0o604 });
    segs.push(dest);
    dest.attach();
    dest.destroy();
    return {
      segs, attachedRo, dest,
      dispose() {
        for (const s of extra) s.detach();
        for (const s of segs) disposeSegment(s);
      },
    };
  } catch (err) {
    for (const s of extra) s.detach();
    for (const s of segs) disposeSegment(s);
    throw err;
  }
}

function permsOctal(mode: number): string {
  return (mode & 0o777).toString(8);
}

describe('listSegments', () => {
  test('agrees with `ipcs -m` for the segments we made', (t) => {
    if (!haveCommand('ipcs')) { t.skip('ipcs not found (util-linux)'); return; }
    const fx = makeFixture();
    try {
      const ours = new Map(listSegments().map((s) => [s.id, s]));
      const rows = new Map(ipcs().map((r) => [r.id, r]));
      for (const seg of fx.segs) {
        const s = ours.get(seg.id);
        const r = rows.get(seg.id);
        assert.ok(s, `listSegments has ${seg.id}`);
        assert.ok(r, `ipcs -m has ${seg.id}`);
        assert.equal(s.keyHex, '0x' + r.key.toString(16).padStart(8, '0'), `key of ${seg.id}`);
        assert.equal(s.key, r.key);
        assert.equal(s.user, r.owner);
        assert.equal(permsOctal(s.mode), r.perms);
        assert.equal(s.size, r.bytes);
        assert.equal(s.nattch, r.nattch);
        const status = [s.dest ? 'dest' : '', s.locked ? 'locked' : ''].filter(Boolean).join(' ');
        assert.equal(status, r.status, `status of ${seg.id}`);
      }
      const a = present(ours.get(fx.segs[2].id), 'the attached segment in the listing');
      assert.equal(a.nattch, 2);
      const d = present(ours.get(fx.dest.id), 'the destroyed segment in the listing');
      assert.equal(d.dest, true);
      assert.equal(d.key, 0);
      assert.equal(rows.get(fx.dest.id)?.status, 'dest');
    } finally {
      fx.dispose();
    }
  });

  test('agrees with /proc/sysvipc/shm column by column', () => {
    const fx = makeFixture();
    try {
      const listed = new Map(listSegments().map((s) => [s.id, s]));
      const proc = new Map(procShm().map((r) => [r.id, r]));
      for (const seg of fx.segs) {
        const s = listed.get(seg.id);
        const p = proc.get(seg.id);
        assert.ok(s && p, `${seg.id} in both`);
        for (const k of ['key', 'mode', 'size', 'cpid', 'lpid', 'nattch', 'uid', 'gid', 'cuid', 'cgid', 'rss', 'swap'] as const) {
          assert.equal(s[k], p[k], `${k} of ${seg.id}`);
        }
        assert.equal(s.cpid, process.pid);
        assert.equal(s.perms, ['rw-------', 'rw-r-----', 'rw-rw-rw-', 'rw----r--'][fx.segs.indexOf(seg)]);
      }
      const attached = present(listed.get(fx.segs[2].id), 'the attached segment in the listing');
      assert.ok(attached.rss >= 2 * PAGE, `rss of the written segment is ${attached.rss}`);
      assert.equal(attached.lpid, process.pid);
      assert.ok(attached.atime > 0);
    } finally {
      fx.dispose();
    }
  });

  test('the SHM_STAT_ANY path gives the same ids, keys, sizes, nattch and mode as the /proc path', () => {
    const fx = makeFixture();
    try {
      const pick = (rows: { id: number; key: number; size: number; nattch: number; mode: number; cpid: number; uid: number; cuid: number }[]) =>
        rows.map(({ id, key, size, nattch, mode, cpid, uid, cuid }) => ({ id, key, size, nattch, mode, cpid, uid, cuid })).sort((a, b) => a.id - b.id);
      // Other tests may create segments concurrently: compare whole listings when two reads agree.
      let whole = false;
      for (let i = 0; i < 10 && !whole; i++) {
        const a = pick(listSegments({ source: 'proc' }));
        const b = pick(listByStat());
        const c = pick(listSegments({ source: 'proc' }));
        if (JSON.stringify(a) === JSON.stringify(c)) {
          assert.deepEqual(b, a);
          whole = true;
        }
      }
      const byStat = new Map(listByStat().map((r) => [r.id, r]));
      const byProc = new Map(listSegments({ source: 'proc' }).map((r) => [r.id, r]));
      for (const seg of fx.segs) {
        const s = byStat.get(seg.id);
        const p = byProc.get(seg.id);
        assert.ok(s && p, `${seg.id} in both`);
        for (const k of ['key', 'size', 'nattch', 'mode', 'uid', 'gid', 'cuid', 'cgid', 'cpid', 'lpid', 'atime', 'dtime', 'ctime'] as const) {
          assert.equal(s[k], p[k], `${k} of ${seg.id}`);
        }
      }
      assert.equal(byStat.get(fx.dest.id)?.key, 0);
      assert.ok((present(byStat.get(fx.dest.id), 'the destroyed segment through SHM_STAT_ANY').mode & 0o1000) !== 0, 'SHM_DEST through SHM_STAT_ANY');
      // listSegments({source:'stat'}) decorates the same rows
      const st = listSegments({ source: 'stat' }).find((s) => s.id === fx.dest.id);
      assert.equal(st?.dest, true);
    } finally {
      fx.dispose();
    }
  });

  test('statSegment: one segment with rss from /proc', async () => {
    await withSegment(4 * PAGE, {}, (seg) => {
      seg.attach();
      seg.writeChunk(Buffer.alloc(PAGE, 1), PAGE);
      const s = statSegment(seg.id);
      assert.equal(s.id, seg.id);
      assert.equal(s.size, 4 * PAGE);
      assert.equal(s.nattch, 1);
      assert.equal(s.rss, procRow(seg.id)?.rss);
      assert.ok(s.rss >= PAGE);
    });
  });
});

describe('parseProcShm', () => {
  const HEADER = '       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n';

  test('a recorded sample, incl. a negative key and status bits', () => {
    const text = HEADER +
      '         0      32768  1600                  4096 12345 12346      1     0     0     0     0 1700000000 1700000001 1700000002                  4096                     0\n' +
      '        -1      32769  2666            3221225472   100     0      0  1000  1001  1002  1003          0          0 1700000003                     0                  8192\n' +
      '1397227521          5   640                  1000     7     8      2 65534 65534 65534 65534          1          2          3                     0                     0\n' +
      '\n';
    const rows = parseProcShm(text);
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[0], {
      key: 0, id: 32768, mode: 0o1600, size: 4096, cpid: 12345, lpid: 12346, nattch: 1, uid: 0, gid: 0, cuid: 0, cgid: 0,
      atime: 1700000000, dtime: 1700000001, ctime: 1700000002, rss: 4096, swap: 0,
    });
    assert.equal(rows[1].key, 0xffffffff, 'negative key -1 is 0xffffffff');
    assert.equal(rows[1].mode, 0o2666);
    assert.equal(rows[1].size, 3 * 2 ** 30);
    assert.equal(rows[1].uid, 1000);
    assert.equal(rows[1].gid, 1001);
    assert.equal(rows[1].cuid, 1002);
    assert.equal(rows[1].cgid, 1003);
    assert.equal(rows[1].swap, 8192);
    assert.equal(rows[2].key, 0x53480001);
    assert.equal(rows[2].mode, 0o640);
    assert.equal(rows[2].nattch, 2);
  });

  test('a line from a kernel without rss/swap columns; the most negative key', () => {
    const rows = parseProcShm('key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime\n' +
      '-2147483648 7 600 8192 1 2 0 0 0 0 0 0 0 5\n');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].key, 0x80000000);
    assert.equal(rows[0].rss, 0);
    assert.equal(rows[0].swap, 0);
    assert.equal(rows[0].ctime, 5);
  });

  test('the live file parses to the same rows as an independent parser', () => {
    const text = fs.readFileSync('/proc/sysvipc/shm', 'latin1');
    const mine = new Map(parseProcShm(text).map((r) => [r.id, r]));
    // the independent parser reads the file again: compare only ids present in both reads
    for (const p of procShm()) {
      const r = mine.get(p.id);
      if (!r) continue;
      assert.equal(r.key, p.key);
      assert.equal(r.size, p.size);
      assert.equal(r.mode, p.mode);
    }
  });
});

describe('status bits, users, creators', () => {
  test('dest: destroyed while attached', () => {
    const seg = createSegment(PAGE, { key: 'random' });
    try {
      seg.attach();
      assert.equal(listSegments().find((s) => s.id === seg.id)?.dest, false);
      seg.destroy();
      const s = present(listSegments().find((x) => x.id === seg.id), `segment ${seg.id} in the listing`);
      assert.equal(s.dest, true);
      assert.equal(s.locked, false);
      assert.equal(s.key, 0);
    } finally {
      disposeSegment(seg);
    }
  });

  test('locked: SHM_LOCK (through a small C helper: core has no lock call)', async (t) => {
    const exe = haveCommand('gcc') ? compileC('shmlock', `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/shm.h>
int main(int argc, char **argv) {
  int cmd = strcmp(argv[2], "lock") == 0 ? SHM_LOCK : SHM_UNLOCK;
  if (shmctl(atoi(argv[1]), cmd, NULL) != 0) { fprintf(stderr, "%s\\n", strerror(errno)); return 1; }
  return 0;
}`) : null;
    if (!exe) { t.skip('gcc not found: core has no SHM_LOCK call, so the locked bit cannot be set'); return; }
    await withSegment(PAGE, {}, (seg) => {
      try {
        execFileSync(exe, [String(seg.id), 'lock'], { stdio: 'pipe' });
      } catch (err) {
        t.skip(`SHM_LOCK refused here: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`);
        return;
      }
      try {
        const s = present(listSegments().find((x) => x.id === seg.id), `segment ${seg.id} in the listing`);
        assert.equal(s.locked, true);
        assert.ok(s.mode & 0o2000);
        assert.equal(present(listByStat().find((x) => x.id === seg.id), `segment ${seg.id} through SHM_STAT_ANY`).mode & 0o2000, 0o2000);
        if (haveCommand('ipcs')) assert.equal(ipcs().find((r) => r.id === seg.id)?.status, 'locked');
      } finally {
        execFileSync(exe, [String(seg.id), 'unlock'], { stdio: 'pipe' });
      }
      assert.equal(listSegments().find((x) => x.id === seg.id)?.locked, false);
    });
  });

  test('user names: root for uid 0, numbers for unknown uids', async () => {
    await withSegment(PAGE, {}, (seg) => {
      const s = present(listSegments().find((x) => x.id === seg.id), `segment ${seg.id} in the listing`);
      assert.equal(s.uid, 0);
      assert.equal(s.user, 'root');
    });
    const names = userNames();
    assert.equal(names(0), 'root');
    assert.equal(names(65534), 'nobody');
    assert.equal(names(4242424), '4242424', 'a uid without a passwd entry is shown as the number');
  });

  test('creatorAlive/creatorCommand follow the creator process', async () => {
    const c = new LineChild(`
      const s = core.Segment.create(4096, {});
      track(s.id);
      emit({ id: s.id, key: s.key, cpid: s.cpid });
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));
    `);
    const first = await c.next() as CreatedInChild;
    track(first.id, { ...first, size: 4096 });
    let seg: Segment | undefined;
    try {
      assert.equal(first.cpid, c.pid);
      seg = openSegment(first.id);
      const listed = () => present(listSegments().find((x) => x.id === first.id), `segment ${first.id} in the listing`);
      let s: SegmentInfo = listed();
      assert.equal(s.cpid, c.pid);
      assert.equal(s.creatorAlive, true);
      assert.equal(s.creatorCommand, 'node');
      await c.end();
      s = listed();
      assert.equal(s.creatorAlive, false);
      assert.equal(s.creatorCommand, null);
    } finally {
      await c.kill();
      if (seg) disposeSegment(seg);
    }
  });

  test('a creator that exits right after creating: its segment stays, marked stale', async () => {
    const r = await runNode(`const s = core.Segment.create(4096, {}); track(s.id); emit({ id: s.id, key: s.key, cpid: s.cpid });`);
    assert.equal(r.code, 0, r.stderr);
    const { id, key, cpid } = r.result as CreatedInChild;
    track(id, { id, key, cpid, size: 4096 });
    const seg = openSegment(id);
    try {
      const s = present(listSegments().find((x) => x.id === id), `segment ${id} in the listing`);
      assert.equal(s.creatorAlive, false);
      assert.equal(s.nattch, 0);
    } finally {
      disposeSegment(seg);
    }
  });
});

/** Why `unshare --pid --fork --mount-proc` cannot run here, or null if it can. */
function pidNamespaceRefused(): string | null {
  if (!haveCommand('unshare')) return 'no unshare command';
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8' });
  return r.status === 0 ? null : `unshare --pid --fork --mount-proc refused: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
}

describe('a creator in another PID namespace', () => {
  // A container that shares the host's IPC namespace but not its PID namespace: the kernel reports
  // cpid 0 for creators it cannot name there. Unknown is not gone: never stale.
  test('listSegments() in a new PID namespace: cpid 0, creatorVisible false, stale false, by /proc and by SHM_STAT_ANY', async (t) => {
    const why = pidNamespaceRefused();
    if (why) { t.skip(why); return; }
    const live = createSegment(4096); // creator: this process, running, outside the namespace
    const r = await runNode(`const s = core.Segment.create(8192, {}); track(s.id); emit({ id: s.id, key: s.key, cpid: s.cpid });`);
    assert.equal(r.code, 0, r.stderr);
    const exited = r.result as { id: number; key: number; cpid: number };
    track(exited.id, { ...exited, size: 8192 });
    const exitedSeg = openSegment(exited.id);
    try {
      const host = new Map(listSegments().map((s) => [s.id, s]));
      assert.deepEqual([host.get(live.id)?.cpid, host.get(live.id)?.creatorVisible, host.get(live.id)?.stale], [process.pid, true, false]);
      assert.deepEqual([host.get(exited.id)?.cpid, host.get(exited.id)?.creatorVisible, host.get(exited.id)?.stale], [exited.cpid, true, true], 'from here: creator gone, stale');

      const ids = [live.id, exited.id];
      const script = `
const core = require(${JSON.stringify(CORE_JS)});
const ids = ${JSON.stringify(ids)};
const pick = (list) => list.filter((s) => ids.includes(s.id)).sort((a, b) => a.id - b.id);
console.log(JSON.stringify({ proc: pick(core.listSegments({ source: 'proc' })), stat: pick(core.listSegments({ source: 'stat' })) }));`;
      const ns = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, '-e', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(ns.status, 0, ns.stderr);
      const seen = JSON.parse(ns.stdout) as Record<'proc' | 'stat', SegmentInfo[]>;
      for (const source of ['proc', 'stat'] as const) {
        assert.deepEqual(seen[source].map((s) => s.id), [...ids].sort((a, b) => a - b), `${source}: both listed`);
        for (const s of seen[source]) {
          assert.equal(s.cpid, 0, `${source}: segment ${s.id}: the kernel cannot name the creator here`);
          assert.equal(s.creatorVisible, false, `${source}: segment ${s.id}`);
          assert.equal(s.stale, false, `${source}: segment ${s.id}: unknown is not gone`);
          assert.equal(s.creatorAlive, false);
          assert.equal(s.creatorCommand, null, 'no command of some process 0');
        }
      }
    } finally {
      disposeSegment(exitedSeg);
      disposeSegment(live);
    }
  });
});

describe('limits', () => {
  const readNum = (f: string) => Number(BigInt(fs.readFileSync(f, 'utf8').trim()));

  test('agree with /proc/sys/kernel/shmmni, shmmax, shmall and the page size', () => {
    const l = limits();
    assert.equal(l.shmmni, readNum('/proc/sys/kernel/shmmni'));
    assert.equal(l.shmmax, readNum('/proc/sys/kernel/shmmax'));
    assert.equal(l.shmall, readNum('/proc/sys/kernel/shmall'));
    assert.equal(l.pageSize, Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()));
    assert.equal(l.shmmin, 1);
    assert.ok(l.shmseg >= 1);
  });

  test('usedIds and totalPages match the segments listed (retried while others create segments)', async () => {
    await withSegment(5 * PAGE + 1, {}, async (seg) => {
      seg.attach();
      let ok = false;
      let last = '';
      for (let i = 0; i < 20 && !ok; i++) {
        const a = procShm();
        const l = limits();
        const b = procShm();
        if (JSON.stringify(a.map((r) => [r.id, r.rss])) !== JSON.stringify(b.map((r) => [r.id, r.rss]))) { await sleep(20); continue; }
        const pages = a.reduce((n, r) => n + Math.ceil(r.size / l.pageSize), 0);
        last = `usedIds ${l.usedIds} vs ${a.length} rows; totalPages ${l.totalPages} vs ${pages}`;
        assert.equal(l.usedIds, a.length, last);
        assert.equal(l.totalPages, pages, last);
        ok = true;
      }
      assert.ok(ok, `listing never stable: ${last}`);
    });
  });

  test('rssPages grows when we touch pages', async () => {
    await withSegment(64 * PAGE, {}, (seg) => {
      seg.attach();
      const before = limits().rssPages;
      seg.writeChunk(Buffer.alloc(64 * PAGE, 1), 0);
      const after = limits().rssPages;
      // others may free pages meanwhile; the usual case is +64
      assert.ok(after >= before + 32 || procRow(seg.id)?.rss === 64 * PAGE, `rss pages ${before} -> ${after}`);
      assert.equal(procRow(seg.id)?.rss, 64 * PAGE);
    });
  });
});
