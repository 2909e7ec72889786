// Real crashes, not simulated ones. Touching a huge page of a SHM_HUGETLB|SHM_NORESERVE segment
// when the pool is empty raises SIGBUS; the agent's test hook (SHM_INSPECTOR_TEST_HOOKS=1,
// request testCrash) raises SIGSEGV; SIGKILL comes from outside. Each kills only the agent: the
// requests in flight reject with the cause, and the next request gets a new agent, up to the
// crash limit (3 restarts in 10 s), after which only restart() starts one.
import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient, AgentError, diedInFlight, type AgentClientOptions, type AgentExit } from '../../src/extension/agent/client';
import { TEST_HOOKS_ENV } from '../../src/protocol/testHooks';
import { identityOf } from '../../src/protocol/segment';
import { haveCommand, installCleanup, present, waitFor } from './helpers';

installCleanup();

before(() => {
  // A SIGSEGV'd agent must not leave a core file in the repo (children inherit the limit).
  if (haveCommand('prlimit')) {
    try { execFileSync('prlimit', ['--pid', String(process.pid), '--core=0'], { stdio: 'pipe' }); } catch { /* best effort */ }
  }
});

const AGENT = path.resolve(__dirname, '../../../dist/agent.js');

function freeHugePages(): number {
  const m = /HugePages_Free:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) : -1;
}

test('SIGBUS in the agent (unbacked huge page) rejects the read with the cause and the agent restarts', async (t) => {
  assert.ok(fs.existsSync(AGENT), `build the agent first (npm run build): ${AGENT} is missing`);
  if (freeHugePages() !== 0) { t.skip(`needs an empty huge page pool (HugePages_Free is ${freeHugePages()})`); return; }
  const client = new AgentClient({ agentPath: AGENT });
  let info;
  try {
    try {
      info = await client.request('create', { size: 2 << 20, hugePages: true, noReserve: true });
    } catch (err) {
      t.skip(`this kernel refuses SHM_HUGETLB|SHM_NORESERVE: ${(err as Error).message}`);
      return;
    }
    const { handle } = await client.request('open', { id: info.id });
    const firstPid = client.pid;
    const err = await client.request('read', { handle, offset: 0, length: 16 }).then(() => undefined, (e: unknown) => e as Error & { code?: string });
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

// ---- No restart storm: the crash limit, with an injected clock (no real 10-second waits).

const HOOKS = { [TEST_HOOKS_ENV]: '1' };
const clients = new Set<AgentClient>();
after(() => { for (const c of clients) c.dispose(); });

function hookedClient(extra: Partial<AgentClientOptions> = {}): AgentClient {
  const c = new AgentClient({ agentPath: AGENT, timeoutMs: 30000, env: HOOKS, ...extra });
  clients.add(c);
  return c;
}

/** Kill the client's agent with `signal`: SIGKILL from outside, SIGSEGV from inside (a request in flight). */
async function crash(c: AgentClient, signal: 'SIGKILL' | 'SIGSEGV'): Promise<void> {
  await c.request('ping', {});
  if (signal === 'SIGSEGV') {
    const err = await c.request('testCrash', { signal }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof AgentError, 'testCrash rejects with an AgentError');
    assert.match(err.message, /killed by SIGSEGV during testCrash/);
  } else {
    process.kill(present(c.agentPid, 'the agent\'s pid'), 'SIGKILL');
  }
  await waitFor(() => c.state === 'down' || c.state === 'stopped', 'the client noticed the crash');
}

test('a request in flight when the agent dies rejects with EAGENT, inFlightAtDeath and the method; later requests do not carry it', async () => {
  assert.ok(fs.existsSync(AGENT), `build the agent first (npm run build): ${AGENT} is missing`);
  const c = hookedClient();
  const pid1 = (await c.request('ping', {})).pid;
  const err = await c.request('testCrash', { signal: 'SIGSEGV' }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof AgentError);
  assert.equal(err.code, 'EAGENT');
  assert.equal(err.inFlightAtDeath, true);
  assert.ok(diedInFlight(err));
  assert.deepEqual(err.during, ['testCrash']);
  assert.equal(err.stopped, false);
  assert.equal(c.state, 'down');
  const pid2 = (await c.request('ping', {})).pid;
  assert.notEqual(pid2, pid1, 'the next request starts a new agent');
  c.dispose();
  const late = await c.request('ping', {}).then(() => undefined, (e: unknown) => e);
  assert.ok(late instanceof AgentError && !late.inFlightAtDeath, 'a request after the fact did not kill anything');
});

test('without the environment variable the agent has no test hooks (ENOSYS)', async () => {
  const c = hookedClient({ env: {} });
  await assert.rejects(c.request('testCrash', { signal: 'SIGSEGV' }), (e: Error & { code?: string }) => e.code === 'ENOSYS');
  assert.equal(c.generation, 1, 'still the first agent');
});

for (const signal of ['SIGKILL', 'SIGSEGV'] as const) {
  test(`${signal} four times within 10 s: the 4th crash stops the client until restart()`, async () => {
    let now = 1_000_000;
    const c = hookedClient({ now: () => now });
    const states: string[] = [];
    c.onDidChangeState((s) => states.push(s));
    const exits: AgentExit[] = [];
    c.onDidExit((e) => exits.push(e));
    for (let i = 1; i <= 3; i++) {
      await crash(c, signal);
      assert.equal(c.state, 'down', `crash ${i}: the next request may start another agent`);
      now += 2000;
    }
    await c.request('ping', {}); // the 4th start after a crash is one too many only when it crashes too
    assert.equal(c.generation, 4);
    await crash(c, signal);
    assert.equal(c.state, 'stopped');
    assert.deepEqual(exits.map((e) => e.stopped), [false, false, false, true]);
    // Stopped: requests fail at once with the clear message, and no agent is started.
    for (let i = 0; i < 3; i++) {
      const e = await c.request('ping', {}).then(() => undefined, (x: unknown) => x);
      assert.ok(e instanceof AgentError);
      assert.equal(e.code, 'EAGENT');
      assert.equal(e.message, 'the agent crashed 4 times in 10 s; stopped: use Restart Agent');
      assert.equal(e.stopped, true);
      assert.equal(e.inFlightAtDeath, false);
    }
    assert.equal(c.generation, 4, 'no agent started while stopped');
    assert.equal(c.pid, undefined);
    assert.equal(c.stoppedMessage, 'the agent crashed 4 times in 10 s; stopped: use Restart Agent');
    // restart() brings it back, with a clean slate.
    const pid = await c.restart();
    assert.equal(c.state, 'running');
    assert.equal((await c.request('ping', {})).pid, pid);
    assert.equal(c.agentPid, pid);
    assert.equal(c.generation, 5);
    assert.deepEqual(states.filter((s) => s === 'stopped'), ['stopped']);
    await crash(c, signal);
    assert.equal(c.state, 'down', 'after restart() the count starts again');
  });
}

test('crashes spread over more than 10 s never stop the client', async () => {
  let now = 5_000_000;
  const c = hookedClient({ now: () => now });
  for (let i = 1; i <= 6; i++) {
    await crash(c, 'SIGKILL');
    assert.equal(c.state, 'down', `crash ${i}`);
    now += 4000; // three crashes per 12 s
  }
  assert.ok((await c.request('ping', {})).pid > 0);
});

test('a command prefix that cannot run the agent is tried 4 times, then stopped: no restart storm', async () => {
  let now = 0;
  const c = hookedClient({ commandPrefix: ['false'], now: () => now });
  for (let i = 1; i <= 4; i++) {
    await assert.rejects(c.request('list', {}), /exited with code 1 during list/);
    now += 100;
  }
  assert.equal(c.state, 'stopped');
  await assert.rejects(c.request('list', {}), /crashed 4 times in 10 s; stopped: use Restart Agent/);
  assert.equal(c.generation, 4, 'no 5th process');
});

test('restart() while stopped and while running; dispose() leaves nothing running', async () => {
  const c = hookedClient({ crashLimit: { starts: 0, windowMs: 60_000 } });
  await crash(c, 'SIGSEGV');
  assert.equal(c.state, 'stopped', 'a limit of 0 restarts stops at the first crash');
  const pid1 = await c.restart();
  const pid2 = await c.restart();
  assert.notEqual(pid2, pid1);
  assert.equal(fs.existsSync(`/proc/${pid1}`), false, 'the first agent left before the second started');
  c.dispose();
  assert.equal(c.state, 'disposed');
  await waitFor(() => !fs.existsSync(`/proc/${pid2}`), 'the agent leaves on dispose');
  await assert.rejects(c.restart(), /shut down/);
});
