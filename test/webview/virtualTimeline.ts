// A recording for the fake host (fakeHost.ts): frames written by the test as writes over the
// virtual segment's base bytes, and the real host's TimelineControl over them (seek by frame,
// time or step; previous / next change of a range; an event after each move), with the overview
// binned by the protocol's own stripBins as the real host bins it. Small by design: each frame
// keeps its whole overlay of written bytes, so a test config holds tens of frames, not millions.
// No side effects: the Node-side tests import it to compute what the grid should show.

import type { TimelineControl } from '../../src/extension/hexEditor/byteSource';
import { Emitter } from '../../src/extension/hexEditor/emitter';
import { type ChangeDirection, type TimelinePosition, type TimelineSeek, type TimelineView, stripBins } from '../../src/protocol/timeline';
import type { ByteRange } from '../../src/protocol/webview';

export interface TimelineWrite { offset: number; bytes: number[] }
export interface TimelineFrameConfig {
  /** ms since the recording started (not decreasing). */
  t: number;
  /** What changed since the frame before (the first frame's writes are its starting bytes). */
  writes?: TimelineWrite[];
}

export interface TimelineConfig {
  frames: TimelineFrameConfig[];
  /** The frame shown at start (default 0). */
  start?: number;
  hz?: number;
  startWallMs?: number;
  ended?: string;
}

/** Written bytes (offset -> value) at each frame, cumulative; other bytes are the base's. */
function overlays(config: TimelineConfig): Map<number, number>[] {
  const out: Map<number, number>[] = [];
  let at = new Map<number, number>();
  for (const f of config.frames) {
    at = new Map(at);
    for (const w of f.writes ?? []) w.bytes.forEach((b, i) => at.set(w.offset + i, b & 0xff));
    out.push(at);
  }
  return out;
}

/** The byte at offset at frame `index` of a recording over `base` (what the grid should show). */
export function timelineByte(config: TimelineConfig, index: number, offset: number, base: (offset: number) => number): number {
  let v = base(offset);
  for (const f of config.frames.slice(0, index + 1)) {
    for (const w of f.writes ?? []) if (offset >= w.offset && offset < w.offset + w.bytes.length) v = w.bytes[offset - w.offset] & 0xff;
  }
  return v;
}

export class VirtualTimeline implements TimelineControl {
  private index: number;
  private readonly states: Map<number, number>[];
  /** Bytes each frame changed (0 for the first), as the recording counts them. */
  private readonly changed: number[];
  private readonly moved = new Emitter<TimelinePosition>();
  readonly onDidMove = this.moved.event;

  constructor(private readonly config: TimelineConfig, private readonly base: (offset: number) => number) {
    if (config.frames.length === 0) throw new Error('a recording has at least one frame');
    this.states = overlays(config);
    this.changed = this.states.map((_, i) => (i === 0 ? 0 : this.touched(i).length));
    this.index = Math.min(config.frames.length - 1, Math.max(0, config.start ?? 0));
  }

  /** The byte at offset at the moment shown. */
  byteAt(offset: number): number {
    return this.valueAt(this.index, offset);
  }

  /** A virtual recording is of the whole segment. */
  readonly segmentOffset = 0;

  get position(): TimelinePosition {
    const i = this.index;
    return { index: i, frame: i, t: this.config.frames[i].t, changed: this.changed[i] };
  }

  view(): TimelineView {
    const times = this.config.frames.map((f) => f.t);
    return {
      overview: {
        frames: times.length,
        firstMs: times[0],
        lastMs: times[times.length - 1],
        hz: this.config.hz ?? 10,
        startWallMs: this.config.startWallMs ?? Date.UTC(2024, 0, 1, 12, 0, 0),
        segmentOffset: 0,
        ...stripBins(times, this.changed),
        ended: this.config.ended ?? 'stopped',
      },
      position: this.position,
    };
  }

  seek(to: TimelineSeek): TimelinePosition {
    const last = this.config.frames.length - 1;
    let index: number;
    if ('index' in to) {
      if (!(to.index >= 0 && to.index <= last)) throw new RangeError(`no frame index ${to.index}: the recording has frames 0 to ${last}`);
      index = to.index;
    } else if ('ms' in to) {
      // The last frame at or before ms; the first if ms is before it.
      index = 0;
      while (index < last && this.config.frames[index + 1].t <= to.ms) index++;
    } else {
      index = Math.min(last, Math.max(0, this.index + to.step));
    }
    return this.moveTo(index);
  }

  findChange(range: ByteRange, direction: ChangeDirection): TimelinePosition | null {
    const end = range.offset + range.length;
    for (let j = this.index + direction; j >= 1 && j < this.config.frames.length; j += direction) {
      if (this.touched(j).some((o) => o >= range.offset && o < end)) return this.moveTo(j);
    }
    return null;
  }

  private moveTo(index: number): TimelinePosition {
    if (index !== this.index) {
      this.index = index;
      this.moved.fire(this.position);
    }
    return this.position;
  }

  private valueAt(index: number, offset: number): number {
    return this.states[index].get(offset) ?? this.base(offset);
  }

  /** Offsets whose byte frame i changed (differs from frame i - 1). */
  private touched(i: number): number[] {
    const offsets = new Set<number>();
    for (const w of this.config.frames[i].writes ?? []) w.bytes.forEach((_, k) => offsets.add(w.offset + k));
    return [...offsets].filter((o) => this.valueAt(i, o) !== this.valueAt(i - 1, o));
  }
}
