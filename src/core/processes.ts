// What /proc tells about processes: alive or not, command name. Unreadable = unknown.
import * as fs from 'node:fs';

export function processCommand(pid: number): string | null {
  if (!(pid > 0)) return null;
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd();
  } catch {
    return null;
  }
}

export function processAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Memoised per listing: many segments often share a creator. */
export function processLookup(): (pid: number) => { alive: boolean; command: string | null } {
  const seen = new Map<number, { alive: boolean; command: string | null }>();
  return (pid) => {
    let r = seen.get(pid);
    if (!r) {
      const command = processCommand(pid);
      r = { alive: command !== null || processAlive(pid), command };
      seen.set(pid, r);
    }
    return r;
  };
}
