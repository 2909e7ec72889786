// The hex editor's test pings (host side of `npm run bench:ui`'s message floor): off without the
// test hooks' environment; on the webview's `testPings` event, `testPing` events of the size
// asked for at the period asked for, until stopped; anything else is not theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RpcMessage } from '../../src/protocol/rpc';
import { TEST_HOOKS_ENV, TEST_PING, TEST_PINGS, type TestPing } from '../../src/protocol/testHooks';
import { TestPings } from '../../src/extension/hexEditor/testPings';
import { sleep, waitFor } from './helpers';

const PERIOD = 20;
const start = (periodMs: number, bytes: number): unknown => ({ rpc: 'event', name: TEST_PINGS, payload: { periodMs, bytes } });

function pinger() {
  const posted: RpcMessage[] = [];
  const pings = TestPings.create({ [TEST_HOOKS_ENV]: '1' }, (m) => posted.push(m));
  assert.ok(pings);
  return { pings, posted };
}

test('off unless the environment enables the test hooks', () => {
  assert.equal(TestPings.create({}, () => undefined), null);
  assert.equal(TestPings.create({ [TEST_HOOKS_ENV]: '0' }, () => undefined), null);
});

test('posts testPing events of the size asked for until stopped', async (t) => {
  const { pings, posted } = pinger();
  t.after(() => pings.dispose());
  assert.equal(pings.receive(start(PERIOD, 200)), true);
  await waitFor(() => posted.length >= 3, 'three pings');
  const ns: number[] = [];
  for (const m of posted) {
    assert.ok(m.rpc === 'event' && m.name === TEST_PING);
    assert.equal(JSON.stringify(m).length, 200);
    ns.push((m.payload as TestPing).n);
  }
  assert.deepEqual(ns, ns.map((_, i) => i + 1));
  assert.equal(pings.receive(start(0, 0)), true);
  const stoppedAt = posted.length;
  await sleep(PERIOD * 5);
  assert.equal(posted.length, stoppedAt, 'no ping after stop');
});

test('a size below the bare message posts it unpadded', async (t) => {
  const { pings, posted } = pinger();
  t.after(() => pings.dispose());
  pings.receive(start(PERIOD, 1));
  await waitFor(() => posted.length >= 1, 'a ping');
  assert.equal((posted[0].rpc === 'event' && (posted[0].payload as TestPing).pad), '');
});

test('bad periods and sizes stop the pings; other messages are not theirs', async (t) => {
  const { pings, posted } = pinger();
  t.after(() => pings.dispose());
  pings.receive(start(PERIOD, 100));
  for (const bad of [start(1, 100), start(PERIOD, -1), start(PERIOD, 2 << 20), start(Number.NaN, 100), { rpc: 'event', name: TEST_PINGS, payload: null }]) {
    assert.equal(pings.receive(bad), true);
  }
  const at = posted.length;
  await sleep(PERIOD * 5);
  assert.equal(posted.length, at, 'stopped');
  for (const other of [null, 'x', { rpc: 'event', name: 'watch', payload: {} }, { rpc: 'req', id: 1, method: TEST_PINGS, params: {} }]) {
    assert.equal(pings.receive(other), false);
  }
});

test('a post that throws (the webview is gone) stops the pings', async (t) => {
  let calls = 0;
  const pings = TestPings.create({ [TEST_HOOKS_ENV]: '1' }, () => {
    calls++;
    throw new Error('the hex editor was closed');
  });
  assert.ok(pings);
  t.after(() => pings.dispose());
  pings.receive(start(PERIOD, 50));
  await waitFor(() => calls >= 1, 'a ping');
  await sleep(PERIOD * 5);
  assert.equal(calls, 1);
});
