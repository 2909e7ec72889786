// Looking without touching, in a real VS Code: with shmInspector.hexEditor.readMode = none the
// hex editor reads and searches a segment another process holds without changing nattch, lpid
// or shm_atime, and holds no attachment at all on a segment nobody holds.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentClient } from '../../../src/extension/agent/client';
import type { SegmentInfo } from '../../../src/protocol/segment';
import { identityOf } from '../../../src/protocol/segment';
import type { Handlers } from '../../../src/protocol/rpc';
import type { WebviewToHost } from '../../../src/protocol/webview';
import type { HexEditorProvider } from '../../../src/extension/hexEditor/provider';
import { segmentUri } from '../../../src/extension/shmUri';
import { EXTENSION_ID, HEX_EDITOR, OtherSegments, REPO, closeAllEditors, expected, handlerContext as ctx, present, sleep, waitFor } from './common';

const SIZE = 256 * 1024;

describe('no footprint (readMode none)', function () {
  this.timeout(60_000);
  // Another process: it holds the segment like a database would (the agent starts at the first request).
  const other = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 20000 });
  const segs = new OtherSegments(other);
  let provider: HexEditorProvider;
  const config = () => vscode.workspace.getConfiguration('shmInspector.hexEditor');

  before(async () => {
    await present(vscode.extensions.getExtension(EXTENSION_ID), 'the extension').activate();
    provider = await vscode.commands.executeCommand<HexEditorProvider>('shmInspector._hexEditorApi');
    // This suite may run first, while the workbench is still taking in the extension's
    // contributions: writing a setting it does not know yet fails, so try again for a while.
    const set = async (name: string, value: unknown) => {
      let last: unknown;
      for (let i = 0; i < 50; i++) {
        try {
          await config().update(name, value, vscode.ConfigurationTarget.Global);
          if (config().get(name) === value) return;
        } catch (err) {
          last = err;
        }
        await sleep(200);
      }
      throw new Error(`could not set shmInspector.hexEditor.${name}: ${String(last)}`);
    };
    await set('readMode', 'none');
    // Live refresh would read (and, with nobody holding the segment, attach) in the background.
    await set('liveRefresh', 0);
  });

  afterEach(closeAllEditors);

  after(async () => {
    await config().update('readMode', undefined, vscode.ConfigurationTarget.Global);
    await config().update('liveRefresh', undefined, vscode.ConfigurationTarget.Global);
    await segs.destroyAll();
    other.dispose();
  });

  async function open(info: SegmentInfo): Promise<Handlers<WebviewToHost>> {
    const uri = segmentUri(info);
    await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR);
    const doc = await waitFor(() => provider.documentFor(uri), 'the document');
    await waitFor(() => provider.editorCount(doc) > 0, 'the editor');
    return present(provider.handlersFor(uri), 'the editor\'s handlers');
  }

  const stat = (info: SegmentInfo) => other.request('stat', { id: info.id });
  const footprint = async (info: SegmentInfo) => {
    const s = await stat(info);
    return { nattch: s.nattch, lpid: s.lpid, atime: s.atime };
  };

  it('reads and searches a segment another process holds: nattch, lpid and atime unchanged', async () => {
    const info = await segs.make({ size: SIZE });
    const { handle } = await other.request('open', { id: info.id, expect: identityOf(info) });
    try {
      const before = await footprint(info);
      assert.strictEqual(before.nattch, 1);
      const h = await open(info);
      const ready = await h.ready({}, ctx);
      assert.strictEqual(ready.doc.readOnly, false, 'root may write: writes attach only for the write');
      const page = await h.read({ offset: SIZE - 4096, length: 4096 }, ctx);
      assert.deepStrictEqual(Array.from(page.data.subarray(0, 8)), Array.from({ length: 8 }, (_, i) => expected(SIZE - 4096 + i)));
      const needle = Uint8Array.from({ length: 8 }, (_, i) => expected(200000 + i));
      const found = await h.search({ pattern: needle, from: 199990, max: 1 }, ctx); // the fill repeats every 256 bytes
      assert.ok(found.offsets.includes(200000), `found at ${found.offsets.join(',')}`);
      assert.deepStrictEqual(await footprint(info), before, 'the editor changed what the kernel records');
      const state = await waitFor(async () => (await h.ready({}, ctx)).state.via, 'the read mode in the state');
      assert.strictEqual(state.kind, 'process');
    } finally {
      await other.request('close', { handle });
    }
  });

  it('holds no attachment on a segment nobody holds, between requests', async () => {
    const info = await segs.make({ size: SIZE });
    assert.strictEqual((await stat(info)).nattch, 0);
    const h = await open(info);
    for (let off = 0; off < SIZE; off += 64 * 1024) {
      const r = await h.read({ offset: off, length: 1024 }, ctx);
      assert.strictEqual(r.data[3], expected(off + 3));
      assert.strictEqual((await stat(info)).nattch, 0, `an attachment stayed after the read at ${off}`);
    }
    const state = await waitFor(async () => (await h.ready({}, ctx)).state.via, 'the read mode in the state');
    assert.strictEqual(state.kind, 'transient');
  });
});
