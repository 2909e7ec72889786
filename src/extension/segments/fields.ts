// Every field of a segment as label/value pairs (what `shm-inspector info` prints), used by the
// tree's tooltip and by Show Details. Pure: no vscode.
import type { AttachmentReport, SegmentInfo } from '../../protocol/segment';
import { formatDateWithAge, formatKeyLabel, formatOctal, formatSizeExact, plural } from '../format';
import { creatorText, lastAttacherText, ownerText, statusText } from './state';

export type Field = [label: string, value: string];

export function segmentFields(info: SegmentInfo, nowMs: number = Date.now()): Field[] {
  const creatorUser = info.cuid === info.uid && info.user !== String(info.uid) ? `${info.user} (uid ${info.cuid})` : `uid ${info.cuid}`;
  return [
    ['Key', info.key === 0 ? `${info.keyHex} (private)` : formatKeyLabel(info.key)],
    ['Id', String(info.id)],
    ['Owner', `${ownerText(info)}, gid ${info.gid}`],
    ['Creator', `${creatorUser}, gid ${info.cgid}`],
    ['Permissions', `${info.perms} (${formatOctal(info.mode)})`],
    ['Size', formatSizeExact(info.size)],
    ['Attached', plural(info.nattch, 'process', 'processes')],
    ['Creator pid', creatorText(info)],
    ['Last attach/detach pid', lastAttacherText(info)],
    ['Last attach', formatDateWithAge(info.atime, nowMs)],
    ['Last detach', formatDateWithAge(info.dtime, nowMs)],
    ['Last change', formatDateWithAge(info.ctime, nowMs)],
    ['Resident', formatSizeExact(info.rss)],
    ['Swapped', formatSizeExact(info.swap)],
    ['Status', statusText(info)],
  ];
}

/** "1234 postgres (rw)". */
export function attachmentLine(a: { pid: number; command: string; readOnly: boolean; address: string }): string {
  return `${a.pid} ${a.command} (${a.readOnly ? 'read-only' : 'read-write'} at 0x${a.address})`;
}

/** "1 of 3 attachments visible (others' processes cannot be read)", or undefined when all are seen. */
export function visibilityNote(report: AttachmentReport): string | undefined {
  if (report.complete) return undefined;
  return `${report.attachments.length} of ${plural(report.nattch, 'attachment')} visible (others' processes cannot be read)`;
}

/** A Markdown table cell: no pipes or newlines, Markdown punctuation escaped. */
export function mdCell(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** The tooltip / details body: a two-column Markdown table; the first field is its header row. */
export function fieldsTable(fields: Field[]): string {
  const rows = fields.map(([k, v]) => `| ${mdCell(k)} | ${mdCell(v)} |`);
  return [rows[0] ?? '| | |', '|:--|:--|', ...rows.slice(1)].join('\n');
}
