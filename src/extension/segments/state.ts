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

/** The kernel reports pid 0 for a process in a PID namespace this one cannot see. */
export const NOT_VISIBLE = 'not visible from this PID namespace';

/** Idle with a creator this PID namespace cannot see: whether it still runs is unknown. */
const IDLE_UNSEEN_CREATOR = `idle (nothing attached, creator ${NOT_VISIBLE})`;

/** "in use, locked, huge pages". */
export function statusText(info: SegmentInfo): string {
  const state = segmentState(info);
  const parts = [state === 'idle' && !info.creatorVisible ? IDLE_UNSEEN_CREATOR : STATE_TEXT[state]];
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

/** "1234 (postgres)", "1234 (exited)", "creator not visible from this PID namespace". */
export function creatorText(info: SegmentInfo): string {
  if (!info.creatorVisible) return `creator ${NOT_VISIBLE}`;
  if (info.creatorCommand) return `${info.cpid} (${info.creatorCommand})`;
  return `${info.cpid} (${info.creatorAlive ? 'running, command unreadable' : 'exited'})`;
}

/** "4321", "last attacher not visible from this PID namespace", "never attached". */
export function lastAttacherText(info: Pick<SegmentInfo, 'lpid' | 'atime'>): string {
  if (info.lpid) return String(info.lpid);
  return info.atime > 0 ? `last attacher ${NOT_VISIBLE}` : 'never attached';
}

/**
 * Segments Destroy Stale leaves out although nothing is attached: their creator is in a PID
 * namespace this one cannot see, so it may still be running.
 */
export function unseenCreatorIdle(infos: readonly SegmentInfo[]): SegmentInfo[] {
  return infos.filter((s) => !s.creatorVisible && s.nattch === 0 && !s.dest);
}

/** "2 segments with nothing attached were not offered: their creator is not visible from this PID namespace, so it may still be running." */
export function unseenCreatorNote(count: number): string | undefined {
  if (count === 0) return undefined;
  const what = count === 1 ? '1 segment with nothing attached was' : `${count} segments with nothing attached were`;
  return `${what} not offered: ${count === 1 ? 'its' : 'their'} creator is ${NOT_VISIBLE}, so it may still be running.`;
}
