// ls, info, limits: looking without touching.
import * as fs from 'node:fs';
import { NoFootprintSegment, limits, listSegments, noFootprintVia, reportAttachments, statSegment } from '../../core';
import { userNames } from '../../core/users';
import { layoutSpec } from '../../ctypes/overlayLayout';
import { OverlayStore } from '../../ctypes/overlayStore';
import { type OverlaySummary, MAX_SUMMARIES, SUMMARY_LABEL, summarizeOverlays, summaryLines } from '../../ctypes/overlaySummary';
import { type AttachmentReport, type ReadVia, type SegmentInfo, identityOf } from '../../protocol/segment';
import { UsageError } from '../args';
import { type Command, ID_ARG, JSON_OPTION, KEY_TARGET, targetId, segmentJson, writeJson } from '../command';
import { type Align, NOT_VISIBLE, fields, humanSize, lastPid, localTime, octal, table } from '../format';

const SORTS = ['key', 'id', 'size', 'nattch', 'ctime', 'cpid', 'owner'] as const;
type SortKey = (typeof SORTS)[number];

function status(s: SegmentInfo): string {
  const st = [s.dest && 'dest', s.locked && 'locked', s.hugetlb && 'hugetlb'].filter(Boolean);
  return st.length ? st.join(',') : '-';
}

function attachedCell(r: AttachmentReport | undefined): string {
  if (!r || r.nattch === 0 && r.attachments.length === 0) return '-';
  const pids = [...new Set(r.attachments.map((a) => a.pid))].join(',');
  if (r.complete) return pids;
  const hidden = r.nattch - r.attachments.length;
  return (pids ? pids + ',' : '') + `?${hidden > 1 ? `x${hidden}` : ''}`;
}

function compare(by: SortKey): (a: SegmentInfo, b: SegmentInfo) => number {
  if (by === 'owner') return (a, b) => a.user.localeCompare(b.user) || a.id - b.id;
  return (a, b) => a[by] - b[by] || a.id - b.id;
}

export const ls: Command = {
  name: 'ls',
  summary: 'List every System V shared-memory segment on this host (like lsipc -m / ipcs -m).',
  usage: ['[--json] [--bytes] [--attachments] [--sort FIELD] [--reverse] [--mine] [--stale] [--numeric-perms]'],
  args: [],
  options: [
    JSON_OPTION,
    { name: 'bytes', short: 'b', help: 'print SIZE in bytes instead of 4K, 1.5M...' },
    { name: 'attachments', short: 'a', help: 'add an ATTACHED column with the pids attached (from /proc/PID/maps; "?" = not visible)' },
    {
      name: 'sort', short: 's', value: 'FIELD', help: `sort by ${SORTS.join('|')} (default: kernel order, like ipcs)`,
      parse: (t, o) => {
        if (!(SORTS as readonly string[]).includes(t)) throw new UsageError(`${o}: '${t}' is not one of ${SORTS.join(', ')}`);
        return t;
      },
    },
    { name: 'reverse', short: 'r', help: 'reverse the order' },
    { name: 'mine', short: 'm', help: 'only segments owned or created by my uid' },
    { name: 'stale', help: 'only stale segments: nothing attached and the creator process gone' },
    { name: 'numeric-perms', short: 'P', help: 'PERMS as octal (0600) instead of rw-------' },
  ],
  details:
    'Columns: KEY (0x%08x, 0 = private), ID, PERMS, OWNER, SIZE, NATTCH, STATUS (dest = removed at\n' +
    'last detach, locked, hugetlb: known from the attachments, so with -a), CPID/LPID (creator /\n' +
    'last shmat-shmdt pid; ? = not visible from this PID namespace: the kernel reports 0 for a\n' +
    'process in another container), CTIME (local time of creation or last change), COMMAND\n' +
    '(creator command if it is still running). A segment whose creator is not visible is never\n' +
    'stale: its creator may well be running.',
  async run(p, ctx) {
    const o = p.options;
    let segs = listSegments();
    if (o.mine) {
      const uid = process.getuid?.() ?? -1;
      segs = segs.filter((s) => s.uid === uid || s.cuid === uid);
    }
    if (o.stale) segs = segs.filter((s) => s.stale);
    if (o.sort) segs = [...segs].sort(compare(o.sort as SortKey));
    if (o.reverse) segs.reverse();
    let reports: Map<number, AttachmentReport> | undefined;
    if (o.attachments) {
      const list = reportAttachments(segs);
      reports = new Map(list.map((r) => [r.id, r]));
    }
    if (o.json) {
      await writeJson(ctx, segs.map((s) => {
        const r = reports?.get(s.id);
        return segmentJson(s, r && { list: r.attachments, complete: r.complete });
      }));
      return 0;
    }
    const header = ['KEY', 'ID', 'PERMS', 'OWNER', 'SIZE', 'NATTCH', 'STATUS', 'CPID', 'LPID', 'CTIME'];
    const align: Align[] = ['left', 'right', 'left', 'left', 'right', 'right', 'left', 'right', 'right', 'left'];
    if (reports) { header.push('ATTACHED'); align.push('left'); }
    header.push('COMMAND');
    align.push('left');
    const rows = segs.map((s) => {
      const row = [
        s.keyHex, String(s.id), o['numeric-perms'] ? octal(s.mode) : s.perms, s.user,
        o.bytes ? String(s.size) : humanSize(s.size), String(s.nattch), status(s),
        s.creatorVisible ? String(s.cpid) : '?', s.lpid === 0 && s.atime > 0 ? '?' : String(s.lpid), localTime(s.ctime),
      ];
      if (reports) row.push(attachedCell(reports.get(s.id)));
      row.push(s.creatorVisible ? s.creatorCommand ?? '-' : `(${NOT_VISIBLE})`);
      return row;
    });
    await ctx.io.stdout.write(table(header, rows, align));
    return 0;
  },
};

/**
 * The first fields of the C types remembered for s (the overlay store the extension shares).
 * Read without an attachment of ours where an attached process's mapping can be read (else one
 * brief read-only attach), only from the segment info was about, and only the bytes shown.
 */
async function overlaySummaries(s: SegmentInfo): Promise<{ list: OverlaySummary[]; total: number }> {
  const specs = await new OverlayStore().get({ key: s.key, id: s.id, ctime: s.ctime });
  if (!specs.length) return { list: [], total: 0 };
  let seg: NoFootprintSegment | undefined;
  try {
    const list = await summarizeOverlays(specs, s.size, {
      layout: (spec) => layoutSpec(spec),
      read: (offset, length) => {
        seg ??= NoFootprintSegment.open(s.id, { readOnly: true, expect: identityOf(s) });
        return seg.readChunk(length, offset);
      },
    });
    return { list, total: specs.length };
  } finally {
    seg?.detach();
  }
}

export const info: Command = {
  name: 'info',
  summary: 'Everything about one segment, and the processes attached to it.',
  usage: ['<id> [--json]', '--key KEY [--json]'],
  args: [ID_ARG],
  options: [JSON_OPTION, KEY_TARGET],
  details:
    'Attached processes come from /proc/PID/maps. Another user\'s maps cannot always be read: then\n' +
    'it says "N of M attachments visible".\n' +
    `C type: the first fields of each C type applied to it in the hex editor (at most ${MAX_SUMMARIES}; remembered\n` +
    'in $SHM_INSPECTOR_OVERLAYS, else $XDG_CONFIG_HOME or ~/.config/shm-inspector/overlays.json),\n' +
    'read without attaching where it can; a type that cannot be laid out or read says why.\n' +
    'JSON "overlays": [{label, typeName, offset, text, fields: {PATH: VALUE}} or {..., error}].',
  async run(p, ctx) {
    const id = targetId(p, 'info');
    const s = statSegment(id);
    const [r] = reportAttachments([s]);
    // What the hex editor's no-footprint mode would do (and whether it can avoid attaching).
    let via: ReadVia | undefined;
    try { via = noFootprintVia(id); } catch { /* gone meanwhile, or unreadable: say nothing */ }
    const overlays = await overlaySummaries(s);
    if (p.options.json) {
      await writeJson(ctx, {
        ...segmentJson(s, { list: r.attachments, complete: r.complete }), readWithoutAttaching: via ?? null, overlays: overlays.list,
      });
      return 0;
    }
    const cTypes = summaryLines(overlays.list, overlays.total).map((line): [string, string] => [SUMMARY_LABEL, line]);
    const names = userNames();
    const creator = !s.creatorVisible ? `? (creator ${NOT_VISIBLE})`
      : s.creatorAlive ? `${s.cpid} (${s.creatorCommand ?? '?'}, running)` : `${s.cpid} (gone)`;
    const bits = [s.dest ? 'dest (removed at the last detach)' : '', s.locked ? 'locked (SHM_LOCK)' : ''].filter(Boolean);
    const lines = fields([
      ['ID', String(s.id)],
      ['Key', s.key === 0 ? `${s.keyHex} (private)` : `${s.keyHex} (${s.key | 0})`],
      ['Owner', `${s.user} (uid ${s.uid}, gid ${s.gid})`],
      ['Creator', `${names(s.cuid)} (uid ${s.cuid}, gid ${s.cgid})`],
      ['Permissions', `${s.perms} (${octal(s.mode)})`],
      ...(s.mode > 0o777 ? [['Mode', `0${s.mode.toString(8)} (with status bits)`] as [string, string]] : []),
      ['Size', `${humanSize(s.size)} (${s.size} bytes)`],
      ['Resident', `${humanSize(s.rss)} (${s.rss} bytes)`],
      ['Swapped', `${humanSize(s.swap)} (${s.swap} bytes)`],
      ['Status', bits.length ? bits.join(', ') : '-'],
      ['Huge pages', s.hugetlb === null ? 'unknown' : s.hugetlb ? 'yes' : 'no'],
      ['Creator PID', creator],
      ['Last PID', lastPid(s)],
      ['Attach time', localTime(s.atime, 'never')],
      ['Detach time', localTime(s.dtime, 'never')],
      ['Change time', localTime(s.ctime, 'never')],
      ['Read without attaching', via?.kind === 'process' ? `through process ${via.pid} (${via.command})'s mapping: nattch, last pid and times unchanged`
        : via ? 'no attached process can be read from here: each read would attach and detach at once' : 'unknown'],
      ['Stale', s.stale ? 'yes (nothing attached, creator gone)' : s.creatorVisible ? 'no' : 'no (not known: the creator is not visible from here)'],
      ...cTypes,
      ['Attachments', r.complete
        ? String(s.nattch)
        : `${s.nattch} (${r.attachments.length} of ${s.nattch} attachments visible; other users' /proc/PID/maps are not readable)`],
    ]);
    let text = lines;
    if (r.attachments.length) {
      text += table(
        ['  PID', 'MODE', 'ADDRESS', 'COMMAND'],
        r.attachments.map((a) => [`  ${a.pid}`, a.readOnly ? 'ro' : 'rw', '0x' + a.address, a.command]),
        ['right', 'left', 'left', 'left'],
      );
    }
    await ctx.io.stdout.write(text);
    return 0;
  },
};

/** The exact text of /proc/sys/kernel/<name> (numbers above 2^53 lose digits as JS numbers). */
function exactSysctl(name: string): string | undefined {
  try {
    const t = fs.readFileSync(`/proc/sys/kernel/${name}`, 'latin1').trim();
    return /^\d+$/.test(t) ? t : undefined;
  } catch {
    return undefined;
  }
}

/** A limit as an exact integer: the kernel's u64 may exceed 2^53 (SHMMAX/SHMALL default to ~2^64). */
function exact(n: number, name: string): bigint {
  if (Number.isSafeInteger(n)) return BigInt(n);
  const t = exactSysctl(name);
  return t !== undefined ? BigInt(t) : BigInt(n);
}

export const limitsCmd: Command = {
  name: 'limits',
  summary: 'System-wide limits (IPC_INFO) and current usage (SHM_INFO), like ipcs -lm / lsipc -g.',
  usage: ['[--json]'],
  args: [],
  options: [JSON_OPTION],
  details: 'JSON fields: shmmax, shmmin, shmmni, shmseg, shmall (pages), pageSize, usedIds,\ntotalPages, rssPages, swapPages.',
  async run(p, ctx) {
    const l = limits();
    const shmmax = exact(l.shmmax, 'shmmax');
    const shmall = exact(l.shmall, 'shmall');
    if (p.options.json) {
      await writeJson(ctx, { ...l, shmmax, shmall });
      return 0;
    }
    const pages = (n: number) => `${n} pages (${humanSize(BigInt(n) * BigInt(l.pageSize))})`;
    await ctx.io.stdout.write(fields([
      ['Max segment size (SHMMAX)', `${humanSize(shmmax)} (${shmmax} bytes)`],
      ['Min segment size (SHMMIN)', `${l.shmmin} bytes`],
      ['Max segments (SHMMNI)', String(l.shmmni)],
      ['Max segments per process (SHMSEG)', String(l.shmseg)],
      ['Max total shared memory (SHMALL)', `${shmall} pages (${humanSize(shmall * BigInt(l.pageSize))})`],
      ['Page size', `${l.pageSize} bytes`],
      ['Segments in use', `${l.usedIds} of ${l.shmmni}`],
      ['Allocated', pages(l.totalPages)],
      ['Resident', pages(l.rssPages)],
      ['Swapped', pages(l.swapPages)],
    ]));
    return 0;
  },
};
