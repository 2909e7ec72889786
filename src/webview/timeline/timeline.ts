// A recording opened in the hex editor, webview side: moves in time through the host
// (`timelineSeek`, `timelineChange`) and shows where the timeline is in the strip. The grid's
// bytes are not handled here: the host pushes the moment's bytes in `view` like any window's.
// Where the timeline is comes from the host's `timeline` events (any editor, or a Watch plot,
// may move it) and from the answers to our own requests, whichever arrives first.
// Play seeks by time about every PLAY_TICK_MS, one request at a time, so a slow host makes
// playback coarser, never a queue of requests.

import type { ChangeDirection, TimelinePosition, TimelineSeek, TimelineView } from '../../protocol/timeline';
import type { ByteRange } from '../../protocol/webview';
import type { HexRpc } from '../port';
import { hexNumber } from '../util/format';
import { TimelineStrip } from './timelineStrip';

const PLAY_TICK_MS = 100;

export interface TimelineHost {
  rpc: HexRpc;
  /** The bytes "previous / next change" looks at (the selection, else the byte under the cursor); null: none. */
  range(): ByteRange | null;
  message(text: string, kind: 'info' | 'error'): void;
  /** The moment shown is another one (heat cools one step per move). */
  moved(): void;
}

export class Timeline {
  private readonly strip: TimelineStrip;
  private position: TimelinePosition;
  /** Bumped to stop playback: a play loop runs while its number is current. */
  private playRun = 0;
  private playing = false;
  /** The latest time asked for by a click or drag while a seek is under way (sent when it ends). */
  private wantMs: number | null = null;
  private seekingMs = false;

  constructor(parent: HTMLElement, private readonly view: TimelineView, private readonly host: TimelineHost) {
    this.position = view.position;
    this.strip = new TimelineStrip(parent, view.overview, {
      seekMs: (ms) => this.seekMs(ms),
      step: (by) => this.userSeek({ step: by }),
      change: (direction) => void this.change(direction),
      togglePlay: () => { if (this.playing) this.stop(); else void this.play(); },
      message: (text, kind) => host.message(text, kind),
    });
    this.strip.show(this.position);
    // Capture: ahead of the grid, which would type these keys in its text column.
    document.addEventListener('keydown', (e) => this.onKey(e), true);
    document.addEventListener('visibilitychange', () => { if (document.hidden) this.stop(); });
    window.addEventListener('pagehide', () => this.stop());
  }

  /** Where the timeline is (the host's `timeline` event, or an answer). */
  show(p: TimelinePosition): void {
    const moved = p.index !== this.position.index;
    this.position = p;
    this.strip.show(p);
    if (moved) this.host.moved();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || isTextEntry(e.target)) return;
    switch (e.key) {
      case '[': this.userSeek({ step: -1 }); break;
      case ']': this.userSeek({ step: 1 }); break;
      case '{': void this.change(-1); break;
      case '}': void this.change(1); break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  }

  private userSeek(to: TimelineSeek): void {
    this.stop();
    this.seek(to).catch((err: unknown) => this.failed(err));
  }

  /** Clicks and drags: only the latest time counts while a seek is under way. */
  private seekMs(ms: number): void {
    this.stop();
    this.wantMs = ms;
    if (this.seekingMs) return;
    this.seekingMs = true;
    void (async () => {
      try {
        for (let next = this.wantMs; next !== null; next = this.wantMs) {
          this.wantMs = null;
          await this.seek({ ms: next });
        }
      } catch (err) {
        this.wantMs = null;
        this.failed(err);
      } finally {
        this.seekingMs = false;
      }
    })();
  }

  private async seek(to: TimelineSeek): Promise<TimelinePosition> {
    const p = await this.host.rpc.request('timelineSeek', to);
    this.show(p);
    return p;
  }

  private async change(direction: ChangeDirection): Promise<void> {
    this.stop();
    const range = this.host.range();
    if (!range) {
      this.host.message('Select bytes first: the segment is empty', 'error');
      return;
    }
    try {
      const p = await this.host.rpc.request('timelineChange', { ...range, direction });
      if (p) this.show(p);
      else this.host.message(`No ${direction < 0 ? 'earlier' : 'later'} change of ${describeRange(range)}`, 'info');
    } catch (err) {
      this.failed(err);
    }
  }

  private async play(): Promise<void> {
    const run = ++this.playRun;
    this.setPlaying(true);
    const last = this.view.overview.frames - 1;
    try {
      // At the end: play from the start, as a media player does.
      if (this.position.index >= last) await this.seek({ index: 0 });
      const fromT = this.position.t;
      const started = performance.now();
      while (run === this.playRun) {
        await new Promise((resolve) => setTimeout(resolve, PLAY_TICK_MS));
        if (run !== this.playRun) return;
        const ms = Math.min(this.view.overview.lastMs, fromT + (performance.now() - started));
        const p = await this.seek({ ms });
        if (p.index >= last || ms >= this.view.overview.lastMs) break;
      }
    } catch (err) {
      if (run === this.playRun) this.failed(err);
    } finally {
      if (run === this.playRun) this.setPlaying(false);
    }
  }

  /** Stop playback (if it runs). */
  private stop(): void {
    if (!this.playing) return;
    this.playRun++;
    this.setPlaying(false);
  }

  private setPlaying(playing: boolean): void {
    this.playing = playing;
    this.strip.setPlaying(playing);
  }

  private failed(err: unknown): void {
    this.stop();
    this.host.message(`Could not move the timeline: ${err instanceof Error ? err.message : String(err)}`, 'error');
  }
}

/** "byte 0x10" / "bytes 0x10–0x13". */
function describeRange(r: ByteRange): string {
  return r.length === 1 ? `byte ${hexNumber(r.offset)}` : `bytes ${hexNumber(r.offset)}–${hexNumber(r.offset + r.length - 1)}`;
}

/** Keys there type text: leave them alone. */
function isTextEntry(target: EventTarget | null): boolean {
  if (target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset'].includes(target.type);
  return target instanceof HTMLElement && target.isContentEditable;
}
