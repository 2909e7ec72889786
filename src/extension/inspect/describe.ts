// Words for live inspection: what a diff is against, one-line summaries with the first
// offsets, a text report of a comparison, snapshot pick labels. vscode-free.
import type { DiffResult } from '../../protocol/agent';
import type { ByteRange, DiffView, SnapshotInfo } from '../../protocol/webview';
import type { SnapshotMeta } from './snapshots';
import { bytesText } from './transfer';

const hex = (n: number) => `0x${n.toString(16)}`;
const pad = (n: number) => String(n).padStart(2, '0');

/** "14:03:09" today, "2024-05-01 14:03:09" otherwise (local time). */
export function formatTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date(now);
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** "snapshot 'before' (14:03:09)". */
export function snapshotName(meta: Pick<SnapshotMeta, 'label' | 'created'>, now = Date.now()): string {
  return `snapshot '${meta.label}' (${formatTime(meta.created, now)})`;
}

export function snapshotInfo(meta: SnapshotMeta): SnapshotInfo {
  return { name: meta.name, label: meta.label, created: meta.created, size: meta.size };
}

/** The DiffView the webview marks. `against` says what with; unequal sizes are said too. */
export function diffView(against: string, r: DiffResult): DiffView {
  const [a, b] = r.sizes;
  const note = a !== b ? ` (sizes differ: ${a} vs ${b} bytes; the first ${Math.min(a, b)} compared)` : '';
  return { against: against + note, ranges: r.ranges.map((x) => ({ offset: x.offset, length: x.length })), bytes: r.bytes, truncated: r.truncated };
}

function rangeText(r: ByteRange): string {
  return r.length === 1 ? hex(r.offset) : `${hex(r.offset)}–${hex(r.offset + r.length - 1)}`;
}

/** "12 bytes differ in 3 ranges (0x10, 0x400–0x407, 0x1000)" / "No differences". */
export function summarizeDiff(d: Pick<DiffView, 'ranges' | 'bytes' | 'truncated'>, firstN = 5): string {
  if (d.bytes === 0) return 'No bytes differ';
  const n = d.ranges.length;
  const shown = d.ranges.slice(0, firstN).map(rangeText).join(', ');
  const more = n > firstN || d.truncated ? ', …' : '';
  const ranges = d.truncated ? `more than ${n} ranges` : n === 1 ? '1 range' : `${n} ranges`;
  return `${d.bytes === 1 ? '1 byte differs' : `${d.bytes} bytes differ`} in ${ranges} (${shown}${more})`;
}

/** A plain-text report of a comparison (Open as Text Report): one line per differing range. */
export function diffReport(title: string, lines: string[], r: DiffResult): string {
  const n = r.ranges.length;
  const head = r.bytes === 0 ? 'No bytes differ.'
    : `${r.bytes === 1 ? '1 byte differs' : `${r.bytes} bytes differ`} in ${r.truncated ? `more than ${n}` : n} ${n === 1 && !r.truncated ? 'range' : 'ranges'}.`;
  const out = [title, ...lines, '', head];
  if (r.sizes[0] !== r.sizes[1]) out.push(`Sizes differ (${r.sizes[0]} vs ${r.sizes[1]} bytes): the first ${Math.min(...r.sizes)} bytes were compared.`);
  if (r.truncated) out.push(`Only the first ${n} differing ranges are listed.`);
  if (n) {
    out.push('', 'offset (hex)        length  last (hex)');
    for (const x of r.ranges) out.push(`${hex(x.offset).padEnd(18)}  ${String(x.length).padStart(6)}  ${hex(x.offset + x.length - 1)}`);
  }
  return out.join('\n') + '\n';
}

/** Quick pick texts for a snapshot (label; size and time; creator). */
export function snapshotPickText(meta: SnapshotMeta, segmentSize: number | undefined, now = Date.now()): { label: string; description: string; detail: string } {
  const sizeNote = segmentSize !== undefined && meta.size !== segmentSize ? ` · size differs from the segment (${bytesText(segmentSize)})` : '';
  return {
    label: meta.label,
    description: `${formatTime(meta.created, now)} · ${bytesText(meta.size)}`,
    detail: `segment ${meta.key === 0 ? 'private' : meta.keyHex} (id ${meta.id}, creator ${meta.cpid})${sizeNote}`,
  };
}
