#!/usr/bin/env node
// Keeps a shared memory segment changing, for demos: every --interval ms (default 200) it
// writes an incrementing 32-bit little-endian counter at --offset (default 0) of segment
// <id> through the project's CLI (`node dist/cli.js write <id> --offset N --hex HEX`).
//
//   node scripts/demo-writer.mjs <shmid> [--offset N] [--interval MS]
//
// Stops on SIGINT/SIGTERM, or when the segment is gone (the CLI fails 3 times in a row).
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repoRoot, 'dist', 'cli.js');

const args = process.argv.slice(2);
const id = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const offset = opt('offset', 0);
const interval = opt('interval', 200);
if (!id || !/^\d+$/.test(id) || !Number.isFinite(offset) || !(interval > 0)) {
  console.error('usage: demo-writer.mjs <shmid> [--offset N] [--interval MS]');
  process.exit(2);
}

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => (stopping = true));

const hexLE32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b.toString('hex');
};

const write = (hex) =>
  new Promise((resolve) => {
    execFile(process.execPath, [cli, 'write', id, '--offset', String(offset), '--hex', hex], (err, _out, stderr) =>
      resolve(err ? String(stderr || err.message).trim() : null),
    );
  });

let counter = 0;
let failures = 0;
while (!stopping) {
  const started = Date.now();
  const err = await write(hexLE32(++counter));
  // Ctrl+C in the terminal also reaches the CLI child mid-write: that failure is expected.
  if (stopping) break;
  if (err) {
    failures++;
    console.error(`[demo-writer] write to ${id} failed: ${err}`);
    if (failures >= 3) {
      console.error(`[demo-writer] giving up on segment ${id}`);
      process.exit(1);
    }
  } else {
    failures = 0;
  }
  await new Promise((r) => setTimeout(r, Math.max(0, interval - (Date.now() - started))));
}
process.exit(0);
