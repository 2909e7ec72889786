// Filter Segments… and Sort Segments… from the view's toolbar.
import * as vscode from 'vscode';
import { FILTER_KINDS, SORT_KEYS, type FilterKind, type SortKey, type ViewFilter, type ViewSort, describeSort } from '../segments/filter';
import type { CommandContext } from './context';

type FilterPick = vscode.QuickPickItem & { action: { kind: FilterKind } | 'text' | 'clear' };

export async function filterCommand(ctx: CommandContext): Promise<ViewFilter | undefined> {
  const { provider } = ctx.view;
  const current = provider.filter;
  const items: FilterPick[] = [
    ...FILTER_KINDS.map((k): FilterPick => ({
      action: { kind: k.kind },
      label: `${k.kind === current.kind ? '$(check)' : '$(blank)'} ${k.label}`,
      // A kind keeps the text filter: say so, or "All segments" would seem to show everything.
      description: current.text ? `and matching "${current.text}"` : undefined,
      detail: k.detail,
    })),
    { label: '', kind: vscode.QuickPickItemKind.Separator, action: 'clear' },
    {
      action: 'text',
      label: '$(search) Filter by text…',
      description: current.text ? `now: "${current.text}"` : undefined,
      detail: 'Match key, id, owner or creator command',
    },
    { action: 'clear', label: '$(clear-all) Clear filter', description: 'show every segment' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Filter Segments', placeHolder: 'Show which segments?' });
  if (!pick) return undefined;
  let next: ViewFilter;
  if (pick.action === 'clear') next = { kind: 'all', text: '' };
  else if (pick.action === 'text') {
    const text = await vscode.window.showInputBox({
      title: 'Filter Segments by Text',
      prompt: 'Show segments whose key, id, owner or creator command contains this (empty = no text filter)',
      value: current.text,
    });
    if (text === undefined) return undefined;
    next = { kind: current.kind, text: text.trim() };
  } else next = { kind: pick.action.kind, text: current.text };
  provider.setFilter(next);
  return provider.filter;
}

type SortPick = vscode.QuickPickItem & { key: SortKey; descending: boolean };

export async function sortCommand(ctx: CommandContext): Promise<ViewSort | undefined> {
  const { provider } = ctx.view;
  const current = provider.sort;
  const items: SortPick[] = SORT_KEYS.map((k) => {
    const isCurrent = k.key === current.key;
    // Picking the current key again flips its direction.
    const descending = isCurrent ? !current.descending : k.defaultDescending;
    return {
      key: k.key,
      descending,
      label: `${isCurrent ? '$(check)' : '$(blank)'} ${k.label}`,
      description: isCurrent ? `now ${current.descending ? 'descending' : 'ascending'}; pick to sort ${descending ? 'descending' : 'ascending'}` : descending ? 'descending' : 'ascending',
    };
  });
  const pick = await vscode.window.showQuickPick(items, { title: 'Sort Segments', placeHolder: `Currently ${describeSort(current)}` });
  if (!pick) return undefined;
  provider.setSort({ key: pick.key, descending: pick.descending });
  return provider.sort;
}
