// Parsing and laying out a big header: what `#include <sys/shm.h>` and `<pthread.h>` (plus a few
// more system headers to pass 10,000 preprocessed lines) expand to, plus a struct of the user's.
// Target: <= 200 ms (median). Baseline in the same run: `cc -E` of the same file, and
// tree-sitter's parse alone (the part we cannot make faster).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { layoutSource } from '../src/ctypes';
import { cParser } from '../src/ctypes/parser';
import { findCompiler, preprocess } from '../src/ctypes/preprocess';
import { hostAbi } from '../src/ctypes/abi';
import { type Verdict, f1, median, now, time, timeAsync, verdict } from './util';

const HEADER = [
  '#include <sys/shm.h>', '#include <pthread.h>', '#include <sys/stat.h>', '#include <netinet/tcp.h>',
  '#include <linux/perf_event.h>', '#include <semaphore.h>', '#include <stdio.h>', '#include <stdlib.h>', '#include <signal.h>', '#include <unistd.h>', '#include <fcntl.h>',
  'struct shared_state { struct shmid_ds ds; pthread_mutex_t lock; struct stat st; struct tcp_info tcp; struct perf_event_attr attr; sem_t sem; };',
].join('\n') + '\n';

export async function cLayoutBench(reps: number, log: (s: string) => void): Promise<Verdict[]> {
  const abi = hostAbi();
  if (!findCompiler(abi)) {
    log('  no C compiler on PATH: skipped (the header is what cc -E makes of system headers)');
    return [];
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-clayout-'));
  try {
    const file = path.join(dir, 'state.h');
    fs.writeFileSync(file, HEADER);
    const runs = Math.max(reps, 9);
    const pre: number[] = [];
    let source = await preprocess(file, { abi });
    for (let i = 0; i < runs; i++) {
      const t = now();
      source = await preprocess(file, { abi });
      pre.push(now() - t);
    }
    const lines = source.text.split('\n').length;
    const parser = await cParser();
    const parse: number[] = [];
    const full: number[] = [];
    await layoutSource(source, abi); // warm-up (JIT, wasm)
    for (let i = 0; i < runs; i++) {
      parse.push(time(() => { parser.parse(source.text)?.delete(); }));
      full.push(await timeAsync(async () => { (await layoutSource(source, abi)).lookup('struct shared_state'); }));
    }
    const m = median(full);
    log(`  ${lines} preprocessed lines: parse + lay out ${f1(m)} ms median; baselines: tree-sitter parse alone ${f1(median(parse))} ms, cc -E ${f1(median(pre))} ms`);
    return [verdict('clayout', `${lines} lines parsed and laid out in ${f1(m)} ms`, m <= 200, '<= 200 ms')];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
