// Commands of the "Shared Memory: Watch" view (issue 12): Watch Value… (a segment, an offset, one
// of the inspector's types; from the palette or a segment's row, or with arguments
// {segmentId, offset, type}), Watch Field… (a field of a C type remembered for the segment:
// {segmentId, path} or picked), Clear Watches. A session that ends by itself (segment destroyed)
// says why in one warning.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { OverlayStore } from '../../ctypes/overlayStore';
import type { SpecLayout } from '../../ctypes/overlayLayout';
import { overlayId, overlayLabel, type OverlaySpec } from '../../protocol/overlay';
import type { SegmentInfo } from '../../protocol/segment';
import { formatSize } from '../../protocol/size';
import { SCALAR_NAMES, parseScalarType } from '../../timeline/scalar';
import { type CommandContext, UserError, registerGuarded, targetSegments } from '../commands/context';
import { formatKeyLabel } from '../format';
import { readModeSetting } from '../hexEditor/settings';
import { footprintFor } from '../hexEditor/source';
import { errorMessage } from '../segments/errorText';
import { type SeqCounter, fieldWatch, watchableFields } from './watchFields';
import type { WatchSessionOptions } from './watchSession';
import { DEFAULT_WATCH_HZ, WATCH_VIEW, WatchViewProvider } from './watchView';

const TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'u16be', 'i16be', 'u32be', 'i32be', 'u64be', 'i64be', 'f32be', 'f64be'];

export interface WatchValueArgs { segmentId: number; offset: number; type: string; label?: string; unit?: string }
/** overlay: only that overlay's field (an OverlayView.id, as the hex editor's panel sends it). */
export interface WatchFieldArgs { segmentId: number; path: string; overlay?: string }

export interface WatchApi {
  readonly provider: WatchViewProvider;
}

/** What watches need of the C types applied to segments (the OverlayService). */
export interface WatchOverlays {
  layout(spec: OverlaySpec): Promise<SpecLayout>;
  /** The segment's seqlock counter, if one of its C types names one. */
  sequenceCounter(info: SegmentInfo): Promise<(SeqCounter & { field: string }) | undefined>;
}

export function registerWatch(ctx: CommandContext, context: vscode.ExtensionContext, overlays: WatchOverlays): { disposables: vscode.Disposable[]; api: WatchApi } {
  const provider = new WatchViewProvider(context.extensionUri, ctx.agent, path.join(context.globalStorageUri.fsPath, 'snapshots'));
  const reg = (name: string, action: string, fn: (...args: any[]) => unknown) => registerGuarded(ctx, name, action, fn); // eslint-disable-line @typescript-eslint/no-explicit-any
  const disposables: vscode.Disposable[] = [
    new vscode.Disposable(() => { provider.dispose(); }),
    vscode.window.registerWebviewViewProvider(WATCH_VIEW, provider, { webviewOptions: { retainContextWhenHidden: true } }),
    provider.onDidEndSession(({ message }) => { void vscode.window.showWarningMessage(`Watch: ${message}`); }),
    reg('watchValue', 'Watch value', (target?: unknown, selected?: unknown) => watchValue(ctx, provider, overlays, target, selected)),
    reg('watchField', 'Watch field', (args?: unknown) => watchField(ctx, provider, overlays, args)),
    reg('clearWatches', 'Clear watches', () => provider.clear()),
  ];
  return { disposables, api: { provider } };
}

function isValueArgs(a: unknown): a is WatchValueArgs {
  const o = a as Partial<WatchValueArgs> | null;
  return typeof o === 'object' && o !== null && typeof o.segmentId === 'number' && typeof o.offset === 'number' && typeof o.type === 'string';
}

async function segmentById(ctx: CommandContext, id: number): Promise<SegmentInfo> {
  try {
    return await ctx.agent.request('stat', { id });
  } catch (err) {
    throw new UserError(`segment ${id}: ${errorMessage(err)}`);
  }
}

/** A new session's options: the rate to start at, how to read the segment, and its sequence counter if a C type names one. */
async function options(info: SegmentInfo, overlays: WatchOverlays): Promise<WatchSessionOptions> {
  const seq = await overlays.sequenceCounter(info);
  return { hz: DEFAULT_WATCH_HZ, footprint: footprintFor(readModeSetting(), info), ...(seq ? { seq } : {}) };
}

async function watchValue(ctx: CommandContext, provider: WatchViewProvider, overlays: WatchOverlays, target: unknown, selected: unknown): Promise<number | undefined> {
  if (isValueArgs(target)) {
    const t = parseScalarType(target.type);
    if (!t) throw new UserError(`'${target.type}' is not a type (${SCALAR_NAMES})`);
    const info = await segmentById(ctx, target.segmentId);
    return provider.watch(info, { label: target.label ?? `0x${target.offset.toString(16)}:${t.name}`, offset: target.offset, type: t, ...(target.unit ? { unit: target.unit } : {}) }, await options(info, overlays));
  }
  let info: SegmentInfo | undefined;
  if (target !== undefined && target !== null) {
    const infos = targetSegments(ctx, target, selected);
    if (infos.length !== 1) throw new UserError('select one segment to watch');
    info = infos[0];
  } else {
    info = await pickSegment(ctx, 'Watch Value');
    if (!info) return undefined;
  }
  const size = info.size;
  const text = await vscode.window.showInputBox({
    title: `Watch a value of segment ${info.id}`, prompt: `Byte offset of the value (0 to ${size - 1}; 0x for hex)`, placeHolder: '0x10',
    validateInput: (t) => (parseOffset(t, size) === undefined ? `an offset from 0 to ${size - 1}, decimal or 0x hex` : undefined),
  });
  if (text === undefined) return undefined;
  const offset = parseOffset(text, size);
  if (offset === undefined) throw new UserError(`'${text}' is not an offset in segment ${info.id}`);
  const typeName = await vscode.window.showQuickPick(TYPES.filter((n) => offset + (parseScalarType(n)?.size ?? 9) <= size), { title: `Type of the value at 0x${offset.toString(16)}`, placeHolder: 'as the data inspector reads it' });
  const t = typeName ? parseScalarType(typeName) : undefined;
  if (!t) return undefined;
  return provider.watch(info, { label: `0x${offset.toString(16)}:${t.name}`, offset, type: t }, await options(info, overlays));
}

function parseOffset(text: string, size: number): number | undefined {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) && n < size ? n : undefined;
}

async function watchField(ctx: CommandContext, provider: WatchViewProvider, overlays: WatchOverlays, args: unknown): Promise<number | undefined> {
  const given = args as Partial<WatchFieldArgs> | null | undefined;
  if (given !== undefined && given !== null && (typeof given !== 'object' || typeof given.segmentId !== 'number' || typeof given.path !== 'string' || (given.overlay !== undefined && typeof given.overlay !== 'string'))) {
    throw new UserError('watchField takes {segmentId: number, path: string, overlay?: string}');
  }
  const a = given ? given as WatchFieldArgs : undefined;
  const info = a ? await segmentById(ctx, a.segmentId) : await pickSegment(ctx, 'Watch Field');
  if (!info) return undefined;
  const specs = await new OverlayStore().get({ key: info.key, id: info.id, ctime: info.ctime });
  if (!specs.length) throw new UserError(`no C type is applied to segment ${info.id}: use Apply C Type in its hex editor first`);
  const mine = a?.overlay === undefined ? specs : specs.filter((s) => overlayId(s) === a.overlay);
  if (!mine.length) throw new UserError(`that C type is not applied to segment ${info.id} any more`);
  const laid = await Promise.all(mine.map(async (spec) => ({ spec, type: (await overlays.layout(spec)).type })));
  let chosen: { spec: OverlaySpec; type: (typeof laid)[number]['type']; path: string } | undefined;
  if (a) {
    const errors: string[] = [];
    for (const l of laid) {
      try {
        fieldWatch(l.spec, l.type, a.path);
        chosen = { ...l, path: a.path };
        break;
      } catch (err) {
        errors.push(errorMessage(err));
      }
    }
    if (!chosen) throw new UserError(`no field '${a.path}' to watch in the C types of segment ${info.id}: ${errors[0] ?? ''}`);
  } else {
    const items = laid.flatMap((l) => watchableFields(l.type, l.spec.count).map((p) => ({ label: p, description: overlayLabel(l.spec), l })));
    if (!items.length) throw new UserError(`the C types of segment ${info.id} have no number fields to watch`);
    const pick = await vscode.window.showQuickPick(items, { title: `Watch a field of segment ${info.id}`, matchOnDescription: true });
    if (!pick) return undefined;
    chosen = { ...pick.l, path: pick.label };
  }
  const { offset, type } = fieldWatch(chosen.spec, chosen.type, chosen.path);
  if (offset + type.size > info.size) throw new UserError(`${chosen.path} (${type.size} bytes at ${offset}) is past the end of segment ${info.id}`);
  return provider.watch(info, { label: chosen.path, offset, type }, await options(info, overlays));
}

interface SegmentPick extends vscode.QuickPickItem { info: SegmentInfo }

async function pickSegment(ctx: CommandContext, title: string): Promise<SegmentInfo | undefined> {
  const { segments } = await ctx.agent.request('list', {});
  if (!segments.length) throw new UserError('there are no shared-memory segments to watch');
  const pick = await vscode.window.showQuickPick<SegmentPick>(
    segments.map((info) => ({ info, label: formatKeyLabel(info.key), description: `id ${info.id} · ${formatSize(info.size)} · ${info.user}` })),
    { title, placeHolder: 'Pick the segment', matchOnDescription: true },
  );
  return pick?.info;
}
