// The host trusts nothing the watch view sends: every request's params are checked here (types,
// ranges, known watch ids) before anything reaches the sampler. vscode-free.
import { InvalidRequest } from '../hexEditor/validate';
import {
  MAX_WATCH_RATE_HZ, MIN_WATCH_RATE_HZ, type Trigger, type TriggerAction, type TriggerKind, type WatchViewToHost,
} from '../../protocol/watch';

type Params<K extends keyof WatchViewToHost> = WatchViewToHost[K]['params'];

const KINDS: readonly TriggerKind[] = ['above', 'below', 'changes', 'equals'];
const ACTIONS: readonly TriggerAction[] = ['mark', 'pause', 'snapshot'];

function object(method: string, v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InvalidRequest(method, 'params must be an object');
  return v as Record<string, unknown>;
}

/** A watch id the host knows (`known` is the session's ids). */
function watchId(method: string, v: unknown, known: ReadonlySet<number>): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InvalidRequest(method, `id must be a whole number >= 0, got ${typeof v === 'number' ? v : typeof v}`);
  if (!known.has(v)) throw new InvalidRequest(method, `no watch has id ${v}`);
  return v;
}

/** A time in ms since the session started. */
function time(method: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidRequest(method, `${name} must be a time in ms >= 0, got ${typeof v === 'number' ? v : typeof v}`);
  return v;
}

export function checkSetRate(p: unknown): Params<'setRate'> {
  const o = object('setRate', p);
  const hz = o.hz;
  if (typeof hz !== 'number' || !Number.isInteger(hz) || hz < MIN_WATCH_RATE_HZ || hz > MAX_WATCH_RATE_HZ) {
    throw new InvalidRequest('setRate', `hz must be a whole number from ${MIN_WATCH_RATE_HZ} to ${MAX_WATCH_RATE_HZ}, got ${typeof hz === 'number' ? hz : typeof hz}`);
  }
  return { hz };
}

export function checkSetPaused(p: unknown): Params<'setPaused'> {
  const o = object('setPaused', p);
  if (typeof o.paused !== 'boolean') throw new InvalidRequest('setPaused', 'paused must be true or false');
  return { paused: o.paused };
}

export function checkWatchId(method: 'removeWatch' | 'clearTrigger', p: unknown, known: ReadonlySet<number>): { id: number } {
  return { id: watchId(method, object(method, p).id, known) };
}

export function checkExportCsv(p: unknown): Params<'exportCsv'> {
  const o = object('exportCsv', p);
  const from = o.from === undefined ? undefined : time('exportCsv', 'from', o.from);
  const to = o.to === undefined ? undefined : time('exportCsv', 'to', o.to);
  if (from !== undefined && to !== undefined && to < from) throw new InvalidRequest('exportCsv', `to (${to}) is before from (${from})`);
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

/** A trigger on a known watch: kind and action from their lists, a finite level unless kind is 'changes'. */
export function checkSetTrigger(p: unknown, known: ReadonlySet<number>): Params<'setTrigger'> {
  const o = object('setTrigger', p);
  const id = watchId('setTrigger', o.id, known);
  if (typeof o.kind !== 'string' || !KINDS.includes(o.kind as TriggerKind)) throw new InvalidRequest('setTrigger', `kind must be one of ${KINDS.join(', ')}`);
  if (typeof o.action !== 'string' || !ACTIONS.includes(o.action as TriggerAction)) throw new InvalidRequest('setTrigger', `action must be one of ${ACTIONS.join(', ')}`);
  const kind = o.kind as TriggerKind;
  const trigger: Trigger = { kind, action: o.action as TriggerAction };
  if (kind === 'changes') {
    if (o.level !== undefined) throw new InvalidRequest('setTrigger', 'a "changes" trigger takes no level');
  } else {
    if (typeof o.level !== 'number' || !Number.isFinite(o.level)) throw new InvalidRequest('setTrigger', `level must be a finite number for a "${kind}" trigger`);
    trigger.level = o.level;
  }
  return { id, ...trigger };
}

export function checkSeek(p: unknown): Params<'seek'> {
  return { t: time('seek', 't', object('seek', p).t) };
}

/** Requests without parameters: an object (its contents are ignored). */
export function checkWatchNoParams(method: 'ready', p: unknown): Record<string, never> {
  object(method, p);
  return {};
}
