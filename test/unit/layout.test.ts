// src/core/layout.ts against the C compiler's own sizeof/offsetof and constants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as L from '../../src/core/layout';
import { compileC, haveCommand } from './helpers';

const SOURCE = `
#define _GNU_SOURCE
#include <stdio.h>
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define F(T, m) printf("\\"%s.%s\\": [%zu, %zu],\\n", #T, #m, offsetof(struct T, m), sizeof(((struct T *)0)->m))
#define S(T) printf("\\"%s\\": %zu,\\n", #T, sizeof(struct T))
#define C(c) printf("\\"%s\\": %ld,\\n", #c, (long)(c))

int main(void) {
  printf("{\\n");
  S(ipc_perm); F(ipc_perm, __key); F(ipc_perm, uid); F(ipc_perm, gid); F(ipc_perm, cuid); F(ipc_perm, cgid);
  F(ipc_perm, mode); F(ipc_perm, __seq);
  S(shmid_ds); F(shmid_ds, shm_perm); F(shmid_ds, shm_segsz); F(shmid_ds, shm_atime); F(shmid_ds, shm_dtime);
  F(shmid_ds, shm_ctime); F(shmid_ds, shm_cpid); F(shmid_ds, shm_lpid); F(shmid_ds, shm_nattch);
  S(shminfo); F(shminfo, shmmax); F(shminfo, shmmin); F(shminfo, shmmni); F(shminfo, shmseg); F(shminfo, shmall);
  S(shm_info); F(shm_info, used_ids); F(shm_info, shm_tot); F(shm_info, shm_rss); F(shm_info, shm_swp);
  C(IPC_PRIVATE); C(IPC_CREAT); C(IPC_EXCL); C(IPC_RMID); C(IPC_SET); C(IPC_STAT); C(IPC_INFO);
  C(SHM_LOCK); C(SHM_UNLOCK); C(SHM_STAT); C(SHM_INFO); C(SHM_STAT_ANY);
  C(SHM_RDONLY); C(SHM_RND); C(SHM_HUGETLB); C(SHM_NORESERVE); C(SHM_DEST); C(SHM_LOCKED);
  printf("\\"end\\": 0\\n}\\n");
  return 0;
}
`;

type Facts = Record<string, number | [number, number]>;

let facts: Facts | undefined;
function measured(): Facts {
  if (!facts) {
    const exe = compileC('layout', SOURCE);
    assert.ok(exe, 'the layout probe did not compile');
    facts = JSON.parse(execFileSync(exe, { encoding: 'utf8' })) as Facts;
  }
  return facts;
}

const noGcc = haveCommand('gcc') ? null : 'gcc not found';

/** [offset, size] of a field. */
function field(name: string): [number, number] {
  const f = measured()[name];
  assert.ok(Array.isArray(f), `${name} was not measured`);
  return f;
}

function checkStruct(cName: string, size: number, fields: Record<string, [cField: string, offset: number, bytes: number]>) {
  assert.equal(size, measured()[cName], `sizeof(struct ${cName})`);
  for (const [ours, [cField, offset, bytes]] of Object.entries(fields)) {
    const [cOff, cSize] = field(`${cName}.${cField}`);
    assert.equal(offset, cOff, `offsetof(struct ${cName}, ${cField}) (layout.ts: ${ours})`);
    assert.equal(bytes, cSize, `sizeof ${cName}.${cField}: the width core decodes it with`);
  }
}

test('struct ipc_perm matches the C compiler', (t) => {
  if (noGcc) { t.skip(noGcc); return; }
  const P = L.IPC_PERM;
  // widths are what core/info.ts reads: key int32, ids and mode uint32.
  checkStruct('ipc_perm', P.size, {
    key: ['__key', P.key, 4], uid: ['uid', P.uid, 4], gid: ['gid', P.gid, 4], cuid: ['cuid', P.cuid, 4],
    cgid: ['cgid', P.cgid, 4], mode: ['mode', P.mode, 4],
  });
  assert.equal(field('ipc_perm.__seq')[0], P.seq, 'offsetof(struct ipc_perm, __seq)');
});

test('struct shmid_ds matches the C compiler', (t) => {
  if (noGcc) { t.skip(noGcc); return; }
  const D = L.SHMID_DS;
  checkStruct('shmid_ds', D.size, {
    perm: ['shm_perm', D.perm, L.IPC_PERM.size], segsz: ['shm_segsz', D.segsz, 8], atime: ['shm_atime', D.atime, 8],
    dtime: ['shm_dtime', D.dtime, 8], ctime: ['shm_ctime', D.ctime, 8], cpid: ['shm_cpid', D.cpid, 4],
    lpid: ['shm_lpid', D.lpid, 4], nattch: ['shm_nattch', D.nattch, 8],
  });
});

test('struct shminfo matches the C compiler', (t) => {
  if (noGcc) { t.skip(noGcc); return; }
  const I = L.SHMINFO;
  checkStruct('shminfo', I.size, {
    shmmax: ['shmmax', I.shmmax, 8], shmmin: ['shmmin', I.shmmin, 8], shmmni: ['shmmni', I.shmmni, 8],
    shmseg: ['shmseg', I.shmseg, 8], shmall: ['shmall', I.shmall, 8],
  });
});

test('struct shm_info matches the C compiler', (t) => {
  if (noGcc) { t.skip(noGcc); return; }
  const I = L.SHM_INFO_LAYOUT;
  checkStruct('shm_info', I.size, {
    usedIds: ['used_ids', I.usedIds, 4], shmTot: ['shm_tot', I.shmTot, 8], shmRss: ['shm_rss', I.shmRss, 8], shmSwp: ['shm_swp', I.shmSwp, 8],
  });
});

test('IPC/SHM constants match <sys/ipc.h> and <sys/shm.h>', (t) => {
  if (noGcc) { t.skip(noGcc); return; }
  const names = [
    'IPC_PRIVATE', 'IPC_CREAT', 'IPC_EXCL', 'IPC_RMID', 'IPC_SET', 'IPC_STAT', 'IPC_INFO',
    'SHM_LOCK', 'SHM_UNLOCK', 'SHM_STAT', 'SHM_INFO', 'SHM_STAT_ANY',
    'SHM_RDONLY', 'SHM_RND', 'SHM_HUGETLB', 'SHM_NORESERVE', 'SHM_DEST', 'SHM_LOCKED',
  ] as const;
  const ours = L as unknown as Record<string, number>;
  for (const n of names) assert.equal(ours[n], measured()[n], `${n}: layout.ts ${ours[n]}, C ${String(measured()[n])}`);
});

test('assertSupportedArch refuses unknown architectures with a clear message', () => {
  assert.doesNotThrow(() => L.assertSupportedArch('x64'));
  assert.doesNotThrow(() => L.assertSupportedArch('arm64'));
  assert.throws(() => L.assertSupportedArch('ia32'), /only known for x64, arm64, not ia32/);
});
