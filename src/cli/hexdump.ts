// `hexdump -C` (canonical hex+ASCII), byte for byte, fed in chunks of any size.
//
// Format per line: `%08x  ` offset, 16 bytes as `%02x ` with an extra space after the 8th,
// ` |ascii|` (0x20..0x7e as is, else '.'). Lines start at the first offset (not aligned to 16,
// like `hexdump -C -s N`). A full line equal to the previous full line is not printed: the
// first of a run of such lines prints `*`. The last (partial) line is always printed. After the
// data comes the offset just past the end. No data at all prints nothing (like `-n 0`), unless
// asked to print the end offset (like `-s` at the end of a file).

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0') + ' ');
const ASCII = Array.from({ length: 256 }, (_, b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.'));
/** Width of the offset + hex part of a full line, up to and including the space before `|`. */
const HEX_WIDTH = 10 + 16 * 3 + 2;

export function formatOffset(offset: number): string {
  return offset.toString(16).padStart(8, '0');
}

export class HexDumper {
  private readonly line = Buffer.alloc(16);
  private fill = 0;
  private readonly prev = Buffer.alloc(16);
  private havePrev = false;
  private squeezing = false;
  private lineStart: number;
  private total = 0;

  constructor(private readonly start = 0) {
    this.lineStart = start;
  }

  /** Text for every line completed by this chunk. */
  push(chunk: Uint8Array): string {
    const out: string[] = [];
    let i = 0;
    // Finish a partial line from the previous chunk.
    if (this.fill > 0) {
      const n = Math.min(16 - this.fill, chunk.length);
      this.line.set(chunk.subarray(0, n), this.fill);
      this.fill += n;
      i = n;
      if (this.fill === 16) { this.fullLine(this.line, 0, out); this.fill = 0; }
    }
    for (; i + 16 <= chunk.length; i += 16) this.fullLine(chunk, i, out);
    if (i < chunk.length) {
      this.line.set(chunk.subarray(i), 0);
      this.fill = chunk.length - i;
    }
    this.total += chunk.length;
    return out.join('');
  }

  /** The last partial line and the end offset. */
  end(printOffsetIfEmpty = false): string {
    if (this.total === 0) return printOffsetIfEmpty ? formatOffset(this.start) + '\n' : '';
    let s = '';
    if (this.fill > 0) s += render(this.line, 0, this.fill, this.lineStart);
    return s + formatOffset(this.start + this.total) + '\n';
  }

  private fullLine(buf: Uint8Array, at: number, out: string[]): void {
    const offset = this.lineStart;
    this.lineStart += 16;
    if (this.havePrev && equal16(buf, at, this.prev)) {
      if (!this.squeezing) out.push('*\n');
      this.squeezing = true;
      return;
    }
    this.squeezing = false;
    this.prev.set(buf.subarray(at, at + 16));
    this.havePrev = true;
    out.push(render(buf, at, 16, offset));
  }
}

function equal16(a: Uint8Array, at: number, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[at + i] !== b[i]) return false;
  return true;
}

function render(buf: Uint8Array, at: number, n: number, offset: number): string {
  let hex = formatOffset(offset) + '  ';
  let ascii = '';
  for (let i = 0; i < n; i++) {
    const b = buf[at + i];
    hex += HEX[b];
    if (i === 7) hex += ' ';
    ascii += ASCII[b];
  }
  // hexdump pads a short line to the full width (the offset may be wider than 8 digits).
  const width = HEX_WIDTH + formatOffset(offset).length - 8;
  return hex.padEnd(width) + '|' + ascii + '|\n';
}

/** Whole-buffer convenience (tests, small reads). */
export function hexdumpC(data: Uint8Array, start = 0): string {
  const d = new HexDumper(start);
  return d.push(data) + d.end();
}
