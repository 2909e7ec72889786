// Listing 4,000 segments: core listSegments() against spawning `ipcs -m` (output to a pipe).
// Also, for information: the listing with the attachment scan, and the SHM_STAT_ANY path.
//
// Run by run.ts in a private IPC namespace when possible (`unshare --ipc node list.js --child`):
// then the 4,000 segments cannot crowd out anyone else's on a shared machine, SHMMNI is the
// default of a fresh namespace, and the kernel frees them even if this process is killed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Segment, attachmentReport, listByStat, listSegments, scanAttachments } from '../src/core';
import { IPC_CREAT, IPC_PRIVATE } from '../src/core/layout';
import { shmget } from '../src/core/libc';
import {
  type Verdict, breathe, f1, installCleanupHandlers, median, now, own, ownId, ownedCount, removeId, time, verdict, disown,
} from './util';

const WANT = 4000;

function segmentCount(): number {
  try {
    return fs.readFileSync('/proc/sysvipc/shm', 'latin1').split('\n').filter((l) => /^\s*-?\d/.test(l)).length;
  } catch {
    return 0;
  }
}

export async function listBench(reps: number, log: (s: string) => void, where: string): Promise<Verdict[]> {
  const shmmni = Number(fs.readFileSync('/proc/sys/kernel/shmmni', 'utf8'));
  const present = segmentCount();
  const margin = where === 'namespace' ? 0 : 64; // leave room for other people's work on a shared host
  const n = Math.max(0, Math.min(WANT, shmmni - present - margin));
  log(`  ${where}: SHMMNI ${shmmni}, ${present} segment(s) already present`);
  if (n < WANT) log(`  SHMMNI allows only ${n} more segments (keeping ${margin} free): listing ${n + present} instead of ${WANT}`);

  const ids: number[] = [];
  try {
    const tCreate = time(() => {
      for (let i = 0; i < n; i++) {
        const id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o600);
        ownId(id);
        ids.push(id);
      }
    });
    const total = segmentCount();
    log(`  created ${ids.length} segments of 4 KiB with shmget in ${tCreate.toFixed(0)} ms; ${total} listed by the kernel`);

    // Segment.create (= shmget + Segment.open, which stats the id) at this population, for information.
    const probe: Segment[] = [];
    const tOpen = time(() => { for (let i = 0; i < 20; i++) probe.push(own(Segment.create(4096))); });
    for (const s of probe) disown(s);
    log(`  Segment.create with ${total} segments present: ${(tOpen / 20).toFixed(2)} ms each`);
    await breathe();

    const runs = Math.max(reps, 15);
    const measure = (fn: () => unknown) => {
      fn(); // warm-up
      const xs: number[] = [];
      for (let i = 0; i < runs; i++) xs.push(time(fn));
      return median(xs);
    };
    let count = 0;
    const tList = measure(() => { count = listSegments().length; });
    if (count < total) throw new Error(`listSegments saw ${count} of ${total}`);
    await breathe();
    const tIpcs = measure(() => {
      const r = spawnSync('ipcs', ['-m'], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`ipcs -m exited with ${r.status}`);
    });
    await breathe();
    const tAtt = measure(() => {
      const segs = listSegments();
      const scan = scanAttachments();
      for (const s of segs) attachmentReport(s, scan);
    });
    const tStatInfo = measure(() => listSegments({ source: 'stat' }));
    const tStatRaw = measure(() => listByStat());
    const tProc = measure(() => fs.readFileSync('/proc/sysvipc/shm', 'latin1'));
    const tSpawn = measure(() => spawnSync('true', [], { stdio: ['ignore', 'pipe', 'ignore'] }));
    log(`  medians of ${runs}: listSegments ${f1(tList)} ms, ipcs -m ${f1(tIpcs)} ms (spawning /bin/true alone: ${f1(tSpawn)} ms)`);
    log(`    with attachment scan ${f1(tAtt)} ms; SHM_STAT_ANY: listSegments({source:'stat'}) ${f1(tStatInfo)} ms, listByStat() raw ${f1(tStatRaw)} ms; reading /proc/sysvipc/shm alone ${f1(tProc)} ms`);
    return [
      verdict(`list-${total >= WANT ? WANT : total}`, `listSegments ${f1(tList)} ms vs ipcs -m ${f1(tIpcs)} ms = ${(tList / tIpcs).toFixed(2)}x`, tList / tIpcs <= 0.5, '<= 0.5x'),
    ];
  } finally {
    const t = now();
    let removed = 0;
    for (const id of ids) if (removeId(id)) removed++;
    log(`  removed ${removed} segments in ${(now() - t).toFixed(0)} ms; ${ownedCount()} left registered`);
  }
}

// Child mode: `node out/bench/list.js --child REPS`: log lines on stderr, verdicts as JSON on stdout.
if (require.main === module && process.argv.includes('--child')) {
  installCleanupHandlers('bench list');
  const reps = Number(process.argv[process.argv.indexOf('--child') + 1]) || 15;
  listBench(reps, (s) => process.stderr.write(s + '\n'), 'namespace').then(
    (v) => process.stdout.write(JSON.stringify(v) + '\n'),
    (err: unknown) => { process.stderr.write(`bench list: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`); process.exitCode = 1; },
  );
}
