// Open in Hex Editor (tree click / context menu). The palette's "Open Segment in Hex Editor…"
// belongs to the hex editor (hexEditor/commands.ts).
import type { SegmentInfo } from '../../protocol/segment';
import { openSegmentInEditor } from '../hexEditor/commands';
import { type CommandContext, UserError, targetSegments } from './context';

export function openInHexEditor(info: SegmentInfo): Promise<void> {
  return openSegmentInEditor(info);
}

export async function openHexEditorCommand(ctx: CommandContext, item?: unknown, selected?: unknown): Promise<void> {
  const infos = targetSegments(ctx, item, selected);
  if (infos.length === 0) throw new UserError('select a segment in the Shared Memory view first');
  for (const info of infos.slice(0, 10)) await openInHexEditor(info);
}
