// The timeline's costs, each against a baseline measured in the same run:
// - 16 watches at 1 kHz (Sampler + WatchSet reading a real segment): CPU share of one core over a
//   few seconds (process.cpuUsage), beside a bare 1 kHz timer doing nothing (the floor).
//   Target <= 5% of a core.
// - The Watch view's path, 16 watches at 1 kHz: the agent samples (agent/watches.ts), this
//   process plays the extension host (AgentClient + WatchSession: takes, decodes, keeps the
//   history), another process writes all 16 values every millisecond. CPU of the agent (all its
//   threads, /proc/<pid>/task/*/schedstat) plus this process, beside a bare 1 kHz timer.
//   Target <= 5% of a core.
// - Recording a 1 MiB range at 100 Hz with 64 changed bytes per frame: CPU share (target <= 10%),
//   storage within the budget, and the diff of one sample against Buffer.compare of the same
//   bytes (target <= 2x).
// - Jumping to any moment of a 10-minute 100 Hz recording of 1 MiB (60,000 frames, built in
//   memory): at() at the start, middle and end, each from a cold cache (target <= 50 ms).
import { fork } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Segment } from '../src/core';
import { AgentClient } from '../src/extension/agent/client';
import { WatchSession } from '../src/extension/timeline/watchSession';
import type { WatchHostEvents } from '../src/protocol/watch';
import { AGENT_JS } from './agent';
import { diffRanges } from '../src/timeline/diff';
import { Recorder, Recording } from '../src/timeline/recording';
import { Sampler } from '../src/timeline/sampler';
import { SamplePair } from '../src/timeline/samplePair';
import { decodeScalar, formatScalar, parseScalarType } from '../src/timeline/scalar';
import { WatchSet, coveringRange } from '../src/timeline/watch';
import { MiB, type Verdict, breathe, disown, f1, median, now, own, verdict } from './util';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** CPU share (0..1 of one core) of this process while fn's work runs for ms. */
async function cpuShare(ms: number, start: () => () => void): Promise<number> {
  const stop = start();
  await sleep(200); // settle (first sample, JIT)
  const c0 = process.cpuUsage();
  const t0 = now();
  await sleep(ms);
  const c = process.cpuUsage(c0);
  const wall = now() - t0;
  stop();
  return (c.user + c.system) / 1000 / wall;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export async function timelineBench(reps: number, log: (s: string) => void): Promise<Verdict[]> {
  const out: Verdict[] = [];
  const seconds = Math.max(3, Math.min(reps, 6));

  // --- 16 watches at 1 kHz -----------------------------------------------------------------------
  const small = own(Segment.create(4096));
  let timerFloor = NaN;
  try {
    small.attach();
    const u32 = parseScalarType('u32');
    if (!u32) throw new Error('u32');
    const watches = Array.from({ length: 16 }, (_, i) => ({
      name: `w${i}`, offset: i * 8, size: 4, format: (v: DataView, at: number) => formatScalar(u32, decodeScalar(u32, v, at)),
    }));
    const range = coveringRange(watches);
    let lines = 0;
    const floor = await cpuShare(seconds * 1000, () => {
      const s = new Sampler({ read: () => { /* nothing */ }, offset: 0, length: 1, hz: 1000, onBatch: () => { /* nothing */ } });
      s.start();
      return () => { s.stop(); };
    });
    timerFloor = floor;
    let stats = { samples: 0, lateTicks: 0 };
    const share = await cpuShare(seconds * 1000, () => {
      const set = new WatchSet(watches, range.offset, range.length);
      // One watched value changes every 10 ms (a write from this process: a few µs).
      let n = 0;
      const writer = setInterval(() => { small.writeChunk(Uint8Array.of(++n & 0xff), 8 * (n % 16)); }, 10);
      const s = new Sampler({
        read: (off, len, into) => { small.readInto(into, off, len); }, ...range, hz: 1000,
        onBatch: (batch) => { for (const x of batch) if (set.update(x.spans)) lines++; },
      });
      s.start();
      return () => { s.stop(); clearInterval(writer); stats = s.stats; };
    });
    log(`  16 watches at 1 kHz: ${pct(share)} of a core (${stats.samples} samples, ${stats.lateTicks} late ticks skipped, ${lines} changes); ` +
      `baseline: a bare 1 kHz timer ${pct(floor)}`);
    out.push(verdict('timeline watch', `16 watches at 1 kHz use ${pct(share)} of a core (timer alone ${pct(floor)})`, share <= 0.05, '<= 5%'));
  } finally {
    disown(small);
  }
  await breathe();

  // --- the Watch view: 16 watches at 1 kHz through the agent and the host ------------------------
  out.push(await watchViewBench(timerFloor, log));
  await breathe();

  // --- recording 1 MiB at 100 Hz, 64 changed bytes per frame --------------------------------------
  const big = own(Segment.create(MiB));
  try {
    big.attach();
    big.writeChunk(randomBytes(MiB), 0);
    const budget = 64 * MiB;
    let recorder: Recorder | undefined;
    let samples = 0;
    const share = await cpuShare(seconds * 1000, () => {
      const s = new Sampler({
        read: (off, len, into) => {
          // The "other process": 64 bytes change before each sample (64 one-byte writes).
          for (let i = 0; i < 64; i++) big.writeChunk(Uint8Array.of(randomInt(256)), randomInt(MiB));
          big.readInto(into, off, len);
        },
        offset: 0, length: MiB, hz: 100,
        onBatch: (batch) => {
          recorder ??= new Recorder({ segment: { id: big.id, key: big.key, size: MiB }, offset: 0, length: MiB, hz: 100, startWallMs: Date.now(), startMonoNs: s.started.monoNs.toString() }, { budget });
          for (const x of batch) recorder.add(x.frame, x.monoNs, x.spans, x.changed);
          samples += batch.length;
        },
      });
      s.start();
      return () => { s.stop(); };
    });
    const bytes = recorder?.stats.bytes ?? 0;
    // The diff of one sample (1 MiB, 64 changed bytes) against a bare Buffer.compare of the same
    // bytes (a full memcmp: compared with an equal copy, it cannot stop at the first difference).
    // Two shapes: the 64 bytes in one place (a struct updated), and scattered over 64 blocks.
    const a = randomBytes(MiB);
    const same = Buffer.from(a);
    const oneSpan = Buffer.from(a);
    const at = randomInt(MiB - 64);
    for (let i = 0; i < 64; i++) oneSpan[at + i] ^= 0x5a;
    const scattered = Buffer.from(a);
    for (let i = 0; i < 64; i++) scattered[i * 16384 + randomInt(16384)] ^= 0x5a;
    // As the sampler holds them: both samples in its SamplePair (one WebAssembly memory: SIMD diff).
    const pairOf = (cur: Buffer) => { const p = new SamplePair(MiB); a.copy(p.cur); p.swap(); cur.copy(p.cur); return p; };
    const pairOne = pairOf(oneSpan);
    const pairScattered = pairOf(scattered);
    const diffT: number[] = [];
    const scatT: number[] = [];
    const jsScatT: number[] = [];
    const cmpT: number[] = [];
    for (let r = 0; r < Math.max(reps, 5) * 40; r++) {
      let t = now();
      pairOne.diff(() => { /* count only */ });
      diffT.push(now() - t);
      t = now();
      pairScattered.diff(() => { /* count only */ });
      scatT.push(now() - t);
      t = now();
      diffRanges(a, scattered, () => { /* count only */ });
      jsScatT.push(now() - t);
      t = now();
      Buffer.compare(a, same);
      cmpT.push(now() - t);
    }
    const ratio = median(diffT) / median(cmpT);
    const scatRatio = median(scatT) / median(cmpT);
    log(`  recording 1 MiB at 100 Hz, 64 changed bytes/frame: ${pct(share)} of a core, ${samples} frames in ${humanMiB(bytes)} (budget ${humanMiB(budget)})`);
    log(`  diff per sample: 64 B in one place ${f1(median(diffT) * 1000)} µs (${ratio.toFixed(2)}x), scattered over 64 blocks ${f1(median(scatT) * 1000)} µs (${scatRatio.toFixed(2)}x); ` +
      `baseline Buffer.compare of the same 1 MiB ${f1(median(cmpT) * 1000)} µs (SIMD ${pairOne.simd ? 'on' : 'off'}; memcmp by chunks alone, scattered: ${(median(jsScatT) / median(cmpT)).toFixed(2)}x)`);
    out.push(verdict('timeline record', `1 MiB at 100 Hz uses ${pct(share)} of a core`, share <= 0.10, '<= 10%'));
    out.push(verdict('timeline storage', `${humanMiB(bytes)} for ${samples} frames`, bytes <= budget, `<= ${humanMiB(budget)}`));
    out.push(verdict('timeline diff', `diff of 64 B in one place ${ratio.toFixed(2)}x a Buffer.compare of the same 1 MiB`, ratio <= 2, '<= 2x'));
    out.push(verdict('timeline diff scattered', `diff of 64 B in 64 blocks ${scatRatio.toFixed(2)}x a Buffer.compare of the same 1 MiB`, scatRatio <= 2, '<= 2x'));
  } finally {
    disown(big);
  }
  await breathe();

  // --- jumping in a 10-minute 100 Hz recording ---------------------------------------------------
  const frames = 10 * 60 * 100;
  const t0 = now();
  const rec = new Recorder({ segment: { id: 1, key: 0, size: MiB }, offset: 0, length: MiB, hz: 100, startWallMs: Date.now(), startMonoNs: '0' }, { budget: 512 * MiB });
  const image = randomBytes(MiB);
  rec.add(0, 0n, [{ offset: 0, bytes: image }], MiB);
  for (let f = 1; f < frames; f++) {
    const offsets = Array.from({ length: 64 }, () => randomInt(MiB)).sort((x, y) => x - y);
    const spans = [];
    let last = -1;
    for (const o of offsets) {
      if (o === last) continue;
      last = o;
      image[o] ^= 0x5a;
      spans.push({ offset: o, bytes: image.subarray(o, o + 1) });
    }
    rec.add(f, BigInt(f) * 10_000_000n, spans, spans.length);
    if (f % 5000 === 0) await breathe();
  }
  rec.end({ reason: 'duration' });
  const recording = Recording.fromBuffer(rec.toBuffer());
  log(`  built a 10-minute 100 Hz recording of 1 MiB in memory: ${recording.frameCount} frames, ${humanMiB(rec.stats.bytes)}, ${rec.stats.keyframes} keyframes, ${((now() - t0) / 1000).toFixed(1)} s`);
  // Worst case inside each group: the frame just before the next keyframe (all its deltas).
  const keys = [...recording.frames()].filter((f) => f.keyframe).map((f) => f.frame);
  const mid = keys[Math.floor(keys.length / 2)] - 1;
  const targets: [string, number][] = [['start', 0], ['middle', mid], ['end', frames - 1]];
  const jumps: Record<string, number[]> = { start: [], middle: [], end: [] };
  for (let r = 0; r < Math.max(reps, 5); r++) {
    for (const [name, frame] of targets) {
      const t = now();
      recording.at(frame); // a different group each time: no cache helps
      jumps[name].push(now() - t);
    }
  }
  const worst = Math.max(...targets.map(([n]) => median(jumps[n])));
  log(`  jump to a moment (median): ${targets.map(([n, f]) => `${n} (frame ${f}) ${f1(median(jumps[n]))} ms`).join(', ')}`);
  out.push(verdict('timeline jump', `any moment of 10 min at 100 Hz in ${f1(worst)} ms (worst of start/middle/end)`, worst <= 50, '<= 50 ms'));
  return out;
}

function humanMiB(n: number): string {
  return `${(n / MiB).toFixed(1)} MiB`;
}

/** CPU time (ms) of every thread of process pid so far, from the scheduler's own accounting (ns). */
function processCpuMs(pid: number): number {
  let ns = 0;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* the thread ended */ }
  }
  return ns / 1e6;
}

interface WatchViewFigure {
  agent: number;
  host: number;
  total: number;
  rounds: number[];
  samples: number;
  /** The agent's CPU share over the 6 s after the watches were added (before the rounds). */
  warmup: number;
}

/** The Watch view's path: an agent, 16 watches at 1 kHz, the view's own batches. */
async function watchViewOnce(): Promise<WatchViewFigure> {
  const seg = own(Segment.create(4096));
  const client = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60_000 });
  const writer = fork(path.join(__dirname, 'watchWriter.js'), [String(seg.id)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  let session: WatchSession | undefined;
  try {
    await client.request('ping', {});
    const agentPid = client.pid;
    if (agentPid === undefined) throw new Error('the agent has no pid');
    const u32 = parseScalarType('u32');
    if (!u32) throw new Error('u32');
    const s = new WatchSession(client, await client.request('stat', { id: seg.id }), { hz: 1000 });
    session = s;
    let samples = 0;
    s.onPost((name, payload) => {
      if (name === 'samples') samples += (payload as WatchHostEvents['samples']).batches[0]?.t.length ?? 0;
    });
    for (let i = 0; i < 16; i++) await s.add({ label: `w${i}`, offset: 8 * i, type: u32 });
    // Settle: sixteen restarts of the agent's watch behind us, JIT warm. The agent's CPU falls over its
    // first seconds (printed as the warm-up): the figure is the steady state a user watching sees.
    const w0 = processCpuMs(agentPid);
    const wt = now();
    await sleep(6000);
    const warmup = (processCpuMs(agentPid) - w0) / (now() - wt);
    const rounds: { agent: number; host: number }[] = [];
    for (let r = 0; r < 5; r++) {
      const a0 = processCpuMs(agentPid);
      const h0 = process.cpuUsage();
      const t0 = now();
      await sleep(1000);
      const wall = now() - t0;
      const h = process.cpuUsage(h0);
      rounds.push({ agent: (processCpuMs(agentPid) - a0) / wall, host: (h.user + h.system) / 1000 / wall });
    }
    return {
      agent: median(rounds.map((x) => x.agent)), host: median(rounds.map((x) => x.host)), total: median(rounds.map((x) => x.agent + x.host)),
      rounds: rounds.map((x) => x.agent + x.host), samples, warmup,
    };
  } finally {
    await session?.dispose();
    writer.kill('SIGTERM');
    client.dispose();
    disown(seg);
  }
}

async function watchViewBench(timerFloor: number, log: (s: string) => void): Promise<Verdict> {
  const f = await watchViewOnce();
  log(`  the Watch view's path, 16 watches at 1 kHz, all 16 values written every ms by another process: agent ${pct(f.agent)} + host ${pct(f.host)} = ${pct(f.total)} of a core ` +
    `(median of 5 rounds of 1 s after 6 s of warm-up, in which the agent took ${pct(f.warmup)}: ${f.rounds.map(pct).join(', ')}; ${f.samples} samples reached the view); ` +
    `${(f.total / timerFloor).toFixed(2)}x the bare 1 kHz timer above (${pct(timerFloor)})`);
  return verdict('timeline watch view', `16 watches at 1 kHz, agent + host: ${pct(f.total)} of a core`, f.total <= 0.05, '<= 5%');
}
