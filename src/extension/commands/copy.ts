// Copy Id / Copy Key: one per line for a multi-selection.
import * as vscode from 'vscode';
import { type CommandContext, UserError, targetSegments } from './context';

export async function copyCommand(ctx: CommandContext, what: 'id' | 'key', item?: unknown, selected?: unknown): Promise<string> {
  const infos = targetSegments(ctx, item, selected);
  if (infos.length === 0) throw new UserError('select a segment in the Shared Memory view first');
  const text = infos.map((s) => (what === 'id' ? String(s.id) : s.keyHex)).join('\n');
  await vscode.env.clipboard.writeText(text);
  const privateNote = what === 'key' && infos.some((s) => s.key === 0) ? ' (0x00000000 = private: open it by id)' : '';
  vscode.window.setStatusBarMessage(`Copied ${infos.length === 1 ? `${what} ${text}` : `${infos.length} ${what === 'id' ? 'ids' : 'keys'}`}${privateNote}`, 4000);
  return text;
}
