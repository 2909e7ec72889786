// Issue #9 in a real VS Code: a workspace's settings cannot make the extension run a program
// (agentCommandPrefix) or write edits at once (writeThrough); root opens another user's segment
// read-only until Open for Writing… (a modal naming the owner) opens it writable. Segments are
// made by this test's own agent or by a process running as nobody, and all are removed in
// after(); the workspace settings file and the marker files are removed in finally.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentClient } from '../../../src/extension/agent/client';
import { type SegmentInfo, identityOf } from '../../../src/protocol/segment';
import type { ShmInspectorApi } from '../../../src/extension/extension';
import type { HexDocument } from '../../../src/extension/hexEditor/document';
import type { HexEditorProvider } from '../../../src/extension/hexEditor/provider';
import { segmentUri } from '../../../src/extension/shmUri';
import { EXTENSION_ID, HEX_EDITOR, OtherSegments, REPO, closeAllEditors, expected, handlerContext, present, sharesVscodeApi, stubWindow, waitFor } from './common';

const NOBODY = 65534;

/** Why `unshare --pid --fork --mount-proc` cannot run here, or undefined. */
function pidNamespaceRefused(): string | undefined {
  try {
    execFileSync('/usr/bin/unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
  }
}

describe('settings that run or write, and root writing other users\' segments (issue #9)', function () {
  this.timeout(90_000);
  let api: ShmInspectorApi;
  let provider: HexEditorProvider;
  const other = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 20000 }); // starts at the first request
  const segs = new OtherSegments(other);
  const made: SegmentInfo[] = [];
  const markerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'security-test-'));

  /** A prefix that leaves a marker file, then runs the agent as usual. */
  const leavingMarker = (marker: string) => ['/bin/sh', '-c', `echo ran > '${marker}'; exec "$@"`, 'sh'];

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    api = (await ext.activate()) as ShmInspectorApi;
    provider = await vscode.commands.executeCommand<HexEditorProvider>('shmInspector._hexEditorApi');
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  after(async () => {
    await segs.destroyAll();
    for (const info of made) await other.request('destroy', { expect: identityOf(info) }).catch(() => undefined);
    other.dispose();
    fs.rmSync(markerDir, { recursive: true, force: true });
  });

  it('a workspace .vscode/settings.json cannot set agentCommandPrefix or writeThrough', async function () {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (!folder) {
      console.warn('SKIPPED: no workspace folder is open: there is no workspace settings file to test');
      this.skip();
    }
    const marker = path.join(markerDir, 'workspace-prefix-ran');
    const dir = path.join(folder.uri.fsPath, '.vscode');
    const file = path.join(dir, 'settings.json');
    const madeDir = !fs.existsSync(dir);
    const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    const hex = () => vscode.workspace.getConfiguration('shmInspector.hexEditor');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify({
      'shmInspector.agentCommandPrefix': leavingMarker(marker),
      'shmInspector.hexEditor.writeThrough': true,
      'shmInspector.hexEditor.grouping': 4, // a window setting: shows that VS Code has read the file
    }, null, 2));
    try {
      await waitFor(() => hex().get('grouping') === 4, 'VS Code to read the workspace settings', 20000);
      const c = vscode.workspace.getConfiguration('shmInspector');
      assert.deepStrictEqual(c.get('agentCommandPrefix'), [], 'the workspace\'s prefix is ignored');
      assert.strictEqual(c.inspect('agentCommandPrefix')?.workspaceValue, undefined, 'not even reported as a workspace value');
      assert.strictEqual(hex().get('writeThrough'), false, 'the workspace\'s write-through is ignored');

      // The agent starts without the prefix, and works.
      const pid = await vscode.commands.executeCommand('shmInspector.restartAgent');
      assert.strictEqual(typeof pid, 'number', 'the agent restarted');
      const info = await segs.make({ size: 4096 });
      assert.ok(await api.segmentsProvider.refresh(), api.segmentsProvider.lastError);
      assert.ok(api.segmentsProvider.info(info.id), 'the restarted agent lists segments');
      assert.strictEqual(fs.existsSync(marker), false, 'the workspace\'s prefix never ran');

      // An edit stays pending until Save: no write-through.
      const uri = segmentUri(info);
      await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR);
      const doc = await waitFor(() => provider.documentFor(uri), 'the document');
      await present(provider.handlersFor(uri), 'the editor').edit({ offset: 0, data: new Uint8Array([expected(0) ^ 0xff]) }, handlerContext);
      assert.strictEqual(doc.isDirty, true, 'the edit is pending');
      assert.strictEqual((await segs.read(info, 0, 1))[0], expected(0), 'nothing written before Save');
      assert.strictEqual(fs.existsSync(marker), false);
    } finally {
      if (previous === undefined) fs.rmSync(file, { force: true });
      else fs.writeFileSync(file, previous);
      if (madeDir) fs.rmSync(dir, { recursive: true, force: true });
      await waitFor(() => hex().get('grouping') !== 4, 'VS Code to drop the workspace settings', 20000).catch(() => undefined);
    }
  });

  it('the user\'s own settings still set both (the marker test can fail)', async () => {
    const marker = path.join(markerDir, 'user-prefix-ran');
    const c = vscode.workspace.getConfiguration('shmInspector');
    const before = api.agent.pid ?? (await api.agent.request('ping', {})).pid;
    try {
      await c.update('agentCommandPrefix', leavingMarker(marker), vscode.ConfigurationTarget.Global);
      await waitFor(() => api.agent.pid !== undefined && api.agent.pid !== before, 'the agent to restart with the user\'s prefix', 20000);
      await api.agent.request('ping', {});
      assert.ok(fs.existsSync(marker), 'the user\'s prefix ran');

      await c.update('hexEditor.writeThrough', true, vscode.ConfigurationTarget.Global);
      const info = await segs.make({ size: 4096 });
      const uri = segmentUri(info);
      await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR);
      await waitFor(() => provider.documentFor(uri), 'the document');
      await present(provider.handlersFor(uri), 'the editor').edit({ offset: 0, data: new Uint8Array([expected(0) ^ 0xff]) }, handlerContext);
      assert.strictEqual((await segs.read(info, 0, 1))[0], expected(0) ^ 0xff, 'written at once');
    } finally {
      const current = api.agent.pid;
      await c.update('hexEditor.writeThrough', undefined, vscode.ConfigurationTarget.Global);
      await c.update('agentCommandPrefix', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(() => api.agent.pid !== current, 'the agent to restart without the prefix', 20000).catch(() => undefined);
    }
  });

  it('an agent in another PID namespace: the tooltip says the creator is not visible; Destroy Stale does not offer it and says why', async function () {
    if (!sharesVscodeApi()) {
      console.warn('SKIPPED: the packaged extension has its own vscode API object: its quick pick cannot be answered');
      this.skip();
    }
    const refused = pidNamespaceRefused();
    if (refused) {
      console.warn(`SKIPPED: the agent cannot start in a new PID namespace: ${refused}`);
      this.skip();
    }
    const info = await segs.make({ size: 4096 }); // nothing attached; its creator (this test's agent) is outside
    const c = vscode.workspace.getConfiguration('shmInspector');
    const before = api.agent.pid ?? (await api.agent.request('ping', {})).pid;
    try {
      // As a container sharing the host's IPC namespace but not its PID namespace sees segments.
      await c.update('agentCommandPrefix', ['/usr/bin/unshare', '--pid', '--fork', '--mount-proc'], vscode.ConfigurationTarget.Global);
      await waitFor(() => api.agent.pid !== undefined && api.agent.pid !== before, 'the agent to restart in a new PID namespace', 20000);
      assert.ok(await api.segmentsProvider.refresh(), api.segmentsProvider.lastError);
      const seen = api.segmentsProvider.info(info.id);
      assert.ok(seen, 'listed');
      assert.deepStrictEqual([seen.cpid, seen.creatorVisible, seen.stale], [0, false, false]);
      const item = api.segmentsProvider.getTreeItem(info.id);
      assert.doesNotMatch(String(item.description), /stale/);
      const tip = ((await api.segmentsProvider.resolveTreeItem(item, info.id)).tooltip as vscode.MarkdownString).value;
      assert.match(tip, /\| Creator pid \| creator not visible from this PID namespace \|/);
      assert.match(tip, /\| Last attach\/detach pid \| (last attacher not visible from this PID namespace|never attached) \|/);

      let offered: (vscode.QuickPickItem & { info: SegmentInfo })[] = [];
      let placeHolder = '';
      const s = stubWindow({
        showQuickPick: (items: (vscode.QuickPickItem & { info: SegmentInfo })[], o: vscode.QuickPickOptions) => { offered = items; placeHolder = o.placeHolder ?? ''; return undefined; },
      });
      try {
        await vscode.commands.executeCommand('shmInspector.destroyStale');
      } finally {
        s.restore();
      }
      assert.ok(!offered.some((i) => i.info.id === info.id), 'not offered');
      // Every segment made outside is unseen from there: none is stale, or only ones made inside.
      const said = offered.length ? placeHolder : String(s.shown.find((x) => x.fn === 'showInformationMessage')?.args[0]);
      assert.match(said, /\d+ segments? with nothing attached (was|were) not offered: (its|their) creator is not visible from this PID namespace, so it may still be running/);
      assert.strictEqual((await other.request('stat', { id: info.id })).id, info.id, 'still there');
    } finally {
      const current = api.agent.pid;
      await c.update('agentCommandPrefix', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(() => api.agent.pid !== current, 'the agent to restart without the prefix', 20000).catch(() => undefined);
    }
  });

  it('root opens nobody\'s segment read-only and says why; Open for Writing… asks, naming the owner, then opens it writable', async function () {
    const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => fs.existsSync(p));
    if (process.geteuid?.() !== 0 || !systemNode || !fs.existsSync('/usr/bin/setpriv')) {
      console.warn('SKIPPED: needs root, setpriv and a system node to make a segment as nobody');
      this.skip();
    }
    if (!sharesVscodeApi()) {
      console.warn('SKIPPED: the packaged extension has its own vscode API object: its modal cannot be answered');
      this.skip();
    }
    // A segment of user nobody, made by a process running as nobody.
    const core = path.join(REPO, 'out', 'src', 'core', 'index.js');
    const id = Number(execFileSync('/usr/bin/setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', systemNode, '-e',
      `process.stdout.write(String(require(${JSON.stringify(core)}).Segment.create(4096, { perms: 0o600 }).id))`], { encoding: 'utf8' }));
    const info = await other.request('stat', { id });
    made.push(info);
    assert.strictEqual(info.uid, NOBODY);
    assert.ok(await api.segmentsProvider.refresh(), api.segmentsProvider.lastError);

    // Opened from the tree: read-only, and the editor says why.
    const readUri = segmentUri(info);
    const opening = stubWindow({});
    let ro: HexDocument;
    try {
      await vscode.commands.executeCommand('shmInspector.openHexEditor', id);
      ro = await waitFor(() => provider.documentFor(readUri), 'the read-only document');
      await waitFor(() => opening.shown.some((x) => x.fn === 'showInformationMessage'), 'the note on opening');
    } finally {
      opening.restore();
    }
    const reason = 'opened read-only: owned by nobody (uid 65534); use Open for Writing… to change it';
    assert.strictEqual(ro.info.readOnly, true, 'root does not write nobody\'s segment by default');
    assert.strictEqual(ro.info.readOnlyReason, reason);
    const note = present(opening.shown.find((x) => x.fn === 'showInformationMessage'), 'the note on opening');
    assert.match(String(note.args[0]), new RegExp(`^Segment private-${id}: opened read-only: owned by nobody`));
    assert.deepStrictEqual(note.args.slice(1), ['Open for Writing…']);
    await assert.rejects(async () => { await present(provider.handlersFor(readUri), 'the read-only editor').edit({ offset: 0, data: new Uint8Array([1]) }, handlerContext); }, /read-only \(opened read-only: owned by nobody/);

    // Declined: nothing else opens.
    const declined = stubWindow({ showWarningMessage: () => undefined });
    try {
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.openForWriting', id), false);
    } finally {
      declined.restore();
    }
    assert.ok(declined.shown.some((x) => x.fn === 'showWarningMessage' && (x.args[1] as vscode.MessageOptions | undefined)?.modal), 'a modal was asked');
    assert.strictEqual(provider.documentFor(segmentUri(info, { write: true })), undefined);

    // From the palette (no argument: the active editor's segment), confirmed.
    const writeUri = segmentUri(info, { write: true });
    const confirmed = stubWindow({ showWarningMessage: (_m: string, o: vscode.MessageOptions | undefined) => (o?.modal ? 'Open for Writing' : undefined) });
    try {
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.openForWriting'), true);
    } finally {
      confirmed.restore();
    }
    const modal = confirmed.shown.find((x) => x.fn === 'showWarningMessage');
    assert.ok(modal, 'the modal');
    assert.strictEqual(modal.args[0], `Open segment private (id ${id}) for writing? It belongs to nobody (uid 65534).`);
    const rw = await waitFor(() => provider.documentFor(writeUri), 'the writable document');
    assert.strictEqual(rw.info.readOnly, false);
    await waitFor(() => provider.documentFor(readUri) === undefined, 'the read-only editor to close in its favour');

    // Its edits reach nobody's segment on Save.
    await present(provider.handlersFor(writeUri), 'the writable editor').edit({ offset: 5, data: new Uint8Array([0x42]) }, handlerContext);
    assert.strictEqual((await segs.read(info, 5, 1))[0], 0, 'pending until Save');
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor(async () => (await segs.read(info, 5, 1))[0] === 0x42, 'the saved byte in nobody\'s segment');
    assert.strictEqual(rw.isDirty, false);
  });
});
