// A real crash, not a simulated one: touching a huge page of a SHM_HUGETLB|SHM_NORESERVE segment
// when the pool is empty raises SIGBUS. In the agent that kills only the agent; the host's
// request rejects with the cause and the next request gets a new agent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient } from '../../src/agent/client';
import { identityOf } from '../../src/protocol/segment';

const AGENT = path.resolve(__dirname, '../../../dist/agent.js');

function freeHugePages(): number {
  const m = /HugePages_Free:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) : -1;
}

test('SIGBUS in the agent (unbacked huge page) rejects the read with the cause and the agent restarts', async (t) => {
  assert.ok(fs.existsSync(AGENT), `build the agent first (npm run build): ${AGENT} is missing`);
  if (freeHugePages() !== 0) return t.skip(`needs an empty huge page pool (HugePages_Free is ${freeHugePages()})`);
  const client = new AgentClient({ agentPath: AGENT });
  let info;
  try {
    try {
      info = await client.request('create', { size: 2 << 20, hugePages: true, noReserve: true });
    } catch (err) {
      return t.skip(`this kernel refuses SHM_HUGETLB|SHM_NORESERVE: ${(err as Error).message}`);
    }
    const { handle } = await client.request('open', { id: info.id });
    const firstPid = client.pid;
    const err = await client.request('read', { handle, offset: 0, length: 16 }).then(() => undefined, (e) => e);
    assert.ok(err, 'the read must fail: the page cannot be backed');
    assert.equal(err.code, 'EAGENT');
    assert.match(err.message, /SIGBUS/);
    assert.match(err.message, /during read/);
    const pong = await client.request('ping', {});
    assert.notEqual(pong.pid, firstPid, 'a new agent serves the next request');
    assert.equal(client.generation, 2);
  } finally {
    if (info) await client.request('destroy', { expect: identityOf(info) }).catch(() => undefined);
    client.dispose();
  }
});
