// create and rm.
import { Segment, ShmError, destroySegment, listSegments, removalRefusal, sameSegment, statSegment } from '../../core';
import { type SegmentIdentity, type SegmentInfo, describeIdentity, formatKey, identityOf } from '../../protocol/segment';
import { UsageError } from '../args';
import { type Command, JSON_OPTION, NUMBERS_NOTE, PROG, segmentJson, writeJson } from '../command';
import { NOT_VISIBLE, creatorOf, humanSize } from '../format';
import { parseId, parseInteger, parseKey, parsePerms, parseSize } from '../values';

export const create: Command = {
  name: 'create',
  summary: 'Create a segment (shmget with IPC_CREAT) and print its id.',
  usage: ['--size N [--key KEY] [--perms MODE] [--exclusive] [--hugetlb] [--noreserve] [--json]'],
  args: [],
  options: [
    { name: 'size', short: 's', value: 'N', parse: (t, o) => parseSize(t, o), help: 'size in bytes: 4096, 0x1000, 64K, 1M, 1MiB, 1G (required)' },
    { name: 'key', short: 'k', value: 'KEY', parse: (t, o) => parseKey(t, o), help: 'System V key: 0x1234abcd, decimal, or negative (default: private)' },
    { name: 'perms', short: 'p', value: 'MODE', parse: (t, o) => parsePerms(t, o), help: 'permissions, octal like chmod: 600 = 0600 = rw------- (default 600); also 0o644, rw-r--r--' },
    { name: 'exclusive', short: 'x', help: 'fail (EEXIST) if a segment with --key already exists (IPC_EXCL)' },
    { name: 'hugetlb', help: 'back it with huge pages (SHM_HUGETLB)' },
    { name: 'noreserve', help: 'do not reserve swap for it (SHM_NORESERVE)' },
    JSON_OPTION,
  ],
  details:
    'Without --exclusive, an existing segment with the same key is reused (shmget semantics): its id\n' +
    'is printed and a note goes to stderr. --perms 600 means octal 0600, as with chmod.\n' + NUMBERS_NOTE,
  async run(p, ctx) {
    const o = p.options;
    if (o.size === undefined) throw new UsageError('create: --size is required (e.g. --size 64K)', 'create');
    if (o.size === 0) throw new UsageError('create: --size must be at least 1 byte', 'create');
    const seg = Segment.create(o.size as number, {
      key: o.key as number | undefined,
      perms: (o.perms as number | undefined) ?? 0o600,
      exclusive: !!o.exclusive,
      hugePages: !!o.hugetlb,
      noReserve: !!o.noreserve,
    });
    const s = seg.stat();
    if (s.cpid !== process.pid) {
      await ctx.io.stderr.write(`${PROG}: note: key ${s.keyHex} already existed: using segment ${s.id} (${humanSize(s.size)}, ${creatorOf(s)}); --exclusive refuses instead\n`);
    }
    if (o.json) await writeJson(ctx, segmentJson(s));
    else await ctx.io.stdout.write(`${s.id}\n`);
    return 0;
  },
};

/** A segment to remove, or why it could not be looked at. */
type Target = { id: number; info: SegmentInfo; expect: SegmentIdentity } | { id: number; error: unknown };

interface Shown { id: number; keyHex: string; size: number; cpid: number; creatorVisible: boolean; nattch: number }

type Outcome =
  | (Shown & { action: 'removed' | 'deferred' | 'would-remove' | 'skipped'; reason?: string })
  | { id: number; action: 'error'; error: string; code?: string };

const shown = (s: SegmentInfo): Shown => ({ id: s.id, keyHex: s.keyHex, size: s.size, cpid: s.cpid, creatorVisible: s.creatorVisible, nattch: s.nattch });

const describe = (s: Shown) => `key ${s.keyHex}, ${humanSize(s.size)}, ${creatorOf(s)}`;

function message(r: Outcome): string {
  switch (r.action) {
    case 'removed': return `removed segment ${r.id} (${describe(r)})`;
    case 'deferred': return `segment ${r.id} (key ${r.keyHex}) marked for removal; deferred: ${r.nattch} still attached, it goes at the last detach`;
    case 'would-remove': return `would remove segment ${r.id} (${describe(r)}${r.nattch ? `, ${r.nattch} attached: deferred` : ''})`;
    case 'skipped': return `skipped segment ${r.id}: ${r.reason}`;
    case 'error': return r.error;
  }
}

/** Why `rm --stale` leaves a segment whose creator the kernel reports as pid 0. */
const NOT_KNOWN_STALE = `creator ${NOT_VISIBLE} (another container?): not known to be stale`;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const rm: Command = {
  name: 'rm',
  summary: 'Remove segments (IPC_RMID) by id, by key, or every stale one.',
  usage: [
    '<id>... [--dry-run]', '--key KEY [--dry-run]', '--stale [--all-users] [<id>...] [--dry-run]',
    '<id> --expect-key KEY [--expect-cpid PID] [--expect-size N] [--expect-ctime SECONDS]',
  ],
  args: [{ name: '<id>...', help: 'segment ids to remove (with --stale: only these, if stale)', optional: true, variadic: true }],
  options: [
    { name: 'key', short: 'k', value: 'KEY', parse: (t, o) => parseKey(t, o), help: 'remove the segment with this key' },
    { name: 'stale', help: 'remove my stale segments (owner or creator uid = mine): nattch 0 and the creator process gone' },
    { name: 'all-users', help: "with --stale: every user's stale segments, not only mine" },
    { name: 'mine', short: 'm', help: 'with --stale: only mine (the default; accepted for old scripts)' },
    { name: 'dry-run', short: 'n', help: 'print what would be removed, remove nothing' },
    { name: 'expect-key', value: 'KEY', parse: (t, o) => parseKey(t, o), help: 'remove the id only if it still has this key (else ECHANGED, exit 1)' },
    { name: 'expect-cpid', value: 'PID', parse: (t, o) => parseInteger(t, o, 0, 0x7fffffff), help: 'remove the id only if it was created by this pid' },
    { name: 'expect-size', value: 'N', parse: (t, o) => parseSize(t, o), help: 'remove the id only if it has this size' },
    { name: 'expect-ctime', value: 'SECONDS', parse: (t, o) => parseInteger(t, o), help: 'remove the id only if its ctime (Unix seconds, as in ls --json) is this' },
    JSON_OPTION,
  ],
  details:
    'Each segment is removed only if its id still names the segment that was listed (same key,\n' +
    'creator pid, size and ctime), so a reused id is never removed by mistake; --expect-* give that\n' +
    'identity explicitly (e.g. from an earlier `ls --json`). A segment still attached is marked\n' +
    '(dest) and disappears at its last detach: that is reported as deferred. Stale segments are\n' +
    're-checked just before removal and skipped if something attached in between.\n' +
    '--stale removes only segments whose owner or creator uid is your effective uid; other users\'\n' +
    'stale segments are counted and left unless --all-users is given (even as root).\n' +
    'A segment whose creator pid the kernel reports as 0 (a process in another PID namespace, e.g.\n' +
    'another container sharing this IPC namespace) is never stale: --stale skips it and says so.\n' +
    'A segment made by `shm-inspector create` (or ipcmk) is stale as soon as that command exits:\n' +
    'its creator is gone. `rm --stale ID...` removes only those of the ids that are stale.\n' +
    'Exit status 1 if any removal failed.',
  async run(p, ctx) {
    const o = p.options;
    const modes = [p.args.length > 0 && !o.stale, o.key !== undefined, !!o.stale].filter(Boolean).length;
    if (modes === 0) throw new UsageError('rm: give segment ids, --key KEY or --stale', 'rm');
    if (modes > 1) throw new UsageError('rm: give ids, --key or --stale, only one of them', 'rm');
    const expecting = ['expect-key', 'expect-cpid', 'expect-size', 'expect-ctime'].some((n) => o[n] !== undefined);
    if (expecting && (p.args.length !== 1 || o.stale)) throw new UsageError('rm: --expect-key/--expect-cpid/--expect-size/--expect-ctime need exactly one <id>', 'rm');
    if ((o.mine || o['all-users']) && !o.stale) throw new UsageError(`rm: --${o.mine ? 'mine' : 'all-users'} only goes with --stale`, 'rm');
    if (o.mine && o['all-users']) throw new UsageError('rm: --mine and --all-users contradict each other', 'rm');

    const targets: Target[] = [];
    const skipped: Outcome[] = [];
    let otherUsers = 0;
    let notVisible = 0;
    if (o.stale) {
      const euid = process.geteuid?.() ?? -1;
      const only = p.args.length ? new Set(p.args.map((a) => parseId(a, 'id'))) : undefined;
      for (const s of listSegments()) {
        if (only && !only.has(s.id)) continue;
        if (!o['all-users'] && s.uid !== euid && s.cuid !== euid) {
          if (s.stale) {
            otherUsers++;
            skipped.push({ ...shown(s), action: 'skipped', reason: `owned by uid ${s.uid} (creator uid ${s.cuid}), not yours: --all-users includes it` });
          }
        } else if (s.stale) {
          targets.push({ id: s.id, info: s, expect: identityOf(s) });
        } else if (s.nattch === 0 && !s.creatorVisible) {
          notVisible++;
          skipped.push({ ...shown(s), action: 'skipped', reason: NOT_KNOWN_STALE });
        }
      }
    } else if (o.key !== undefined) {
      const key = o.key as number;
      if (key === 0) throw new UsageError('rm: key 0 is IPC_PRIVATE: private segments have no key, remove them by id', 'rm');
      const found = listSegments().filter((s) => s.key === key);
      if (found.length === 0) throw new ShmError('rm', 'ENOENT', `rm: no segment with key ${formatKey(key)}`);
      for (const s of found) targets.push({ id: s.id, info: s, expect: identityOf(s) });
    } else {
      const ids = p.args.map((a) => parseId(a, 'id'));
      for (const id of ids) {
        try {
          const s = statSegment(id);
          const expect = identityOf(s);
          if (o['expect-key'] !== undefined) expect.key = o['expect-key'] as number;
          if (o['expect-cpid'] !== undefined) expect.cpid = o['expect-cpid'] as number;
          if (o['expect-size'] !== undefined) expect.size = o['expect-size'] as number;
          if (o['expect-ctime'] !== undefined) expect.ctime = o['expect-ctime'] as number;
          targets.push({ id, info: s, expect });
        } catch (err) {
          targets.push({ id, error: err });
        }
      }
    }

    const results: Outcome[] = [];
    for (const t of targets) results.push(removeOne(t, !!o['dry-run'], !!o.stale));
    const failed = results.filter((r) => r.action === 'error').length;
    if (o.json) await writeJson(ctx, [...results, ...skipped]);
    for (const r of results) {
      if (r.action === 'error') await ctx.io.stderr.write(`${PROG}: ${r.error}\n`);
      else if (!o.json) await ctx.io.stdout.write(message(r) + '\n');
    }
    if (!o.json && o.stale) {
      const note = (text: string) => ctx.io.stderr.write(`${PROG}: ${text}\n`);
      if (targets.length === 0) await note('no stale segments');
      if (notVisible) await note(`skipped ${plural(notVisible, 'segment', 'segments')} whose creator is ${NOT_VISIBLE} (another container?): not known to be stale`);
      if (otherUsers) await note(`skipped ${plural(otherUsers, "other user's stale segment", "other users' stale segments")}: --all-users includes them`);
    }
    return failed ? 1 : 0;
  },
};

function errorOutcome(id: number, err: unknown): Outcome {
  const e = err as { message?: string; code?: string } | null | undefined;
  return { id, action: 'error', error: String(e?.message ?? err).replace(/\s*\n\s*/g, ' '), code: e?.code };
}

function removeOne(t: Target, dryRun: boolean, staleOnly: boolean): Outcome {
  if ('error' in t) return errorOutcome(t.id, t.error);
  const s = t.info;
  const expect = t.expect;
  const base = shown(s);
  try {
    if (dryRun) {
      // Still say when the id no longer matches: the real run would refuse it.
      if (!sameSegment(s, expect)) return errorOutcome(t.id, changed(t.id, s, expect));
      const refusal = removalRefusal(s);
      if (refusal) return errorOutcome(t.id, ShmError.fromErrno('destroy', t.id, 1, `would be refused: ${refusal}`));
      return { ...base, action: 'would-remove' };
    }
    if (staleOnly) {
      const now = statSegment(t.id);
      if (!sameSegment(now, expect)) return { ...base, action: 'skipped', reason: `the id now names another segment (${describeIdentity(now)})` };
      if (!now.stale) return { ...base, action: 'skipped', reason: `no longer stale (${now.nattch} attached)` };
    }
    const r = destroySegment(t.id, expect);
    return { ...base, action: r.deferred ? 'deferred' : 'removed' };
  } catch (err) {
    return errorOutcome(t.id, err);
  }
}

function changed(id: number, s: SegmentInfo, e: SegmentIdentity): ShmError {
  return new ShmError('destroy', 'ECHANGED',
    `destroy ${id}: the id now names another segment (${describeIdentity(s)}; expected ${describeIdentity(e)}): nothing done`);
}
