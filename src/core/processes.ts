// What /proc tells about processes: alive or not, command name, start time. Unreadable = unknown.
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

/** USER_HZ: clock ticks per second in /proc/PID/stat; 100 in the Linux ABI on every arch. */
const USER_HZ = 100;

let bootTime: number | null | undefined;

function btime(): number | null {
  if (bootTime === undefined) {
    try {
      const m = /^btime\s+(\d+)/m.exec(fs.readFileSync('/proc/stat', 'latin1'));
      bootTime = m ? Number(m[1]) : null;
    } catch {
      bootTime = null;
    }
  }
  return bootTime;
}

/** When the process started (unix seconds), or null if unknown. */
export function processStartTime(pid: number): number | null {
  const boot = btime();
  if (boot === null || !(pid > 0)) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // pid (comm) state ppid ...: comm may hold spaces or ')'; fields restart after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[19]); // field 22 (starttime) is the 20th after comm
    return Number.isFinite(ticks) ? boot + ticks / USER_HZ : null;
  } catch {
    return null;
  }
}

export interface ProcessFacts {
  alive: boolean;
  command: string | null;
  /** Unix seconds, null if unknown (or not alive). */
  startTime: number | null;
}

/** Memoised per listing: many segments often share a creator. */
export function processLookup(): (pid: number) => ProcessFacts {
  const seen = new Map<number, ProcessFacts>();
  return (pid) => {
    let r = seen.get(pid);
    if (!r) {
      const command = processCommand(pid);
      const alive = command !== null || processAlive(pid);
      r = { alive, command, startTime: alive ? processStartTime(pid) : null };
      seen.set(pid, r);
    }
    return r;
  };
}
