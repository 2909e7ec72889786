// `npm run bench`: every benchmark, each against a baseline measured in the same run, ending
// with one line per target. Every segment made is removed, also on an exception or Ctrl+C.
//
//   node out/bench/run.js [--reps N] [--only copy,agent,footprint,list,search,clayout,timeline]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Segment } from '../src/core';
import { agentBench } from './agent';
import { cLayoutBench } from './cLayout';
import { copyBench } from './copy';
import { footprintBench } from './footprint';
import { listBench } from './list';
import { searchBench } from './search';
import { timelineBench } from './timeline';
import { GiB, MiB, type Verdict, breathe, disown, installCleanupHandlers, machine, now, onCleanup, own } from './util';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const REPS = Number(opt('--reps') ?? 5);
const ONLY = new Set((opt('--only') ?? 'copy,agent,footprint,list,search,clayout,timeline').split(','));
const log = (s: string) => process.stdout.write(s + '\n');

installCleanupHandlers('bench');

/** The list benchmark in a private IPC namespace when we may (root + unshare), else here. */
async function listInNamespace(): Promise<Verdict[]> {
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--ipc', 'true'], { stdio: 'ignore' }).status === 0;
  if (!canUnshare) {
    log('  (no private IPC namespace available: running in the host namespace)');
    return listBench(REPS, log, 'host namespace');
  }
  const child = spawn('unshare', ['--ipc', process.execPath, path.join(__dirname, 'list.js'), '--child', String(Math.max(REPS, 15))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onCleanup(() => { if (child.exitCode === null) child.kill('SIGTERM'); });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`list benchmark exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as Verdict[];
}

async function main(): Promise<void> {
  const started = now();
  log(`SHM Inspector benchmarks: ${machine()}`);
  log(`repetitions: ${REPS} (medians)`);
  const verdicts: Verdict[] = [];

  const needsBig = ONLY.has('copy') || ONLY.has('agent') || ONLY.has('search');
  let seg: Segment | undefined;
  let mem: Buffer | undefined;
  const needle = randomBytes(16);
  const pattern = randomBytes(MiB);
  try {
    if (needsBig) {
      const t = now();
      seg = own(Segment.create(GiB));
      seg.attach();
      mem = Buffer.allocUnsafe(GiB);
      // Same pseudo-random bytes in both, every page touched (search adds its needle at the end).
      for (let off = 0; off < GiB; off += MiB) {
        seg.writeChunk(pattern, off);
        pattern.copy(mem, off);
      }
      log(`setup: 1 GiB segment ${seg.id} and a 1 GiB Buffer filled in ${((now() - t) / 1000).toFixed(1)} s`);
      await breathe();
    }
    if (seg && mem) { // set up above exactly when one of these runs
      if (ONLY.has('copy')) {
        log('\n[copy] core readInto/writeChunk vs Buffer.copy');
        verdicts.push(...await copyBench({ seg, mem, pattern, reps: REPS }, log));
      }
      if (ONLY.has('agent')) {
        log('\n[agent] reads through the agent process');
        verdicts.push(...await agentBench(seg.id, REPS, log));
      }
      if (ONLY.has('search')) {
        log('\n[search] core search() vs Buffer.indexOf');
        verdicts.push(...await searchBench(seg, mem, needle, REPS, log));
      }
    }
  } finally {
    if (seg) disown(seg);
    mem = undefined;
  }
  if (ONLY.has('footprint')) {
    log('\n[footprint] the no-footprint read mode against keeping an attachment');
    verdicts.push(...await footprintBench(REPS, log));
  }
  if (ONLY.has('clayout')) {
    log('\n[clayout] C layouts: parse + lay out a big preprocessed header');
    verdicts.push(...await cLayoutBench(REPS, log));
  }
  if (ONLY.has('timeline')) {
    log('\n[timeline] watches at 1 kHz, recording 1 MiB at 100 Hz, jumps in a 10-minute recording');
    verdicts.push(...await timelineBench(REPS, log));
  }
  if (ONLY.has('list')) {
    log('\n[list] listSegments() vs ipcs -m');
    verdicts.push(...await listInNamespace());
  }

  log(`\nresults (${((now() - started) / 1000).toFixed(0)} s):`);
  for (const v of verdicts) log(v.line);
  const short = verdicts.filter((v) => !v.ok).length;
  if (short) log(`${short} target(s) missed`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
