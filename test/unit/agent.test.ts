// AgentClient and AgentSegment against the real bundled agent (dist/agent.js): every method,
// parameter validation, crashes (SIGSEGV, SIGKILL) mid-request and recovery, the id-reuse
// guard (incl. a real id reuse inside a private IPC namespace), long jobs with progress and
// cancellation, and the /proc/<agent>/mem read path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient, mapsShowSegment, type AgentExit } from '../../src/extension/agent/client';
import { AgentSegment } from '../../src/extension/agent/agentSegment';
import { RpcError } from '../../src/protocol/rpc';
import { identityOf, type SegmentIdentity, type SegmentInfo } from '../../src/protocol/segment';
import { limits as coreLimits } from '../../src/core';
import {
  createViaAgent, AGENT_JS, createSegment, destroyTracked, disposeSegment, freshBundle, haveCommand, installCleanup, openSegment, procRow, rejectsCode, spawnAttacher,
  present, spawnTracked, testTmpDir, waitFor,
} from './helpers';

installCleanup();

const MiB = 1 << 20;
const clients = new Set<AgentClient>();
const agentPids = new Set<number>();

function newClient(extra: Partial<ConstructorParameters<typeof AgentClient>[0]> = {}): AgentClient {
  const c = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000, ...extra });
  clients.add(c);
  return c;
}

async function ping(c: AgentClient): Promise<number> {
  const { pid } = await c.request('ping', {});
  agentPids.add(pid);
  return pid;
}

const create = createViaAgent;

function destroy(info: SegmentInfo): void {
  destroyTracked(info.id, identityOf(info));
}


before(() => {
  // A SIGSEGV'd agent must not leave a core file of its attachments (256 MiB) in the repo.
  if (haveCommand('prlimit')) {
    try { execFileSync('prlimit', ['--pid', String(process.pid), '--core=0'], { stdio: 'pipe' }); } catch { /* best effort */ }
  }
  freshBundle('agent');
});

after(async () => {
  for (const c of clients) c.dispose();
  // dispose() disconnects; the agent exits on disconnect (SIGKILL after 2 s). Don't wait for that:
  // make sure now.
  await new Promise((r) => setTimeout(r, 100));
  for (const pid of agentPids) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

describe('requests', () => {
  test('ping starts the agent lazily; pid and generation', async () => {
    const c = newClient();
    assert.equal(c.pid, undefined);
    assert.equal(c.generation, 0);
    const pid = await ping(c);
    assert.equal(c.pid, pid);
    assert.notEqual(pid, process.pid);
    assert.equal(c.generation, 1);
    assert.equal(await ping(c), pid, 'the same agent serves the next request');
    assert.equal(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'shm-inspector', 'named among attached processes');
    assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /dist\/agent\.js/, 'its command line is left alone');
    c.dispose();
    await rejectsCode(c.request('ping', {}), 'EAGENT', /shut down/);
  });

  test('create, open, write, read, close, destroy: the bytes are the segment\'s', async () => {
    const c = newClient();
    const info = await create(c, 64 * 1024 + 1, { perms: 0o640 });
    try {
      assert.equal(info.size, 64 * 1024 + 1);
      assert.equal(info.mode & 0o777, 0o640);
      assert.equal(info.cpid, await ping(c), 'the agent created it');
      const { handle, readOnly, address, info: opened } = await c.request('open', { id: info.id });
      assert.equal(readOnly, false);
      assert.ok(address > 0);
      assert.equal(opened.nattch, 1);
      const data = randomBytes(5000);
      assert.deepEqual(await c.request('write', { handle, offset: 64 * 1024 + 1 - 5000, data }), { written: 5000 });
      const back = await c.request('read', { handle, offset: 64 * 1024 + 1 - 5000, length: 5000 });
      assert.ok(back instanceof Uint8Array);
      assert.deepEqual(Buffer.from(back), data);
      // the same bytes seen from this process
      const mine = openSegment(info.id).attach({ readOnly: true });
      assert.deepEqual(mine.readChunk(5000, 64 * 1024 + 1 - 5000), data);
      mine.detach();
      assert.equal(await c.request('close', { handle }), null);
      await rejectsCode(c.request('read', { handle, offset: 0, length: 1 }), 'EBADF');
      await rejectsCode(c.request('close', { handle }), 'EBADF');
      assert.equal(procRow(info.id)?.nattch, 0);
      assert.deepEqual(await c.request('destroy', { expect: identityOf(info) }), { deferred: false });
      assert.equal(procRow(info.id), undefined);
    } finally {
      destroy(info);
    }
  });

  test('read-only open refuses writes with EROFS', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    try {
      const { handle, readOnly } = await c.request('open', { id: info.id, readOnly: true });
      assert.equal(readOnly, true);
      const e = await rejectsCode(c.request('write', { handle, offset: 0, data: new Uint8Array([1]) }), 'EROFS');
      assert.equal(e.op, 'write');
      assert.equal(await ping(c), c.pid, 'no crash');
    } finally {
      destroy(info);
    }
  });

  test('stat, list with attachments, attachments, limits', async () => {
    const c = newClient();
    const info = await create(c, 8192);
    try {
      const pid = await ping(c);
      await c.request('open', { id: info.id, readOnly: true });
      const st = await c.request('stat', { id: info.id });
      assert.equal(st.nattch, 1);
      assert.equal(st.key, info.key);
      const { segments, attachments } = await c.request('list', { attachments: true });
      assert.ok(segments.some((s) => s.id === info.id));
      const rep = attachments?.find((a) => a.id === info.id);
      assert.ok(rep, 'a report for our segment');
      assert.equal(rep.complete, true);
      assert.deepEqual(rep.attachments.map((a) => [a.pid, a.readOnly, a.command]), [[pid, true, 'shm-inspector']]);
      const plain = await c.request('list', {});
      assert.equal(plain.attachments, undefined);
      const one = await c.request('attachments', { id: info.id });
      assert.deepEqual(one.attachments.map((a) => a.pid), [pid]);
      const l = await c.request('limits', {});
      const mine = coreLimits();
      assert.equal(l.shmmni, mine.shmmni);
      assert.equal(l.shmmax, mine.shmmax);
      assert.equal(l.shmall, mine.shmall);
      assert.equal(l.pageSize, mine.pageSize);
    } finally {
      destroy(info);
    }
  });

  test('destroy with a wrong identity is ECHANGED and removes nothing', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    try {
      const id = identityOf(info);
      for (const wrong of [{ ...id, cpid: id.cpid + 1 }, { ...id, size: 8192 }, { ...id, key: (id.key + 1) >>> 0 }]) {
        const e = await rejectsCode(c.request('destroy', { expect: wrong }), 'ECHANGED', /nothing done/);
        assert.equal(e.op, 'destroy');
        assert.ok(procRow(info.id), 'still there');
      }
      assert.deepEqual(await c.request('destroy', { expect: id }), { deferred: false });
      assert.equal(procRow(info.id), undefined);
    } finally {
      destroy(info);
    }
  });

  test('destroy while the agent has it open is deferred; the open handle still reads', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    try {
      const { handle } = await c.request('open', { id: info.id });
      await c.request('write', { handle, offset: 0, data: Buffer.from('still here') });
      assert.deepEqual(await c.request('destroy', { expect: identityOf(info) }), { deferred: true });
      assert.equal(Buffer.from(await c.request('read', { handle, offset: 0, length: 10 })).toString(), 'still here');
      assert.equal(procRow(info.id)?.key, 0);
      await c.request('close', { handle });
      assert.equal(procRow(info.id), undefined);
    } finally {
      destroy(info);
    }
  });

  test('open with an expected identity that no longer matches is ECHANGED and attaches nothing', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    try {
      const stale: SegmentIdentity = { ...identityOf(info), cpid: info.cpid + 1 };
      await rejectsCode(c.request('open', { id: info.id, expect: stale }), 'ECHANGED');
      await rejectsCode(AgentSegment.open(c, info.id, { expect: { ...identityOf(info), size: 1 } }), 'ECHANGED');
      assert.equal(procRow(info.id)?.nattch, 0);
      const ok = await c.request('open', { id: info.id, expect: identityOf(info) });
      assert.ok(ok.handle > 0);
    } finally {
      destroy(info);
    }
  });

  test('bad parameters are errors, never crashes', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    try {
      const pid = await ping(c);
      const { handle } = await c.request('open', { id: info.id });
      const before = Buffer.from(await c.request('read', { handle, offset: 0, length: 4096 }));
      const any = c as unknown as { request(m: string, p: unknown): Promise<unknown> };
      const cases: [string, unknown, string | undefined, RegExp?][] = [
        ['read', { handle, offset: -1, length: 1 }, undefined, /offset must be a whole number/],
        ['read', { handle, offset: 0, length: 1.5 }, undefined, /length/],
        ['read', { handle, offset: 4095, length: 2 }, undefined, /past the end/],
        ['read', { handle, offset: 2 ** 53 - 1, length: 2 }, undefined, /past the end/],
        ['read', { handle, offset: '0', length: 1 }, undefined],
        ['read', { handle: 9999, offset: 0, length: 1 }, 'EBADF', /no open segment with handle 9999/],
        ['read', { handle: String(handle), offset: 0, length: 1 }, 'EBADF'],
        ['read', null, 'EBADF'],
        ['write', { handle, offset: 0, data: [1, 2, 3] }, undefined, /must be bytes/],
        ['write', { handle, offset: 0, data: 'abc' }, undefined, /must be bytes/],
        ['write', { handle, offset: -5, data: new Uint8Array(1) }, undefined],
        ['write', { handle, offset: 4095, data: new Uint8Array(2) }, undefined, /past the end/],
        ['write', { handle: 12345, offset: 0, data: new Uint8Array(1) }, 'EBADF'],
        ['stat', { id: -1 }, undefined, /segment id/],
        ['stat', { id: 'x' }, undefined],
        ['open', { id: 1.5 }, undefined],
        ['create', { size: 0 }, undefined, /at least 1 byte/],
        ['create', null, undefined],
        ['create', { size: 4096, perms: 0o7777 }, undefined, /perms/],
        ['destroy', {}, undefined, /expect/],
        ['destroy', null, undefined],
        ['dump', { handle, path: '' }, undefined, /path/],
        ['dump', { handle, path: path.join(testTmpDir(), 'never.bin'), offset: -1 }, undefined],
        ['search', { handle, pattern: 'abc', from: 0, max: 10 }, undefined, /must be bytes/],
        ['search', { handle, pattern: new Uint8Array(0), from: 0, max: 10 }, undefined, /empty pattern/],
        ['close', { handle: -1 }, 'EBADF'],
      ];
      for (const [method, params, code, message] of cases) {
        const e = await any.request(method, params).then(() => undefined, (x: unknown) => x);
        const label = `${method} ${JSON.stringify(params)}`;
        assert.ok(e instanceof RpcError, `${label} must fail`);
        if (code) assert.equal(e.code, code, `${label}: ${e.message}`);
        else assert.ok(['RangeError', 'TypeError'].includes(e.name), `${label}: ${e.name} ${e.message}`);
        if (message) assert.match(e.message, message, label);
        assert.notEqual(e.code, 'EAGENT', `${label} crashed the agent`);
      }
      assert.equal(await ping(c), pid, 'the same agent survived all of it');
      assert.equal(c.generation, 1);
      assert.deepEqual(Buffer.from(await c.request('read', { handle, offset: 0, length: 4096 })), before, 'nothing written');
      await rejectsCode(any.request('nonsense', {}), 'ENOSYS');
    } finally {
      destroy(info);
    }
  });
});

describe('crashes and restarts', () => {
  for (const signal of ['SIGSEGV', 'SIGKILL'] as const) {
    test(`${signal} during a 256 MiB read rejects it with EAGENT naming ${signal} and read; the next request starts a new agent`, async () => {
      const c = newClient();
      const exits: AgentExit[] = [];
      c.onDidExit((e) => exits.push(e));
      const info = await create(c, 256 * MiB, { noReserve: true });
      try {
        const pid1 = await ping(c);
        const gen1 = c.generation;
        const { handle } = await c.request('open', { id: info.id });
        const p = c.request('read', { handle, offset: 0, length: 256 * MiB });
        await new Promise((r) => setTimeout(r, 30)); // let it get going
        process.kill(pid1, signal);
        const e = await rejectsCode(p, 'EAGENT');
        assert.equal(e.name, 'AgentError');
        assert.match(e.message, new RegExp(`killed by ${signal}`));
        assert.match(e.message, /during read/);
        assert.equal(exits.length, 1);
        assert.equal(exits[0].signal, signal);
        assert.deepEqual(exits[0].during, ['read']);
        // the next request: a new agent, a new generation; the old handle is gone with it
        const pid2 = await ping(c);
        assert.notEqual(pid2, pid1);
        assert.equal(c.generation, gen1 + 1);
        await rejectsCode(c.request('read', { handle, offset: 0, length: 1 }), 'EBADF', /agent restarted/);
        assert.equal(procRow(info.id)?.nattch, 0, 'the dead agent\'s attachment is gone');
      } finally {
        destroy(info);
      }
    });
  }

  test('an agent that exits on its own is reported with its exit code', async () => {
    const c = newClient();
    const exits: AgentExit[] = [];
    c.onDidExit((e) => exits.push(e));
    const pid = await ping(c);
    process.kill(pid, 'SIGTERM');
    await waitFor(() => exits.length === 1, 'exit event');
    assert.equal(exits[0].signal, 'SIGTERM');
    assert.deepEqual(exits[0].during, []);
    assert.match(exits[0].message, /SIGTERM/);
    assert.notEqual(await ping(c), pid);
  });

  test('an agent that cannot start rejects the request with EAGENT and the reason', async () => {
    const missing = newClient({ agentPath: path.join(testTmpDir(), 'no-such-agent.js') });
    const e = await rejectsCode(missing.request('ping', {}), 'EAGENT', /exited with code 1 during ping/);
    assert.match(e.message, /Cannot find module/, 'the reason (node\'s "Error: Cannot find module" line) must be in the message, not just the last lines of the stack dump');
    const noNode = newClient({ execPath: path.join(testTmpDir(), 'no-such-node') });
    await rejectsCode(noNode.request('ping', {}), 'EAGENT', /could not run|exited/);
    const badPrefix = newClient({ commandPrefix: ['false'] });
    await rejectsCode(badPrefix.request('ping', {}), 'EAGENT', /exited with code 1/);
  });

  test('a request that takes longer than its timeout rejects with ETIMEDOUT; the agent lives on', async () => {
    const c = newClient();
    await rejectsCode(c.request('ping', {}, { timeoutMs: 1 }), 'ETIMEDOUT', /ping timed out after 1 ms/);
    const pid = await ping(c);
    assert.equal(c.generation, 1, 'no restart for a timeout');
    assert.equal(await ping(c), pid);
  });

  test('AgentSegment re-open after a restart fails (EINVAL) when the segment was destroyed meanwhile', async () => {
    const c = newClient();
    const info = await create(c, 4096);
    const seg = await AgentSegment.open(c, info.id);
    try {
      process.kill(present(c.pid, 'the agent\'s pid'), 'SIGKILL');
      await waitFor(() => c.pid === undefined, 'death noticed');
      destroy(info);
      await rejectsCode(seg.read(0, 4), 'EINVAL', new RegExp(`no segment with id ${info.id}`));
    } finally {
      await seg.close();
      destroy(info);
    }
  });

  test('AgentSegment re-opens after a restart and reads the same bytes', async () => {
    const c = newClient();
    const info = await create(c, 1 * MiB);
    const seg = await AgentSegment.open(c, info.id);
    try {
      const data = randomBytes(MiB);
      assert.equal(await seg.write(0, data), MiB);
      assert.deepEqual(Buffer.from(await seg.read(0, MiB)), data);
      const pid1 = present(c.pid, 'the agent\'s pid');
      process.kill(pid1, 'SIGKILL');
      await waitFor(() => c.pid === undefined, 'the client noticed the death');
      assert.deepEqual(Buffer.from(await seg.read(1000, 5000)), data.subarray(1000, 6000));
      assert.notEqual(c.pid, pid1);
      agentPids.add(present(c.pid, 'the restarted agent\'s pid'));
      assert.equal(c.generation, 2);
      // a write after another restart, through withHandle's retry
      process.kill(present(c.pid, 'the restarted agent\'s pid'), 'SIGKILL');
      await waitFor(() => c.pid === undefined, 'second death noticed');
      assert.equal(await seg.write(10, Buffer.from('again')), 5);
      assert.equal(Buffer.from(await seg.read(10, 5)).toString(), 'again');
      agentPids.add(present(c.pid, 'the third agent\'s pid'));
      await seg.close();
      await rejectsCode(seg.read(0, 1), 'ECLOSED');
      await waitFor(() => procRow(info.id)?.nattch === 0, 'closed in the agent');
    } finally {
      await seg.close();
      destroy(info);
    }
  });

  test('AgentSegment refuses to re-open (ECHANGED) when its id now names another segment (private IPC namespace)', async (t) => {
    if (!haveCommand('unshare') || !haveCommand('nsenter')) { t.skip('unshare/nsenter not found (util-linux)'); return; }
    // A private IPC namespace, with its own /proc so kernel.shm_next_id can force the id reuse.
    const holder = spawnTracked('unshare', ['--ipc', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', 'sleep', 'infinity'], { stdio: 'ignore' });
    // no pid only if unshare failed to start: then /proc/undefined has no namespace and the test skips
    const holderPid = String(holder.pid);
    try {
      const ns = (pid: number | string) => { try { return fs.readlinkSync(`/proc/${pid}/ns/ipc`); } catch { return ''; } };
      const setNextId = (id: number) => execFileSync('nsenter', ['-t', holderPid, '-i', '-m', 'sh', '-c', `echo ${id} > /proc/sys/kernel/shm_next_id`], { stdio: 'pipe' });
      try {
        await waitFor(() => ns(holderPid) && ns(holderPid) !== ns('self'), 'the new IPC namespace', 3000);
        // (the probe sets the next id to 0: harmless, this namespace is ours alone)
        await waitFor(() => { try { setNextId(0); return true; } catch { return false; } }, 'a writable shm_next_id', 3000);
      } catch (err) {
        t.skip(`cannot make a private IPC namespace with a writable shm_next_id here: ${(err as Error).message}`);
        return;
      }
      const c = newClient({ commandPrefix: ['nsenter', '-t', holderPid, '-i'] });
      const agentNs = async () => ns(await ping(c));
      assert.equal(await agentNs(), ns(holderPid), 'the agent runs in the private namespace');
      const a = await c.request('create', { size: 4096, key: 0x1111 });
      const seg = await AgentSegment.open(c, a.id);
      await seg.write(0, Buffer.from('first'));
      const pid1 = present(c.pid, 'the agent\'s pid');
      process.kill(pid1, 'SIGKILL');
      await waitFor(() => c.pid === undefined, 'death noticed');
      assert.deepEqual(await c.request('destroy', { expect: identityOf(a) }), { deferred: false });
      agentPids.add(present(c.pid, 'the restarted agent\'s pid'));
      setNextId(a.id);
      const b = await c.request('create', { size: 8192, key: 0x2222 });
      assert.equal(b.id, a.id, 'the kernel reused the id for another segment');
      const e = await rejectsCode(seg.read(0, 5), 'ECHANGED', /now names another segment/);
      assert.equal(e.op, 'open');
      await rejectsCode(seg.write(0, Buffer.from('x')), 'ECHANGED');
      // nothing was attached or written in the new segment
      const st = await c.request('stat', { id: b.id });
      assert.equal(st.nattch, 0);
      const { handle } = await c.request('open', { id: b.id, readOnly: true });
      assert.deepEqual(Buffer.from(await c.request('read', { handle, offset: 0, length: 5 })), Buffer.alloc(5));
      await seg.close();
      c.dispose();
    } finally {
      holder.kill('SIGKILL'); // the namespace, and every segment in it, goes with its last process
    }
  });
});

describe('long jobs: search, dump, load', () => {
  test('search: offsets across 4 MiB chunks, progress events, max', async () => {
    const c = newClient();
    const info = await create(c, 24 * MiB, { noReserve: true });
    try {
      const { handle } = await c.request('open', { id: info.id });
      const pat = Buffer.from('NEEDLE-in-shm');
      const at = [0, 4 * MiB - 5, 8 * MiB, 24 * MiB - pat.length];
      for (const o of at) await c.request('write', { handle, offset: o, data: pat });
      const progress: [number, number][] = [];
      const r = await c.request('search', { handle, pattern: pat, from: 0, max: 100 }, { onProgress: (d, t) => progress.push([d, t]) });
      assert.deepEqual(r, { offsets: at, truncated: false });
      assert.ok(progress.length >= 5, `${progress.length} progress events`);
      assert.equal(progress[progress.length - 1][0], progress[progress.length - 1][1]);
      const back = await c.request('search', { handle, pattern: Buffer.from('needle-IN-SHM'), caseInsensitive: true, from: 24 * MiB, backwards: true, max: 2 });
      assert.deepEqual(back, { offsets: [at[3], at[2]], truncated: true });
      const wild = await c.request('search', { handle, pattern: Buffer.from('NEEDLE?in'), mask: Buffer.from([255, 255, 255, 255, 255, 255, 0, 255, 255]), from: 1, max: 100 });
      assert.deepEqual(wild.offsets, at.slice(1));
    } finally {
      destroy(info);
    }
  });

  test('search is cancelled by an AbortSignal; the agent stays responsive', async () => {
    const c = newClient();
    const info = await create(c, 64 * MiB, { noReserve: true });
    try {
      const { handle } = await c.request('open', { id: info.id });
      const pid = await ping(c);
      const ac = new AbortController();
      let events = 0;
      const p = c.request('search', { handle, pattern: Buffer.from('never there'), from: 0, max: 10 }, {
        signal: ac.signal,
        onProgress: () => { if (++events === 2) ac.abort(); },
      });
      await rejectsCode(p, 'ECANCELED');
      assert.equal(await ping(c), pid);
      assert.ok(events < 16, `stopped early (${events} progress events of 16)`);
    } finally {
      destroy(info);
    }
  });

  test('dump writes exactly the segment\'s bytes, with progress; a range dumps that range', async () => {
    const c = newClient();
    const info = await create(c, 10 * MiB + 3);
    try {
      const { handle } = await c.request('open', { id: info.id });
      const data = randomBytes(10 * MiB + 3);
      const mine = openSegment(info.id).attach();
      mine.writeChunk(data, 0);
      mine.detach();
      const file = path.join(testTmpDir(), 'dump.bin');
      const progress: number[] = [];
      assert.deepEqual(await c.request('dump', { handle, path: file }, { onProgress: (d) => progress.push(d) }), { bytes: data.length });
      assert.ok(fs.readFileSync(file).equals(data), 'dump equals the segment');
      assert.ok(progress.length >= 3);
      assert.equal(progress[progress.length - 1], data.length);
      const part = path.join(testTmpDir(), 'part.bin');
      assert.deepEqual(await c.request('dump', { handle, path: part, offset: 5 * MiB - 7, length: 1000 }), { bytes: 1000 });
      assert.ok(fs.readFileSync(part).equals(data.subarray(5 * MiB - 7, 5 * MiB - 7 + 1000)));
      const bad = path.join(testTmpDir(), 'bad.bin');
      await assert.rejects(c.request('dump', { handle, path: bad, offset: 10 * MiB, length: 1 * MiB }), (e: RpcError) => e.name === 'RangeError');
      assert.equal(fs.existsSync(bad), false, 'a refused dump creates no file');
      fs.rmSync(file);
      fs.rmSync(part);
    } finally {
      destroy(info);
    }
  });

  test('a cancelled dump leaves no file', async () => {
    const c = newClient();
    // 256 MiB in 4 MiB chunks: the cancel arrives long before the end, even on a busy host
    const info = await create(c, 256 * MiB, { noReserve: true });
    try {
      const { handle } = await c.request('open', { id: info.id });
      const file = path.join(testTmpDir(), 'cancelled.bin');
      const ac = new AbortController();
      let events = 0;
      const p = c.request('dump', { handle, path: file }, { signal: ac.signal, onProgress: () => { if (++events === 1) ac.abort(); } });
      await rejectsCode(p, 'ECANCELED');
      await waitFor(() => !fs.existsSync(file), 'the agent to remove the partial dump', 10000);
      await ping(c); // and it still serves
      assert.equal(fs.existsSync(file), false);
    } finally {
      destroy(info);
    }
  });

  test('load copies a file in at an offset, with progress', async () => {
    const c = newClient();
    const info = await create(c, 12 * MiB);
    try {
      const { handle } = await c.request('open', { id: info.id });
      const data = randomBytes(9 * MiB + 11);
      const file = path.join(testTmpDir(), 'load.bin');
      fs.writeFileSync(file, data);
      const progress: number[] = [];
      assert.deepEqual(await c.request('load', { handle, path: file, offset: 1 * MiB }, { onProgress: (d) => progress.push(d) }), { bytes: data.length });
      assert.ok(progress.length >= 3);
      assert.equal(progress[progress.length - 1], data.length);
      const mine = openSegment(info.id).attach({ readOnly: true });
      assert.ok(mine.readChunk(data.length, MiB).equals(data));
      assert.ok(mine.readChunk(MiB, 0).equals(Buffer.alloc(MiB)), 'nothing before the offset');
      mine.detach();
      fs.rmSync(file);
    } finally {
      destroy(info);
    }
  });

  test('load refuses a file that does not fit before writing anything; read-only is EROFS', async () => {
    const c = newClient();
    const info = await create(c, 1 * MiB);
    try {
      const { handle } = await c.request('open', { id: info.id });
      const before = randomBytes(MiB);
      await c.request('write', { handle, offset: 0, data: before });
      const file = path.join(testTmpDir(), 'too-big.bin');
      fs.writeFileSync(file, randomBytes(MiB - 100));
      const e = await c.request('load', { handle, path: file, offset: 101 }).then(() => undefined, (x: unknown) => x);
      assert.ok(e instanceof RpcError);
      assert.equal(e.name, 'RangeError');
      assert.match(e.message, /past the end/);
      assert.deepEqual(Buffer.from(await c.request('read', { handle, offset: 0, length: MiB })), before, 'not a byte written');
      await assert.rejects(c.request('load', { handle, path: path.join(testTmpDir(), 'missing.bin'), offset: 0 }), (x: RpcError) => x.code === 'ENOENT');
      const ro = await c.request('open', { id: info.id, readOnly: true });
      await rejectsCode(c.request('load', { handle: ro.handle, path: file, offset: 0 }), 'EROFS');
      fs.rmSync(file);
    } finally {
      destroy(info);
    }
  });

  test('a cancelled load stops between chunks', async () => {
    const c = newClient();
    const size = 256 * MiB;
    const info = await create(c, size, { noReserve: true });
    try {
      const { handle } = await c.request('open', { id: info.id });
      const mark = Buffer.alloc(16, 0xab);
      await c.request('write', { handle, offset: size - 16, data: mark });
      const file = path.join(testTmpDir(), 'big-load.bin');
      fs.writeFileSync(file, '');
      fs.truncateSync(file, size); // sparse: reads as zeros, costs no disk
      const ac = new AbortController();
      let events = 0;
      await rejectsCode(c.request('load', { handle, path: file, offset: 0 }, { signal: ac.signal, onProgress: () => { if (++events === 1) ac.abort(); } }), 'ECANCELED');
      await ping(c);
      const last = Buffer.from(await c.request('read', { handle, offset: size - 16, length: 16 }));
      assert.deepEqual(last, mark, 'the load stopped before the end');
      fs.rmSync(file);
    } finally {
      destroy(info);
    }
  });
});

describe('the /proc/<agent>/mem read path', () => {
  test('AgentSegment.read (via /proc/pid/mem) returns what the channel read returns', async () => {
    const c = newClient();
    const info = await create(c, 3 * MiB + 5);
    const seg = await AgentSegment.open(c, info.id);
    try {
      assert.notEqual(c.agentMemory(), null, '/proc/<agent>/mem must be readable for root');
      const data = randomBytes(3 * MiB + 5);
      await seg.write(0, data);
      const { handle } = await c.request('open', { id: info.id, readOnly: true });
      for (const [off, len] of [[0, 16], [MiB - 3, 4096], [3 * MiB + 5 - 100, 100], [0, 3 * MiB + 5], [12345, 0]]) {
        const viaMem = Buffer.from(await seg.read(off, len));
        const viaChannel = Buffer.from(await c.request('read', { handle, offset: off, length: len }));
        assert.ok(viaMem.equals(viaChannel), `${off}+${len}`);
        assert.ok(viaMem.equals(data.subarray(off, off + len)), `${off}+${len} equals what was written`);
      }
      // a write through the channel is visible through the mem path at once
      await c.request('write', { handle: (await c.request('open', { id: info.id })).handle, offset: 7, data: Buffer.from('fresh') });
      assert.equal(Buffer.from(await seg.read(7, 5)).toString(), 'fresh');
      // range errors before anything is read
      await assert.rejects(seg.read(3 * MiB + 1, 5), RangeError);
      await assert.rejects(seg.read(-1, 5), RangeError);
    } finally {
      await seg.close();
      destroy(info);
    }
  });
});

describe('command prefixes that fork: the real agent behind them', () => {
  /** The agent runs (its /proc entry exists and runs our script): not gone, not a zombie. */
  const agentRuns = (pid: number) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.basename(AGENT_JS));
    } catch {
      return false;
    }
  };
  const nattch = (id: number) => procRow(id)?.nattch;

  const prefixes: { prefix: string[]; needs: string }[] = [
    { prefix: ['timeout', '1d'], needs: 'timeout' },
    { prefix: ['unshare', '--pid', '--fork'], needs: 'unshare' },
  ];
  for (const { prefix, needs } of prefixes) {
    test(`${prefix.join(' ')}: reads are right, agentPid is the agent's, restart and dispose leave no agent attached`, async (t) => {
      if (!haveCommand(needs)) { t.skip(`${needs} not found: cannot test the prefix ${prefix.join(' ')}`); return; }
      const c = newClient({ commandPrefix: prefix });
      let own: number;
      try {
        own = (await c.request('ping', {})).pid;
      } catch (err) {
        t.skip(`this machine refuses \`${prefix.join(' ')}\`: ${(err as Error).message}`);
        return;
      }
      // Created here, not by the agent: under `unshare --pid` the agent that created a segment
      // sees itself (pid 1) as its creator, and the next agent (another namespace) sees 0.
      const info = createSegment(MiB, { key: 'random' });
      try {
        const before = present(nattch(info.id), `nattch of segment ${info.id}`);
        const agent1 = c.agentPid;
        assert.ok(agent1, 'the agent\'s pid is known after its first ping');
        agentPids.add(agent1);
        assert.notEqual(agent1, c.pid, 'the prefix forked: the child we started is not the agent');
        assert.ok(agentRuns(agent1), 'agentPid runs the agent script');
        if (prefix[0] === 'unshare') assert.equal(own, 1, 'inside its own PID namespace the agent is pid 1');
        else assert.equal(own, agent1);

        const seg = await AgentSegment.open(c, info.id);
        const data = randomBytes(MiB);
        await seg.write(0, data);
        assert.notEqual(c.agentMemory(), null, 'the real agent\'s memory is readable for root');
        assert.ok(Buffer.from(await seg.read(4096, 65536)).equals(data.subarray(4096, 4096 + 65536)), 'the bytes through /proc/<agentPid>/mem');
        const { handle, address } = await c.request('open', { id: info.id, readOnly: true });
        assert.ok(mapsShowSegment(agent1, address, info.id), 'the agent maps the segment at the address it reported');
        assert.ok(Buffer.from(await c.request('read', { handle, offset: 100, length: 1000 })).equals(data.subarray(100, 1100)), 'the bytes through the channel');
        assert.equal(nattch(info.id), before + 2);

        const agent2 = await c.restart();
        agentPids.add(agent2);
        assert.notEqual(agent2, agent1);
        assert.equal(c.agentPid, agent2);
        assert.equal(agentRuns(agent1), false, 'restart stopped the old agent, not only the prefix');
        assert.equal(nattch(info.id), before, 'the old agent\'s attachments are gone');
        assert.ok(Buffer.from(await seg.read(0, 16)).equals(data.subarray(0, 16)), 're-opened in the new agent');
        assert.equal(nattch(info.id), before + 1);

        c.dispose();
        await waitFor(() => !agentRuns(agent2), 'the agent leaves on dispose');
        await waitFor(() => nattch(info.id) === before, 'nattch back to its value before');
      } finally {
        disposeSegment(info);
      }
    });
  }

  test('an agent whose ping names a process that is not its own gets no /proc/<pid>/mem: the channel is used', async () => {
    // A stand-in agent that claims to be its parent (this test process): not the child we
    // started nor one of its descendants, so nothing may open that process's memory.
    const fake = path.join(testTmpDir(), 'lying-agent.js');
    fs.writeFileSync(fake, `process.on('message', (m) => {
  if (m && m.rpc === 'req') process.send({ rpc: 'res', id: m.id, ok: true, result: m.method === 'ping' ? { pid: process.ppid } : null });
});
process.on('disconnect', () => process.exit(0));
`);
    const c = newClient({ agentPath: fake });
    assert.equal((await c.request('ping', {})).pid, process.pid);
    assert.equal(c.agentPid, undefined, 'no process among the child and its descendants is that pid');
    assert.equal(c.agentMemory(), null);
    c.dispose();
  });
});

describe('mapsShowSegment', () => {
  test('true only for the segment\'s own mapping at its start address in that process', async () => {
    const seg = createSegment(3 * 4096, { key: 'random' });
    const att = await spawnAttacher(seg.id);
    try {
      const address = BigInt(`0x${att.address}`);
      assert.equal(mapsShowSegment(att.pid, address, seg.id), true);
      assert.equal(mapsShowSegment(att.pid, Number(address), seg.id), true, 'a number works as well');
      assert.equal(mapsShowSegment(att.pid, address + 4096n, seg.id), false, 'inside the mapping is not its start');
      assert.equal(mapsShowSegment(att.pid, address, seg.id + 1), false, 'another shmid');
      assert.equal(mapsShowSegment(process.pid, address, seg.id), false, 'a process that has not attached it');
      // A process that attached it twice (as an agent may: the editor's handle and an export's).
      seg.attach();
      const second = openSegment(seg.id).attach({ readOnly: true });
      try {
        assert.equal(mapsShowSegment(process.pid, seg.attachAddress, seg.id), true, 'the first attachment');
        assert.equal(mapsShowSegment(process.pid, second.attachAddress, seg.id), true, 'the second attachment');
      } finally {
        second.detach();
      }
    } finally {
      await att.end();
      disposeSegment(seg);
    }
    assert.equal(mapsShowSegment(att.pid, BigInt(`0x${att.address}`), seg.id), false, 'a process that is gone');
  });
});
