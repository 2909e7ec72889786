// One lane of the watch plot: a watch's label and read-outs (current, min, max, rate of change,
// the value under the cursor) on the left, its canvas on the right, and its trigger form.
// The lane owns the watch's samples (Series); the view decides the time range and draws it.

import type { Trigger, TriggerAction, TriggerKind, WatchInfo } from '../../protocol/watch';
import { button } from '../util/dom';
import { formatRate, formatTime, formatValue } from './format';
import { drawLane, type LaneFrame, type LaneStyle } from './plot';
import { Series } from './series';

/** Samples kept per watch: 4.4 minutes at 1 kHz, over an hour at 60 Hz (the host keeps all for CSV). */
export const SERIES_CAPACITY = 1 << 18;
/** Colours cycle through the theme's chart colours (media/watchView.css --watch-series-N). */
export const SERIES_COLOURS = 6;

export interface LaneActions {
  remove(id: number): void;
  setTrigger(id: number, trigger: Trigger): void;
  clearTrigger(id: number): void;
  /** A problem to show in the status line. */
  say(text: string): void;
}

const TRIGGER_KINDS: readonly [TriggerKind, string][] = [['above', 'rises above'], ['below', 'falls below'], ['changes', 'changes'], ['equals', 'equals']];
const TRIGGER_ACTIONS: readonly [TriggerAction, string][] = [['mark', 'mark the plot'], ['pause', 'mark and pause'], ['snapshot', 'mark and take a snapshot']];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function select(className: string, label: string, options: readonly (readonly [string, string])[]): HTMLSelectElement {
  const s = el('select', className);
  s.setAttribute('aria-label', label);
  for (const [value, text] of options) {
    const o = el('option', '', text);
    o.value = value;
    s.append(o);
  }
  return s;
}

export class Lane {
  readonly series = new Series(SERIES_CAPACITY);
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly labelEl: HTMLElement;
  private readonly typeEl: HTMLElement;
  private readonly stat: Record<'current' | 'min' | 'max' | 'rate' | 'cursor', HTMLElement>;
  private readonly yMaxEl: HTMLElement;
  private readonly yMinEl: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly kind: HTMLSelectElement;
  private readonly level: HTMLInputElement;
  private readonly action: HTMLSelectElement;
  private readonly triggerButton: HTMLButtonElement;
  private readonly removeButton: HTMLButtonElement;

  constructor(public info: WatchInfo, readonly colour: number, private readonly actions: LaneActions) {
    this.element = el('section', `lane series-${colour}`);
    this.element.dataset.id = String(info.id);

    const head = el('div', 'lane-head');
    const title = el('div', 'lane-title');
    this.labelEl = el('span', 'lane-label');
    this.typeEl = el('span', 'lane-type');
    this.triggerButton = button('lane-trigger icon', '⚑', '');
    this.triggerButton.setAttribute('aria-expanded', 'false');
    this.removeButton = button('lane-remove icon', '×', '');
    title.append(el('span', 'lane-swatch'), this.labelEl, this.typeEl, this.triggerButton, this.removeButton);

    const stats = el('dl', 'lane-stats');
    const stat = (name: string, label: string): HTMLElement => {
      const dd = el('dd', `stat-${name}`, '—');
      stats.append(el('dt', '', label), dd);
      return dd;
    };
    this.stat = { current: stat('current', 'now'), min: stat('min', 'min'), max: stat('max', 'max'), rate: stat('rate', 'Δ/s'), cursor: stat('cursor', 'at cursor') };
    this.stat.cursor.previousElementSibling?.classList.add('cursor-only');
    this.stat.cursor.classList.add('cursor-only');
    head.append(title, stats);

    const body = el('div', 'lane-body');
    this.canvas = el('canvas', 'lane-canvas');
    this.canvas.setAttribute('aria-hidden', 'true');
    this.ctx = this.canvas.getContext('2d');
    this.yMaxEl = el('span', 'lane-ymax');
    this.yMinEl = el('span', 'lane-ymin');
    body.append(this.canvas, this.yMaxEl, this.yMinEl);

    this.form = el('form', 'trigger-form');
    this.form.hidden = true;
    this.kind = select('trigger-kind', 'Trigger when the value', TRIGGER_KINDS);
    this.level = el('input', 'trigger-level');
    this.level.type = 'text';
    this.level.inputMode = 'decimal';
    this.level.setAttribute('aria-label', 'Level');
    this.level.placeholder = 'level';
    this.action = select('trigger-action', 'Then', TRIGGER_ACTIONS);
    const set = el('button', 'trigger-set', 'Set');
    set.type = 'submit';
    const clear = button('trigger-clear', 'Clear', 'Remove this trigger');
    const cancel = button('trigger-cancel', 'Cancel', 'Close without changing the trigger');
    this.form.append(el('span', 'trigger-when', 'When it'), this.kind, this.level, this.action, set, clear, cancel);

    this.element.append(head, body, this.form);
    this.triggerButton.addEventListener('click', () => this.toggleForm());
    this.removeButton.addEventListener('click', () => actions.remove(this.info.id));
    this.kind.addEventListener('change', () => this.syncLevel());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submitTrigger();
    });
    clear.addEventListener('click', () => {
      actions.clearTrigger(this.info.id);
      this.closeForm();
    });
    cancel.addEventListener('click', () => this.closeForm());
    this.form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.closeForm();
      }
    });
    this.update(info);
  }

  get id(): number { return this.info.id; }

  /** New description from the host (label, unit, trigger). */
  update(info: WatchInfo): void {
    this.info = info;
    this.labelEl.textContent = info.label;
    this.labelEl.title = info.label;
    this.typeEl.textContent = info.type;
    this.element.setAttribute('aria-label', `${info.label} (${info.type})`);
    const trig = info.trigger;
    this.triggerButton.title = trig ? `Trigger: ${describeTrigger(trig, info.unit)} (change…)` : `Set a trigger on ${info.label}…`;
    this.triggerButton.setAttribute('aria-label', this.triggerButton.title);
    this.triggerButton.classList.toggle('active', !!trig);
    this.removeButton.title = `Stop watching ${info.label}`;
    this.removeButton.setAttribute('aria-label', this.removeButton.title);
  }

  private toggleForm(): void {
    if (!this.form.hidden) {
      this.closeForm();
      return;
    }
    const trig = this.info.trigger;
    this.kind.value = trig?.kind ?? 'above';
    this.level.value = trig?.level !== undefined ? String(trig.level) : '';
    this.action.value = trig?.action ?? 'mark';
    this.syncLevel();
    this.form.hidden = false;
    this.triggerButton.setAttribute('aria-expanded', 'true');
    this.kind.focus();
  }

  private closeForm(): void {
    this.form.hidden = true;
    this.triggerButton.setAttribute('aria-expanded', 'false');
    this.triggerButton.focus();
  }

  private syncLevel(): void {
    this.level.hidden = this.kind.value === 'changes';
  }

  private submitTrigger(): void {
    const kind = this.kind.value as TriggerKind;
    const action = this.action.value as TriggerAction;
    if (kind === 'changes') {
      this.actions.setTrigger(this.info.id, { kind, action });
    } else {
      const raw = this.level.value.trim();
      const level = /^0x[0-9a-f]+$/i.test(raw) ? Number.parseInt(raw, 16) : Number(raw);
      if (!raw || !Number.isFinite(level)) {
        this.actions.say(`Enter a level for the trigger on ${this.info.label}: a number such as 100, -2.5 or 0x40`);
        this.level.focus();
        return;
      }
      this.actions.setTrigger(this.info.id, { kind, level, action });
    }
    this.closeForm();
  }

  /** Draw the samples of [t0, t1) (value range from the data there) and refresh the read-outs. */
  /** The canvas's size in CSS px. The view reads every lane's size before any lane writes (one layout per frame, not one per lane). */
  measure(): { width: number; height: number } {
    return { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
  }

  draw(frame: Omit<LaneFrame, 'yMin' | 'yMax' | 'level'>, style: LaneStyle): void {
    const { width, height } = frame;
    const w = Math.max(1, Math.round(width * frame.dpr));
    const h = Math.max(1, Math.round(height * frame.dpr));
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
    const level = this.info.trigger?.level;
    const { min, max } = valueRange(this.series.range(frame.t0, frame.t1), level);
    setText(this.yMaxEl, formatValue(max));
    setText(this.yMinEl, formatValue(min));
    if (this.ctx) {
      const r = drawLane(this.ctx, this.series, { ...frame, width, height, yMin: min, yMax: max, level }, style);
      this.canvas.dataset.points = String(r.points);
      this.canvas.dataset.vertices = String(r.vertices);
      this.canvas.dataset.columns = String(Math.ceil(width));
    }
    const s = this.series.stats();
    const unit = this.info.unit;
    setText(this.stat.current, formatValue(s.current, unit));
    setText(this.stat.min, formatValue(s.min, unit));
    setText(this.stat.max, formatValue(s.max, unit));
    setText(this.stat.rate, formatRate(s.rate, unit));
  }

  /** The value held at cursor time t (null: no cursor). */
  showCursor(t: number | null): void {
    this.element.classList.toggle('has-cursor', t !== null);
    if (t === null) return;
    const at = this.series.valueAtTime(t);
    setText(this.stat.cursor, at ? formatValue(at.v, this.info.unit) : '—');
    this.stat.cursor.title = at ? `sample at ${formatTime(at.t)}` : 'no sample before the cursor';
  }
}

/** Text changed only when it differs (an unchanged read-out costs no style work). */
function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

/** The lane's y range: the finite values in view and the trigger level, never empty. */
export function valueRange(r: { min: number; max: number }, level?: number): { min: number; max: number } {
  let min = r.min;
  let max = r.max;
  if (level !== undefined) {
    min = Math.min(min, level);
    max = Math.max(max, level);
  }
  if (!(min <= max)) return { min: 0, max: 1 };
  if (min === max) {
    const d = Math.max(1, Math.abs(min) * 0.1);
    return { min: min - d, max: max + d };
  }
  return { min, max };
}

export function describeTrigger(t: Trigger, unit?: string): string {
  const what = t.kind === 'changes' ? 'changes' : `${t.kind === 'equals' ? 'equals' : t.kind === 'above' ? 'rises above' : 'falls below'} ${formatValue(t.level ?? NaN, unit)}`;
  const then = t.action === 'mark' ? '' : t.action === 'pause' ? ', then pause' : ', then snapshot';
  return `${what}${then}`;
}
