// Every command of the Segments view and the palette (goToOffset belongs to the hex editor).
import * as vscode from 'vscode';
import type { CreateOptions } from '../../protocol/segment';
import { copyCommand } from './copy';
import { type CommandContext, registerGuarded } from './context';
import { createSampleSegment, createSegment } from './create';
import { destroyCommand, destroyStaleCommand } from './destroy';
import { DETAILS_SCHEME, DetailsProvider, showDetailsCommand } from './details';
import { dumpCommand } from './dump';
import { openForWritingCommand, openHexEditorCommand } from './open';
import { filterCommand, sortCommand } from './viewOptions';

export type { CommandContext } from './context';

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const details = new DetailsProvider(ctx.agent);
  const reg = (name: string, action: string, fn: (...args: any[]) => unknown) => registerGuarded(ctx, name, action, fn); // eslint-disable-line @typescript-eslint/no-explicit-any
  return [
    vscode.Disposable.from(details),
    vscode.workspace.registerTextDocumentContentProvider(DETAILS_SCHEME, details),
    reg('refresh', 'Refresh', async () => {
      const ok = await ctx.view.refreshNow();
      if (!ok) throw new Error(ctx.view.provider.lastError ?? 'could not list segments');
      return ok;
    }),
    reg('create', 'Create segment', (options?: CreateOptions) => createSegment(ctx, isCreateOptions(options) ? options : undefined)),
    reg('createSampleSegment', 'Create sample segment', () => createSampleSegment(ctx)),
    reg('filter', 'Filter', () => filterCommand(ctx)),
    reg('sort', 'Sort', () => sortCommand(ctx)),
    reg('destroy', 'Destroy', (item?: unknown, selected?: unknown) => destroyCommand(ctx, item, selected)),
    reg('destroyStale', 'Destroy stale segments', () => destroyStaleCommand(ctx)),
    reg('openHexEditor', 'Open in hex editor', (item?: unknown, selected?: unknown) => openHexEditorCommand(ctx, item, selected)),
    reg('openForWriting', 'Open for writing', (item?: unknown, selected?: unknown) => openForWritingCommand(ctx, item, selected)),
    reg('showDetails', 'Show details', (item?: unknown, selected?: unknown) => showDetailsCommand(ctx, details, item, selected)),
    reg('copyId', 'Copy id', (item?: unknown, selected?: unknown) => copyCommand(ctx, 'id', item, selected)),
    reg('copyKey', 'Copy key', (item?: unknown, selected?: unknown) => copyCommand(ctx, 'key', item, selected)),
    reg('dump', 'Dump to file', (item?: unknown, selected?: unknown) => dumpCommand(ctx, item, selected)),
    reg('restartAgent', 'Restart agent', async () => {
      const pid = await ctx.agentHost.restart();
      vscode.window.setStatusBarMessage(`SHM Inspector agent restarted (pid ${pid})`, 4000);
      await ctx.view.refreshNow();
      return pid;
    }),
  ];
}

/** Programmatic callers (tests, other extensions) may pass the options and skip the prompts. */
function isCreateOptions(v: unknown): v is CreateOptions {
  return !!v && typeof v === 'object' && typeof (v as CreateOptions).size === 'number';
}
