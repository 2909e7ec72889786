// The extension's pure helpers (no vscode): sizes, keys, permissions, dates (src/extension/format),
// and the Segments view's model: state, filter and sort, change detection, fields, error text
// (src/extension/segments/{state,filter,diff,fields,errorText,summaryText}).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDate, formatDateWithAge, formatKeyLabel, formatOctal, formatRelative, formatSizeExact, parseKey, parsePerms, parseSize, plural,
} from '../../src/extension/format';
import type { AttachmentReport, SegmentInfo } from '../../src/protocol/segment';
import { formatSize } from '../../src/protocol/size';
import { isStale, segmentState, statusFlags } from '../../src/extension/segments/state';
import { applyView, describeFilter, isFiltered, matchesFilter, sanitizeFilter, sanitizeSort } from '../../src/extension/segments/filter';
import { diffListings, sameInfo, sameOrder, sameReport } from '../../src/extension/segments/diff';
import { fieldsTable, mdCell, segmentFields, visibilityNote } from '../../src/extension/segments/fields';
import { describeFailure, failureReason } from '../../src/extension/segments/errorText';
import { messageText, segmentsState, totalsText } from '../../src/extension/segments/summaryText';
import type { SegmentsSummary } from '../../src/extension/segments/provider';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  assert.ok(r.ok, `expected ok, got error: ${r.ok ? '' : r.error}`);
  return r.value;
}

function err(r: { ok: boolean; error?: string }): string {
  assert.equal(r.ok, false, 'expected an error');
  assert.ok(r.error !== undefined, 'expected an error message');
  return r.error;
}

function seg(over: Partial<SegmentInfo> = {}): SegmentInfo {
  const key = over.key ?? 0x5348abcd;
  const nattch = over.nattch ?? 1;
  const creatorAlive = over.creatorAlive ?? true;
  return {
    stale: nattch === 0 && !creatorAlive,
    id: 5, key, keyHex: '0x' + (key >>> 0).toString(16).padStart(8, '0'), size: 65536, mode: 0o600, perms: 'rw-------',
    uid: 1000, gid: 1000, user: 'alice', cuid: 1000, cgid: 1000, nattch: 1, cpid: 4242, lpid: 4243,
    atime: 1700000000, dtime: 0, ctime: 1699990000, rss: 4096, swap: 0, dest: false, locked: false, hugetlb: null,
    creatorCommand: 'writer', creatorAlive: true, creatorVisible: true, ...over,
  };
}

describe('formatSize (src/protocol/size: the tree, hovers, messages and the hex editor)', () => {
  test('words below 1 KiB, then binary units with at most one decimal, none from 100', () => {
    assert.equal(formatSize(0), '0 bytes');
    assert.equal(formatSize(1), '1 byte');
    assert.equal(formatSize(512), '512 bytes');
    assert.equal(formatSize(1023), '1023 bytes');
    assert.equal(formatSize(1024), '1 KiB');
    assert.equal(formatSize(1536), '1.5 KiB');
    assert.equal(formatSize(3000), '2.9 KiB');
    assert.equal(formatSize(65536), '64 KiB');
    assert.equal(formatSize(100 * 1024), '100 KiB');
    assert.equal(formatSize(1000 * 1024 + 600), '1001 KiB');
    assert.equal(formatSize(1024 * 1024), '1 MiB');
    assert.equal(formatSize(1.25 * 1024 * 1024), '1.3 MiB');
    assert.equal(formatSize(48 * 1024 * 1024), '48 MiB');
    assert.equal(formatSize(3 * 1024 ** 3), '3 GiB');
    assert.equal(formatSize(5 * 1024 ** 4), '5 TiB');
    assert.equal(formatSize(2 ** 63), '8 EiB');
  });

  test('a size just under a unit boundary names the next unit, not 1024 of this one', () => {
    assert.equal(formatSize(1024 * 1024 - 1), '1 MiB');
    assert.equal(formatSize(1024 ** 3 - 1), '1 GiB');
  });

  test('what is not a size is shown as it is', () => {
    assert.equal(formatSize(-1), '-1');
    assert.equal(formatSize(Number.NaN), 'NaN');
  });

  test('exact form shows bytes and the human size', () => {
    assert.equal(formatSizeExact(1), '1 byte');
    assert.equal(formatSizeExact(100), '100 bytes');
    assert.equal(formatSizeExact(65536), '65,536 bytes (64 KiB)');
  });
});

describe('parseSize', () => {
  test('plain bytes, hex and units (K = KiB = 1024, KB = 1000)', () => {
    assert.equal(ok(parseSize('4096')), 4096);
    assert.equal(ok(parseSize(' 0x1000 ')), 4096);
    assert.equal(ok(parseSize('64K')), 65536);
    assert.equal(ok(parseSize('64k')), 65536);
    assert.equal(ok(parseSize('64KiB')), 65536);
    assert.equal(ok(parseSize('1MiB')), 1048576);
    assert.equal(ok(parseSize('1 M')), 1048576);
    assert.equal(ok(parseSize('1.5G')), 1.5 * 1024 ** 3);
    assert.equal(ok(parseSize('10MB')), 10_000_000);
    assert.equal(ok(parseSize('3GiB')), 3 * 1024 ** 3, 'above 2 GiB');
    assert.equal(ok(parseSize('1_000')), 1000);
    assert.equal(ok(parseSize('12B')), 12);
  });

  test('refuses what is not a whole positive number of bytes, saying why', () => {
    assert.match(err(parseSize('')), /Enter a size/);
    assert.match(err(parseSize('0')), /at least 1 byte/);
    assert.match(err(parseSize('-5')), /not a size/);
    assert.match(err(parseSize('abc')), /not a size/);
    assert.match(err(parseSize('4X')), /unknown unit "X"/);
    assert.match(err(parseSize('4constructor')), /unknown unit "constructor"/, 'a name on the prototype is not a unit');
    assert.match(err(parseSize('1 toString')), /unknown unit "toString"/);
    assert.match(err(parseSize('1.5')), /whole number of bytes/);
    assert.match(err(parseSize('99999999999T')), /too large/);
  });
});

describe('parseKey', () => {
  test('hex, decimal, negative decimal (the kernel\'s signed view) and private', () => {
    assert.equal(ok(parseKey('0x5348abcd')), 0x5348abcd);
    assert.equal(ok(parseKey('0XFFFFFFFF')), 0xffffffff);
    assert.equal(ok(parseKey('1234')), 1234);
    assert.equal(ok(parseKey('-1')), 0xffffffff);
    assert.equal(ok(parseKey('')), 0);
    assert.equal(ok(parseKey('  ')), 0);
    assert.equal(ok(parseKey('private')), 0);
    assert.equal(ok(parseKey('0')), 0);
  });

  test('refuses non-numbers and keys beyond 32 bits', () => {
    assert.match(err(parseKey('0x123456789')), /not a key/);
    assert.match(err(parseKey('4294967296')), /32-bit/);
    assert.match(err(parseKey('-2147483649')), /32-bit/);
    assert.match(err(parseKey('key')), /not a key/);
    assert.match(err(parseKey('0xzz')), /not a key/);
  });
});

describe('permissions and keys', () => {
  test('parsePerms takes octal up to 0777', () => {
    assert.equal(ok(parsePerms('600')), 0o600);
    assert.equal(ok(parsePerms('0600')), 0o600);
    assert.equal(ok(parsePerms('0o644')), 0o644);
    assert.equal(ok(parsePerms('0')), 0);
    assert.match(err(parsePerms('')), /octal/);
    assert.match(err(parsePerms('0800')), /not an octal mode/);
    assert.match(err(parsePerms('rw-')), /not an octal mode/);
    assert.match(err(parsePerms('1777')), /only permission bits/);
  });

  test('formatOctal and formatKeyLabel', () => {
    assert.equal(formatOctal(0o600), '0600');
    assert.equal(formatOctal(0o1644), '0644', 'status bits are not permissions');
    assert.equal(formatOctal(0), '0000');
    assert.equal(formatKeyLabel(0), 'private');
    assert.equal(formatKeyLabel(0xabcd), '0x0000abcd');
    assert.equal(formatKeyLabel(-1), '0xffffffff');
  });

  test('plural', () => {
    assert.equal(plural(1, 'segment'), '1 segment');
    assert.equal(plural(0, 'segment'), '0 segments');
    assert.equal(plural(2, 'process', 'processes'), '2 processes');
  });
});

describe('dates', () => {
  test('formatDate is local YYYY-MM-DD HH:MM:SS; 0 is never', () => {
    assert.equal(formatDate(0), 'never');
    const t = new Date(2024, 4, 1, 13, 45, 7).getTime() / 1000;
    assert.equal(formatDate(t), '2024-05-01 13:45:07');
  });

  test('formatRelative', () => {
    const now = 1_700_000_000_000;
    const s = now / 1000;
    assert.equal(formatRelative(0, now), 'never');
    assert.equal(formatRelative(s - 3, now), 'just now');
    assert.equal(formatRelative(s - 45, now), '45 seconds ago');
    assert.equal(formatRelative(s - 60, now), '1 minute ago');
    assert.equal(formatRelative(s - 5 * 60, now), '5 minutes ago');
    assert.equal(formatRelative(s - 3 * 3600, now), '3 hours ago');
    assert.equal(formatRelative(s - 2 * 86400, now), '2 days ago');
    assert.equal(formatRelative(s - 400 * 86400, now), '1 year ago');
    assert.equal(formatRelative(s + 7200, now), 'in 2 hours');
    assert.match(formatDateWithAge(s - 60, now), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(1 minute ago\)$/);
  });
});

describe('segment state', () => {
  test('in use, idle, stale (orphaned), marked for destruction', () => {
    assert.equal(segmentState(seg()), 'inUse');
    assert.equal(segmentState(seg({ nattch: 0 })), 'idle');
    assert.equal(segmentState(seg({ nattch: 0, creatorAlive: false, creatorCommand: null })), 'stale');
    assert.equal(segmentState(seg({ dest: true, key: 0 })), 'dest');
    assert.equal(isStale(seg({ nattch: 1, creatorAlive: false })), false, 'attached is not stale');
    assert.equal(isStale(seg({ dest: true, nattch: 2, creatorAlive: false })), false, 'marked for destruction and attached (MIT-SHM) is not stale');
    assert.equal(isStale(seg({ nattch: 0 })), false, 'creator alive');
    assert.equal(isStale(seg({ nattch: 0, creatorAlive: false })), true);
    assert.deepEqual(statusFlags(seg({ dest: true, locked: true })), ['dest', 'locked']);
    assert.deepEqual(statusFlags(seg({ nattch: 0, creatorAlive: false })), ['stale']);
  });
});

describe('filter and sort', () => {
  const list = [
    seg({ id: 3, key: 0x30, size: 300, nattch: 0, ctime: 30, uid: 1000, user: 'alice' }),
    seg({ id: 1, key: 0x10, size: 100, nattch: 2, ctime: 10, uid: 999, user: 'postgres', creatorCommand: 'postgres' }),
    seg({ id: 2, key: 0, keyHex: '0x00000000', size: 200, nattch: 0, ctime: 20, creatorAlive: false, creatorCommand: null }),
    seg({ id: 4, key: 0x40, size: 200, nattch: 1, ctime: 40, dest: true }),
  ];
  const ids = (f: Parameters<typeof applyView>[1], s: Parameters<typeof applyView>[2]) => applyView(list, f, s, 1000).map((x) => x.id);

  test('kinds: all, mine, in use, stale', () => {
    assert.deepEqual(ids({ kind: 'all', text: '' }, { key: 'id', descending: false }), [1, 2, 3, 4]);
    assert.deepEqual(ids({ kind: 'mine', text: '' }, { key: 'id', descending: false }), [2, 3, 4]);
    assert.deepEqual(ids({ kind: 'inUse', text: '' }, { key: 'id', descending: false }), [1, 4]);
    assert.deepEqual(ids({ kind: 'stale', text: '' }, { key: 'id', descending: false }), [2], 'id 4 is marked for destruction but attached: not stale');
  });

  test('text matches key, id, owner or creator command, case-insensitively', () => {
    const f = (text: string) => ids({ kind: 'all', text }, { key: 'id', descending: false });
    assert.deepEqual(f('POSTGRES'), [1]);
    assert.deepEqual(f('0x00000030'), [3]);
    assert.deepEqual(f('private'), [2]);
    assert.deepEqual(f('writer'), [3, 4]);
    assert.deepEqual(f('4'), [4], 'id 4 (and nothing else has a 4)');
    assert.equal(matchesFilter(list[0], { kind: 'all', text: '  ' }, 1000), true);
  });

  test('sort keys and directions; ties broken by id', () => {
    assert.deepEqual(ids({ kind: 'all', text: '' }, { key: 'size', descending: true }), [3, 2, 4, 1]);
    assert.deepEqual(ids({ kind: 'all', text: '' }, { key: 'size', descending: false }), [1, 2, 4, 3]);
    assert.deepEqual(ids({ kind: 'all', text: '' }, { key: 'key', descending: false }), [2, 1, 3, 4]);
    assert.deepEqual(ids({ kind: 'all', text: '' }, { key: 'nattch', descending: true }), [1, 4, 2, 3]);
    assert.deepEqual(ids({ kind: 'all', text: '' }, { key: 'ctime', descending: true }), [4, 3, 2, 1]);
  });

  test('descriptions and saved-state sanitizing', () => {
    assert.equal(isFiltered({ kind: 'all', text: '' }), false);
    assert.equal(isFiltered({ kind: 'all', text: 'x' }), true);
    assert.equal(describeFilter({ kind: 'mine', text: 'pg' }), 'mine, matching "pg"');
    assert.equal(describeFilter({ kind: 'all', text: '' }), '');
    assert.deepEqual(sanitizeFilter({ kind: 'bogus', text: 5 }), { kind: 'all', text: '' });
    assert.deepEqual(sanitizeFilter(undefined), { kind: 'all', text: '' });
    assert.deepEqual(sanitizeSort({ key: 'size', descending: true }), { key: 'size', descending: true });
    assert.deepEqual(sanitizeSort({ key: 'nope' }), { key: 'id', descending: false });
  });
});

describe('change detection', () => {
  test('sameInfo / diffListings: changed rows vs a changed set of ids', () => {
    const a = new Map([[1, seg({ id: 1 })], [2, seg({ id: 2 })]]);
    const same = new Map([[1, seg({ id: 1 })], [2, seg({ id: 2 })]]);
    assert.deepEqual(diffListings(a, same), { changed: [], setChanged: false });
    const attached = new Map([[1, seg({ id: 1 })], [2, seg({ id: 2, nattch: 3 })]]);
    assert.deepEqual(diffListings(a, attached), { changed: [2], setChanged: false });
    const added = new Map([...a, [7, seg({ id: 7 })]]);
    assert.equal(diffListings(a, added).setChanged, true);
    const swapped = new Map([[1, seg({ id: 1 })], [3, seg({ id: 3 })]]);
    assert.equal(diffListings(a, swapped).setChanged, true, 'same count, other ids');
    assert.equal(sameInfo(seg(), seg({ rss: 8192 })), false);
    assert.equal(sameOrder([1, 2], [1, 2]), true);
    assert.equal(sameOrder([1, 2], [2, 1]), false);
  });

  test('sameReport compares attachments', () => {
    const r: AttachmentReport = { id: 1, nattch: 1, complete: true, hugetlb: false, attachments: [{ pid: 1, command: 'a', readOnly: false, address: '7f00', pageSize: 4096 }] };
    assert.equal(sameReport(r, structuredClone(r)), true);
    assert.equal(sameReport(r, { ...r, attachments: [{ ...r.attachments[0], readOnly: true }] }), false);
    assert.equal(sameReport(r, undefined), false);
    assert.equal(sameReport(undefined, undefined), true);
  });
});

describe('fields, tooltip table, error text', () => {
  test('every field of `shm-inspector info`', () => {
    const labels = segmentFields(seg()).map(([k]) => k);
    assert.deepEqual(labels, ['Key', 'Id', 'Owner', 'Creator', 'Permissions', 'Size', 'Attached', 'Creator pid',
      'Last attach/detach pid', 'Last attach', 'Last detach', 'Last change', 'Resident', 'Swapped', 'Status']);
    const f = Object.fromEntries(segmentFields(seg({ key: 0, keyHex: '0x00000000', dtime: 0 })));
    assert.equal(f.Key, '0x00000000 (private)');
    assert.equal(f.Owner, 'alice (uid 1000), gid 1000');
    assert.equal(f.Permissions, 'rw------- (0600)');
    assert.equal(f['Creator pid'], '4242 (writer)');
    assert.equal(f['Last detach'], 'never');
    assert.match(f.Status, /^in use/);
    const gone = Object.fromEntries(segmentFields(seg({ creatorAlive: false, creatorCommand: null })));
    assert.equal(gone['Creator pid'], '4242 (exited)');
  });

  test('Markdown table cells are escaped; the first field is the header row', () => {
    assert.equal(mdCell('a|b_c*'), 'a\\|b\\_c\\*');
    const t = fieldsTable([['Key', '0x1'], ['Id', '5']]).split('\n');
    assert.equal(t.length, 3);
    assert.equal(t[0], '| Key | 0x1 |');
    assert.equal(t[1], '|:--|:--|');
  });

  test('visibility note when fewer attachments are seen than nattch', () => {
    assert.equal(visibilityNote({ id: 1, nattch: 1, complete: true, hugetlb: null, attachments: [] }), undefined);
    assert.equal(visibilityNote({ id: 1, nattch: 3, complete: false, hugetlb: false, attachments: [{ pid: 1, command: 'x', readOnly: true, address: '0', pageSize: 4096 }] }),
      "1 of 3 attachments visible (others' processes cannot be read)");
  });

  test('EACCES names the owner; ECHANGED says nothing was removed', () => {
    const pg = seg({ id: 5, uid: 999, user: 'postgres' });
    const eacces = Object.assign(new Error('shmctl(IPC_RMID) 5: permission denied (EACCES)'), { code: 'EACCES' });
    assert.equal(failureReason(eacces, pg), 'permission denied: segment 5 belongs to user postgres (uid 999), permissions rw-------');
    assert.match(describeFailure('Destroy', eacces, pg), /^Destroy segment 0x5348abcd \(id 5\) failed: permission denied: segment 5 belongs to user postgres \(uid 999\)/);
    const changed = Object.assign(new Error('destroy 5: the id now names another segment (...): nothing done'), { code: 'ECHANGED' });
    assert.match(failureReason(changed, pg), /^destroy 5: the id now names another segment \(\.\.\.\)\. Nothing was removed/);
    const eperm = Object.assign(new Error('shmctl(IPC_RMID) 5: operation not permitted (EPERM)'), { code: 'EPERM' });
    assert.equal(failureReason(eperm, pg), 'permission denied: segment 5 belongs to user postgres (uid 999), permissions rw-------', 'as ipcrm says it');
    assert.equal(failureReason(new Error('boom')), 'boom');
  });
});

describe('the Segments view summary (summaryText)', () => {
  const limits = { shmmax: 2 ** 46, shmmin: 1, shmmni: 4096, shmseg: 4096, shmall: 2 ** 40, pageSize: 4096, usedIds: 0, totalPages: 0, rssPages: 0, swapPages: 0 };
  const base: SegmentsSummary = { total: 0, shown: 0, totalBytes: 0, limits, filter: { kind: 'all', text: '' }, sort: { key: 'id', descending: false }, loaded: true };
  const at = (o: Partial<SegmentsSummary>): SegmentsSummary => ({ ...base, ...o });

  test('an empty host has no message, so VS Code shows the welcome content (Create Segment…)', () => {
    // VS Code hides a view's welcome content while its message is set: an empty host must leave it unset.
    assert.equal(messageText(base), undefined);
    assert.equal(segmentsState(base), 'empty');
  });

  test('while the first listing is pending it says so, and the welcome (which would claim an empty host) stays hidden', () => {
    const s = at({ loaded: false });
    assert.equal(messageText(s), 'Listing segments…');
    assert.equal(segmentsState(s), 'loading');
  });

  test('segments listed: the totals, with the system-wide limit when known', () => {
    const s = at({ total: 3, shown: 3, totalBytes: 3 * 1048576 });
    assert.equal(messageText(s), '3 of 4096 segments · 3 MiB');
    assert.equal(totalsText(at({ total: 1, shown: 1, totalBytes: 4096, limits: undefined })), '1 segment · 4 KiB');
    assert.equal(segmentsState(s), 'ok');
  });

  test('a filter says what it shows, also when it hides everything', () => {
    const s = at({ total: 5, shown: 0, filter: { kind: 'inUse', text: '' } });
    assert.equal(messageText(s), 'Showing 0 of 5 segments: in use');
    assert.equal(segmentsState(s), 'filtered');
    assert.equal(segmentsState(at({ total: 0, filter: { kind: 'inUse', text: '' } })), 'empty');
  });

  test('a failed listing gives the reason, before the filter or the totals', () => {
    const s = at({ total: 0, error: 'the agent exited (SIGKILL)', loaded: false });
    assert.equal(messageText(s), 'Could not list segments: the agent exited (SIGKILL)');
    assert.equal(segmentsState(s), 'error');
    const stale = at({ total: 2, shown: 2, totalBytes: 8192, error: 'timed out' });
    assert.equal(messageText(stale), 'Could not list segments: timed out');
    assert.equal(segmentsState(stale), 'ok', 'the last listing is still shown');
  });
});
