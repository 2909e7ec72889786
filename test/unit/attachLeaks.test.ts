// No leaked attachments: every path that opens a segment in the agent detaches it again,
// including a close() that arrives while a re-open after an agent restart is in flight.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentClient } from '../../src/extension/agent/client';
import { AgentSegment } from '../../src/extension/agent/agentSegment';
import { statSegment } from '../../src/core';
import { SegmentSource } from '../../src/extension/hexEditor/source';
import { AGENT_JS, createSegment, installCleanup, waitFor } from './helpers';

installCleanup();

const clients: AgentClient[] = [];
function newClient(): AgentClient {
  const c = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000 });
  clients.push(c);
  return c;
}
after(() => { for (const c of clients) c.dispose(); });

async function killAgent(client: AgentClient): Promise<void> {
  const pid = client.agentPid;
  assert.ok(pid, 'the agent pid is known');
  const gone = new Promise<void>((resolve) => { const d = client.onDidExit(() => { d.dispose(); resolve(); }); });
  process.kill(pid, 'SIGKILL');
  await gone;
}

test('close() while a re-open after an agent restart is in flight: the new attachment is detached', async () => {
  const seg = createSegment(4096, { key: 'random' });
  const client = newClient();
  await client.request('ping', {});
  const a = await AgentSegment.open(client, seg.id);
  assert.equal(statSegment(seg.id).nattch, 1);
  await killAgent(client);
  await waitFor(() => statSegment(seg.id).nattch === 0, 'the dead agent to be detached');
  // Starts a new agent and re-opens the segment in it; close() comes before that re-open answers.
  const read = a.read(0, 16).then(() => 'read', (err: unknown) => (err as { code?: string }).code);
  await a.close();
  assert.equal(await read, 'ECLOSED');
  await client.request('ping', {}); // the new agent has served everything sent before
  assert.equal(statSegment(seg.id).nattch, 0, 'the re-opened handle was left attached');
});

test('every way of opening and closing a source leaves nattch as it was', async () => {
  const seg = createSegment(8192, { key: 'random' });
  const client = newClient();
  for (const readMode of ['attach', 'none', 'auto'] as const) {
    for (const readOnly of [false, true]) {
      const src = await SegmentSource.open(client, { id: seg.id, readOnly, readMode });
      await src.read(0, 64);
      await src.close();
      await client.request('ping', {});
      assert.equal(statSegment(seg.id).nattch, 0, `${readMode}${readOnly ? ', read-only' : ''}`);
    }
  }
  // A refused open (another identity) attaches nothing either.
  const wrong = { ...seg.identity(), ctime: seg.identity().ctime - 10 };
  await assert.rejects(SegmentSource.open(client, { id: seg.id, expect: wrong, readOnly: false }), /not the one that was opened|another segment/);
  await client.request('ping', {});
  assert.equal(statSegment(seg.id).nattch, 0);
});
