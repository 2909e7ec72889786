// What a segment's numbers mean for the user: in use, idle, stale, or marked for destruction.
// Pure (no vscode), shared by the tree, the filter and the commands.
import type { SegmentInfo } from '../../protocol/segment';

export type SegmentState = 'dest' | 'stale' | 'inUse' | 'idle';

/**
 * Nothing attached and its creator is gone: probably left behind (core's `stale`, the same fact
 * the CLI's `rm --stale` uses). A segment marked for destruction is not stale: it still has
 * processes attached (MIT-SHM clients mark theirs at once) and removing it again does nothing.
 */
export function isStale(info: SegmentInfo): boolean {
  return info.stale;
}

export function segmentState(info: SegmentInfo): SegmentState {
  if (info.dest) return 'dest';
  if (isStale(info)) return 'stale';
  return info.nattch > 0 ? 'inUse' : 'idle';
}

export const STATE_TEXT: Record<SegmentState, string> = {
  dest: 'marked for destruction (removed when the last process detaches)',
  stale: 'stale (nothing attached, creator has exited)',
  inUse: 'in use',
  idle: 'idle (nothing attached, creator still running)',
};

/** "in use, locked, huge pages". */
export function statusText(info: SegmentInfo): string {
  const parts = [STATE_TEXT[segmentState(info)]];
  if (info.locked) parts.push('locked in memory (SHM_LOCK)');
  if (info.hugetlb) parts.push('huge pages');
  return parts.join(', ');
}

/** Short flags for a tree row's description: "dest", "locked". */
export function statusFlags(info: SegmentInfo): string[] {
  const flags: string[] = [];
  if (info.dest) flags.push('dest');
  else if (isStale(info)) flags.push('stale');
  if (info.locked) flags.push('locked');
  if (info.hugetlb) flags.push('huge');
  return flags;
}

/** "postgres (uid 999)". */
export function ownerText(info: SegmentInfo): string {
  return info.user && info.user !== String(info.uid) ? `${info.user} (uid ${info.uid})` : `uid ${info.uid}`;
}

/** "1234 (postgres)", "1234 (exited)". */
export function creatorText(info: SegmentInfo): string {
  if (!info.cpid) return 'unknown';
  if (info.creatorCommand) return `${info.cpid} (${info.creatorCommand})`;
  return `${info.cpid} (${info.creatorAlive ? 'running, command unreadable' : 'exited'})`;
}
