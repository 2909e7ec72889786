#!/usr/bin/env node
// A separate process that writes into a System V segment through its own attachment (koffi →
// libc shmat + memcpy), for the measure/liveHeat UI tests. Two modes:
//
//   node shmWriter.mjs counter <shmid> <offset> <periodMs> [step]
//       every periodMs add step (default 1) to the little-endian uint32 at offset; prints "ready <addr>"
//       once attached; runs until SIGTERM/SIGINT or until its stdin closes (the parent died).
//   node shmWriter.mjs stamp <shmid> <offset> <hex> [<offset> <hex> ...]
//       write each hex string at its offset, print "done N", detach and exit.
//
// Driven from the test through startCounterWriter()/stamp() in ./segments.mjs.
import koffi from 'koffi';

const lib = koffi.load('libc.so.6');
const shmat = lib.func('shmat', 'intptr_t', ['int', 'uintptr_t', 'int']);
const shmdt = lib.func('shmdt', 'int', ['uintptr_t']);
const copyTo = lib.func('memcpy', 'uintptr_t', ['uintptr_t', 'void*', 'size_t']);

function die(msg) {
  process.stderr.write(`shmWriter: ${msg}\n`);
  process.exit(1);
}

const [mode, idArg, ...rest] = process.argv.slice(2);
const id = Number(idArg);
if (!Number.isInteger(id) || id < 0) die(`bad shmid ${idArg}`);
const addr = shmat(id, 0, 0);
if (addr === -1) die(`shmat(${id}) failed: errno ${koffi.errno()}`);

if (mode === 'stamp') {
  let n = 0;
  for (let i = 0; i + 1 < rest.length; i += 2) {
    const buf = Buffer.from(rest[i + 1], 'hex');
    copyTo(addr + Number(rest[i]), buf, buf.length);
    n++;
  }
  shmdt(addr);
  process.stdout.write(`done ${n}\n`);
  process.exit(0);
} else if (mode === 'counter') {
  const offset = Number(rest[0]);
  const period = Number(rest[1]);
  const step = rest[2] === undefined ? 1 : Number(rest[2]);
  if (!(offset >= 0) || !(period > 0)) die('usage: counter <shmid> <offset> <periodMs>');
  const buf = Buffer.alloc(4);
  let value = 0;
  const stop = () => {
    clearInterval(timer);
    shmdt(addr);
    process.exit(0);
  };
  const timer = setInterval(() => {
    value = (value + step) >>> 0;
    buf.writeUInt32LE(value);
    copyTo(addr + offset, buf, 4);
  }, period);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  process.stdout.write(`ready ${addr.toString(16)}\n`);
} else {
  die(`unknown mode ${mode}`);
}
