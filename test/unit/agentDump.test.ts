// The agent's dump (Dump to File…, exports, snapshots) never loses the file it replaces: it
// writes a 0600 temporary file beside the target and renames it into place only when complete.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient } from '../../src/extension/agent/client';
import { AgentSegment } from '../../src/extension/agent/agentSegment';
import { AGENT_JS, createSegment, installCleanup, rejectsCode, testTmpDir, waitFor } from './helpers';

installCleanup();
const client = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000 });
after(() => client.dispose());

test('a cancelled dump leaves the existing file as it was; a complete one is 0600', async () => {
  const seg = createSegment(64 << 20, { key: 'random' });
  seg.attach().writeChunk(Buffer.alloc(4096, 0x5a), 0);
  seg.detach();
  const dir = testTmpDir();
  const file = path.join(dir, 'existing.bin');
  fs.writeFileSync(file, 'keep me', { mode: 0o644 });
  const a = await AgentSegment.open(client, seg.id, { readOnly: true });
  try {
    const abort = new AbortController();
    const dump = a.withHandle((handle) => client.request('dump', { handle, path: file }, {
      signal: abort.signal, timeoutMs: 0, onProgress: () => abort.abort(),
    }));
    await rejectsCode(dump, 'ECANCELED');
    assert.equal(fs.readFileSync(file, 'utf8'), 'keep me', 'the cancelled dump replaced or truncated the file');
    // The agent stops at its next chunk and removes its temporary file.
    await waitFor(() => fs.readdirSync(dir).length === 1, 'the temporary file to go');
    assert.deepEqual(fs.readdirSync(dir), ['existing.bin']);
    assert.equal(fs.readFileSync(file, 'utf8'), 'keep me');

    const fresh = path.join(dir, 'fresh.bin');
    await a.withHandle((handle) => client.request('dump', { handle, path: fresh, offset: 0, length: 8192 }, { timeoutMs: 0 }));
    assert.equal(fs.statSync(fresh).mode & 0o777, 0o600);
    const bytes = fs.readFileSync(fresh);
    assert.equal(bytes.length, 8192);
    assert.equal(bytes[0], 0x5a);
    assert.equal(bytes[4096], 0);
  } finally {
    await a.close();
  }
});
