// Create Segment…: size, key, permissions, flags, each validated as typed; then the new row is
// refreshed into the view and selected.
import * as vscode from 'vscode';
import { type CreateOptions, type SegmentInfo, type ShmLimits, identityOf } from '../../protocol/segment';
import { formatSize } from '../../protocol/size';
import { formatKeyLabel, parseKey, parsePerms, parseSize } from '../format';
import type { CommandContext } from './context';

const TITLE = 'Create Shared-Memory Segment';

export function validateSizeInput(text: string, limits?: ShmLimits): string | undefined {
  const r = parseSize(text);
  if (!r.ok) return r.error;
  if (limits?.shmmax && r.value > limits.shmmax) return `${formatSize(r.value)} is larger than the system's maximum segment size (shmmax = ${formatSize(limits.shmmax)})`;
  if (limits?.shmmin && r.value < limits.shmmin) return `the minimum segment size is ${limits.shmmin} bytes`;
  return undefined;
}

export function validateKeyInput(text: string): string | undefined {
  const r = parseKey(text);
  return r.ok ? undefined : r.error;
}

type FlagItem = vscode.QuickPickItem & { flag: 'exclusive' | 'hugePages' | 'noReserve' };

/** Ask for the options; undefined if the user cancelled any step. */
export async function askCreateOptions(limits: ShmLimits | undefined, existing: readonly SegmentInfo[]): Promise<CreateOptions | undefined> {
  const sizeText = await vscode.window.showInputBox({
    title: `${TITLE} (1/4)`,
    prompt: 'Size in bytes, or with a unit: 4096, 64K, 1MiB, 2G (K/M/G = powers of 1024, KB/MB/GB = powers of 1000)',
    value: '4096',
    ignoreFocusOut: true,
    validateInput: (t) => validateSizeInput(t, limits),
  });
  if (sizeText === undefined) return undefined;
  const size = parseSize(sizeText);
  if (!size.ok) return undefined;

  const keyText = await vscode.window.showInputBox({
    title: `${TITLE} (2/4)`,
    prompt: 'Key: hex (0x0000abcd) or decimal; leave empty for a private segment (IPC_PRIVATE)',
    placeHolder: 'empty = private',
    ignoreFocusOut: true,
    validateInput: (t) => validateKeyInput(t),
  });
  if (keyText === undefined) return undefined;
  const key = parseKey(keyText);
  if (!key.ok) return undefined;
  const clash = key.value !== 0 ? existing.find((s) => s.key === key.value) : undefined;

  const permsText = await vscode.window.showInputBox({
    title: `${TITLE} (3/4)`,
    prompt: 'Permissions in octal (owner, group, others), e.g. 0600 or 0644',
    value: '0600',
    ignoreFocusOut: true,
    validateInput: (t) => { const r = parsePerms(t); return r.ok ? undefined : r.error; },
  });
  if (permsText === undefined) return undefined;
  const perms = parsePerms(permsText);
  if (!perms.ok) return undefined;

  const items: FlagItem[] = [
    {
      flag: 'exclusive', label: 'Exclusive', description: 'IPC_EXCL',
      detail: clash
        ? `Fail because key ${formatKeyLabel(key.value)} already exists (id ${clash.id}); unpicked, the existing segment is returned instead`
        : 'Fail if a segment with this key already exists (instead of returning it)',
      picked: true,
    },
    { flag: 'hugePages', label: 'Huge pages', description: 'SHM_HUGETLB', detail: 'Back it with huge pages (needs a huge page pool; size is rounded up to the huge page size)' },
    { flag: 'noReserve', label: 'No swap reservation', description: 'SHM_NORESERVE', detail: 'Do not reserve swap space for it' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `${TITLE} (4/4)`,
    placeHolder: 'Flags (Enter to create)',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (picked === undefined) return undefined;
  const has = (f: FlagItem['flag']) => picked.some((p) => p.flag === f);
  const options: CreateOptions = { size: size.value, perms: perms.value };
  if (key.value !== 0) options.key = key.value;
  if (has('exclusive')) options.exclusive = true;
  if (has('hugePages')) options.hugePages = true;
  if (has('noReserve')) options.noReserve = true;
  return options;
}

/** Create, refresh, select the new row. Resolves with the segment, or undefined if cancelled. */
export async function createSegment(ctx: CommandContext, given?: CreateOptions): Promise<SegmentInfo | undefined> {
  const { provider } = ctx.view;
  if (!provider.summary().loaded) await provider.refresh(); // limits and keys for validation
  const before = new Set(provider.segments().map((s) => s.id));
  const options = given ?? (await askCreateOptions(provider.limits, provider.segments()));
  if (!options) return undefined;
  const info = await ctx.agent.request('create', options);
  if (before.has(info.id)) {
    await ctx.view.refreshNow();
    await ctx.view.reveal(info.id);
    void vscode.window.showInformationMessage(`A segment with key ${formatKeyLabel(info.key)} already existed: segment ${info.id} was returned, nothing was created.`);
  } else {
    await showCreated(ctx, info, 'Created segment', (name) => vscode.window.setStatusBarMessage(`Created shared-memory segment ${name}`, 5000));
  }
  return info;
}

/** Refresh, select the new row, and say so (or that the filter hides it, with a way out). */
async function showCreated(ctx: CommandContext, info: SegmentInfo, what: string, say: (name: string) => void): Promise<void> {
  await ctx.view.refreshNow();
  const shown = await ctx.view.reveal(info.id);
  const name = `${formatKeyLabel(info.key)} (id ${info.id}, ${formatSize(info.size)})`;
  if (!shown && ctx.view.provider.info(info.id)) {
    void vscode.window.showInformationMessage(`${what} ${name}; the current filter hides it.`, 'Clear Filter').then((c) => {
      if (c) ctx.view.provider.setFilter({ kind: 'all', text: '' });
    });
  } else {
    say(name);
  }
}

export const SAMPLE_SIZE = 4096;
export const SAMPLE_TEXT = [
  'Hello from SHM Inspector!',
  '',
  'This is a sample System V shared-memory segment: 4 KiB, private (no key), mode 0600, yours.',
  'Open it in the hex editor, type over these bytes, and Save (Ctrl+S) to write them into it.',
  'Destroy it from the Shared Memory view when you are done.',
  '',
].join('\n');

/**
 * The walkthrough's "create a sample segment": no prompts; a 4 KiB private segment with
 * SAMPLE_TEXT at offset 0, selected in the view. A segment whose text could not be written is
 * removed again, so a failure leaves nothing behind.
 */
export async function createSampleSegment(ctx: CommandContext): Promise<SegmentInfo> {
  const info = await ctx.agent.request('create', { size: SAMPLE_SIZE, perms: 0o600 });
  try {
    const { handle } = await ctx.agent.request('open', { id: info.id, expect: identityOf(info) });
    try {
      await ctx.agent.request('write', { handle, offset: 0, data: new TextEncoder().encode(SAMPLE_TEXT) });
    } finally {
      await ctx.agent.request('close', { handle }).catch(() => undefined);
    }
  } catch (err) {
    await ctx.agent.request('destroy', { expect: identityOf(info) }).catch(() => undefined);
    throw err;
  }
  await showCreated(ctx, info, 'Created sample segment', (name) => {
    void vscode.window.showInformationMessage(`Created sample segment ${name} with some text in it: open it in the hex editor.`);
  });
  return info;
}
