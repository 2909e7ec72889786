// TreeItems for the Segments view: a row per segment, child rows for its attached processes.
import * as vscode from 'vscode';
import type { Attachment, AttachmentReport, SegmentInfo } from '../../protocol/segment';
import { formatSize } from '../../protocol/size';
import { formatKeyLabel, plural } from '../format';
import { command } from '../manifest';
import { type Field, fieldsTable, segmentFields, visibilityNote } from './fields';
import { type SegmentState, isStale, segmentState, statusFlags } from './state';

/** A child row under a segment: one attached process, a note, or an error. */
export interface DetailNode {
  readonly kind: 'attachment' | 'note' | 'error';
  readonly segmentId: number;
  /** Stable tree id. */
  readonly id: string;
  readonly attachment?: Attachment;
  readonly text?: string;
}

export type TreeNode = number | DetailNode;

export function isSegmentNode(n: unknown): n is number {
  return typeof n === 'number';
}

export const segmentItemId = (id: number): string => `seg-${id}`;

const ICONS: Record<SegmentState, vscode.ThemeIcon> = {
  inUse: new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.green')),
  idle: new vscode.ThemeIcon('circle-outline'),
  stale: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  dest: new vscode.ThemeIcon('trash', new vscode.ThemeColor('list.errorForeground')),
};

/**
 * "segment", "segment.stale", "segment.dest", plus ".mine" for the user's own segments
 * ("segment.stale.mine"). Menus match with `viewItem =~ /^segment/`, `/\.mine\b/`...
 */
export function contextValueOf(info: SegmentInfo, uid: number | undefined): string {
  let v = 'segment';
  if (info.dest) v += '.dest';
  else if (isStale(info)) v += '.stale';
  if (uid !== undefined && info.uid === uid) v += '.mine';
  return v;
}

/** "id 32769 · 64 KiB · 2 attached · dest", plus "owner postgres" when it is not the user's own. */
export function segmentDescription(info: SegmentInfo, uid: number | undefined): string {
  const owner = uid !== undefined && info.uid !== uid ? [`owner ${info.user}`] : [];
  return [`id ${info.id}`, formatSize(info.size), `${info.nattch} attached`, ...statusFlags(info), ...owner].join(' · ');
}

export function segmentTreeItem(info: SegmentInfo, uid: number | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(
    formatKeyLabel(info.key),
    info.nattch > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = segmentItemId(info.id);
  item.description = segmentDescription(info, uid);
  item.iconPath = ICONS[segmentState(info)];
  item.contextValue = contextValueOf(info, uid);
  item.command = { command: command('openHexEditor'), title: 'Open in Hex Editor', arguments: [info.id] };
  item.accessibilityInformation = {
    label: `segment ${info.key === 0 ? 'private' : `key ${info.keyHex}`}, id ${info.id}, ${formatSize(info.size)}, ${plural(info.nattch, 'process', 'processes')} attached, owner ${info.user}`,
  };
  return item;
}

/** The full tooltip, built only when hovered (resolveTreeItem); extra rows (the C types) last. */
export function segmentTooltip(info: SegmentInfo, extra: Field[] = []): vscode.MarkdownString {
  const md = new vscode.MarkdownString(fieldsTable([...segmentFields(info), ...extra]));
  md.supportThemeIcons = false;
  return md;
}

export function detailNodes(report: AttachmentReport): DetailNode[] {
  const nodes: DetailNode[] = report.attachments.map((a) => ({
    kind: 'attachment', segmentId: report.id, id: `seg-${report.id}/pid-${a.pid}@${a.address}`, attachment: a,
  }));
  const note = visibilityNote(report);
  if (note) nodes.push({ kind: 'note', segmentId: report.id, id: `seg-${report.id}/note`, text: note });
  return nodes;
}

export function errorNode(segmentId: number, message: string): DetailNode {
  return { kind: 'error', segmentId, id: `seg-${segmentId}/error`, text: message };
}

export function detailTreeItem(node: DetailNode): vscode.TreeItem {
  if (node.kind === 'attachment' && node.attachment) {
    const a = node.attachment;
    const item = new vscode.TreeItem(`${a.pid} ${a.command}`, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = a.readOnly ? 'ro' : 'rw';
    item.tooltip = `pid ${a.pid} (${a.command}) has it attached ${a.readOnly ? 'read-only' : 'read-write'} at 0x${a.address}`;
    item.iconPath = new vscode.ThemeIcon(a.readOnly ? 'eye' : 'edit');
    item.contextValue = 'attachment';
    return item;
  }
  const item = new vscode.TreeItem(node.text ?? '', vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(node.kind === 'error' ? 'error' : 'info');
  item.contextValue = node.kind === 'error' ? 'attachments.error' : 'attachments.note';
  return item;
}
