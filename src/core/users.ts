// uid -> user name from /etc/passwd (what ipcs shows), re-read when the file changes.
import * as fs from 'node:fs';

let cache: { mtimeMs: number; names: Map<number, string> } | undefined;

function load(): Map<number, string> {
  let st: fs.Stats;
  try {
    st = fs.statSync('/etc/passwd');
  } catch {
    return new Map();
  }
  if (cache && cache.mtimeMs === st.mtimeMs) return cache.names;
  const names = new Map<number, string>();
  for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] && !names.has(Number(f[2]))) names.set(Number(f[2]), f[0]);
  }
  cache = { mtimeMs: st.mtimeMs, names };
  return names;
}

/** Resolver for one listing: reads /etc/passwd at most once per call of userNames(). */
export function userNames(): (uid: number) => string {
  const names = load();
  return (uid) => names.get(uid) ?? String(uid);
}
