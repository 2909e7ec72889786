// The timeline strip above the grid (a recording opened in the editor): the buttons that move in
// time, where the timeline is ("frame 3 of 120 · 1.250 s · 4 bytes changed"), a "go to time"
// box, and the canvas of bytes changed over time with the cursor at the moment shown. Hovering
// the canvas tells a bin's time and change; a click or drag there seeks. This is the view only:
// what a control means is the Timeline's business (timeline.ts).

import type { ChangeDirection, TimelineOverview, TimelinePosition } from '../../protocol/timeline';
import { el } from '../grid/grid';
import { button } from '../util/dom';
import { plural } from '../util/format';
import { binAt, drawStrip, type StripStyle, timeAtX } from './stripPlot';
import { formatClock, formatMs, parseTime } from './timeText';

export interface StripHost {
  /** A click, drag or the "go to time" box. */
  seekMs(ms: number): void;
  step(by: -1 | 1): void;
  change(direction: ChangeDirection): void;
  togglePlay(): void;
  message(text: string, kind: 'info' | 'error'): void;
}

export class TimelineStrip {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly label: HTMLElement;
  private readonly play: HTMLButtonElement;
  private readonly time: HTMLInputElement;
  private position: TimelinePosition | null = null;
  private style: StripStyle | null = null;
  private drawQueued = false;

  constructor(parent: HTMLElement, private readonly overview: TimelineOverview, private readonly host: StripHost) {
    this.element = el('div', 'timeline');
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', 'Timeline of the recording');

    const controls = el('div', 'timeline-controls');
    controls.setAttribute('role', 'toolbar');
    controls.setAttribute('aria-label', 'Move in time');
    const prevChange = button('timeline-prev-change', '◂ Change', 'Previous change of the selected bytes ({)');
    const back = button('timeline-step-back', '◂ Frame', 'Step back one frame ([)');
    this.play = button('timeline-play', 'Play', 'Play in real time from here');
    this.play.setAttribute('aria-pressed', 'false');
    const forward = button('timeline-step-forward', 'Frame ▸', 'Step forward one frame (])');
    const nextChange = button('timeline-next-change', 'Change ▸', 'Next change of the selected bytes (})');
    prevChange.addEventListener('click', () => host.change(-1));
    back.addEventListener('click', () => host.step(-1));
    this.play.addEventListener('click', () => host.togglePlay());
    forward.addEventListener('click', () => host.step(1));
    nextChange.addEventListener('click', () => host.change(1));

    this.label = el('span', 'timeline-label');
    this.label.setAttribute('aria-live', 'polite');
    this.label.title = `Recorded at ${overview.hz} Hz from ${formatClock(overview.startWallMs)}; ended: ${overview.ended}`;

    const form = el('form', 'timeline-goto');
    const caption = document.createElement('label');
    caption.className = 'timeline-goto-label';
    caption.textContent = 'Go to time';
    this.time = document.createElement('input');
    this.time.className = 'timeline-time';
    this.time.id = 'timeline-time';
    this.time.type = 'text';
    this.time.spellcheck = false;
    this.time.autocomplete = 'off';
    this.time.placeholder = 'ms, or 1.5s';
    caption.htmlFor = this.time.id;
    form.append(caption, this.time);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submitTime();
    });
    this.time.addEventListener('input', () => this.time.removeAttribute('aria-invalid'));
    controls.append(prevChange, back, this.play, forward, nextChange, this.label, form);

    this.canvas = document.createElement('canvas');
    this.canvas.className = 'timeline-canvas';
    // The label and the controls say the same for assistive technology.
    this.canvas.setAttribute('aria-hidden', 'true');
    this.ctx = this.canvas.getContext('2d');
    this.element.append(controls, this.canvas);
    parent.append(this.element);
    this.listenToCanvas();
    new ResizeObserver(() => this.draw()).observe(this.canvas);
    // A theme change changes the colours the canvas was drawn with.
    new MutationObserver(() => {
      this.style = null;
      this.draw();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** Where the timeline is now: the label and the cursor follow. */
  show(p: TimelinePosition): void {
    this.position = p;
    const text = `frame ${(p.index + 1).toLocaleString('en-US')} of ${this.overview.frames.toLocaleString('en-US')} · ${formatMs(p.t)} · ${plural(p.changed, 'byte')} changed`;
    if (this.label.textContent !== text) this.label.textContent = text;
    this.draw();
  }

  setPlaying(playing: boolean): void {
    this.play.textContent = playing ? 'Pause' : 'Play';
    this.play.title = playing ? 'Pause playback' : 'Play in real time from here';
    this.play.setAttribute('aria-pressed', String(playing));
  }

  private submitTime(): void {
    const r = parseTime(this.time.value);
    if (!r.ok) {
      this.time.setAttribute('aria-invalid', 'true');
      this.host.message(r.error, 'error');
      this.time.select();
      return;
    }
    this.host.seekMs(Math.min(r.ms, this.overview.lastMs));
  }

  private listenToCanvas(): void {
    const c = this.canvas;
    const timeAt = (e: PointerEvent) => timeAtX(this.overview, e.clientX - c.getBoundingClientRect().left - c.clientLeft, c.clientWidth);
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      c.setPointerCapture(e.pointerId);
      this.host.seekMs(timeAt(e));
    });
    c.addEventListener('pointermove', (e) => {
      if (c.hasPointerCapture(e.pointerId)) this.host.seekMs(timeAt(e));
      c.title = this.describeAt(timeAt(e));
    });
    c.addEventListener('pointerup', (e) => {
      if (c.hasPointerCapture(e.pointerId)) c.releasePointerCapture(e.pointerId);
    });
  }

  /** The hover text: the time under the pointer and what its bin changed. */
  private describeAt(t: number): string {
    const ov = this.overview;
    const i = binAt(ov, t);
    const frames = ov.counts[i] ?? 0;
    const what = frames === 0 ? 'no frame' : frames === 1 ? `${plural(ov.changed[i], 'byte')} changed` : `up to ${plural(ov.changed[i], 'byte')} changed in a frame (${frames} frames)`;
    return `${formatMs(t)} (${formatClock(ov.startWallMs + t)}) · ${what}`;
  }

  /** Draw in the next frame (once, however many changes come before it). */
  private draw(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      this.drawNow();
    });
  }

  private drawNow(): void {
    if (!this.ctx) return;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(width * dpr));
    const h = Math.max(1, Math.round(height * dpr));
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
    this.style ??= readStyle(this.canvas);
    const t = this.position?.t ?? this.overview.firstMs;
    drawStrip(this.ctx, this.overview, t, { width, height, dpr }, this.style);
    this.canvas.dataset.cursorT = String(t); // for tests and diagnostics: what the cursor was drawn at
  }
}

function readStyle(canvas: HTMLElement): StripStyle {
  const css = getComputedStyle(canvas);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { bar: v('--timeline-bar', '#3794ff'), quiet: v('--timeline-quiet', '#858585'), cursor: v('--timeline-cursor', '#007fd4') };
}
