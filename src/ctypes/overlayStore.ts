// Which C types are applied over which segments, remembered across sessions in one small JSON
// file that the extension and the CLI (`info`) both read: per key, or for a private (key 0)
// segment per id and creation time (another segment may get the id later). The file is the
// user's own (0600 in a 0700 directory) and is rewritten whole through a rename, so a reader
// never sees half of it; anything in it that is not a valid spec is ignored, never trusted.
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { C_ABIS } from '../protocol/cTypes';
import { MAX_OVERLAY_COUNT, MAX_OVERLAYS, type OverlaySpec, overlayId } from '../protocol/overlay';

/** What names a segment for the store. */
export interface SegmentRef { key: number; id: number; ctime: number }

/** The file: SHM_INSPECTOR_OVERLAYS, else $XDG_CONFIG_HOME (or ~/.config)/shm-inspector/overlays.json. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHM_INSPECTOR_OVERLAYS) return path.resolve(env.SHM_INSPECTOR_OVERLAYS);
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(config, 'shm-inspector', 'overlays.json');
}

/** The store's name for a segment: `key:0x0000abcd`, or `private:ID:CTIME` for key 0. */
export function storeKey(ref: SegmentRef): string {
  return ref.key !== 0 ? `key:0x${(ref.key >>> 0).toString(16).padStart(8, '0')}` : `private:${ref.id}:${ref.ctime}`;
}

const MAX_TEXT = 256 << 10;
/** A bigger file is not one we wrote (32 overlays of a few hundred bytes per segment): not read. */
const MAX_FILE = 16 << 20;
/** Control characters (a NUL makes fs calls throw; a newline would break one-line output). */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A spec read from the file, or undefined if it is not a valid one. */
export function parseSpec(v: unknown): OverlaySpec | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const str = (x: unknown, max: number) => (typeof x === 'string' && x.length > 0 && x.length <= max ? x : undefined);
  const line = (x: unknown, max: number) => { const t = str(x, max); return t !== undefined && !CONTROL.test(t) ? t : undefined; };
  const header = o.header === undefined ? undefined : line(o.header, 4096);
  const text = o.text === undefined ? undefined : str(o.text, MAX_TEXT);
  const typeName = line(o.typeName, 512);
  const whole = (x: unknown, min: number, max: number) => (typeof x === 'number' && Number.isSafeInteger(x) && x >= min && x <= max ? x : undefined);
  const offset = whole(o.offset, 0, Number.MAX_SAFE_INTEGER);
  const count = whole(o.count, 1, MAX_OVERLAY_COUNT);
  const abi = C_ABIS.find((a) => a === o.abi);
  if (typeName === undefined || offset === undefined || count === undefined || !abi) return undefined;
  if ((header === undefined) === (text === undefined)) return undefined; // exactly one source
  if (header !== undefined && !path.isAbsolute(header)) return undefined;
  const seq = o.seq === undefined ? undefined : line(o.seq, 512);
  return { ...(header !== undefined ? { header } : { text }), typeName, offset, count, abi, ...(seq !== undefined ? { seq } : {}) };
}

type Entries = Map<string, OverlaySpec[]>;

/**
 * One write at a time per file, in order (read-modify-write of the whole file): shared by every
 * OverlayStore of this process (the editor's and the tree's), so none loses another's change.
 */
const queues = new Map<string, Promise<unknown>>();
let tmpSerial = 0;

export class OverlayStore {
  constructor(readonly file: string = defaultStorePath()) {}

  /** The overlays remembered for a segment, in the order they were applied. */
  async get(ref: SegmentRef): Promise<OverlaySpec[]> {
    return (await this.readAll()).get(storeKey(ref)) ?? [];
  }

  /** Remember spec for the segment (last; the same spec again moves nothing). */
  add(ref: SegmentRef, spec: OverlaySpec): Promise<OverlaySpec[]> {
    return this.update(ref, (list) => {
      const id = overlayId(spec);
      if (list.some((s) => overlayId(s) === id)) return list;
      return [...list, spec].slice(-MAX_OVERLAYS);
    });
  }

  /** Forget the overlay with this id (overlayId). */
  remove(ref: SegmentRef, id: string): Promise<OverlaySpec[]> {
    return this.update(ref, (list) => list.filter((s) => overlayId(s) !== id));
  }

  /** Name the sequence counter field of the overlay `id` (undefined: none); the segment's other overlays name none. */
  setSeq(ref: SegmentRef, id: string, seq: string | undefined): Promise<OverlaySpec[]> {
    return this.update(ref, (list) => {
      if (!list.some((s) => overlayId(s) === id)) throw new Error('That C type overlay is not applied to this segment any more.');
      return list.map((s) => {
        const { seq: _old, ...rest } = s; // eslint-disable-line @typescript-eslint/no-unused-vars
        return overlayId(s) === id && seq !== undefined ? { ...rest, seq } : rest;
      });
    });
  }

  /** Forget everything remembered for the segment. */
  clear(ref: SegmentRef): Promise<OverlaySpec[]> {
    return this.update(ref, () => []);
  }

  private update(ref: SegmentRef, change: (list: OverlaySpec[]) => OverlaySpec[]): Promise<OverlaySpec[]> {
    const run = (queues.get(this.file) ?? Promise.resolve()).then(async () => {
      const all = await this.readAll();
      const k = storeKey(ref);
      const next = change(all.get(k) ?? []);
      if (next.length) all.set(k, next);
      else all.delete(k);
      await this.writeAll(all);
      return next;
    });
    const settled = run.catch(() => undefined);
    queues.set(this.file, settled);
    void settled.then(() => { if (queues.get(this.file) === settled) queues.delete(this.file); });
    return run;
  }

  private async readAll(): Promise<Entries> {
    let text: string;
    try {
      const st = await fsp.stat(this.file);
      if (!st.isFile() || st.size > MAX_FILE) return new Map();
      text = await fsp.readFile(this.file, 'utf8');
    } catch {
      return new Map();
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return new Map(); // a damaged file is treated as empty (and replaced at the next change)
    }
    const out: Entries = new Map();
    const segments = raw && typeof raw === 'object' ? (raw as { segments?: unknown }).segments : undefined;
    if (!segments || typeof segments !== 'object') return out;
    for (const [k, list] of Object.entries(segments as Record<string, unknown>)) {
      if (!/^(key:0x[0-9a-f]{8}|private:\d+:\d+)$/.test(k) || !Array.isArray(list)) continue;
      const specs = list.map(parseSpec).filter((s): s is OverlaySpec => s !== undefined).slice(-MAX_OVERLAYS);
      if (specs.length) out.set(k, specs);
    }
    return out;
  }

  private async writeAll(all: Entries): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${++tmpSerial}.tmp`;
    try {
      // 'wx': never through a file (or link) someone put at that name.
      await fsp.writeFile(tmp, JSON.stringify({ version: 1, segments: Object.fromEntries(all) }, null, 1) + '\n', { mode: 0o600, flag: 'wx' });
      await fsp.rename(tmp, this.file);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }
}
