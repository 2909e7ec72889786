// The hex editor in a real VS Code: segments made by this test's own agent (another process
// as far as the editor is concerned), opened with vscode.openWith, driven through the same
// request handlers the webview uses, saved with VS Code's commands, checked with the agent.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentClient } from '../../../src/extension/agent/client';
import type { SegmentInfo } from '../../../src/protocol/segment';
import { identityOf } from '../../../src/protocol/segment';
import type { Handlers } from '../../../src/protocol/rpc';
import type { WebviewToHost } from '../../../src/protocol/webview';
import type { HexDocument } from '../../../src/extension/hexEditor/document';
import type { HexEditorProvider } from '../../../src/extension/hexEditor/provider';
import { encodeBackup } from '../../../src/extension/hexEditor/backup';
import { segmentLabel, segmentUri } from '../../../src/extension/shmUri';
import { EXTENSION_ID, HEX_EDITOR, OtherSegments, closeAllEditors, REPO, expected, handlerContext, present, waitFor } from './common';

const SIZE = 64 * 1024;

const ctx = handlerContext;



describe('hex editor', function () {
  this.timeout(60_000);
  // "Another process": this test's own agent (it starts at the first request).
  const other = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 20000 });
  let provider: HexEditorProvider;
  let extensionAgentPid: () => number | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hex-editor-test-'));

  const segs = new OtherSegments(other);
  const makeSegment = (perms = 0o600) => segs.make({ size: SIZE, perms });
  const otherWrite = (info: SegmentInfo, offset: number, data: Uint8Array) => segs.write(info, offset, data);
  const otherRead = async (info: SegmentInfo, offset: number, length: number) => Array.from(await segs.read(info, offset, length));

  async function open(info: SegmentInfo, options: { readOnly?: boolean } = {}): Promise<{ uri: vscode.Uri; doc: HexDocument; h: Handlers<WebviewToHost> }> {
    const uri = segmentUri(info, options);
    await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR);
    const doc = await waitFor(() => provider.documentFor(uri), `the document of ${uri.toString()}`);
    await waitFor(() => provider.editorCount(doc) > 0, 'the editor');
    const h = present(provider.handlersFor(uri), 'the editor\'s handlers');
    return { uri, doc, h };
  }

  /** The active tab's dirty flag as the workbench shows it (after it has taken our edit events). */
  const tabDirty = (dirty: boolean) =>
    waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.isDirty === dirty, `the tab to be ${dirty ? 'dirty' : 'clean'}`);

  const byte = async (h: Handlers<WebviewToHost>, offset: number) => (await h.read({ offset, length: 1 }, ctx)).data[0];

  /** Answer the next modal warning(s) with `answer`. Stubs vscode.window when the extension shares our API object. */
  function answerWarnings(answer: string | undefined): { asked: string[]; restore(): void } {
    const asked: string[] = [];
    const ext = present(vscode.extensions.getExtension(EXTENSION_ID), `extension ${EXTENSION_ID}`);
    const sameApi = __dirname.startsWith(ext.extensionPath + path.sep);
    if (sameApi) {
      const win = vscode.window as { showWarningMessage: unknown };
      const original = win.showWarningMessage;
      win.showWarningMessage = (message: string) => { asked.push(message); return Promise.resolve(answer); };
      if (win.showWarningMessage !== original) return { asked, restore: () => { win.showWarningMessage = original; } };
    }
    // The packaged extension runs with its own API object: script the provider's prompts.
    const original = provider.prompts;
    provider.prompts = {
      conflict: (_d, _c, text) => {
        asked.push(text.message);
        return Promise.resolve(answer === 'Overwrite' ? 'overwrite' : answer === 'Reload Those Bytes' ? 'reload' : undefined);
      },
      saveGone: (_d, message) => { asked.push(message); return Promise.resolve(); },
    };
    return { asked, restore: () => { provider.prompts = original; } };
  }

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    const api = (await ext.activate()) as { agent?: { pid?: number } } | undefined;
    extensionAgentPid = () => api?.agent?.pid;
    const hexApi = await vscode.commands.executeCommand<Partial<HexEditorProvider> | undefined>('shmInspector._hexEditorApi');
    assert.ok(typeof hexApi?.documentFor === 'function', 'the hex editor test API is registered');
    provider = hexApi as HexEditorProvider;
    // VS Code in a browser auto-saves after a delay by default: these tests save explicitly.
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
    await segs.destroyAll();
    other.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('opens with vscode.openWith: the tab shows key and id, reads come from the live segment', async () => {
    const info = await makeSegment();
    const { h } = await open(info);
    const tab = present(vscode.window.tabGroups.activeTabGroup.activeTab, 'the active tab');
    assert.strictEqual(tab.label, segmentLabel(info));
    assert.ok(tab.input instanceof vscode.TabInputCustom && tab.input.viewType === HEX_EDITOR);
    const ready = await h.ready({}, ctx);
    assert.deepStrictEqual([ready.doc.id, ready.doc.key, ready.doc.size, ready.doc.readOnly], [info.id, info.key, SIZE, false]);
    const { via, ...state } = ready.state;
    assert.deepStrictEqual(state, { dirty: false, gone: false, dest: false, message: undefined });
    assert.ok(via === undefined || via.kind === 'attachment', `our own segment is read through an attachment: ${JSON.stringify(via)}`);
    const start = await h.read({ offset: 0, length: 16 }, ctx);
    assert.ok(start.data instanceof Uint8Array);
    assert.deepStrictEqual(Array.from(start.data), Array.from({ length: 16 }, (_, i) => expected(i)));
    const end = await h.read({ offset: SIZE - 4, length: 4 }, ctx);
    assert.deepStrictEqual(Array.from(end.data), [0, 1, 2, 3].map((i) => expected(SIZE - 4 + i)));
    // Live: another process's write shows at the next read.
    await otherWrite(info, 100, new Uint8Array([0xab]));
    assert.strictEqual(await byte(h, 100), 0xab);
    // Invalid requests are refused with a reason.
    await assert.rejects(Promise.resolve(h.read({ offset: SIZE - 1, length: 2 }, ctx)), /past the end/);
    await assert.rejects(Promise.resolve(h.edit({ offset: 0, data: [1] as unknown as Uint8Array }, ctx)), /Uint8Array/);
  });

  it('edits stay pending until Save, which writes only the edited ranges', async () => {
    const info = await makeSegment();
    const { doc, h } = await open(info);
    await h.edit({ offset: 0x10, data: new Uint8Array([0xde, 0xad]), label: 'Typing' }, ctx);
    await h.edit({ offset: SIZE - 1, data: new Uint8Array([0x77]) }, ctx);
    assert.strictEqual(doc.isDirty, true);
    assert.strictEqual(await byte(h, 0x10), 0xde);
    assert.deepStrictEqual(await otherRead(info, 0x10, 2), [expected(0x10), expected(0x11)], 'segment untouched before Save');
    // Another process writes next to and between the edits: Save must keep its bytes.
    await otherWrite(info, 0x12, new Uint8Array([0x55]));
    await otherWrite(info, 0x200, new Uint8Array([0x66]));
    await tabDirty(true);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor(() => !doc.isDirty, 'the document to be saved');
    assert.deepStrictEqual(await otherRead(info, 0x0f, 4), [expected(0x0f), 0xde, 0xad, 0x55]);
    assert.deepStrictEqual(await otherRead(info, 0x200, 1), [0x66]);
    assert.deepStrictEqual(await otherRead(info, SIZE - 1, 1), [0x77]);
    assert.strictEqual(doc.hasPendingEdits, false);
  });

  it('undo (the workbench command) restores the bytes; undo after Save is a new pending change', async () => {
    const info = await makeSegment();
    const { doc, h } = await open(info);
    await h.edit({ offset: 5, data: new Uint8Array([0x01]) }, ctx);
    await tabDirty(true); // VS Code has the edit on its undo stack
    await vscode.commands.executeCommand('undo');
    await waitFor(async () => (await byte(h, 5)) === expected(5), 'undo to restore byte 5');
    assert.strictEqual(doc.isDirty, false);
    await tabDirty(false);
    await vscode.commands.executeCommand('redo');
    await waitFor(async () => (await byte(h, 5)) === 0x01, 'redo');
    await tabDirty(true);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor(() => !doc.isDirty, 'saved');
    await tabDirty(false);
    assert.deepStrictEqual(await otherRead(info, 5, 1), [0x01]);
    await vscode.commands.executeCommand('undo');
    await waitFor(() => doc.isDirty, 'dirty after undoing a saved edit');
    await tabDirty(true);
    assert.strictEqual(await byte(h, 5), expected(5));
    assert.deepStrictEqual(await otherRead(info, 5, 1), [0x01], 'not written until saved');
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor(() => !doc.isDirty, 'saved again');
    assert.deepStrictEqual(await otherRead(info, 5, 1), [expected(5)]);
  });

  it('a conflicting change by another process: Cancel keeps everything, Reload Those Bytes drops, Overwrite writes', async () => {
    const info = await makeSegment();
    const { doc, h } = await open(info);

    await h.edit({ offset: 0x40, data: new Uint8Array([0xaa]) }, ctx);
    await h.edit({ offset: 0x80, data: new Uint8Array([0xbb]) }, ctx);
    await otherWrite(info, 0x40, new Uint8Array([0x99]));
    await tabDirty(true);

    let stub = answerWarnings(undefined); // Cancel
    try {
      await vscode.commands.executeCommand('workbench.action.files.save');
      await waitFor(() => stub.asked.length > 0, 'the conflict question');
    } finally {
      stub.restore();
    }
    assert.match(stub.asked[0], /Another process changed 1 byte you edited/);
    assert.strictEqual(doc.isDirty, true);
    assert.deepStrictEqual(await otherRead(info, 0x40, 1), [0x99]);
    assert.deepStrictEqual(await otherRead(info, 0x80, 1), [expected(0x80)], 'Cancel writes nothing');
    assert.strictEqual(await byte(h, 0x40), 0xaa, 'the edit is still pending');

    stub = answerWarnings('Reload Those Bytes');
    try {
      await vscode.commands.executeCommand('workbench.action.files.save');
      await waitFor(() => !doc.isDirty, 'saved after Reload Those Bytes');
    } finally {
      stub.restore();
    }
    assert.deepStrictEqual(await otherRead(info, 0x40, 1), [0x99], 'conflicting edit dropped');
    assert.deepStrictEqual(await otherRead(info, 0x80, 1), [0xbb], 'the other edit saved');
    assert.strictEqual(await byte(h, 0x40), 0x99, 'shows the current byte');

    await h.edit({ offset: 0x40, data: new Uint8Array([0xcc]) }, ctx);
    await otherWrite(info, 0x40, new Uint8Array([0x11]));
    await tabDirty(true);
    stub = answerWarnings('Overwrite');
    try {
      await vscode.commands.executeCommand('workbench.action.files.save');
      await waitFor(() => !doc.isDirty, 'saved after Overwrite');
    } finally {
      stub.restore();
    }
    assert.strictEqual(stub.asked.length, 1);
    assert.deepStrictEqual(await otherRead(info, 0x40, 1), [0xcc]);
  });

  it('read-only: a readOnly=1 URI opens read-only and refuses edits with the reason', async () => {
    const info = await makeSegment(0o400);
    const { doc, h } = await open(info, { readOnly: true });
    const ready = await h.ready({}, ctx);
    assert.strictEqual(ready.doc.readOnly, true);
    assert.strictEqual(ready.doc.readOnlyReason, 'opened read-only');
    assert.strictEqual(await byte(h, 1), expected(1));
    await assert.rejects(Promise.resolve(h.edit({ offset: 1, data: new Uint8Array([0]) }, ctx)), /read-only/);
    assert.strictEqual(doc.isDirty, false);
  });

  it('write-through: each edit is written at once and undo writes the old bytes back', async () => {
    const config = vscode.workspace.getConfiguration('shmInspector.hexEditor');
    await config.update('writeThrough', true, vscode.ConfigurationTarget.Global);
    try {
      const info = await makeSegment();
      const { doc, h } = await open(info);
      await h.edit({ offset: 7, data: new Uint8Array([0x42]) }, ctx);
      assert.deepStrictEqual(await otherRead(info, 7, 1), [0x42]);
      assert.strictEqual(doc.hasPendingEdits, false);
      await tabDirty(true);
      await vscode.commands.executeCommand('undo');
      await waitFor(async () => (await otherRead(info, 7, 1))[0] === expected(7), 'undo to write the old byte back');
    } finally {
      await config.update('writeThrough', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('settings reach the webview: ready reports them, a change is read again', async () => {
    const info = await makeSegment();
    const { h } = await open(info);
    const config = vscode.workspace.getConfiguration('shmInspector.hexEditor');
    await config.update('bytesPerRow', 32, vscode.ConfigurationTarget.Global);
    try {
      const r = await h.ready({}, ctx);
      assert.strictEqual(r.settings.bytesPerRow, 32);
      assert.strictEqual(r.settings.littleEndian, true);
      assert.strictEqual(typeof r.settings.liveRefreshMs, 'number');
    } finally {
      await config.update('bytesPerRow', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Save As writes the current bytes with the edits applied; backups restore pending edits', async () => {
    const info = await makeSegment();
    const { uri, doc, h } = await open(info);
    await h.edit({ offset: 3, data: new Uint8Array([0xf0, 0xf1]) }, ctx);

    // Hot exit: back up, then open a second document from the backup.
    const backupUri = vscode.Uri.file(path.join(tmp, 'backup.json'));
    const source = new vscode.CancellationTokenSource();
    const backup = await provider.backupCustomDocument(doc, { destination: backupUri });
    assert.ok(fs.existsSync(backupUri.fsPath));
    const restored = await provider.openCustomDocument(uri, { backupId: backup.id, untitledDocumentData: undefined });
    try {
      assert.strictEqual(restored.isDirty, true);
      assert.deepStrictEqual(Array.from(await restored.read(2, 4)), [expected(2), 0xf0, 0xf1, expected(5)]);
    } finally {
      restored.dispose();
    }
    backup.delete();

    await otherWrite(info, 0x300, new Uint8Array([0x5a]));
    const target = vscode.Uri.file(path.join(tmp, 'copy.bin'));
    await provider.saveCustomDocumentAs(doc, target, source.token);
    const file = fs.readFileSync(target.fsPath);
    assert.strictEqual(file.length, SIZE);
    assert.deepStrictEqual([...file.subarray(2, 6)], [expected(2), 0xf0, 0xf1, expected(5)]);
    assert.strictEqual(file[0x300], 0x5a);
    assert.strictEqual(file[SIZE - 1], expected(SIZE - 1));
    assert.deepStrictEqual(await otherRead(info, 3, 2), [expected(3), expected(4)], 'Save As does not write the segment');
  });

  it('a segment destroyed while open: dest banner state, Save As still works; gone after its last detach, Save explains', async () => {
    const info = await makeSegment();
    const { doc, h } = await open(info);
    const states: { gone: boolean; dest: boolean; message?: string }[] = [];
    const sub = doc.onDidChangeState((s) => states.push(s));
    try {
      await h.edit({ offset: 9, data: new Uint8Array([0x99]) }, ctx);
      await other.request('destroy', { expect: identityOf(info) });
      await waitFor(() => doc.state.dest, 'the dest state (poll every ~2 s)', 8000);
      assert.match(doc.state.message ?? '', /destroyed/);
      assert.strictEqual(await byte(h, 9), 0x99, 'still readable while attached');

      const target = vscode.Uri.file(path.join(tmp, 'dest.bin'));
      await provider.saveCustomDocumentAs(doc, target, new vscode.CancellationTokenSource().token);
      assert.strictEqual(fs.readFileSync(target.fsPath)[9], 0x99);

      // The extension's agent holds the last attachment: when it dies, the segment goes.
      await h.edit({ offset: 10, data: new Uint8Array([0x10]) }, ctx);
      const pid = extensionAgentPid();
      assert.ok(pid, 'the extension exports its agent');
      process.kill(pid, 'SIGKILL');
      await waitFor(() => doc.state.gone, 'the gone state', 10000);
      assert.ok(states.some((s) => s.gone && /Segment \d+/.test(s.message ?? '')), 'a gone state with a message reached the listeners');
      await assert.rejects(Promise.resolve(h.read({ offset: 0, length: 1 }, ctx)), /Segment \d+/);

      await tabDirty(true);
      const stub = answerWarnings(undefined);
      try {
        await vscode.commands.executeCommand('workbench.action.files.save');
        await waitFor(() => stub.asked.length > 0, 'the explanation');
      } finally {
        stub.restore();
      }
      assert.match(stub.asked[0], /Save As/);
      assert.strictEqual(doc.isDirty, true, 'nothing lost');
      assert.strictEqual(doc.hasPendingEdits, true);
    } finally {
      sub.dispose();
    }
  });

  it('a backup whose segment is gone keeps its edits: Save As (0600, bytes from the backup) or Apply to the segment with its key', async () => {
    const gone = await makeSegment();
    await other.request('destroy', { expect: identityOf(gone) }); // nobody attached: removed at once
    const backupUri = vscode.Uri.file(path.join(tmp, 'orphan.json'));
    const base = new Uint8Array([expected(3), expected(4)]);
    fs.writeFileSync(backupUri.fsPath, encodeBackup({
      uri: segmentUri(gone).toString(), identity: identityOf(gone), runs: [{ offset: 3, value: new Uint8Array([0xf0, 0xf1]), base }],
    }));
    // The key is in use again, by a new segment.
    const now = await other.request('create', { size: SIZE, key: gone.key, perms: 0o600, exclusive: true });
    segs.made.push(now);
    await otherWrite(now, 0, new Uint8Array(16).map((_, i) => expected(i)));

    const offers: (string | undefined)[] = [];
    let answer: 'saveAs' | 'apply' | undefined;
    const original = provider.orphanPrompt;
    provider.orphanPrompt = (_d, message, applyLabel) => { offers.push(message, applyLabel); return Promise.resolve(answer); };
    const token = new vscode.CancellationTokenSource().token;
    try {
      const first = await provider.openCustomDocument(segmentUri(gone), { backupId: backupUri.toString(), untitledDocumentData: undefined });
      try {
        await waitFor(() => offers.length > 0, 'the offer');
        assert.match(offers[0] ?? '', /has 1 unsaved edit from a backup, but it no longer exists/);
        assert.strictEqual(offers[1], `Apply to Segment ${now.id}`);
        assert.strictEqual(first.isDirty, true, 'kept');
        assert.strictEqual((await first.refreshStatus()).gone, true);
        const target = vscode.Uri.file(path.join(tmp, 'orphan.bin'));
        await provider.saveCustomDocumentAs(first, target, token);
        assert.strictEqual(fs.statSync(target.fsPath).mode & 0o777, 0o600, 'memory can hold secrets');
        const file = fs.readFileSync(target.fsPath);
        assert.strictEqual(file.length, SIZE);
        assert.deepStrictEqual([...file.subarray(2, 6)], [0, 0xf0, 0xf1, 0], 'the edits; never-read bytes are zeros');
      } finally {
        first.dispose();
      }

      answer = 'apply';
      offers.length = 0;
      const second = await provider.openCustomDocument(segmentUri(gone), { backupId: backupUri.toString(), untitledDocumentData: undefined });
      try {
        await waitFor(async () => (await otherRead(now, 3, 2))[0] === 0xf0, 'the edits applied to the new segment');
        assert.deepStrictEqual(await otherRead(now, 2, 4), [expected(2), 0xf0, 0xf1, expected(5)]);
        await waitFor(() => !second.isDirty, 'the document clean after applying');
      } finally {
        second.dispose();
      }
    } finally {
      provider.orphanPrompt = original;
    }
  });
});
