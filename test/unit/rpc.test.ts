// The Rpc class over a pair of in-memory channels (structured clone, delivered asynchronously).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rpc, RpcError, type CallContext, type Handlers, type RpcMessage } from '../../src/protocol/rpc';
import { rejectsCode, sleep, waitFor } from './helpers';

type ServerMethods = {
  echo: { params: { text: string }; result: { text: string } };
  bytes: { params: { data: Uint8Array }; result: Uint8Array };
  fail: { params: { code?: string }; result: never };
  failPlain: { params: Record<string, never>; result: never };
  slow: { params: { ms: number }; result: string };
  work: { params: { steps: number }; result: number };
  waitCancel: { params: Record<string, never>; result: string };
};
type ClientMethods = { hello: { params: { from: string }; result: string } };
type Events = { tick: { n: number } };

interface Pair {
  client: Rpc<ClientMethods, ServerMethods, Events, Events>;
  server: Rpc<ServerMethods, ClientMethods, Events, Events>;
  /** What each side sent, in order. */
  sent: { toServer: RpcMessage[]; toClient: RpcMessage[] };
  /** Signals the handlers saw (by method). */
  signals: Map<string, AbortSignal>;
  cancelled: Promise<void>;
  cut: () => void;
}

function pair(options: { timeoutMs?: number } = {}): Pair {
  const sent = { toServer: [] as RpcMessage[], toClient: [] as RpcMessage[] };
  const signals = new Map<string, AbortSignal>();
  let cut = false;
  let markCancelled!: () => void;
  const cancelled = new Promise<void>((r) => { markCancelled = r; });
  const handlers: Handlers<ServerMethods> = {
    echo: (p) => ({ text: p.text }),
    bytes: (p) => {
      assert.ok(p.data instanceof Uint8Array);
      return Uint8Array.from(p.data, (b) => b ^ 0xff);
    },
    fail: (p) => {
      const e = new Error('shmat 32769: permission denied (EACCES)') as Error & { code?: string; op?: string };
      e.name = 'ShmError';
      e.code = p.code ?? 'EACCES';
      e.op = 'shmat';
      throw e;
    },
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- what is tested: a handler that throws a non-Error
    failPlain: () => { throw 'a string, not an Error'; },
    slow: async (p, ctx) => {
      signals.set('slow', ctx.signal);
      await sleep(p.ms);
      return 'done';
    },
    work: async (p, ctx: CallContext) => {
      for (let i = 1; i <= p.steps; i++) {
        await sleep(1);
        ctx.progress(i, p.steps);
      }
      return p.steps;
    },
    waitCancel: (_p, ctx) => {
      signals.set('waitCancel', ctx.signal);
      return new Promise<string>((resolve) => ctx.signal.addEventListener('abort', () => { markCancelled(); resolve('saw the abort'); }));
    },
  };
  // eslint-disable-next-line prefer-const
  let server: Rpc<ServerMethods, ClientMethods, Events, Events>;
  const client = new Rpc<ClientMethods, ServerMethods, Events, Events>((m) => {
    if (cut) throw new Error('channel closed');
    sent.toServer.push(m);
    const copy = structuredClone(m);
    setImmediate(() => server.receive(copy));
  }, { hello: (p) => `hello ${p.from}` }, options);
  server = new Rpc<ServerMethods, ClientMethods, Events, Events>((m) => {
    if (cut) throw new Error('channel closed');
    sent.toClient.push(m);
    const copy = structuredClone(m);
    setImmediate(() => client.receive(copy));
  }, handlers);
  return { client, server, sent, signals, cancelled, cut: () => { cut = true; } };
}

test('request/response both ways, bytes stay bytes', async () => {
  const { client, server } = pair();
  assert.deepEqual(await client.request('echo', { text: 'hi' }), { text: 'hi' });
  const out = await client.request('bytes', { data: new Uint8Array([0, 1, 254]) });
  assert.ok(out instanceof Uint8Array);
  assert.deepEqual([...out], [255, 254, 1]);
  assert.equal(await server.request('hello', { from: 'server' }), 'hello server');
  // many in flight, answered by id, not by order
  const results = await Promise.all([client.request('slow', { ms: 30 }), client.request('echo', { text: 'fast' })]);
  assert.deepEqual(results, ['done', { text: 'fast' }]);
  assert.deepEqual(client.pendingMethods(), []);
});

test('errors cross with name, code, op and message', async () => {
  const { client } = pair();
  const e = await rejectsCode(client.request('fail', {}), 'EACCES');
  assert.ok(e instanceof RpcError);
  assert.equal(e.name, 'ShmError');
  assert.equal(e.op, 'shmat');
  assert.equal(e.message, 'shmat 32769: permission denied (EACCES)');
  const e2 = await client.request('failPlain', {}).then(() => undefined, (x: unknown) => x);
  assert.ok(e2 instanceof RpcError);
  assert.equal(e2.message, 'a string, not an Error');
  assert.equal(e2.code, undefined);
});

test('unknown method is ENOSYS; prototype names are not methods', async () => {
  const { client } = pair();
  const c = client as unknown as Rpc<ClientMethods, Record<string, { params: unknown; result: unknown }>>;
  const e = await rejectsCode(c.request('nope', {}), 'ENOSYS', /unknown method nope/);
  assert.equal(e.op, 'nope');
  await rejectsCode(c.request('toString', {}), 'ENOSYS');
  await rejectsCode(c.request('constructor', {}), 'ENOSYS');
  await rejectsCode(c.request('__proto__', {}), 'ENOSYS');
});

test('timeout rejects with ETIMEDOUT and cancels the remote handler', async () => {
  const { client, signals, sent } = pair({ timeoutMs: 40 });
  const t0 = Date.now();
  const e = await rejectsCode(client.request('slow', { ms: 1000 }), 'ETIMEDOUT', /slow timed out after 40 ms/);
  assert.equal(e.name, 'TimeoutError');
  assert.equal(e.op, 'slow');
  assert.ok(Date.now() - t0 < 900, 'rejected on time, not when the handler finished');
  await waitFor(() => signals.get('slow')?.aborted, 'the handler\'s signal aborted');
  assert.ok(sent.toServer.some((m) => m.rpc === 'cancel'));
  // per-request override: 0 = no timeout
  assert.equal(await client.request('slow', { ms: 80 }, { timeoutMs: 0 }), 'done');
  assert.deepEqual(client.pendingMethods(), []);
});

test('cancel via AbortSignal: the caller rejects at once, the handler sees signal.aborted', async () => {
  const { client, signals, cancelled } = pair();
  const ac = new AbortController();
  const p = client.request('waitCancel', {}, { signal: ac.signal });
  await waitFor(() => signals.get('waitCancel'), 'the handler to start');
  assert.equal(signals.get('waitCancel')?.aborted, false);
  ac.abort();
  const e = await rejectsCode(p, 'ECANCELED');
  assert.equal(e.name, 'AbortError');
  await cancelled;
  assert.equal(signals.get('waitCancel')?.aborted, true);
  // the late answer of the cancelled handler is ignored
  await sleep(10);
  assert.deepEqual(client.pendingMethods(), []);
});

test('an already-aborted signal rejects without sending the request', async () => {
  const { client, sent } = pair();
  const ac = new AbortController();
  ac.abort();
  await rejectsCode(client.request('echo', { text: 'x' }, { signal: ac.signal }), 'ECANCELED');
  assert.equal(sent.toServer.filter((m) => m.rpc === 'req').length, 0);
});

test('progress reaches the caller in order', async () => {
  const { client } = pair();
  const seen: [number, number][] = [];
  assert.equal(await client.request('work', { steps: 5 }, { onProgress: (d, t) => seen.push([d, t]) }), 5);
  assert.deepEqual(seen, [[1, 5], [2, 5], [3, 5], [4, 5], [5, 5]]);
});

test('events are delivered to listeners until disposed', async () => {
  const { client, server } = pair();
  const got: number[] = [];
  const sub = client.on('tick', (p) => got.push(p.n));
  server.notify('tick', { n: 1 });
  server.notify('tick', { n: 2 });
  await waitFor(() => got.length === 2, 'two events');
  sub.dispose();
  server.notify('tick', { n: 3 });
  await sleep(10);
  assert.deepEqual(got, [1, 2]);
});

test('close() rejects pending and later requests with its error; running handlers are aborted', async () => {
  const { client, server, signals } = pair();
  const p1 = client.request('slow', { ms: 500 });
  const p2 = client.request('echo', { text: 'queued' });
  assert.deepEqual(client.pendingMethods().sort(), ['echo', 'slow']);
  const boom = new RpcError({ name: 'AgentError', message: 'the agent was killed by SIGKILL during slow', code: 'EAGENT' });
  client.close(boom);
  await assert.rejects(p1, (e) => e === boom);
  await assert.rejects(p2, (e) => e === boom);
  await assert.rejects(client.request('echo', { text: 'later' }), (e) => e === boom);
  assert.deepEqual(client.pendingMethods(), []);
  // the serving side closing aborts what it runs
  await waitFor(() => signals.get('slow'), 'slow started');
  server.close(new Error('gone'));
  assert.equal(signals.get('slow')?.aborted, true);
});

test('a send that throws rejects that request instead of hanging', async () => {
  const { client, cut } = pair();
  cut();
  const e = await client.request('echo', { text: 'x' }).then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof RpcError);
  assert.match(e.message, /channel closed/);
  assert.equal(e.op, 'echo');
  assert.deepEqual(client.pendingMethods(), []);
});

test('receive() ignores what is not an rpc message', () => {
  const { client } = pair();
  assert.equal(client.receive(null), false);
  assert.equal(client.receive('req'), false);
  assert.equal(client.receive({ id: 1 }), false);
  assert.equal(client.receive({ rpc: 'res', id: 999, ok: true, result: 1 }), true, 'an unknown id is dropped quietly');
});
