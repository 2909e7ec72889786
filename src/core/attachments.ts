// Who is attached: each attachment is a /proc/PID/maps line named /SYSV%08x whose inode column
// is the shmid. Other users' maps may be unreadable: then fewer are seen than nattch.
// For the few processes that have such lines, smaps adds the mapping's kernel page size,
// which is how huge-page (SHM_HUGETLB) segments are told apart.
import * as fs from 'node:fs';
import type { Attachment, AttachmentReport, SegmentInfo } from '../protocol/segment';
import { processCommand } from './processes';

function readProcFile(pid: string, name: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${name}`, 'latin1');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** SYSV mappings of one process from its smaps (or maps, when smaps is unreadable). */
function sysvMappings(pid: string, maps: string): { id: number; readOnly: boolean; address: string; pageSize: number }[] {
  const text = readProcFile(pid, 'smaps') ?? maps;
  const out: { id: number; readOnly: boolean; address: string; pageSize: number }[] = [];
  let current: (typeof out)[number] | undefined;
  for (const line of text.split('\n')) {
    if (current && line.startsWith('KernelPageSize:')) {
      current.pageSize = Number(line.split(/\s+/)[1]) * 1024;
      current = undefined;
      continue;
    }
    if (!line.includes('/SYSV')) continue;
    const f = line.split(/\s+/); // address perms offset dev inode path
    if (f.length < 6 || !f[5].startsWith('/SYSV')) continue;
    current = { id: Number(f[4]), readOnly: f[1][1] !== 'w', address: f[0].split('-')[0], pageSize: 0 };
    out.push(current);
  }
  return out;
}

/** shmid -> attachments seen in every readable /proc/PID. */
export function scanAttachments(): Map<number, Attachment[]> {
  const found = new Map<number, Attachment[]>();
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of pids) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const maps = readProcFile(name, 'maps');
    if (!maps || !maps.includes('/SYSV')) continue;
    const pid = Number(name);
    const command = processCommand(pid) ?? '?';
    for (const m of sysvMappings(name, maps)) {
      let list = found.get(m.id);
      if (!list) found.set(m.id, (list = []));
      list.push({ pid, command, readOnly: m.readOnly, address: m.address, pageSize: m.pageSize });
    }
  }
  return found;
}

const HUGE = 2 * 1024 * 1024;

export function attachmentReport(segment: Pick<SegmentInfo, 'id' | 'nattch'>, scan = scanAttachments()): AttachmentReport {
  const attachments = scan.get(segment.id) ?? [];
  const known = attachments.filter((a) => a.pageSize > 0);
  return {
    id: segment.id,
    nattch: segment.nattch,
    attachments,
    complete: attachments.length >= segment.nattch,
    hugetlb: known.length ? known.some((a) => a.pageSize >= HUGE) : null,
  };
}

/**
 * Attachment reports for these segments (one /proc scan), and each segment's `hugetlb` set from
 * its report: the one place that fact is filled in (the kernel's listing does not carry it).
 */
export function reportAttachments(segments: SegmentInfo[], scan = scanAttachments()): AttachmentReport[] {
  return segments.map((s) => {
    const r = attachmentReport(s, scan);
    s.hugetlb = r.hugetlb;
    return r;
  });
}
