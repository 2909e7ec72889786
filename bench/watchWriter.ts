// The Watch view bench's other process: attached to the segment named by argv[2], it writes a
// new value into each of the first 16 u32s every millisecond (a 1 kHz producer), until killed.
import { Segment } from '../src/core';

const seg = Segment.open(Number(process.argv[2]));
seg.attach();
const values = new Uint32Array(16);
const bytes = new Uint8Array(values.buffer);
let n = 0;
const timer = setInterval(() => {
  n++;
  for (let i = 0; i < 16; i++) values[i] = n * (i + 1);
  // u32 i lives at byte 8 * i: write each where the bench watches it.
  for (let i = 0; i < 16; i++) seg.writeChunk(bytes.subarray(4 * i, 4 * i + 4), 8 * i);
}, 1);
const stop = () => { clearInterval(timer); seg.detach(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('disconnect', stop);
