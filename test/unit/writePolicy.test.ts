// Root opens other users' segments read-only unless asked to write (the decision and the text
// the editor shows), and files holding exported segment bytes are private (0600).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HexDocInfo } from '../../src/protocol/webview';
import type { ByteSource } from '../../src/extension/hexEditor/byteSource';
import { ReasonedSource, ownerLabel, ownerReadOnlyReason } from '../../src/extension/hexEditor/writePolicy';
import { PRIVATE_FILE_MODE, createPrivateFile } from '../../src/extension/inspect/transfer';
import { testTmpDir } from './helpers';

describe('ownerReadOnlyReason', () => {
  const nobody = { ownerUid: 65534, ownerName: 'nobody' };

  test('root opening another user\'s segment: read-only, naming the owner and the way out', () => {
    assert.equal(ownerReadOnlyReason({ euid: 0, ...nobody, write: false }),
      'opened read-only: owned by nobody (uid 65534); use Open for Writing… to change it');
    assert.equal(ownerReadOnlyReason({ euid: 0, ownerUid: 1234, ownerName: '1234', write: false }),
      'opened read-only: owned by uid 1234; use Open for Writing… to change it', 'no name known: the uid');
    assert.equal(ownerReadOnlyReason({ euid: 0, ownerUid: undefined, ownerName: '', write: false }),
      'opened read-only: its owner could not be read; use Open for Writing… to change it', 'unknown owner: read-only too');
  });

  test('writable as usual: asked to write, root\'s own segment, or not root', () => {
    assert.equal(ownerReadOnlyReason({ euid: 0, ...nobody, write: true }), undefined);
    assert.equal(ownerReadOnlyReason({ euid: 0, ownerUid: 0, ownerName: 'root', write: false }), undefined);
    assert.equal(ownerReadOnlyReason({ euid: 1000, ...nobody, write: false }), undefined, 'the kernel decides for other users');
    assert.equal(ownerReadOnlyReason({ euid: undefined, ...nobody, write: false }), undefined);
  });

  test('ownerLabel', () => {
    assert.equal(ownerLabel(999, 'postgres'), 'postgres (uid 999)');
    assert.equal(ownerLabel(999, ''), 'uid 999');
  });
});

describe('ReasonedSource', () => {
  function fakeSource(readOnly: boolean): ByteSource & { calls: string[] } {
    const calls: string[] = [];
    const info: HexDocInfo = { id: 7, key: 0, keyHex: '0x00000000', size: 16, readOnly, readOnlyReason: readOnly ? 'opened read-only' : undefined };
    return {
      calls,
      identity: { id: 7, key: 0, cpid: 1, size: 16, ctime: 2 },
      size: 16,
      info,
      read: (o, l) => { calls.push(`read ${o} ${l}`); return Promise.resolve(new Uint8Array(l)); },
      write: (o) => { calls.push(`write ${o}`); return Promise.resolve(); },
      search: () => { calls.push('search'); return Promise.resolve({ matches: [], truncated: false } as never); },
      status: () => { calls.push('status'); return Promise.resolve({ gone: false, dest: false }); },
      close: () => { calls.push('close'); return Promise.resolve(); },
    };
  }

  test('replaces the read-only reason and passes everything else through', async () => {
    const inner = fakeSource(true);
    const s = new ReasonedSource(inner, 'opened read-only: owned by nobody (uid 65534); use Open for Writing… to change it');
    assert.deepEqual(s.info, { ...inner.info, readOnlyReason: 'opened read-only: owned by nobody (uid 65534); use Open for Writing… to change it' });
    assert.equal(s.size, 16);
    assert.deepEqual(s.identity, inner.identity);
    assert.equal(s.segment, undefined);
    assert.equal((await s.read(4, 2)).length, 2);
    await s.write(3, new Uint8Array(1));
    await s.search({} as never);
    await s.status();
    await s.close();
    assert.deepEqual(inner.calls, ['read 4 2', 'write 3', 'search', 'status', 'close']);
  });

  test('a writable source keeps its info (no reason)', () => {
    const inner = fakeSource(false);
    assert.equal(new ReasonedSource(inner, 'x').info, inner.info);
  });
});

describe('createPrivateFile (Export Range when the host writes the bytes)', () => {
  test('mode 0600 whatever the umask allows, and never an existing file or a planted link', async () => {
    const dir = fs.mkdtempSync(path.join(testTmpDir(), 'export-'));
    const file = path.join(dir, 'range.bin');
    const old = process.umask(0o002); // a permissive umask: group and others could read 0666 files
    try {
      const fh = await createPrivateFile(file);
      await fh.write(Buffer.from('secret'));
      await fh.close();
    } finally {
      process.umask(old);
    }
    assert.equal(PRIVATE_FILE_MODE, 0o600);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    await assert.rejects(createPrivateFile(file), { code: 'EEXIST' });
    const target = path.join(dir, 'victim');
    fs.writeFileSync(target, 'keep');
    const link = path.join(dir, 'planted.tmp');
    fs.symlinkSync(target, link);
    await assert.rejects(createPrivateFile(link), { code: 'EEXIST' });
    assert.equal(fs.readFileSync(target, 'utf8'), 'keep');
  });
});
