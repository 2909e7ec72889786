// What the watch view accepts from the host: each event's payload is checked here and a
// malformed part is dropped (a bad watch, batch or marker), so one bad message never breaks
// the plot. Pure (no DOM).

import {
  MAX_WATCH_RATE_HZ, MIN_WATCH_RATE_HZ, type MarkerKind, type SampleBatch, type Trigger, type TriggerAction, type TriggerKind,
  type WatchInfo, type WatchMarker, type WatchState,
} from '../../protocol/watch';

const MAX_TEXT = 500;
const KINDS: readonly string[] = ['above', 'below', 'changes', 'equals'];
const ACTIONS: readonly string[] = ['mark', 'pause', 'snapshot'];
const MARKERS: readonly string[] = ['attach', 'detach', 'save', 'trigger'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const text = (v: unknown, max = MAX_TEXT): string | undefined => (typeof v === 'string' ? v.slice(0, max) : undefined);

function trigger(v: unknown): Trigger | undefined {
  if (!isObj(v) || typeof v.kind !== 'string' || !KINDS.includes(v.kind) || typeof v.action !== 'string' || !ACTIONS.includes(v.action)) return undefined;
  const t: Trigger = { kind: v.kind as TriggerKind, action: v.action as TriggerAction };
  if (typeof v.level === 'number' && Number.isFinite(v.level)) t.level = v.level;
  else if (t.kind !== 'changes') return undefined;
  return t;
}

/** The watches list; null if the payload is not one (a bad entry or a repeated id is dropped). */
export function watchesOf(p: unknown): WatchInfo[] | null {
  if (!isObj(p) || !Array.isArray(p.watches)) return null;
  const seen = new Set<number>();
  const out: WatchInfo[] = [];
  for (const w of p.watches as unknown[]) {
    if (!isObj(w) || !isId(w.id) || seen.has(w.id)) continue;
    const label = text(w.label, 200);
    if (!label) continue;
    seen.add(w.id);
    const info: WatchInfo = { id: w.id, label, type: text(w.type, 50) ?? '' };
    const unit = text(w.unit, 20);
    if (unit) info.unit = unit;
    const trig = trigger(w.trigger);
    if (trig) info.trigger = trig;
    out.push(info);
  }
  return out;
}

const numbers = (v: unknown): ArrayLike<number> | undefined =>
  v instanceof Float64Array || v instanceof Float32Array ? v
    : Array.isArray(v) && v.every((x) => typeof x === 'number') ? v
      : undefined;

/** Sample batches with t and v of one length; others are dropped. */
export function batchesOf(p: unknown): SampleBatch[] {
  if (!isObj(p) || !Array.isArray(p.batches)) return [];
  const out: SampleBatch[] = [];
  for (const b of p.batches as unknown[]) {
    if (!isObj(b) || !isId(b.id)) continue;
    const t = numbers(b.t);
    const v = numbers(b.v);
    if (!t || !v || t.length !== v.length) continue;
    out.push({ id: b.id, t: t as number[], v: v as number[] });
  }
  return out;
}

export function markersOf(p: unknown): WatchMarker[] {
  if (!isObj(p) || !Array.isArray(p.markers)) return [];
  const out: WatchMarker[] = [];
  for (const m of p.markers as unknown[]) {
    if (!isObj(m) || !isTime(m.t) || typeof m.kind !== 'string' || !MARKERS.includes(m.kind)) continue;
    const marker: WatchMarker = { t: m.t, kind: m.kind as MarkerKind, text: text(m.text) ?? m.kind };
    if (isId(m.id)) marker.id = m.id;
    out.push(marker);
  }
  return out;
}

export function stateOf(p: unknown): WatchState | null {
  if (!isObj(p) || typeof p.sessionStart !== 'number' || !Number.isFinite(p.sessionStart) || typeof p.paused !== 'boolean') return null;
  if (typeof p.rateHz !== 'number' || !(p.rateHz >= MIN_WATCH_RATE_HZ && p.rateHz <= MAX_WATCH_RATE_HZ)) return null;
  const s: WatchState = { sessionStart: p.sessionStart, rateHz: p.rateHz, paused: p.paused };
  if (isObj(p.recorded) && isTime(p.recorded.from) && isTime(p.recorded.to) && p.recorded.to >= p.recorded.from) {
    s.recorded = { from: p.recorded.from, to: p.recorded.to };
  }
  const message = text(p.message);
  if (message) s.message = message;
  return s;
}
