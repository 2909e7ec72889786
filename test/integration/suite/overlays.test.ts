// C type overlays' commands in a real VS Code (issue 11), with their arguments as a test or a
// keybinding gives them: Apply C Type with a spec lays a header's struct over the open segment
// (remembered in the store of this run, SHM_INSPECTOR_OVERLAYS set by run.mjs), the editor's
// webview gets it, Verify Layout agrees with the compiler, Remove C Type Overlay forgets it;
// bad arguments give one clear message and change nothing. What the panel shows is checked in
// the real webview by test/integration/ui/overlay.ui.mjs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentClient } from '../../../src/extension/agent/client';
import type { HexEditorProvider } from '../../../src/extension/hexEditor/provider';
import { segmentUri } from '../../../src/extension/shmUri';
import type { CRecordType } from '../../../src/protocol/cTypes';
import type { OverlayView } from '../../../src/protocol/overlay';
import type { SegmentInfo } from '../../../src/protocol/segment';
import type { VerifyResult } from '../../../src/ctypes/verify';
import { EXTENSION_ID, HEX_EDITOR, OtherSegments, REPO, closeAllEditors, handlerContext, present, sharesVscodeApi, stubWindow, waitFor } from './common';

const HEADER = `#include <stdint.h>

struct shared_state {
  uint32_t magic;
  int32_t pid;
  uint64_t counter;
  char name[16];
  double level;
};
`;
const TYPE = 'struct shared_state';

/** The struct's bytes as the compiler lays it out (x86_64 and aarch64 alike). */
function stateBytes(): Uint8Array {
  const b = Buffer.alloc(40);
  b.writeUInt32LE(0x53484d31, 0);
  b.writeInt32LE(4242, 4);
  b.writeBigUInt64LE(5000000000n, 8);
  b.write('producer', 16, 'latin1');
  b.writeDoubleLE(0.25, 32);
  return b;
}

describe('C type overlays: commands with arguments', function () {
  this.timeout(60_000);
  const other = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 20000 });
  const segs = new OtherSegments(other);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'overlays-test-'));
  const header = path.join(tmp, 'shared_state.h');
  let provider: HexEditorProvider;

  const storeFile = () => present(process.env.SHM_INSPECTOR_OVERLAYS, 'SHM_INSPECTOR_OVERLAYS (set by run.mjs)');
  /** What the store file remembers for the segment's key. */
  function stored(info: SegmentInfo): unknown[] {
    if (!fs.existsSync(storeFile())) return [];
    const all = JSON.parse(fs.readFileSync(storeFile(), 'utf8')) as { segments?: Record<string, unknown[]> };
    return all.segments?.[`key:0x${(info.key >>> 0).toString(16).padStart(8, '0')}`] ?? [];
  }

  async function open(info: SegmentInfo) {
    const uri = segmentUri(info);
    await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR);
    const doc = await waitFor(() => provider.documentFor(uri), `the document of ${uri.toString()}`);
    await waitFor(() => provider.editorCount(doc) > 0, 'the editor');
    return present(provider.handlersFor(uri), 'the editor\'s handlers');
  }

  before(async () => {
    // The store must be the run's own: these tests add to and remove from it.
    const home = path.join(os.homedir(), '.config', 'shm-inspector', 'overlays.json');
    assert.notStrictEqual(path.resolve(storeFile()), home, 'SHM_INSPECTOR_OVERLAYS points at the user\'s own store');
    const ext = present(vscode.extensions.getExtension(EXTENSION_ID), `extension ${EXTENSION_ID}`);
    await ext.activate();
    provider = present(await vscode.commands.executeCommand<HexEditorProvider | undefined>('shmInspector._hexEditorApi'), 'the hex editor test API');
    fs.writeFileSync(header, HEADER);
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  after(async () => {
    await segs.destroyAll();
    other.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('applyCType {header, typeName} lays the struct over the open segment; verifyLayout agrees with the compiler; removeCType forgets it', async () => {
    const info = await segs.make({ size: 4096, fill: false });
    await segs.write(info, 0, stateBytes());
    const h = await open(info);
    assert.deepStrictEqual((await h.ready({}, handlerContext)).overlays, [], 'no overlay before');

    const views = present(await vscode.commands.executeCommand<OverlayView[] | undefined>('shmInspector.applyCType', { header, typeName: TYPE }), 'the applied views');
    assert.strictEqual(views.length, 1);
    const view = views[0];
    assert.strictEqual(view.error, undefined, `laid out without error: ${view.error}`);
    assert.deepStrictEqual([view.header, view.typeName, view.offset, view.count], [header, TYPE, 0, 1]);
    const type = present(view.type, 'the laid-out type') as CRecordType;
    assert.strictEqual(type.kind, 'struct');
    assert.strictEqual(type.size, 40);
    assert.deepStrictEqual(type.members.map((m) => [m.name, m.offset, m.type.size]),
      [['magic', 0, 4], ['pid', 4, 4], ['counter', 8, 8], ['name', 16, 16], ['level', 32, 8]]);
    assert.strictEqual(stored(info).length, 1, 'remembered in the store');
    // A reopened editor (the webview's ready answer) gets it too.
    assert.deepStrictEqual((await h.ready({}, handlerContext)).overlays.map((v) => v.id), [view.id]);
    // Applying the same spec again changes nothing.
    await vscode.commands.executeCommand('shmInspector.applyCType', { header, typeName: TYPE });
    assert.strictEqual(stored(info).length, 1, 'the same spec is remembered once');

    const verified = present(await vscode.commands.executeCommand<VerifyResult | undefined>('shmInspector.verifyLayout', view.id), 'the verify result');
    assert.ok(verified.kind === 'checked', JSON.stringify(verified));
    assert.deepStrictEqual(verified.disagreements, []);
    assert.ok(verified.fields >= 5, `fields checked: ${verified.fields}`);

    assert.strictEqual(await vscode.commands.executeCommand('shmInspector.removeCType', view.id), view.id);
    assert.deepStrictEqual(stored(info), [], 'forgotten by the store');
    assert.deepStrictEqual((await h.ready({}, handlerContext)).overlays, []);
  });

  it('bad arguments: one clear message, nothing applied or removed', async function () {
    if (!sharesVscodeApi()) this.skip(); // messages can only be seen when the extension shares our vscode API
    const info = await segs.make({ size: 4096, fill: false });
    const stub = stubWindow({});
    try {
      // No editor open: says where the command works.
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.applyCType', { header, typeName: TYPE }), undefined);
      await open(info);
      // A relative header path is not a valid spec.
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.applyCType', { header: 'shared_state.h', typeName: TYPE }), undefined);
      // Ids the segment does not have (it has one overlay).
      const [view] = present(await vscode.commands.executeCommand<OverlayView[] | undefined>('shmInspector.applyCType', { header, typeName: TYPE }), 'the applied views');
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.removeCType', 'no-such-overlay'), undefined);
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.verifyLayout', 'no-such-overlay'), undefined);
      assert.strictEqual(stored(info).length, 1, 'the overlay is still there');
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.removeCType', view.id), view.id);
    } finally {
      stub.restore();
    }
    const said = stub.shown.map((s) => `${s.fn}: ${String(s.args[0])}`);
    assert.strictEqual(said.length, 4, said.join('\n'));
    assert.match(said[0], /^showInformationMessage: Apply C Type works in a shared-memory hex editor/);
    assert.match(said[1], /^showErrorMessage: Apply C Type: the argument is not a valid overlay/);
    assert.match(said[2], /^showErrorMessage: Remove C Type Overlay: segment \d+ has no such overlay/);
    assert.match(said[3], /^showErrorMessage: Verify Layout with the Compiler: segment \d+ has no such overlay/);
    for (const s of said) assert.ok(!s.includes('\n'), `one line: ${s}`);
    assert.deepStrictEqual(stored(info), []);
  });
});
