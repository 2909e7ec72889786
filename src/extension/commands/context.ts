// What every command handler gets, and the guarded registration: a failing command shows what
// failed and why, and never throws into the extension host.
import * as vscode from 'vscode';
import type { AgentClient } from '../agent/client';
import type { SegmentInfo } from '../../protocol/segment';
import type { AgentHost } from '../agent/host';
import { command } from '../manifest';
import { describeFailure, errorMessage } from '../segments/errorText';
import type { SegmentsView } from '../segments/view';

export interface CommandContext {
  readonly agent: AgentClient;
  readonly agentHost: AgentHost;
  readonly view: SegmentsView;
  readonly output: vscode.OutputChannel;
}

/** Register `shmInspector.<name>`; errors become an error notification "<action> failed: <why>". */
export function registerGuarded(
  ctx: CommandContext,
  name: string,
  action: string,
  handler: (...args: any[]) => unknown, // eslint-disable-line @typescript-eslint/no-explicit-any
): vscode.Disposable {
  return vscode.commands.registerCommand(command(name), async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (err) {
      ctx.output.appendLine(`[host] ${command(name)} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      void vscode.window.showErrorMessage(err instanceof SegmentOpError ? describeFailure(action, err.error, err.info) : describeFailure(action, err));
      return undefined;
    }
  });
}

/** An error from an operation on one segment: the notification names the segment and, for
 * EACCES, its owner. */
export class SegmentOpError extends Error {
  override readonly name = 'SegmentOpError';
  constructor(readonly error: unknown, readonly info: SegmentInfo) {
    super(errorMessage(error));
  }
}

/** A thrown error whose message is already what the user should read. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/**
 * The segments a command acts on. VS Code passes (clicked, selected[]) from the tree's context
 * menu; programmatic callers may pass ids or SegmentInfo objects; with neither, the view's
 * selection. Ids resolve to the latest listing: that is what the user saw and acted on.
 */
export function targetSegments(ctx: CommandContext, item: unknown, selected: unknown): SegmentInfo[] {
  let raw: unknown[];
  if (Array.isArray(selected) && selected.length > 0 && (item === undefined || selected.some((s) => sameTarget(s, item)))) raw = selected;
  else if (Array.isArray(item)) raw = item;
  else if (item !== undefined && item !== null) raw = [item];
  else raw = ctx.view.selectedIds();
  const out = new Map<number, SegmentInfo>();
  for (const r of raw) {
    const info = resolveTarget(ctx, r);
    if (info) out.set(info.id, info);
  }
  return [...out.values()];
}

function idOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'number' && 'key' in v) return (v as SegmentInfo).id;
  if (v && typeof v === 'object' && typeof (v as { segmentId?: unknown }).segmentId === 'number') return (v as { segmentId: number }).segmentId;
  return undefined;
}

function sameTarget(a: unknown, b: unknown): boolean {
  const x = idOf(a);
  return x !== undefined && x === idOf(b);
}

function resolveTarget(ctx: CommandContext, v: unknown): SegmentInfo | undefined {
  if (v && typeof v === 'object' && 'key' in v && 'cpid' in v && 'size' in v) return v as SegmentInfo;
  const id = idOf(v);
  if (id === undefined) return undefined;
  const info = ctx.view.provider.info(id);
  if (!info) throw new UserError(`segment ${id} is not in the current listing (it may have been removed); refresh and try again`);
  return info;
}

export { errorMessage };
