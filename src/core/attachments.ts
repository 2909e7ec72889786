// Who is attached: each attachment is a /proc/PID/maps line named /SYSV%08x whose inode column
// is the shmid. Other users' maps may be unreadable: then fewer are seen than nattch.
import * as fs from 'node:fs';
import type { Attachment, AttachmentReport, SegmentInfo } from '../protocol/segment';
import { processCommand } from './processes';

/** shmid -> attachments seen in every readable /proc/PID/maps. */
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
    let maps: string;
    try {
      maps = fs.readFileSync(`/proc/${name}/maps`, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    if (!maps.includes('/SYSV')) continue;
    const pid = Number(name);
    let command: string | undefined;
    for (const line of maps.split('\n')) {
      if (!line.includes('/SYSV')) continue;
      const f = line.split(/\s+/);
      // address perms offset dev inode path
      if (f.length < 6 || !f[5].startsWith('/SYSV')) continue;
      const id = Number(f[4]);
      command ??= processCommand(pid) ?? '?';
      let list = found.get(id);
      if (!list) found.set(id, (list = []));
      list.push({ pid, command, readOnly: f[1][1] !== 'w', address: f[0].split('-')[0] });
    }
  }
  return found;
}

export function attachmentReport(segment: Pick<SegmentInfo, 'id' | 'nattch'>, scan = scanAttachments()): AttachmentReport {
  const attachments = scan.get(segment.id) ?? [];
  return { id: segment.id, nattch: segment.nattch, attachments, complete: attachments.length >= segment.nattch };
}
