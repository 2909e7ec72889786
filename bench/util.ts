// Shared by the benchmarks: timing, medians, formatting, the machine, and a registry of every
// segment a benchmark made, removed on normal exit, on an exception, and on Ctrl+C/SIGTERM.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Segment, ShmError } from '../src/core';
import { IPC_RMID } from '../src/core/layout';
import { shmctlTry } from '../src/core/libc';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6; // ms
}

/** Time fn once, in ms. */
export function time(fn: () => void): number {
  const t = now();
  fn();
  return now() - t;
}

export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = now();
  await fn();
  return now() - t;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Let signals and I/O callbacks run between repetitions (Ctrl+C must not wait for the end). */
export const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Bytes per ms -> "12.3 GB/s" (decimal GB, 10^9 bytes). */
export function gbps(bytes: number, ms: number): number {
  return bytes / ms / 1e6;
}

export const f1 = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function machine(): string {
  let model = os.cpus()[0]?.model?.trim() || 'unknown cpu';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch { /* keep os.cpus() */ }
  const mem = (os.totalmem() / GiB).toFixed(1);
  return `${model}, ${os.cpus().length} cores, ${mem} GiB RAM, Linux ${os.release()}, Node ${process.version}`;
}

// --- segments made by a benchmark: always removed -------------------------------------------------

const owned = new Map<number, Segment | null>();
let cleaning = false;

export function own(seg: Segment): Segment {
  owned.set(seg.id, seg);
  return seg;
}

/** A segment made with raw shmget (no Segment object): removed with a bare IPC_RMID. */
export function ownId(id: number): void {
  owned.set(id, null);
}

/** IPC_RMID of an id we own; true if it was there. No stat, no listing: O(1). */
export function removeId(id: number): boolean {
  const seg = owned.get(id);
  if (seg) { try { seg.detach(); } catch { /* best effort */ } }
  owned.delete(id);
  return shmctlTry(id, IPC_RMID, null) >= 0;
}

export function disown(seg: Segment): void {
  try { seg.detach(); } catch { /* best effort */ }
  try {
    seg.destroy();
  } catch (err) {
    if (!(err instanceof ShmError && ['EINVAL', 'EIDRM'].includes(err.code))) throw err;
  }
  owned.delete(seg.id);
}

export function ownedCount(): number {
  return owned.size;
}

/** Detach and IPC_RMID everything still registered. Synchronous (runs in 'exit'). */
export function cleanupAll(): number {
  if (cleaning) return 0;
  cleaning = true;
  let n = 0;
  for (const [id, seg] of owned) {
    if (seg) { try { seg.detach(); } catch { /* keep going */ } }
    if (shmctlTry(id, IPC_RMID, null) >= 0) n++;
  }
  owned.clear();
  cleaning = false;
  return n;
}

const exitHooks: (() => void)[] = [];
export function onCleanup(fn: () => void): void {
  exitHooks.push(fn);
}

let installed = false;
export function installCleanupHandlers(label: string): void {
  if (installed) return;
  installed = true;
  const runHooks = () => {
    for (const h of exitHooks.splice(0)) { try { h(); } catch { /* keep going */ } }
  };
  process.on('exit', () => { runHooks(); cleanupAll(); });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      runHooks();
      const n = cleanupAll();
      process.stderr.write(`\n${label}: ${sig}: removed ${n} segment(s), stopping\n`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
  process.on('uncaughtException', (err) => {
    runHooks();
    const n = cleanupAll();
    process.stderr.write(`${label}: ${err.stack ?? err.message}\n${label}: removed ${n} segment(s)\n`);
    process.exit(1);
  });
}

export interface Verdict {
  name: string;
  line: string;
  ok: boolean;
}

export function verdict(name: string, text: string, ok: boolean, target: string): Verdict {
  return { name, ok, line: `${name}: ${text} (target ${target}) ${ok ? 'ok' : 'short'}` };
}
