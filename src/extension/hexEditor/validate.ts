// The host trusts nothing a webview sends: every request's params are checked (types, ranges,
// sizes) here before anything reaches the document or the agent. vscode-free.
import type { ChangeDirection, TimelineSeek } from '../../protocol/timeline';
import { MAX_COPY_CHARS, MAX_EDIT_BYTES, type WatchParams, type WatchTarget, type WebviewToHost } from '../../protocol/webview';
import { parseScalarType } from '../../timeline/scalar';

/** Longest single read a webview may ask for. */
export const MAX_READ = 1 << 20;
/** Longest window a webview may watch (the rows in view of a very tall editor plus margins are ~64 KiB). */
export const MAX_WATCH = 256 << 10;
/** Longest single edit (a paste). */
export const MAX_EDIT = MAX_EDIT_BYTES;
export const MAX_PATTERN = 64 << 10;
export const MAX_MATCHES = 100_000;
export const MAX_LABEL = 200;

export class InvalidRequest extends TypeError {
  readonly code = 'EINVALREQ';
  constructor(method: string, what: string) {
    super(`${method}: ${what}`);
    this.name = 'InvalidRequest';
  }
}

type Params<K extends keyof WebviewToHost> = WebviewToHost[K]['params'];

function object(method: string, v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InvalidRequest(method, 'params must be an object');
  return v as Record<string, unknown>;
}

function count(method: string, name: string, v: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new InvalidRequest(method, `${name} must be a whole number >= 0, got ${typeof v === 'number' ? v : typeof v}`);
  }
  if (v > max) throw new InvalidRequest(method, `${name} ${v} is larger than ${max}`);
  return v;
}

function optionalBool(method: string, name: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new InvalidRequest(method, `${name} must be true or false`);
  return v;
}

/** Bytes as structured clone delivers them (Uint8Array, or an ArrayBuffer), copied compactly. */
export function bytes(method: string, name: string, v: unknown, max: number): Uint8Array {
  let view: Uint8Array;
  if (v instanceof Uint8Array) view = v;
  else if (v instanceof ArrayBuffer) view = new Uint8Array(v);
  else throw new InvalidRequest(method, `${name} must be bytes (Uint8Array)`);
  if (view.length > max) throw new InvalidRequest(method, `${name} is ${view.length} bytes, more than ${max}`);
  return new Uint8Array(view);
}

function inside(method: string, offset: number, length: number, size: number): void {
  if (offset > size || length > size - offset) {
    throw new InvalidRequest(method, `offset ${offset} + length ${length} is past the end of the segment (${size} bytes)`);
  }
}

export function checkRead(p: unknown, size: number): Params<'read'> {
  const o = object('read', p);
  const offset = count('read', 'offset', o.offset);
  const length = count('read', 'length', o.length, MAX_READ);
  inside('read', offset, length, size);
  return { offset, length };
}

/** The `watch` event: a window inside the segment (length 0 = none), live = poll it. */
export function checkWatch(p: unknown, size: number): WatchParams {
  const o = object('watch', p);
  const offset = count('watch', 'offset', o.offset);
  const length = count('watch', 'length', o.length, MAX_WATCH);
  inside('watch', offset, length, size);
  return { offset, length, live: optionalBool('watch', 'live', o.live) ?? false };
}

export function checkEdit(p: unknown, size: number): Params<'edit'> {
  const o = object('edit', p);
  const offset = count('edit', 'offset', o.offset);
  const data = bytes('edit', 'data', o.data, MAX_EDIT);
  if (data.length === 0) throw new InvalidRequest('edit', 'data is empty');
  inside('edit', offset, data.length, size);
  let label: string | undefined;
  if (o.label !== undefined) {
    if (typeof o.label !== 'string') throw new InvalidRequest('edit', 'label must be a string');
    label = o.label.slice(0, MAX_LABEL);
  }
  return { offset, data, label };
}

export function checkCopy(p: unknown): Params<'copy'> {
  const o = object('copy', p);
  if (typeof o.text !== 'string') throw new InvalidRequest('copy', 'text must be a string');
  if (o.text.length > MAX_COPY_CHARS) throw new InvalidRequest('copy', `text is longer than ${MAX_COPY_CHARS} characters`);
  return { text: o.text };
}

export function checkSearch(p: unknown, size: number): Params<'search'> {
  const o = object('search', p);
  const pattern = bytes('search', 'pattern', o.pattern, MAX_PATTERN);
  if (pattern.length === 0) throw new InvalidRequest('search', 'pattern is empty');
  const mask = o.mask === undefined ? undefined : bytes('search', 'mask', o.mask, MAX_PATTERN);
  if (mask && mask.length !== pattern.length) throw new InvalidRequest('search', 'mask and pattern differ in length');
  const from = count('search', 'from', o.from, size);
  const max = count('search', 'max', o.max, MAX_MATCHES);
  if (max === 0) throw new InvalidRequest('search', 'max must be at least 1');
  return {
    pattern,
    mask,
    caseInsensitive: optionalBool('search', 'caseInsensitive', o.caseInsensitive),
    from,
    backwards: optionalBool('search', 'backwards', o.backwards),
    max,
  };
}

/** Offsets typed into Go to Offset: decimal, 0x hex, h-suffixed hex, or +/- relative to `cursor`. */
export function parseOffset(text: string, cursor: number | undefined, size: number): { offset: number } | { error: string } {
  const t = text.trim().replace(/_/g, '');
  const m = /^([+-])?\s*(0x[0-9a-f]+|[0-9a-f]+h|\d+)$/i.exec(t);
  if (!m) return { error: 'Enter an offset: 4096, 0x1000, 1000h, or +16 / -16 from the cursor' };
  const digits = m[2];
  const value = /^0x/i.test(digits) ? Number.parseInt(digits.slice(2), 16)
    : /h$/i.test(digits) ? Number.parseInt(digits.slice(0, -1), 16)
    : Number(digits);
  if (!Number.isSafeInteger(value)) return { error: `${digits} is too large` };
  let offset = value;
  if (m[1]) {
    if (cursor === undefined) return { error: 'No cursor to move from: enter an absolute offset' };
    offset = m[1] === '+' ? cursor + value : cursor - value;
  }
  if (offset < 0 || offset >= size) return { error: `Offset ${offset} is outside the segment (0 to ${Math.max(0, size - 1)})` };
  return { offset };
}

export const MAX_BOOKMARK_NAME = 200;

/** A non-empty range inside the segment (Export, Add Bookmark). */
function checkSpan(method: string, p: unknown, size: number): { offset: number; length: number } {
  const o = object(method, p);
  const offset = count(method, 'offset', o.offset);
  const length = count(method, 'length', o.length);
  if (length === 0) throw new InvalidRequest(method, 'length must be at least 1');
  inside(method, offset, length, size);
  return { offset, length };
}

export function checkExportRange(p: unknown, size: number): Params<'exportRange'> {
  return checkSpan('exportRange', p, size);
}

export function checkAddBookmark(p: unknown, size: number): Params<'addBookmark'> {
  return checkSpan('addBookmark', p, size);
}

export function checkImportFile(p: unknown, size: number): Params<'importFile'> {
  const o = object('importFile', p);
  const offset = count('importFile', 'offset', o.offset);
  if (offset >= size) throw new InvalidRequest('importFile', `offset ${offset} is past the end of the segment (${size} bytes)`);
  return { offset };
}

export function checkRemoveBookmark(p: unknown): Params<'removeBookmark'> {
  const o = object('removeBookmark', p);
  if (typeof o.name !== 'string' || !o.name.trim()) throw new InvalidRequest('removeBookmark', 'name must be a non-empty string');
  if (o.name.length > MAX_BOOKMARK_NAME) throw new InvalidRequest('removeBookmark', `name is longer than ${MAX_BOOKMARK_NAME} characters`);
  return { name: o.name };
}

/** Requests without parameters: an object (its contents are ignored). */
export function checkNoParams(method: 'takeSnapshot' | 'compareWithSnapshot' | 'clearDiff', p: unknown): Record<string, never> {
  object(method, p);
  return {};
}

/** Apply C Type from the webview: the cursor it offers as the place (inside the segment, or 0 when empty). */
export function checkApplyCType(p: unknown, size: number): Params<'applyCType'> {
  const o = object('applyCType', p);
  const cursor = count('applyCType', 'cursor', o.cursor);
  if (cursor > 0 && cursor >= size) throw new InvalidRequest('applyCType', `cursor ${cursor} is past the end of the segment (${size} bytes)`);
  return { cursor };
}

/** An overlay's id (overlayId: a short JSON text) from removeOverlay / verifyOverlay. */
export function checkOverlayId(method: 'removeOverlay' | 'verifyOverlay' | 'watchValue', p: unknown): { id: string } {
  const o = object(method, p);
  if (typeof o.id !== 'string' || !o.id) throw new InvalidRequest(method, 'id must be a non-empty string');
  if (o.id.length > 300_000) throw new InvalidRequest(method, 'id is too long');
  return { id: o.id };
}

/** Watch Value from the webview: an overlay's field (id, path) or an offset read as a scalar type that fits the segment. */
export function checkWatchValue(p: unknown, size: number): WatchTarget {
  const o = object('watchValue', p);
  if ('overlay' in o) {
    const { id } = checkOverlayId('watchValue', { id: o.overlay });
    if (typeof o.path !== 'string' || !o.path || o.path.length > 1000 || /[\u0000-\u001f]/.test(o.path)) {
      throw new InvalidRequest('watchValue', 'path must be a field path of at most 1000 characters');
    }
    return { overlay: id, path: o.path };
  }
  const offset = count('watchValue', 'offset', o.offset);
  const type = typeof o.type === 'string' && o.type.length <= 20 ? parseScalarType(o.type) : undefined;
  if (!type) throw new InvalidRequest('watchValue', 'type must be one of the inspector\'s number types');
  if (offset + type.size > size) throw new InvalidRequest('watchValue', `${type.size} bytes at ${offset} go past the end of the segment (${size} bytes)`);
  return { offset, type: o.type as string };
}

/** Largest time a seek may name (ms): far past any recording, small enough to stay exact. */
const MAX_SEEK_MS = 2 ** 40;

export function checkTimelineSeek(p: unknown): TimelineSeek {
  const o = object('timelineSeek', p);
  const keys = ['index', 'ms', 'step'].filter((k) => o[k] !== undefined);
  if (keys.length !== 1) throw new InvalidRequest('timelineSeek', 'give exactly one of index, ms or step');
  if (o.index !== undefined) return { index: count('timelineSeek', 'index', o.index, 0xffffffff) };
  if (o.ms !== undefined) {
    if (typeof o.ms !== 'number' || !Number.isFinite(o.ms) || o.ms < 0 || o.ms > MAX_SEEK_MS) throw new InvalidRequest('timelineSeek', `ms must be a time >= 0, got ${typeof o.ms === 'number' ? o.ms : typeof o.ms}`);
    return { ms: o.ms };
  }
  if (typeof o.step !== 'number' || !Number.isSafeInteger(o.step) || Math.abs(o.step) > 0xffffffff) throw new InvalidRequest('timelineSeek', `step must be a whole number, got ${typeof o.step === 'number' ? o.step : typeof o.step}`);
  return { step: o.step };
}

export function checkTimelineChange(p: unknown, size: number): { offset: number; length: number; direction: ChangeDirection } {
  const o = object('timelineChange', p);
  const offset = count('timelineChange', 'offset', o.offset);
  const length = count('timelineChange', 'length', o.length);
  if (length === 0) throw new InvalidRequest('timelineChange', 'length must be at least 1');
  inside('timelineChange', offset, length, size);
  if (o.direction !== -1 && o.direction !== 1) throw new InvalidRequest('timelineChange', 'direction must be -1 or 1');
  return { offset, length, direction: o.direction };
}
