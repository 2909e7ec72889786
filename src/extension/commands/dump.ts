// Dump to File…: the whole segment into a file chosen in a save dialog, with a cancellable
// progress notification. The agent attaches read-only, copies in chunks and removes a partial
// file when cancelled.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type SegmentInfo, identityOf } from '../../protocol/segment';
import { formatSize } from '../../protocol/size';
import { formatKeyLabel } from '../format';
import { errorCode } from '../segments/errorText';
import { type CommandContext, SegmentOpError, UserError, targetSegments } from './context';

export function defaultDumpName(info: Pick<SegmentInfo, 'id' | 'key'>): string {
  return `shm-${info.key === 0 ? 'private' : formatKeyLabel(info.key)}-${info.id}.bin`;
}

function defaultFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder?.uri.fsPath ?? os.homedir();
}

export interface DumpResult {
  path: string;
  bytes: number;
}

/** Dump one segment to `file`; resolves undefined if the user cancelled. */
export async function dumpSegment(ctx: CommandContext, info: SegmentInfo, file: string): Promise<DumpResult | undefined> {
  const name = `${formatKeyLabel(info.key)} (id ${info.id})`;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Dumping segment ${name}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let handle: number | undefined;
      try {
        handle = (await ctx.agent.request('open', { id: info.id, readOnly: true, expect: identityOf(info) })).handle;
        let reported = 0;
        const r = await ctx.agent.request('dump', { handle, path: file }, {
          timeoutMs: 0,
          signal: abort.signal,
          onProgress: (done, total) => {
            if (total <= 0) return;
            progress.report({ increment: ((done - reported) / total) * 100, message: `${formatSize(done)} of ${formatSize(total)}` });
            reported = done;
          },
        });
        return { path: file, bytes: r.bytes };
      } catch (err) {
        if (abort.signal.aborted || errorCode(err) === 'ECANCELED') return undefined;
        throw new SegmentOpError(err, info);
      } finally {
        sub.dispose();
        if (handle !== undefined) await ctx.agent.request('close', { handle }).catch(() => undefined);
      }
    },
  );
}

export async function dumpCommand(ctx: CommandContext, item?: unknown, selected?: unknown): Promise<DumpResult | undefined> {
  const infos = targetSegments(ctx, item, selected);
  if (infos.length === 0) throw new UserError('select a segment in the Shared Memory view first');
  if (infos.length > 1) throw new UserError('select one segment to dump (one file per segment)');
  const info = infos[0];
  const target = await vscode.window.showSaveDialog({
    title: `Dump segment ${formatKeyLabel(info.key)} (id ${info.id}, ${formatSize(info.size)}) to file`,
    saveLabel: 'Dump',
    defaultUri: vscode.Uri.file(path.join(defaultFolder(), defaultDumpName(info))),
    filters: { 'Binary files': ['bin', 'dat', 'raw'], 'All files': ['*'] },
  });
  if (!target) return undefined;
  if (target.scheme !== 'file') throw new UserError(`the agent writes files where the segments are: choose a file on this machine (got ${target.toString()})`);
  const result = await dumpSegment(ctx, info, target.fsPath);
  if (!result) {
    void vscode.window.showInformationMessage(`Dump of segment ${info.id} cancelled; no partial file was left.`);
    return undefined;
  }
  void vscode.window.showInformationMessage(`Dumped ${formatSize(result.bytes)} of segment ${formatKeyLabel(info.key)} (id ${info.id}) to ${result.path}.`);
  return result;
}
