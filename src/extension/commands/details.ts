// Show Details: a read-only Markdown document with every field of a segment and its attached
// processes, read fresh from the agent (a TextDocumentContentProvider, so nothing to save).
import * as vscode from 'vscode';
import type { AgentClient } from '../agent/client';
import { type AttachmentReport, type SegmentInfo, identityOf } from '../../protocol/segment';
import { formatDate, formatKeyLabel } from '../format';
import { errorMessage } from '../segments/errorText';
import { fieldsTable, mdCell, segmentFields, visibilityNote } from '../segments/fields';
import { type CommandContext, UserError, targetSegments } from './context';

export const DETAILS_SCHEME = 'shm-details';

export function detailsUri(info: Pick<SegmentInfo, 'id' | 'key' | 'cpid' | 'size'>): vscode.Uri {
  const label = `${info.key === 0 ? 'private' : formatKeyLabel(info.key)}-${info.id}`;
  const query = new URLSearchParams({ key: String(info.key), cpid: String(info.cpid), size: String(info.size) });
  return vscode.Uri.from({ scheme: DETAILS_SCHEME, path: `/${info.id}/${label}.md`, query: query.toString() });
}

/** The document body. `expected` is what the user clicked on; a changed identity is called out. */
export function detailsMarkdown(info: SegmentInfo, report: AttachmentReport | undefined, reportError: string | undefined, expected?: { key: number; cpid: number; size: number }, nowMs = Date.now()): string {
  const lines: string[] = [`# Segment ${formatKeyLabel(info.key)} (id ${info.id})`, ''];
  if (expected && (expected.key !== info.key || expected.cpid !== info.cpid || expected.size !== info.size)) {
    lines.push(`> **Note:** id ${info.id} now names a different segment than the one selected (key ${formatKeyLabel(expected.key)}, creator ${expected.cpid}, ${expected.size} bytes).`, '');
  }
  lines.push(fieldsTable(segmentFields(info, nowMs)), '', `## Attached processes (${info.nattch})`, '');
  if (reportError) lines.push(`Could not read attachments: ${mdCell(reportError)}`);
  else if (report && report.attachments.length) {
    lines.push('| PID | Command | Access | Address |', '|--:|:--|:--|:--|');
    for (const a of report.attachments) lines.push(`| ${a.pid} | ${mdCell(a.command)} | ${a.readOnly ? 'read-only' : 'read-write'} | 0x${a.address} |`);
    const note = visibilityNote(report);
    if (note) lines.push('', `_${note}_`);
  } else if (report && report.nattch > 0) {
    lines.push(`_${visibilityNote(report) ?? 'none visible'}_`);
  } else lines.push('None.');
  lines.push('', `_Read ${formatDate(Math.floor(nowMs / 1000))}. Run Show Details again to update._`, '');
  return lines.join('\n');
}

export class DetailsProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly agent: AgentClient) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = Number(uri.path.split('/').filter(Boolean)[0]);
    const q = new URLSearchParams(uri.query);
    const expected = q.has('key') ? { key: Number(q.get('key')), cpid: Number(q.get('cpid')), size: Number(q.get('size')) } : undefined;
    let info: SegmentInfo;
    try {
      info = await this.agent.request('stat', { id });
    } catch (err) {
      return `# Segment ${id}\n\nCould not read it: ${mdCell(errorMessage(err))}\n`;
    }
    let report: AttachmentReport | undefined;
    let reportError: string | undefined;
    try {
      report = await this.agent.request('attachments', { id });
    } catch (err) {
      reportError = errorMessage(err);
    }
    return detailsMarkdown(info, report, reportError, expected);
  }

  /** Re-read an open details document. */
  update(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export async function showDetailsCommand(ctx: CommandContext, details: DetailsProvider, item?: unknown, selected?: unknown): Promise<vscode.TextDocument[]> {
  const infos = targetSegments(ctx, item, selected);
  if (infos.length === 0) throw new UserError('select a segment in the Shared Memory view first');
  const docs: vscode.TextDocument[] = [];
  for (const info of infos.slice(0, 10)) {
    const uri = detailsUri(identityOf(info));
    details.update(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: infos.length === 1 });
    docs.push(doc);
  }
  return docs;
}
