// Segments and writer processes for the measure/liveHeat UI tests. Everything made here is
// removed/killed through t.addCleanup, pass or fail.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const writerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'shmWriter.mjs');

function randomKey() {
  return (0x53480000 | (1 + Math.floor(Math.random() * 0xfffe))) >>> 0;
}

/**
 * A new segment of `size` bytes with a random 0x5348xxxx key (retried on EEXIST), removed
 * in cleanup. Returns {id, key, keyHex, size}.
 */
export async function createSegment(t, size) {
  let info;
  for (let i = 0; !info; i++) {
    try {
      info = await t.cliJson('create', '--size', size, '--key', '0x' + randomKey().toString(16), '--exclusive');
    } catch (e) {
      if (i > 20 || !/EEXIST|exists/i.test(String(e.message))) throw e;
    }
  }
  const id = info.id;
  t.addCleanup(() => t.cli('rm', id).catch(() => undefined));
  const keyHex = info.keyHex ?? '0x' + (info.key >>> 0).toString(16).padStart(8, '0');
  return { id, key: info.key, keyHex, size: info.size ?? size };
}

function runWriter(args) {
  const child = spawn(process.execPath, [writerScript, ...args.map(String)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
  return { child, exited, out: () => out, err: () => err };
}

/** Write each [offset, hexString] pair into the segment from a separate process. */
export async function stamp(id, pairs) {
  // A few thousand pairs fit easily in one command line; split to stay far from ARG_MAX.
  for (let i = 0; i < pairs.length; i += 2000) {
    const w = runWriter(['stamp', id, ...pairs.slice(i, i + 2000).flat()]);
    w.child.stdin.end();
    const code = await w.exited;
    if (code !== 0) throw new Error(`shmWriter stamp failed (${code}): ${w.err()}`);
  }
}

/**
 * Start a process that adds `step` to the little-endian uint32 at offset every periodMs
 * (step 1: an ordinary counter, only the low byte changes each time; 0x01010101: all four
 * bytes change each time). Killed in cleanup. Returns {pid, stop()}.
 */
export async function startCounterWriter(t, id, offset, periodMs, step = 1) {
  const w = runWriter(['counter', id, offset, periodMs, step]);
  let stopped = null;
  const stop = () => {
    if (!stopped) {
      stopped = (async () => {
        if (w.child.exitCode === null && w.child.signalCode === null) {
          w.child.kill('SIGTERM');
          const r = await Promise.race([w.exited, new Promise((r) => setTimeout(() => r('timeout'), 3000))]);
          if (r === 'timeout') w.child.kill('SIGKILL');
        }
      })();
    }
    return stopped;
  };
  t.addCleanup(stop);
  const deadline = Date.now() + 10000;
  while (!/^ready /m.test(w.out())) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) throw new Error(`counter writer exited: ${w.err()}`);
    if (Date.now() > deadline) throw new Error('counter writer did not start in 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { pid: w.child.pid, stop };
}

/** Bytes [offset, offset+length) read by the CLI (a separate process). */
export async function cliBytes(t, id, offset, length) {
  const out = await t.cli('read', id, '--offset', offset, '--length', length, '--format', 'hex');
  const bytes = [];
  for (const line of out.split('\n')) {
    const m = /^[0-9a-f]{8,}\s+((?:[0-9a-f]{2}\s+)+)/i.exec(line);
    if (m) bytes.push(...m[1].trim().split(/\s+/).map((h) => parseInt(h, 16)));
  }
  return bytes.slice(0, length);
}
