// The byte pipe (host end src/extension/agent/pipeClient.ts, agent end src/agent/bytePipe.ts) with
// the real agent: read and write travel on fd 4, their bytes over 64 KiB through the transfer file
// at fd 5, when /proc/<agent>/mem is not used (procMemory: false; we are root, so it would be
// allowed). Bytes for many sizes and odd offsets, concurrency, the transfer file seen through
// /proc/<agent>/fd, the frame length limit, errors as the channel gives them, SIGKILL in the
// middle of a 64 MiB reply, a forking prefix,
// and the fallback to the channel when no pipe can be set up (a prefix that closes fd 4, an
// environment without the token, bytePipe: false).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { AgentClient, diedInFlight, type AgentClientOptions, type AgentExit } from '../../src/extension/agent/client';
import { AgentSegment } from '../../src/extension/agent/agentSegment';
import { PipeClient, newPipeToken, openTransferFile } from '../../src/extension/agent/pipeClient';
import { FRAME_MAX, FrameReader, REPLY_HEAD, XFER_BASE, XFER_FD, encodeReplyHead } from '../../src/protocol/bytePipe';
import type { Segment } from '../../src/core';
import { AGENT_JS, createSegment, disposeSegment, haveCommand, installCleanup, procRow, rejectsCode, spawnTracked } from './helpers';

installCleanup();

const MiB = 1 << 20;
const clients = new Set<AgentClient>();

function newClient(extra: Partial<AgentClientOptions> = {}): AgentClient {
  const c = new AgentClient({ agentPath: AGENT_JS, timeoutMs: 60000, procMemory: false, ...extra });
  clients.add(c);
  return c;
}

after(() => {
  for (const c of clients) c.dispose();
});

/** A segment made by this process, filled with random bytes (returned). */
function filled(size: number): { seg: Segment; data: Buffer } {
  const seg = createSegment(size, { key: 'random' });
  const data = randomBytes(size);
  seg.attach();
  seg.writeChunk(data, 0);
  return { seg, data };
}

/** A started client whose reads and writes go over the byte pipe. */
async function piped(extra: Partial<AgentClientOptions> = {}): Promise<AgentClient> {
  assert.ok(fs.existsSync(AGENT_JS), `${AGENT_JS} is missing: npm run build`);
  const c = newClient(extra);
  await c.request('ping', {});
  assert.equal(c.agentMemory(), null, 'procMemory: false never opens /proc/<agent>/mem');
  assert.equal(c.bytePipe, true, 'the agent confirmed the byte pipe');
  return c;
}

describe('byte pipe: bytes', () => {
  test('reads of 0, 1, 4 KiB, 1 MiB, 16 MiB at odd offsets are the segment\'s bytes', async () => {
    const size = 16 * MiB + 4099;
    const { seg: core, data } = filled(size);
    const c = await piped();
    const seg = await AgentSegment.open(c, core.id, { readOnly: true });
    try {
      for (const [off, len] of [[0, 0], [size, 0], [7, 1], [size - 1, 1], [4093, 4096], [1, MiB], [MiB + 3, MiB], [3, 16 * MiB], [0, size]]) {
        const got = Buffer.from(await seg.read(off, len));
        assert.equal(got.length, len, `${off}+${len}: length`);
        assert.ok(got.equals(data.subarray(off, off + len)), `${off}+${len}: bytes`);
      }
      assert.equal(c.bytePipe, true, 'still on the pipe');
    } finally {
      await seg.close();
      disposeSegment(core);
    }
  });

  test('writes of 1 byte to 16 MiB at odd offsets land; reading back through the channel agrees', async () => {
    const size = 16 * MiB + 11;
    const { seg: core, data } = filled(size);
    const c = await piped();
    const channel = newClient({ bytePipe: false });
    const seg = await AgentSegment.open(c, core.id);
    try {
      for (const [off, len] of [[5, 1], [4097, 4096], [MiB - 1, MiB + 2], [size - 16 * MiB, 16 * MiB], [size, 0]]) {
        const fresh = randomBytes(len);
        assert.equal(await seg.write(off, fresh), len);
        fresh.copy(data, off);
      }
      assert.ok(core.readChunk(size, 0).equals(data), 'the segment holds every write');
      await channel.request('ping', {});
      assert.equal(channel.bytePipe, false);
      const { handle } = await channel.request('open', { id: core.id, readOnly: true });
      assert.ok(Buffer.from(await channel.request('read', { handle, offset: 0, length: size })).equals(data), 'the channel reads the same');
    } finally {
      await seg.close();
      disposeSegment(core);
    }
  });

  test('32 concurrent reads each get their own bytes; a write and reads interleaved', async () => {
    const size = 8 * MiB;
    const { seg: core, data } = filled(size);
    const c = await piped();
    const seg = await AgentSegment.open(c, core.id);
    try {
      const ranges = Array.from({ length: 32 }, (_, i) => [(i * 262147) % (size - MiB), 1 + ((i * 40503) % MiB)]);
      const got = await Promise.all(ranges.map(([off, len]) => seg.read(off, len)));
      ranges.forEach(([off, len], i) => { assert.ok(Buffer.from(got[i]).equals(data.subarray(off, off + len)), `read ${i}: ${off}+${len}`); });

      // In the order the requests are sent (client.request: AgentSegment awaits its handle first).
      const { handle } = await c.request('open', { id: core.id });
      const fresh = randomBytes(2 * MiB);
      const before = c.request('read', { handle, offset: 6 * MiB, length: 2 * MiB });
      const write = c.request('write', { handle, offset: 6 * MiB, data: fresh });
      const after = c.request('read', { handle, offset: 6 * MiB, length: 2 * MiB });
      const elsewhere = seg.read(0, MiB);
      const [b, w, a, e] = await Promise.all([before, write, after, elsewhere]);
      assert.ok(Buffer.from(b).equals(data.subarray(6 * MiB)), 'the read sent before the write sees the old bytes');
      assert.equal(w.written, 2 * MiB);
      assert.ok(Buffer.from(a).equals(fresh), 'the read sent after the write sees the new bytes');
      assert.ok(Buffer.from(e).equals(data.subarray(0, MiB)));
    } finally {
      await seg.close();
      disposeSegment(core);
    }
  });
});

describe('byte pipe: the transfer file', () => {
  /** The bytes the agent's transfer file holds at [XFER_BASE, +length), read through /proc/<agent>/fd. */
  function transferBytes(c: AgentClient, length: number): Buffer {
    const fd = fs.openSync(`/proc/${c.agentPid}/fd/${XFER_FD}`, 'r');
    try {
      const b = Buffer.alloc(length);
      assert.equal(fs.readSync(fd, b, 0, length, XFER_BASE), length, 'the transfer file holds the whole transfer');
      return b;
    } finally {
      fs.closeSync(fd);
    }
  }

  test('reads and writes of 1 MiB and 1 MiB + 3 at odd offsets go through the transfer file and are the right bytes', async () => {
    const size = 4 * MiB + 5;
    const { seg: core, data } = filled(size);
    const c = await piped();
    const seg = await AgentSegment.open(c, core.id);
    try {
      assert.match(fs.readlinkSync(`/proc/${c.agentPid}/fd/${XFER_FD}`), /^\/(dev\/shm|tmp)\/shm-inspector-.* \(deleted\)$/, 'an unlinked file');
      for (const [off, len] of [[3, MiB], [MiB + 1, MiB + 3]]) {
        const got = Buffer.from(await seg.read(off, len));
        assert.ok(got.equals(data.subarray(off, off + len)), `read ${off}+${len}: bytes`);
        assert.ok(transferBytes(c, len).equals(got), `read ${off}+${len}: carried by the transfer file`);
      }
      // readInto: the same bytes land in the caller's buffer (a view at an offset, reused).
      const dst = Buffer.alloc(2 * MiB + 16, 0xee);
      const view = dst.subarray(8, 8 + 2 * MiB);
      for (const [off, len] of [[5, MiB + 3], [0, 4096], [MiB + 2, MiB]]) {
        await seg.readInto(view, off, len);
        assert.ok(view.subarray(0, len).equals(data.subarray(off, off + len)), `readInto ${off}+${len}: bytes`);
      }
      assert.equal(dst[7], 0xee, 'readInto wrote nothing before the view');
      await assert.rejects(seg.readInto(Buffer.alloc(10), 0, 11), RangeError);
      for (const [off, len] of [[7, MiB], [2 * MiB + 1, MiB + 3]]) {
        const fresh = randomBytes(len);
        assert.equal(await seg.write(off, fresh), len);
        fresh.copy(data, off);
        assert.ok(transferBytes(c, len).equals(fresh), `write ${off}+${len}: carried by the transfer file`);
      }
      assert.ok(core.readChunk(size, 0).equals(data), 'the segment holds every write');
      assert.equal(c.bytePipe, true, 'still on the pipe');
    } finally {
      await seg.close();
      disposeSegment(core);
    }
  });
});

describe('byte pipe: frame limits', () => {
  test('the frame reader refuses a header announcing more than its limit, and takes one at the limit', () => {
    const frames: number[] = [];
    const reader = new FrameReader(REPLY_HEAD, (n) => Buffer.alloc(n), (_head, body) => { frames.push(body.length); }, 8);
    const head = (payload: number) => { const h = Buffer.alloc(REPLY_HEAD); encodeReplyHead(h, { id: 1, status: 0, payload, count: 0 }); return h; };
    reader.push(Buffer.concat([head(8), Buffer.alloc(8)]));
    assert.deepEqual(frames, [8]);
    assert.throws(() => { reader.push(head(9)); }, /a frame of 9 bytes, over the limit of 8/);
  });

  test('a reply frame over FRAME_MAX fails the pending read with EPROTO and leaves the pipe unusable', async () => {
    // A stand-in agent at fd 3: it takes the token and one request, then announces too long a reply.
    const body = `const fs = require('fs'); const b = Buffer.alloc(16 + 48); let got = 0;
      while (got < b.length) got += fs.readSync(3, b, got, b.length - got, null);
      const h = Buffer.alloc(16); h.writeUInt32LE(b.readUInt32LE(16), 0); h.writeUInt32LE(${FRAME_MAX + 1}, 8);
      fs.writeSync(3, h); setTimeout(() => undefined, 60000);`;
    const child = spawnTracked(process.execPath, ['-e', body], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
    const socket = child.stdio[3];
    assert.ok(socket instanceof net.Socket);
    const token = newPipeToken();
    const xfer = openTransferFile(token);
    assert.ok(xfer !== undefined, 'a transfer file');
    const pipe = new PipeClient(socket, token, xfer, 60000);
    try {
      pipe.open();
      const read = pipe.request('read', { handle: 1, offset: 0, length: 16 });
      assert.ok(read, 'the pipe takes the read');
      await rejectsCode(read, 'EPROTO', new RegExp(`a frame of ${FRAME_MAX + 1} bytes, over the limit of ${FRAME_MAX}`));
      assert.equal(pipe.usable, false);
      assert.equal(pipe.request('read', { handle: 1, offset: 0, length: 16 }), undefined, 'later requests go to the channel');
    } finally {
      pipe.close(new Error('test over'));
      child.kill();
    }
  });
});

describe('byte pipe: errors', () => {
  test('past the end, a closed handle, a read-only write: the errors the channel gives, and the pipe goes on', async () => {
    const { seg: core } = filled(MiB);
    const c = await piped();
    const channel = newClient({ bytePipe: false });
    try {
      const { handle } = await c.request('open', { id: core.id, readOnly: true });
      const viaChannel = (await channel.request('open', { id: core.id, readOnly: true })).handle;
      const cases: [string, (cl: AgentClient, h: number) => Promise<unknown>][] = [
        ['read past the end', (cl, h) => cl.request('read', { handle: h, offset: MiB - 2, length: 3 })],
        ['negative offset', (cl, h) => cl.request('read', { handle: h, offset: -1, length: 3 })],
        ['write to a read-only handle', (cl, h) => cl.request('write', { handle: h, offset: 0, data: Buffer.from('x') })],
      ];
      for (const [what, run] of cases) {
        const onPipe = await run(c, handle).then(() => assert.fail(`${what}: resolved`), (err: unknown) => err as Error & { code?: string });
        const onChannel = await run(channel, viaChannel).then(() => assert.fail(`${what}: resolved on the channel`), (err: unknown) => err as Error & { code?: string });
        assert.equal(onPipe.message, onChannel.message, what);
        assert.equal(onPipe.name, onChannel.name, what);
        assert.equal(onPipe.code, onChannel.code, what);
        assert.doesNotMatch(onPipe.message, /\n/, `${what}: one line`);
      }
      await c.request('close', { handle });
      await rejectsCode(c.request('read', { handle, offset: 0, length: 1 }), 'EBADF', /no open segment with handle/);
      await rejectsCode(c.request('write', { handle, offset: 0, data: Buffer.from('x') }), 'EBADF');
      const again = await c.request('open', { id: core.id, readOnly: true });
      assert.equal((await c.request('read', { handle: again.handle, offset: 0, length: 10 })).length, 10, 'the pipe still serves');
      assert.equal(c.bytePipe, true);
    } finally {
      disposeSegment(core);
    }
  });
});

describe('byte pipe: agent death', () => {
  test('SIGKILL while a 64 MiB read is in flight: EAGENT naming read, in flight at death; the next request works on a new pipe', async () => {
    const { seg: core, data } = filled(64 * MiB);
    const c = await piped();
    const exits: AgentExit[] = [];
    c.onDidExit((e) => exits.push(e));
    try {
      const pid = c.agentPid;
      assert.ok(pid !== undefined);
      const { handle } = await c.request('open', { id: core.id, readOnly: true });
      const p = c.request('read', { handle, offset: 0, length: 64 * MiB });
      await new Promise((r) => setTimeout(r, 20)); // the agent is copying or sending the reply
      process.kill(pid, 'SIGKILL');
      const e = await rejectsCode(p, 'EAGENT', /killed by SIGKILL during read/);
      assert.equal(diedInFlight(e), true, 'in flight when the agent died: not retried automatically');
      assert.deepEqual(exits.map((x) => x.during), [['read']]);

      const seg = await AgentSegment.open(c, core.id, { readOnly: true });
      // The agent answers ping once its pipe is settled; open may come back before that.
      await c.request('ping', {});
      assert.equal(c.bytePipe, true, 'the new agent has its own pipe');
      assert.ok(Buffer.from(await seg.read(12345, 2 * MiB)).equals(data.subarray(12345, 12345 + 2 * MiB)));
      await seg.close();
      assert.equal(procRow(core.id)?.nattch, 1, 'only this process\'s attachment is left');
    } finally {
      disposeSegment(core);
    }
  });
});

describe('byte pipe: prefixes and the fallback', () => {
  test('through a forking prefix (timeout 1d) the pipe reaches the agent', async (t) => {
    if (!haveCommand('timeout')) { t.skip('timeout not found: cannot test a forking prefix'); return; }
    const { seg: core, data } = filled(4 * MiB);
    const c = await piped({ commandPrefix: ['timeout', '1d'] });
    try {
      assert.notEqual(c.agentPid, c.pid, 'the prefix forked');
      const seg = await AgentSegment.open(c, core.id);
      assert.ok(Buffer.from(await seg.read(1, 4 * MiB - 1)).equals(data.subarray(1)));
      await seg.write(3, Buffer.from('through timeout'));
      assert.equal(core.readChunk(15, 3).toString(), 'through timeout');
      await seg.close();
    } finally {
      disposeSegment(core);
    }
  });

  const fallbacks: { why: string; needs?: string; options: Partial<AgentClientOptions> }[] = [
    // As sudo's closefrom does: the agent finds no fd 4, or one of its own that is not our socket.
    { why: 'a prefix that closes fd 4', needs: 'bash', options: { commandPrefix: ['bash', '-c', 'exec 4>&-; exec "$@"', 'close-fd4'] } },
    { why: 'a prefix that puts /dev/null at fd 4', needs: 'bash', options: { commandPrefix: ['bash', '-c', 'exec 4</dev/null; exec "$@"', 'null-fd4'] } },
    // As sudo's env_reset does: no token, so fd 4 is not trusted.
    { why: 'a prefix that drops the token from the environment', needs: 'env', options: { commandPrefix: ['env', '-u', 'SHM_INSPECTOR_PIPE'] } },
    { why: 'bytePipe: false', options: { bytePipe: false } },
  ];
  for (const { why, needs, options } of fallbacks) {
    test(`${why}: no pipe, reads and writes go over the channel and are right`, async (t) => {
      if (needs && !haveCommand(needs)) { t.skip(`${needs} not found: cannot test ${why}`); return; }
      const { seg: core, data } = filled(2 * MiB + 1);
      const c = newClient(options);
      try {
        await c.request('ping', {});
        assert.equal(c.bytePipe, false, 'no pipe');
        const seg = await AgentSegment.open(c, core.id);
        assert.ok(Buffer.from(await seg.read(1, 2 * MiB)).equals(data.subarray(1)));
        const into = Buffer.alloc(MiB + 1);
        await seg.readInto(into, 3);
        assert.ok(into.equals(data.subarray(3, MiB + 4)), 'readInto over the channel');
        await seg.write(2 * MiB - 3, Buffer.from('chan'));
        assert.equal(core.readChunk(4, 2 * MiB - 3).toString(), 'chan');
        await rejectsCode(c.request('read', { handle: 9999, offset: 0, length: 1 }), 'EBADF');
        await seg.close();
      } finally {
        disposeSegment(core);
      }
    });
  }
});
