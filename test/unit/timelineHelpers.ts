// Shared by the timeline tests: a writer process that writes a known sequence into a segment at
// known (monotonic) times, seqlock style, and the bytes it writes for each value.
import { LineChild } from './helpers';

/**
 * Layout written: u32 seq at 0 (odd while writing), u32 counter at 8, then a struct at 16:
 * { u32 id; u32 pad; double value; char name[8]; } (ends at 40).
 */
export const SEQ_AT = 0;
export const COUNTER_AT = 8;
export const STRUCT_AT = 16;
export const WRITTEN_END = 40;

/** Bytes 8..40 for value v. */
export function writtenFor(v: number): Buffer {
  const b = Buffer.alloc(WRITTEN_END - COUNTER_AT);
  b.writeUInt32LE(v, 0);
  b.writeUInt32LE(v * 7 + 1, STRUCT_AT - COUNTER_AT);
  b.writeDoubleLE(v * 1.5, STRUCT_AT - COUNTER_AT + 8);
  b.write(`v${v}`, STRUCT_AT - COUNTER_AT + 16, 'latin1');
  return b;
}

/** One value written: when the write began (before seq went odd) and ended (after it went even). */
export interface Written {
  v: number;
  startNs: bigint;
  endNs: bigint;
}

const BODY = `
const seg = core.Segment.open(P.id).attach();
emit({ ready: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => process.hrtime.bigint().toString();
function bytesFor(v) {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(v, 0); b.writeUInt32LE(v * 7 + 1, 8); b.writeDoubleLE(v * 1.5, 16); b.write('v' + v, 24, 'latin1');
  return b;
}
const seqBuf = Buffer.alloc(4);
let seq = seg.readChunk(4, 0).readUInt32LE(0);
const setSeq = () => { seq = (seq + 1) >>> 0; seqBuf.writeUInt32LE(seq, 0); seg.writeChunk(seqBuf, 0); };
async function run(cmd) {
  for (const v of cmd.values) {
    const start = now();
    setSeq();
    if (cmd.tornMs) { seg.writeChunk(Buffer.alloc(32, 0xee), 8); await sleep(cmd.tornMs); }
    seg.writeChunk(bytesFor(v), 8);
    setSeq();
    emit({ v, start, end: now() });
    await sleep(cmd.holdMs);
  }
  emit({ done: true });
}
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const cmd = JSON.parse(buf.slice(0, nl)); buf = buf.slice(nl + 1);
    run(cmd).catch((e) => emit({ error: errData(e) }));
  }
});
process.stdin.on('end', () => { try { seg.detach(); } catch {} process.exit(0); });
`;

export class SequenceWriter {
  private constructor(private readonly child: LineChild) {}

  static async start(id: number): Promise<SequenceWriter> {
    const child = new LineChild(BODY, { params: { id } });
    const first = await child.next() as { ready?: boolean };
    if (!first.ready) throw new Error(`writer: ${JSON.stringify(first)}`);
    return new SequenceWriter(child);
  }

  /** Writes each value, holding it holdMs (tornMs: seq stays odd that long, garbage in place). */
  async write(values: number[], holdMs: number, tornMs = 0): Promise<Written[]> {
    this.child.send({ values, holdMs, tornMs });
    const out: Written[] = [];
    for (;;) {
      const line = await this.child.next(30_000) as { v?: number; start?: string; end?: string; done?: boolean; error?: { message?: string } };
      if (line.error) throw new Error(`writer: ${line.error.message ?? 'failed'}`);
      if (line.done) return out;
      out.push({ v: line.v ?? -1, startNs: BigInt(line.start ?? '0'), endNs: BigInt(line.end ?? '0') });
    }
  }

  async stop(): Promise<void> {
    await this.child.end();
  }
}
