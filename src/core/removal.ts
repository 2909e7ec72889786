// Who may remove a segment (IPC_RMID), as the kernel decides it: its owner, its creator, or a
// process with CAP_SYS_ADMIN. Lets a dry run say what the real run would be refused.
import * as fs from 'node:fs';
import type { SegmentInfo } from '../protocol/segment';

const CAP_SYS_ADMIN = 21;

let sysAdmin: boolean | undefined;

/** True if this process has CAP_SYS_ADMIN in its effective set (/proc/self/status CapEff, read once). */
function hasSysAdmin(): boolean {
  if (sysAdmin === undefined) {
    try {
      const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
      sysAdmin = hex !== undefined && ((BigInt('0x' + hex) >> BigInt(CAP_SYS_ADMIN)) & 1n) === 1n;
    } catch {
      sysAdmin = process.geteuid?.() === 0;
    }
  }
  return sysAdmin;
}

/** Why this process may not remove the segment, or undefined if it may. */
export function removalRefusal(s: Pick<SegmentInfo, 'uid' | 'cuid'>): string | undefined {
  const euid = process.geteuid?.() ?? -1;
  if (euid === s.uid || euid === s.cuid || hasSysAdmin()) return undefined;
  return `only its owner (uid ${s.uid}), its creator (uid ${s.cuid}) or CAP_SYS_ADMIN may remove it; you are uid ${euid}`;
}
