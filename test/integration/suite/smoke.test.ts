// The packaged manifest is loaded by a real VS Code: the extension is found, activates,
// and contributes its commands.
import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'shm-inspector.shm-inspector';

describe('smoke', () => {
  it('the extension is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('registers shmInspector.* commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    const ours = commands.filter((c) => c.startsWith('shmInspector.'));
    assert.ok(ours.length > 0, 'no shmInspector.* command registered');
  });
});
