// The Segments view and its commands in a real VS Code. Segments are made by this test's own
// agent (another process, as far as the extension is concerned) with keys 0x5348xxxx, and every
// one is removed in after(). The view is inspected through the extension's exported API
// (activate() returns { segmentsProvider, segmentsView, agent, agentHost }); prompts are answered
// by replacing vscode.window functions for the duration of one call (restored in finally).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentClient } from '../../../src/extension/agent/client';
import { OverlayStore } from '../../../src/ctypes/overlayStore';
import { type SegmentInfo, identityOf } from '../../../src/protocol/segment';
import type { ShmInspectorApi } from '../../../src/extension/extension';
import type { DetailNode, TreeNode } from '../../../src/extension/segments/provider';
import { EXTENSION_ID, REPO, present, sleep, stubWindow, waitFor } from './common';

/** The items Filter and Sort offer (src/extension/commands/viewOptions.ts), as far as these tests read them. */
type ViewPick = vscode.QuickPickItem & { action?: { kind: string } | 'text' | 'clear'; key?: string };
const filterKind = (i: ViewPick) => (typeof i.action === 'object' ? i.action.kind : undefined);

describe('segments view', function () {
  this.timeout(60_000);
  let api: ShmInspectorApi;
  // "Another process": this test's own agent (it starts at the first request).
  const other = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 20000 });
  const made: SegmentInfo[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'segments-test-'));
  let sameApi = false;

  const provider = () => api.segmentsProvider;
  const view = () => api.segmentsView;

  async function makeSegment(options: { size?: number; perms?: number; key?: number | 'private' } = {}, client = other): Promise<SegmentInfo> {
    let info: SegmentInfo | undefined;
    for (let i = 0; !info; i++) {
      try {
        const key = options.key === 'private' ? undefined : options.key ?? (0x53480000 | (1 + Math.floor(Math.random() * 0xfffe))) >>> 0;
        info = await client.request('create', { size: options.size ?? 8192, key, perms: options.perms ?? 0o600, exclusive: true });
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST' || i > 50) throw err;
      }
    }
    made.push(info);
    return info;
  }

  async function exists(info: SegmentInfo): Promise<boolean> {
    try {
      const now = await other.request('stat', { id: info.id });
      return now.key === info.key && now.cpid === info.cpid && !now.dest;
    } catch {
      return false;
    }
  }

  function needStubs(ctx: Mocha.Context): void {
    if (!sameApi) ctx.skip(); // the packaged extension (--vsix) has its own vscode API object
  }

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    const exported = (await ext.activate()) as Partial<ShmInspectorApi> | undefined;
    assert.ok(exported?.segmentsProvider && exported.segmentsView && exported.agent, 'activate() returns the test API');
    api = exported as ShmInspectorApi;
    sameApi = __dirname.startsWith(ext.extensionPath + path.sep);
    await vscode.commands.executeCommand('workbench.view.extension.shmInspector');
  });

  after(async () => {
    for (const info of made) await other.request('destroy', { expect: identityOf(info) }).catch(() => undefined);
    other.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('registers the commands it contributes', async () => {
    const ext = present(vscode.extensions.getExtension(EXTENSION_ID), `extension ${EXTENSION_ID}`);
    const pkg = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const contributed = pkg.contributes.commands.map((c) => c.command).filter((c) => c !== 'shmInspector.goToOffset');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepStrictEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
  });

  it('lists the segments this test creates: label, description, icon, tooltip, contextValue', async () => {
    const a = await makeSegment({ size: 64 * 1024 });
    const b = await makeSegment({ key: 'private', size: 3 * 1024 * 1024 });
    assert.ok(await provider().refresh(), provider().lastError);
    const roots = await provider().getChildren();
    assert.ok(roots.includes(a.id) && roots.includes(b.id), 'both rows are listed');

    const ia = provider().getTreeItem(a.id);
    assert.strictEqual(ia.label, a.keyHex);
    assert.strictEqual(ia.id, `seg-${a.id}`);
    assert.strictEqual(ia.description, `id ${a.id} · 64 KiB · 0 attached`);
    assert.strictEqual(ia.contextValue, process.getuid?.() === a.uid ? 'segment.mine' : 'segment');
    assert.ok(ia.iconPath instanceof vscode.ThemeIcon, 'a theme icon');
    assert.strictEqual(ia.collapsibleState, vscode.TreeItemCollapsibleState.None, 'nothing attached: nothing to expand');
    assert.deepStrictEqual(ia.command?.arguments, [a.id]);
    const tip = await provider().resolveTreeItem(ia, a.id);
    const md = (tip.tooltip as vscode.MarkdownString).value;
    for (const field of ['Key', 'Id', 'Owner', 'Creator', 'Permissions', 'Size', 'Attached', 'Creator pid', 'Last attach', 'Last detach', 'Last change', 'Resident', 'Swapped', 'Status']) {
      assert.ok(md.includes(`| ${field.replace(/[/]/g, '/')} |`) || md.includes(`| ${field} |`), `tooltip has ${field}`);
    }
    assert.ok(md.includes('65,536 bytes \\(64 KiB\\)'), 'size in bytes and human units');

    const ib = provider().getTreeItem(b.id);
    assert.strictEqual(ib.label, 'private');
    assert.match(String(ib.description), /· 3 MiB ·/);

    assert.match(view().treeView.description ?? '', /^\d+ of \d+ segments · \S+ \S+$/, 'totals vs limits');
  });

  it('a row\'s tooltip ends with the first fields of the C type remembered for it, read from the segment', async () => {
    const a = await makeSegment({ size: 4096 });
    const bytes = Buffer.alloc(40);
    bytes.writeUInt32LE(0x53484d31, 0);
    bytes.writeInt32LE(4242, 4);
    bytes.write('producer', 8, 'latin1');
    const { handle } = await other.request('open', { id: a.id, expect: identityOf(a) });
    try {
      await other.request('write', { handle, offset: 0x40, data: bytes });
    } finally {
      await other.request('close', { handle });
    }
    const header = path.join(tmp, 'state.h');
    fs.writeFileSync(header, '#include <stdint.h>\nstruct shared_state { uint32_t magic; int32_t pid; char name[16]; uint64_t counter; };\n');
    // The store in a temp file, not the user's: the tooltip's source reads the store it is given.
    const summaries = present(provider().overlayLines, 'the tooltip\'s C type source');
    const saved = summaries.store;
    const store = new OverlayStore(path.join(tmp, 'overlays.json'));
    summaries.store = store;
    try {
      await store.add({ key: a.key, id: a.id, ctime: a.ctime }, { header, typeName: 'struct shared_state', offset: 0x40, count: 1, abi: 'x86_64' });
      assert.ok(await provider().refresh(), provider().lastError);
      const tip = async () => ((await provider().resolveTreeItem(provider().getTreeItem(a.id), a.id)).tooltip as vscode.MarkdownString).value;
      const md = await tip();
      assert.ok(md.includes('| C type | struct shared\\_state @ 0x40 \\(state\\.h\\): magic = 0x53484d31, pid = 4242, name = "producer", counter = 0 |'), md);
      // A header that no longer parses: one line in the tooltip, no exception.
      fs.writeFileSync(header, 'struct shared_state { int magic\n');
      await waitFor(async () => /\| C type \| .*cannot lay out the type: .*state\\\.h/.test(await tip()), 'the tooltip to say the header does not parse', 10000);
      assert.ok((await tip()).includes('| Key |'), 'the other rows are still there');
    } finally {
      summaries.store = saved;
    }
  });

  it('a refresh fires only for the rows that changed; the root only when the set changes', async () => {
    const a = await makeSegment();
    const b = await makeSegment();
    assert.ok(await provider().refresh());
    // Other work on this machine may create or remove segments at any time: retry until a
    // refresh where the set of ids stayed the same.
    let checked = false;
    for (let attempt = 0; attempt < 5 && !checked; attempt++) {
      const before = provider().segments().map((s) => s.id).join(',');
      const events: (TreeNode | TreeNode[] | undefined)[] = [];
      const sub = provider().onDidChangeTreeData((e) => events.push(e));
      const { handle } = await other.request('open', { id: a.id, expect: identityOf(a) }); // nattch 0 -> 1
      try {
        assert.ok(await provider().refresh());
      } finally {
        sub.dispose();
        await other.request('close', { handle });
      }
      const after = provider().segments().map((s) => s.id).join(',');
      if (before !== after) continue;
      checked = true;
      assert.ok(events.length > 0, 'an event fired');
      assert.ok(!events.includes(undefined), `no whole-tree refresh when only rows changed (events: ${JSON.stringify(events)})`);
      const rows = events.flatMap((e) => (Array.isArray(e) ? e : [e]));
      assert.ok(rows.includes(a.id), 'the attached row changed');
      assert.ok(!rows.includes(b.id), 'the untouched row did not');
    }
    assert.ok(checked, 'the set of segments kept changing under the test');

    const events: unknown[] = [];
    const sub = provider().onDidChangeTreeData((e) => events.push(e));
    try {
      await makeSegment();
      assert.ok(await provider().refresh());
    } finally {
      sub.dispose();
    }
    assert.ok(events.includes(undefined), 'a new segment refreshes the root');
  });

  it('expanding a segment lists its attached processes', async () => {
    const a = await makeSegment();
    const { handle } = await other.request('open', { id: a.id, readOnly: true, expect: identityOf(a) });
    try {
      assert.ok(await provider().refresh());
      const item = provider().getTreeItem(a.id);
      assert.strictEqual(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
      const children = (await provider().getChildren(a.id)) as DetailNode[];
      const otherPid = (await other.request('ping', {})).pid;
      const mine = children.find((c) => c.kind === 'attachment' && c.attachment?.pid === otherPid);
      assert.ok(mine, `the test agent (pid ${otherPid}) is listed: ${JSON.stringify(children)}`);
      const row = provider().getTreeItem(mine);
      assert.strictEqual(row.label, `${otherPid} ${present(mine.attachment, 'its attachment').command}`);
      assert.strictEqual(row.description, 'ro');
      assert.strictEqual(provider().getParent(mine), a.id);
    } finally {
      await other.request('close', { handle });
    }
    provider().setExpanded(a.id, false);
  });

  it('filters (all / mine / in use / stale / text) and sorts, and says so in the view', async function () {
    needStubs(this);
    const a = await makeSegment({ size: 12288 });
    const b = await makeSegment({ size: 4096 });
    const { handle } = await other.request('open', { id: b.id, expect: identityOf(b) });
    const pick = (match: (item: ViewPick) => boolean) => stubWindow({ showQuickPick: (items: ViewPick[]) => items.find(match) });
    try {
      assert.ok(await provider().refresh());
      let s = pick((i) => filterKind(i) === 'inUse');
      try { await vscode.commands.executeCommand('shmInspector.filter'); } finally { s.restore(); }
      assert.ok(provider().visibleIds().includes(b.id) && !provider().visibleIds().includes(a.id), 'in use: b only');
      assert.match(view().treeView.message ?? '', /^Showing \d+ of \d+ segments: in use$/);

      s = stubWindow({ showQuickPick: (items: ViewPick[]) => items.find((i) => i.action === 'text'), showInputBox: () => a.keyHex.toUpperCase() });
      try { await vscode.commands.executeCommand('shmInspector.filter'); } finally { s.restore(); }
      assert.deepStrictEqual([...provider().visibleIds()], [], 'in use AND key of a (not in use): nothing');

      let offered: ViewPick[] = [];
      s = stubWindow({ showQuickPick: (items: ViewPick[]) => { offered = items; return items.find((i) => filterKind(i) === 'all'); } });
      try { await vscode.commands.executeCommand('shmInspector.filter'); } finally { s.restore(); }
      assert.deepStrictEqual([...provider().visibleIds()], [a.id], 'text filter on the key');
      assert.strictEqual(offered.find((i) => filterKind(i) === 'all')?.description, `and matching "${a.keyHex.toUpperCase()}"`, 'the kinds say the text filter stays');

      s = pick((i) => filterKind(i) === 'mine');
      try { await vscode.commands.executeCommand('shmInspector.filter'); } finally { s.restore(); }
      assert.strictEqual(provider().filter.kind, 'mine');

      s = pick((i) => i.action === 'clear');
      try { await vscode.commands.executeCommand('shmInspector.filter'); } finally { s.restore(); }
      assert.deepStrictEqual(provider().filter, { kind: 'all', text: '' });
      assert.match(view().treeView.message ?? '', /^\d+ of \d+ segments · /, 'unfiltered: the totals');

      s = pick((i) => i.key === 'size');
      try { await vscode.commands.executeCommand('shmInspector.sort'); } finally { s.restore(); }
      assert.deepStrictEqual(provider().sort, { key: 'size', descending: true });
      const ids = provider().visibleIds();
      const sizes = ids.map((id) => present(provider().info(id), `row ${id}`).size);
      assert.deepStrictEqual(sizes, [...sizes].sort((x, y) => y - x), 'largest first');
      assert.ok(ids.indexOf(a.id) < ids.indexOf(b.id));
    } finally {
      provider().setFilter({ kind: 'all', text: '' });
      provider().setSort({ key: 'id', descending: false });
      await other.request('close', { handle });
    }
  });

  it('Create Segment… asks size, key, permissions and flags, validates, then selects the new row', async function () {
    needStubs(this);
    const key = (0x53480000 | (1 + Math.floor(Math.random() * 0xfffe))) >>> 0;
    const answers = ['64K', `0x${key.toString(16)}`, '0640'];
    const validations: (string | undefined)[] = [];
    const s = stubWindow({
      showInputBox: (opts: vscode.InputBoxOptions) => {
        const i = s.shown.filter((x) => x.fn === 'showInputBox').length - 1;
        if (i === 0) validations.push(opts.validateInput?.('12 parsecs') as string | undefined, opts.validateInput?.('1MiB') as string | undefined);
        if (i === 1) validations.push(opts.validateInput?.('0xnothex') as string | undefined);
        if (i === 2) validations.push(opts.validateInput?.('0999') as string | undefined);
        return answers[i];
      },
      showQuickPick: (items: (vscode.QuickPickItem & { flag: string })[], opts: vscode.QuickPickOptions) => {
        assert.ok(opts.canPickMany, 'flags are a multi-select');
        assert.deepStrictEqual(items.map((i) => i.flag), ['exclusive', 'hugePages', 'noReserve']);
        return items.filter((i) => i.picked);
      },
    });
    let info: SegmentInfo | undefined;
    try {
      info = await vscode.commands.executeCommand<SegmentInfo | undefined>('shmInspector.create');
    } finally {
      s.restore();
    }
    assert.ok(info, `created (messages: ${JSON.stringify(s.shown.filter((x) => x.fn !== 'showInputBox' && x.fn !== 'showQuickPick'))})`);
    made.push(info);
    assert.strictEqual(info.size, 65536);
    assert.strictEqual(info.key, key);
    assert.strictEqual(info.mode & 0o777, 0o640);
    assert.match(validations[0] ?? '', /unknown unit|not a size/);
    assert.strictEqual(validations[1], undefined, '1MiB is fine');
    assert.match(validations[2] ?? '', /not a key/);
    assert.match(validations[3] ?? '', /not an octal mode/);
    assert.ok(provider().info(info.id), 'refreshed into the view');
    await waitFor(() => view().treeView.selection.includes(info.id), 'the new row to be selected');
  });

  it('Destroy asks a modal confirmation naming the segment and removes it', async function () {
    needStubs(this);
    const a = await makeSegment();
    const { handle } = await other.request('open', { id: a.id, expect: identityOf(a) });
    assert.ok(await provider().refresh());
    const s = stubWindow({ showWarningMessage: (_m: string, o: vscode.MessageOptions | undefined) => (o?.modal ? 'Destroy' : undefined) });
    try {
      await vscode.commands.executeCommand('shmInspector.destroy', a.id, [a.id]);
    } finally {
      s.restore();
      await other.request('close', { handle });
    }
    const modal = s.shown.find((x) => x.fn === 'showWarningMessage' && (x.args[1] as vscode.MessageOptions | undefined)?.modal);
    assert.ok(modal, 'a modal confirmation');
    assert.strictEqual(modal.args[0], `Destroy segment ${a.keyHex} (id ${a.id})?`);
    assert.match((modal.args[1] as vscode.MessageOptions).detail ?? '', /8 KiB, owned by .*1 process is still attached: removal is deferred until the last process detaches/s);
    assert.deepStrictEqual(modal.args.slice(2), ['Destroy']);
    assert.strictEqual(await exists(a), false, 'removed (it was deferred until the close)');
    assert.ok(await provider().refresh());
    assert.ok(!provider().visibleIds().includes(a.id), 'gone from the view');
    assert.ok(s.shown.some((x) => x.fn === 'showInformationMessage' && /Destroyed segment .*removal deferred/.test(String(x.args[0]))), 'says it was deferred');
  });

  it('Destroy on a segment already marked for destruction says that it changes nothing', async function () {
    needStubs(this);
    const a = await makeSegment();
    const { handle } = await other.request('open', { id: a.id, expect: identityOf(a) });
    try {
      assert.deepStrictEqual(await other.request('destroy', { expect: identityOf(a) }), { deferred: true });
      assert.ok(await provider().refresh());
      assert.strictEqual(provider().info(a.id)?.dest, true);
      const s = stubWindow({ showWarningMessage: () => undefined });
      try {
        await vscode.commands.executeCommand('shmInspector.destroy', a.id, [a.id]);
      } finally {
        s.restore();
      }
      const modal = s.shown.find((x) => x.fn === 'showWarningMessage' && (x.args[1] as vscode.MessageOptions | undefined)?.modal);
      assert.ok(modal, 'a modal confirmation');
      const detail = (modal.args[1] as vscode.MessageOptions).detail ?? '';
      assert.match(detail, /already marked for destruction and 1 process is still attached: it disappears when the last one detaches\. Destroying it again changes nothing\./);
      assert.doesNotMatch(detail, /removal is deferred/, 'not the warning for a segment in use');
    } finally {
      await other.request('close', { handle });
    }
  });

  it('Destroy does nothing when the confirmation is dismissed', async function () {
    needStubs(this);
    const a = await makeSegment();
    assert.ok(await provider().refresh());
    const s = stubWindow({ showWarningMessage: () => undefined });
    try {
      await vscode.commands.executeCommand('shmInspector.destroy', a.id, [a.id]);
    } finally {
      s.restore();
    }
    assert.strictEqual(await exists(a), true);
  });

  it('destroys a multi-selection after one confirmation', async function () {
    needStubs(this);
    const a = await makeSegment();
    const b = await makeSegment();
    assert.ok(await provider().refresh());
    const s = stubWindow({ showWarningMessage: (_m: string, o: vscode.MessageOptions | undefined) => (o?.modal ? 'Destroy' : undefined) });
    try {
      await vscode.commands.executeCommand('shmInspector.destroy', b.id, [a.id, b.id]);
    } finally {
      s.restore();
    }
    const modals = s.shown.filter((x) => x.fn === 'showWarningMessage');
    assert.strictEqual(modals.length, 1);
    assert.strictEqual(modals[0].args[0], 'Destroy 2 segments?');
    const detail = (modals[0].args[1] as vscode.MessageOptions).detail ?? '';
    assert.ok(detail.includes(`${a.keyHex} (id ${a.id}`) && detail.includes(`${b.keyHex} (id ${b.id}`), detail);
    assert.strictEqual(await exists(a), false);
    assert.strictEqual(await exists(b), false);
    assert.ok(s.shown.some((x) => x.fn === 'showInformationMessage' && x.args[0] === 'Destroyed 2 segments.'));
  });

  it('the id-reuse guard refuses a segment that changed since it was listed', async function () {
    needStubs(this);
    const a = await makeSegment();
    assert.ok(await provider().refresh());
    const listed = present(provider().info(a.id), 'its row');
    // What the user acted on no longer matches the id (as after removal and id reuse).
    const staleView: SegmentInfo = { ...listed, cpid: listed.cpid + 1, size: listed.size * 2 };
    const s = stubWindow({ showWarningMessage: (_m: string, o: vscode.MessageOptions | undefined) => (o?.modal ? 'Destroy' : undefined) });
    try {
      await vscode.commands.executeCommand('shmInspector.destroy', staleView);
    } finally {
      s.restore();
    }
    assert.strictEqual(await exists(a), true, 'nothing was removed');
    const error = s.shown.find((x) => x.fn === 'showErrorMessage');
    assert.ok(error, 'an error notification');
    assert.match(String(error.args[0]), /^Nothing was removed: .*another segment/);
  });

  it('Destroy Stale Segments… offers the orphaned ones (all pre-picked), confirms once, summarizes', async function () {
    needStubs(this);
    // A creator that exits: a second agent creates, then goes away.
    const gone = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 20000 });
    const pid = (await gone.request('ping', {})).pid;
    const s1 = await makeSegment({}, gone);
    const s2 = await makeSegment({ key: 'private' }, gone);
    gone.dispose();
    await waitFor(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 'the creator to exit');
    const live = await makeSegment(); // creator alive: not stale
    // Marked for destruction and still attached (as MIT-SHM segments are): not stale either.
    const marked = await makeSegment();
    const { handle: markedHandle } = await other.request('open', { id: marked.id, expect: identityOf(marked) });
    await other.request('destroy', { expect: identityOf(marked) });

    let offered: (vscode.QuickPickItem & { info: SegmentInfo })[] = [];
    const s = stubWindow({
      // Only ours: other stale segments on this machine belong to someone else's work.
      showQuickPick: (items: (vscode.QuickPickItem & { info: SegmentInfo })[]) => {
        offered = items;
        return items.filter((i) => i.info.id === s1.id || i.info.id === s2.id);
      },
      showWarningMessage: (_m: string, o: vscode.MessageOptions | undefined) => (o?.modal ? 'Destroy' : undefined),
    });
    try {
      await vscode.commands.executeCommand('shmInspector.destroyStale');
    } finally {
      s.restore();
      await other.request('close', { handle: markedHandle });
    }
    const ids = offered.map((i) => i.info.id);
    assert.ok(!ids.includes(marked.id), 'a segment marked for destruction, still attached, is not offered');
    assert.ok(ids.includes(s1.id) && ids.includes(s2.id), 'orphaned segments offered');
    assert.ok(!ids.includes(live.id), 'a segment with a live creator is not');
    assert.ok(offered.every((i) => i.picked), 'all pre-picked');
    const s1Item = present(offered.find((i) => i.info.id === s1.id), 'the item for s1');
    assert.ok(s1Item.detail?.includes('has exited'), s1Item.detail);
    assert.strictEqual(s.shown.filter((x) => x.fn === 'showWarningMessage').length, 1, 'one confirmation');
    assert.strictEqual(await exists(s1), false);
    assert.strictEqual(await exists(s2), false);
    assert.strictEqual(await exists(live), true);
    assert.ok(s.shown.some((x) => x.fn === 'showInformationMessage' && x.args[0] === 'Destroyed 2 stale segments.'), JSON.stringify(s.shown.map((x) => x.args[0])));
  });

  it('a refused removal names the owner (agent run through agentCommandPrefix without capabilities)', async function () {
    needStubs(this);
    const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => fs.existsSync(p));
    const nobody = 65534;
    if (!systemNode || !fs.existsSync('/usr/bin/setpriv') || process.getuid?.() !== 0) this.skip();
    // A segment of user nobody, made by a process running as nobody.
    const core = path.join(REPO, 'out', 'src', 'core', 'index.js');
    const id = Number(execFileSync('/usr/bin/setpriv', [`--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', systemNode, '-e',
      `process.stdout.write(String(require(${JSON.stringify(core)}).Segment.create(4096, { perms: 0o600 }).id))`], { encoding: 'utf8' }));
    const info = await other.request('stat', { id });
    made.push(info);
    assert.strictEqual(info.uid, nobody);
    assert.ok(await provider().refresh(), provider().lastError);
    assert.strictEqual(provider().getTreeItem(id).description, `id ${id} · 4 KiB · 0 attached · stale · owner nobody`, 'another user\'s segment names its owner in the row (its creator has exited: stale)');

    const config = vscode.workspace.getConfiguration('shmInspector');
    const before = api.agent.pid ?? (await api.agent.request('ping', {})).pid;
    try {
      // The agent as root without any capability: it may list, but not remove others' segments.
      await config.update('agentCommandPrefix', ['/usr/bin/setpriv', '--bounding-set=-all', '--'], vscode.ConfigurationTarget.Global);
      await waitFor(() => api.agent.pid !== before, 'the agent to restart with the new prefix');
      assert.ok(await provider().refresh(), provider().lastError);
      assert.ok(provider().info(id), 'listed');
      const s = stubWindow({ showWarningMessage: (_m: string, o: vscode.MessageOptions | undefined) => (o?.modal ? 'Destroy' : undefined) });
      try {
        await vscode.commands.executeCommand('shmInspector.destroy', id);
      } finally {
        s.restore();
      }
      const error = s.shown.find((x) => x.fn === 'showErrorMessage');
      assert.ok(error, `an error notification (shown: ${JSON.stringify(s.shown.map((x) => x.args[0]))})`);
      assert.match(String(error.args[0]), new RegExp(`^Could not destroy segment private \\(id ${id}\\): permission denied: segment ${id} belongs to (user \\S+ \\(uid ${nobody}\\)|uid ${nobody}), permissions rw-------$`));
      assert.strictEqual((await other.request('stat', { id })).id, id, 'still there');
    } finally {
      const current = api.agent.pid;
      await config.update('agentCommandPrefix', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(() => api.agent.pid !== current, 'the agent to restart without the prefix').catch(() => undefined);
    }
  });

  it('Dump to File… writes the segment to the chosen file', async function () {
    needStubs(this);
    const a = await makeSegment({ size: 3 * 65536 + 17 });
    const data = new Uint8Array(a.size);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    const { handle } = await other.request('open', { id: a.id, expect: identityOf(a) });
    await other.request('write', { handle, offset: 0, data });
    await other.request('close', { handle });
    assert.ok(await provider().refresh());
    const target = path.join(tmp, 'dump.bin');
    const s = stubWindow({ showSaveDialog: () => vscode.Uri.file(target) });
    try {
      await vscode.commands.executeCommand('shmInspector.dump', a.id);
    } finally {
      s.restore();
    }
    assert.ok(fs.existsSync(target), `dumped (messages: ${JSON.stringify(s.shown.map((x) => x.args[0]))})`);
    assert.ok(Buffer.from(data).equals(fs.readFileSync(target)), 'same bytes');
    assert.ok(s.shown.some((x) => x.fn === 'showInformationMessage' && String(x.args[0]).startsWith('Dumped')));
    assert.strictEqual((await other.request('stat', { id: a.id })).nattch, 0, 'the dump detached again');
  });

  it('Show Details opens a read-only document with every field and the attachments', async () => {
    const a = await makeSegment();
    const { handle } = await other.request('open', { id: a.id, expect: identityOf(a) });
    try {
      assert.ok(await provider().refresh());
      const docs = present(await vscode.commands.executeCommand<vscode.TextDocument[] | undefined>('shmInspector.showDetails', a.id), 'the details documents');
      assert.strictEqual(docs.length, 1);
      const text = docs[0].getText();
      assert.ok(text.startsWith(`# Segment ${a.keyHex} (id ${a.id})`), text.slice(0, 80));
      for (const f of ['Owner', 'Creator pid', 'Last change', 'Resident', 'Status']) assert.ok(text.includes(`| ${f} |`), `has ${f}`);
      const otherPid = (await other.request('ping', {})).pid;
      assert.match(text, new RegExp(`## Attached processes \\(1\\)[\\s\\S]*\\| ${otherPid} \\|`));
      assert.strictEqual(docs[0].languageId, 'markdown');
      assert.strictEqual(docs[0].uri.scheme, 'shm-details');
    } finally {
      await other.request('close', { handle });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('Copy Id and Copy Key put them on the clipboard', async function () {
    const a = await makeSegment();
    assert.ok(await provider().refresh());
    const id = await vscode.commands.executeCommand('shmInspector.copyId', a.id);
    const key = await vscode.commands.executeCommand('shmInspector.copyKey', a.id);
    assert.strictEqual(id, String(a.id));
    assert.strictEqual(key, a.keyHex);
    const clip = await Promise.race([Promise.resolve(vscode.env.clipboard.readText()).catch(() => undefined), sleep(3000).then(() => undefined)]);
    if (clip === undefined || clip === '') this.skip(); // headless browsers may not expose a clipboard
    assert.strictEqual(clip, a.keyHex);
  });

  it('opens a segment in the hex editor on click', async () => {
    const a = await makeSegment();
    assert.ok(await provider().refresh());
    const item = provider().getTreeItem(a.id);
    const click = present(item.command, 'the row\'s click command');
    await vscode.commands.executeCommand(click.command, ...((click.arguments ?? []) as unknown[]));
    const tab = await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab, 'an editor tab');
    const input = tab.input as vscode.TabInputCustom;
    assert.ok(input instanceof vscode.TabInputCustom, `a custom editor tab (${tab.label})`);
    assert.strictEqual(input.viewType, 'shmInspector.hexEditor');
    assert.strictEqual(input.uri.scheme, 'shm');
    assert.strictEqual(input.uri.path.split('/')[1], String(a.id));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('refreshes automatically while visible, follows the interval setting, stops when hidden', async () => {
    const config = vscode.workspace.getConfiguration('shmInspector');
    const scheduler = view().scheduler;
    try {
      await vscode.commands.executeCommand('workbench.view.extension.shmInspector');
      await waitFor(() => view().treeView.visible, 'the view to be visible');
      await waitFor(() => scheduler.armed, 'the refresh timer');
      let refreshes = 0;
      const sub = provider().onDidUpdate(() => refreshes++);
      await config.update('refreshInterval', 300, vscode.ConfigurationTarget.Global);
      // Three refreshes at 300 ms, however long a loaded machine takes (a guard 10x looser).
      await waitFor(() => refreshes >= 3, 'three automatic refreshes at 300 ms', 15_000);
      sub.dispose();
      await config.update('refreshInterval', 0, vscode.ConfigurationTarget.Global);
      await waitFor(() => !scheduler.armed, 'no timer with interval 0');
      await config.update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(() => scheduler.armed, 'the timer again with the default');
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor(() => !view().treeView.visible, 'the view to be hidden');
      assert.strictEqual(scheduler.armed, false, 'no timer while hidden');
    } finally {
      await config.update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.view.extension.shmInspector');
    }
  });

  it('survives the agent being killed: a warning names the cause, the next refresh lists again', async () => {
    const a = await makeSegment();
    assert.ok(await provider().refresh());
    const pid = api.agent.pid;
    assert.ok(pid, 'the agent runs');
    const crashes: string[] = [];
    const sub = api.agentHost.onDidCrash((e) => crashes.push(e.message));
    const s = sameApi ? stubWindow({}) : undefined;
    try {
      process.kill(pid, 'SIGKILL');
      await waitFor(() => crashes.length > 0, 'the crash to be noticed');
      assert.match(crashes[0], /killed by SIGKILL/);
      if (s && s.shown.length) assert.match(String(s.shown[0].args[0]), /killed by SIGKILL.*restarts/);
      assert.ok(await provider().refresh(), provider().lastError);
      assert.ok(provider().info(a.id), 'the view lists again');
      assert.ok(api.agent.pid && api.agent.pid !== pid, 'a new agent');
    } finally {
      sub.dispose();
      s?.restore();
    }
  });

  it('Restart Agent starts a new agent without a crash warning', async () => {
    await provider().refresh();
    const before = api.agent.pid;
    const crashes: string[] = [];
    const sub = api.agentHost.onDidCrash((e) => crashes.push(e.message));
    try {
      const pid = await vscode.commands.executeCommand<number>('shmInspector.restartAgent');
      assert.ok(pid && pid !== before, `new pid ${pid} (was ${before})`);
      assert.strictEqual(api.agent.pid, pid);
      assert.deepStrictEqual(crashes, []);
    } finally {
      sub.dispose();
    }
  });
});
