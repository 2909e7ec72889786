// Watched values over samples: each watch is a few bytes of the segment and a way to print
// them. A WatchSet keeps an image of the sampled range up to date from each sample's spans and
// re-reads only the watches a span touched. Used by `shm-inspector watch` and (later) the agent.
import { type Span, applySpans } from './diff';

export interface Watch {
  /** Column name: `0x10:u32`, `hdr.seq`. */
  name: string;
  /** Segment offset of its first byte, and how many bytes it covers. */
  offset: number;
  size: number;
  /** Its value as text, from `view` whose byte `at` is the watch's first byte. */
  format: (view: DataView, at: number) => string;
}

/** The smallest range holding every watch. */
export function coveringRange(watches: readonly Watch[]): { offset: number; length: number } {
  if (watches.length === 0) throw new RangeError('no watches');
  const start = Math.min(...watches.map((w) => w.offset));
  const end = Math.max(...watches.map((w) => w.offset + w.size));
  return { offset: start, length: end - start };
}

export class WatchSet {
  private readonly image: Uint8Array;
  private readonly view: DataView;
  private readonly current: string[];
  private primed = false;

  constructor(readonly watches: readonly Watch[], private readonly rangeOffset: number, rangeLength: number) {
    for (const w of watches) {
      if (w.offset < rangeOffset || w.offset + w.size > rangeOffset + rangeLength) throw new RangeError(`watch ${w.name} is outside the sampled range`);
    }
    this.image = new Uint8Array(rangeLength);
    this.view = new DataView(this.image.buffer);
    this.current = watches.map(() => '');
  }

  /** The values now. */
  get values(): readonly string[] {
    return this.current;
  }

  /** Apply one sample's spans; true when a watched value's text changed (always for the first). */
  update(spans: readonly Span[]): boolean {
    applySpans(this.image, spans);
    const first = !this.primed;
    this.primed = true;
    let changed = first;
    this.watches.forEach((w, i) => {
      const at = w.offset - this.rangeOffset;
      if (!first && !spans.some((s) => s.offset < at + w.size && s.offset + s.bytes.length > at)) return;
      const text = w.format(this.view, at);
      if (text !== this.current[i]) {
        this.current[i] = text;
        changed = true;
      }
    });
    return changed;
  }
}
