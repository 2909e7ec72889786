// The "Shared Memory: Watch" view in a real VS Code: Watch Value on a real segment (made and
// written by this test's own agent, another process) shows the view (its webview loads and asks
// `ready`), the samples the provider posts hold the values written, in order; Watch Field on a C
// type remembered for the segment plots that field; with a path no C type has it is one error
// line; destroying the segment ends the session with a message.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { OverlayStore } from '../../../src/ctypes/overlayStore';
import { AgentClient } from '../../../src/extension/agent/client';
import { overlayId } from '../../../src/protocol/overlay';
import { identityOf } from '../../../src/protocol/segment';
import type { WatchState } from '../../../src/protocol/watch';
import { segmentUri } from '../../../src/extension/shmUri';
import type { HexEditorProvider } from '../../../src/extension/hexEditor/provider';
import type { PostedWatchEvent, WatchViewProvider } from '../../../src/extension/timeline/watchView';
import { EXTENSION_ID, HEX_EDITOR, handlerContext, OtherSegments, REPO, closeAllEditors, present, sharesVscodeApi, stubWindow, waitFor } from './common';

const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return new Uint8Array(b); };

describe('watch view', function () {
  this.timeout(60_000);
  const other = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 20000 });
  const segs = new OtherSegments(other);
  let provider: WatchViewProvider;
  const posted: PostedWatchEvent[] = [];
  let sub: vscode.Disposable | undefined;

  before(async () => {
    const ext = present(vscode.extensions.getExtension(EXTENSION_ID), `extension ${EXTENSION_ID}`);
    const api = (await ext.activate()) as { watch: { provider: WatchViewProvider } };
    provider = api.watch.provider;
    sub = provider.onDidPost((e) => posted.push(e));
  });

  after(async () => {
    sub?.dispose();
    await vscode.commands.executeCommand('shmInspector.clearWatches');
    await segs.destroyAll();
    other.dispose();
  });

  /** Every value posted for watch `id`, in order. */
  const valuesOf = (id: number): number[] => posted.flatMap((e) => (e.name === 'samples' ? e.payload.batches.filter((b) => b.id === id).flatMap((b) => [...b.v]) : []));

  it('plots the values a writer puts in a segment, in order; the segment destroyed ends it with a message', async () => {
    const info = await segs.make({ size: 4096, fill: false });
    const id = present(await vscode.commands.executeCommand<number | undefined>('shmInspector.watchValue', { segmentId: info.id, offset: 0x40, type: 'u32' }), 'the watch id');
    await waitFor(() => provider.webviewReady, 'the Watch view\'s webview answered ready', 20000);
    assert.deepStrictEqual(provider.session?.watches.map((w) => [w.id, w.label, w.type]), [[id, '0x40:u32', 'u32']]);
    const written = [0x01020304, 0xa5a5a5a5, 0xdeadbeef, 7];
    for (const v of written) {
      await segs.write(info, 0x40, u32(v));
      await waitFor(() => valuesOf(id).at(-1) === v, `0x${v.toString(16)} posted to the view`, 20000);
    }
    const distinct = valuesOf(id).filter((v, i, a) => i === 0 || v !== a[i - 1]);
    assert.deepStrictEqual(distinct, [0, ...written]);

    const stub = sharesVscodeApi() ? stubWindow({}) : undefined;
    try {
      await other.request('destroy', { expect: identityOf(info) });
      const state = await waitFor(() => posted.map((e) => (e.name === 'state' ? e.payload : undefined)).find((s): s is WatchState => !!s?.message), 'the session\'s end posted', 20000);
      assert.match(state.message ?? '', new RegExp(`^segment ${info.id} (was destroyed|is gone): watching ended$`));
      assert.ok(present(provider.session, 'the session').isEnded);
      if (stub) {
        await waitFor(() => stub.shown.find((s) => s.fn === 'showWarningMessage'), 'the warning');
        assert.strictEqual(stub.shown.filter((s) => s.fn === 'showWarningMessage').length, 1);
      }
    } finally {
      stub?.restore();
    }
  });

  it('a Save from the hex editor of the watched segment is a marker on the plot', async () => {
    const info = await segs.make({ size: 4096, fill: false });
    const hex = present(await vscode.commands.executeCommand<HexEditorProvider | undefined>('shmInspector._hexEditorApi'), 'the hex editor test API');
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    try {
      const id = present(await vscode.commands.executeCommand<number | undefined>('shmInspector.watchValue', { segmentId: info.id, offset: 8, type: 'u8' }), 'the watch id');
      const uri = segmentUri(info, { write: true });
      await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR);
      const h = await waitFor(() => hex.handlersFor(uri), 'the editor\'s handlers');
      await h.edit({ offset: 8, data: new Uint8Array([0x2a]) }, handlerContext);
      await vscode.commands.executeCommand('workbench.action.files.save');
      await waitFor(() => valuesOf(id).at(-1) === 0x2a, 'the saved byte sampled', 20000);
      const saves = await waitFor(() => {
        const m = posted.flatMap((e) => (e.name === 'markers' ? e.payload.markers : [])).filter((x) => x.kind === 'save');
        return m.length ? m : undefined;
      }, 'the save marker', 20000);
      assert.deepStrictEqual(saves.map((m) => m.text), ['saved from the hex editor']);
    } finally {
      await closeAllEditors();
      await vscode.commands.executeCommand('shmInspector.clearWatches');
    }
  });

  it('the view\'s requests are checked before they act; Export CSV writes t_ms and a column per watch', async () => {
    const info = await segs.make({ size: 4096, fill: false });
    const file = path.join(os.tmpdir(), `watch-test-${process.pid}.csv`);
    const stub = sharesVscodeApi() ? stubWindow({ showSaveDialog: () => vscode.Uri.file(file) }) : undefined;
    try {
      const id = present(await vscode.commands.executeCommand<number | undefined>('shmInspector.watchValue', { segmentId: info.id, offset: 0, type: 'i16' }), 'the watch id');
      const h = provider.webviewHandlers();
      await assert.rejects(async () => h.setRate({ hz: 5000 }), /hz must be a whole number from 1 to 1000/);
      await assert.rejects(async () => h.setTrigger({ id: id + 100, kind: 'above', level: 1, action: 'mark' }), /no watch has id/);
      await assert.rejects(async () => h.removeWatch({ id: 'x' }), /id must be a whole number/);
      assert.strictEqual(present(provider.session, 'the session').state.rateHz, 100, 'nothing changed');
      await h.setRate({ hz: 250 });
      assert.strictEqual(present(provider.session, 'the session').state.rateHz, 250);
      await segs.write(info, 0, new Uint8Array([0xff, 0xff])); // -1
      await waitFor(() => valuesOf(id).at(-1) === -1, '-1 posted', 20000);
      if (stub) {
        const r = present(await h.exportCsv({}), 'the export');
        assert.strictEqual(r.path, file);
        const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
        assert.strictEqual(lines[0], 't_ms,0x0:i16');
        assert.strictEqual(lines.length - 1, r.rows);
        assert.match(lines[lines.length - 1], /^\d+\.\d{3},-1$/);
      }
    } finally {
      stub?.restore();
      fs.rmSync(file, { force: true });
      await vscode.commands.executeCommand('shmInspector.clearWatches');
    }
  });

  it('Watch Field plots a field of the C type applied to the segment', async () => {
    const info = await segs.make({ size: 4096, fill: false });
    const store = new OverlayStore(); // the run's SHM_INSPECTOR_OVERLAYS, as the extension's
    const ref = { key: info.key, id: info.id, ctime: info.ctime };
    await store.add(ref, { text: 'struct hdr { unsigned int magic; unsigned short seq; short temp; };', typeName: 'struct hdr', offset: 0x20, count: 1, abi: 'x86_64' });
    try {
      await vscode.commands.executeCommand('shmInspector.clearWatches');
      const id = present(await vscode.commands.executeCommand<number | undefined>('shmInspector.watchField', { segmentId: info.id, path: 'temp' }), 'the watch id');
      assert.deepStrictEqual(provider.session?.watches.map((w) => [w.id, w.label, w.type]), [[id, 'temp', 'i16']]);
      await segs.write(info, 0x26, new Uint8Array([0xfe, 0xff])); // -2 at 0x20 + 6
      await waitFor(() => valuesOf(id).at(-1) === -2, 'the field\'s new value posted', 20000);
    } finally {
      await store.clear(ref);
      await vscode.commands.executeCommand('shmInspector.clearWatches');
    }
  });

  it('the hex editor\'s Watch requests (a field of its overlay panel, a number of its inspector) reach the Watch view', async () => {
    const info = await segs.make({ size: 4096, fill: false });
    const store = new OverlayStore();
    const ref = { key: info.key, id: info.id, ctime: info.ctime };
    const spec = { text: 'struct hdr { unsigned int magic; unsigned short seq; short temp; };', typeName: 'struct hdr', offset: 0x20, count: 1, abi: 'x86_64' as const };
    await store.add(ref, spec);
    const hex = present(await vscode.commands.executeCommand<HexEditorProvider | undefined>('shmInspector._hexEditorApi'), 'the hex editor test API');
    try {
      await vscode.commands.executeCommand('shmInspector.clearWatches');
      const uri = segmentUri(info);
      await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR);
      const h = await waitFor(() => hex.handlersFor(uri), 'the editor\'s handlers');
      assert.strictEqual(await h.watchValue({ overlay: overlayId(spec), path: 'seq' }, handlerContext), true);
      assert.strictEqual(await h.watchValue({ offset: 8, type: 'uint16be' }, handlerContext), true);
      assert.deepStrictEqual(provider.session?.watches.map((w) => [w.label, w.type]), [['seq', 'u16'], ['0x8:u16be', 'u16be']]);
      await assert.rejects(Promise.resolve().then(() => h.watchValue({ offset: 4095, type: 'uint16' }, handlerContext)), /past the end/);
    } finally {
      await closeAllEditors();
      await store.clear(ref);
      await vscode.commands.executeCommand('shmInspector.clearWatches');
    }
  });

  it('Watch Field with a path no C type has, Watch Value past the end: one error line each, the plot kept', async () => {
    const info = await segs.make({ size: 4096, fill: false });
    const stub = sharesVscodeApi() ? stubWindow({}) : undefined;
    try {
      const r = await vscode.commands.executeCommand('shmInspector.watchField', { segmentId: info.id, path: 'hdr.seq' });
      assert.strictEqual(r, undefined);
      if (stub) {
        const err = present(stub.shown.find((s) => s.fn === 'showErrorMessage'), 'the error');
        assert.match(String(err.args[0]), /no C type is applied to segment \d+/);
        assert.ok(!String(err.args[0]).includes('\n'), 'one line');
      }
      // A value of this segment is plotted; one past the end of another segment is refused and
      // leaves the plot as it was.
      const good = present(await vscode.commands.executeCommand<number | undefined>('shmInspector.watchValue', { segmentId: info.id, offset: 0, type: 'u8' }), 'the watch id');
      const other2 = await segs.make({ size: 4096, fill: false });
      const bad = await vscode.commands.executeCommand('shmInspector.watchValue', { segmentId: other2.id, offset: 4094, type: 'u32' });
      assert.strictEqual(bad, undefined, 'a value past the end is refused');
      if (stub) assert.match(String(stub.shown.filter((s) => s.fn === 'showErrorMessage').at(-1)?.args[0]), /outside segment/);
      const session = present(provider.session, 'the session');
      assert.strictEqual(session.segment.id, info.id, 'the plot still shows the first segment');
      assert.deepStrictEqual(session.watches.map((w) => w.id), [good]);
    } finally {
      stub?.restore();
      await vscode.commands.executeCommand('shmInspector.clearWatches');
    }
  });
});
