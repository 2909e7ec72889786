// The sampler's double buffer and its diff. Both samples live in one WebAssembly memory, so the
// first pass of the diff (which 64-byte blocks differ) is one SIMD call over the whole range
// (diffBlocks.wat) and costs about what one memcmp of it does, however scattered the changes; the
// bytes of the differing blocks are then compared here. Where WebAssembly SIMD is missing, plain
// Buffers and diffRanges (memcmp by chunks) do the same job.
import { diffRanges } from './diff';
import { DIFF_BLOCKS_WASM } from './samplePairWasm';

const BLOCK = 64;
const PAGE = 65536;

type BlocksFn = (a: number, b: number, n: number, out: number, max: number) => number;

/** The part of the WebAssembly global used here (the repo's lib is ES2022 without DOM, which declares it). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;

let compiled: object | null | undefined;

/** The diff module, compiled once; null where this runtime cannot (no WebAssembly SIMD). */
function diffModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasm ? new wasm.Module(Buffer.from(DIFF_BLOCKS_WASM, 'base64')) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export class SamplePair {
  private prevAt: number;
  private curAt: number;
  private readonly buffers: [Buffer, Buffer];
  private readonly blocks: BlocksFn | undefined;
  private readonly out: Int32Array | undefined;
  private readonly outAt: number;

  /** Two samples of `length` bytes; `useWasm` false forces the plain path (tests, benchmarks). */
  constructor(readonly length: number, useWasm = true) {
    const mod = useWasm ? diffModule() : null;
    const whole = Math.floor(length / BLOCK);
    if (mod && wasm) {
      // [prev][cur][block indexes]: sample offsets 64-aligned, indexes 4-aligned.
      const span = Math.ceil(length / BLOCK) * BLOCK;
      this.outAt = 2 * span;
      const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil((this.outAt + 4 * whole) / PAGE)) });
      const instance = new wasm.Instance(mod, { env: { memory } });
      this.blocks = instance.exports.blocks as BlocksFn;
      this.buffers = [Buffer.from(memory.buffer, 0, length), Buffer.from(memory.buffer, span, length)];
      this.out = new Int32Array(memory.buffer, this.outAt, whole);
    } else {
      this.outAt = 0;
      this.buffers = [Buffer.alloc(length), Buffer.alloc(length)];
    }
    this.prevAt = 0;
    this.curAt = 1;
  }

  /** Whether the SIMD path is in use. */
  get simd(): boolean {
    return this.blocks !== undefined;
  }

  /** The sample to read into next. */
  get cur(): Buffer {
    return this.buffers[this.curAt];
  }

  /** The sample before it. */
  get prev(): Buffer {
    return this.buffers[this.prevAt];
  }

  /** cur becomes prev (the next sample is read into the old prev). */
  swap(): void {
    [this.prevAt, this.curAt] = [this.curAt, this.prevAt];
  }

  /**
   * Where cur differs from prev, in order, adjacent differing bytes merged (as diffRanges):
   * found(offset, length) for each; returns the number of differing bytes.
   */
  diff(found: (offset: number, length: number) => void): number {
    const { prev, cur, blocks, out } = this;
    if (!blocks || !out) return diffRanges(prev, cur, found);
    const whole = out.length;
    const count = blocks(prev.byteOffset, cur.byteOffset, whole * BLOCK, this.outAt, whole);
    let changed = 0;
    let runStart = -1;
    let scannedTo = -1;
    const scan = (from: number, to: number): void => {
      if (runStart >= 0 && from !== scannedTo) close(scannedTo); // the bytes between were equal
      for (let i = from; i < to; i++) {
        if (prev[i] !== cur[i]) { if (runStart < 0) runStart = i; } else if (runStart >= 0) close(i);
      }
      scannedTo = to;
    };
    const close = (at: number): void => {
      found(runStart, at - runStart);
      changed += at - runStart;
      runStart = -1;
    };
    for (let k = 0; k < count; k++) scan(out[k] * BLOCK, out[k] * BLOCK + BLOCK);
    if (whole * BLOCK < this.length) scan(whole * BLOCK, this.length); // the tail the SIMD pass leaves
    if (runStart >= 0) close(scannedTo);
    return changed;
  }
}
