// Making a C compiler tell us a layout without running anything (so it works cross-ABI): the
// probe defines constants and objects, the compiler turns it into assembly (-S), and we read
// their bytes back from the data directives. Used by verify.ts and by the unit tests that prove
// the layout engine against gcc.
import { spawn } from 'node:child_process';
import type { CField } from '../protocol/cTypes';

/**
 * A const object of type typeName with the bit-field f set to all ones (`_Bool`: 1), so the
 * bits the compiler gives it are the set bits of the object's bytes.
 */
export function bitFieldObject(label: string, typeName: string, f: CField): string {
  return `__attribute__((used)) const ${typeName} ${label} = { .${f.path} = ${f.type === '_Bool' ? '1' : '-1'} };`;
}

/** Bytes per data directive, in gcc's x86_64 and aarch64 spellings. */
const WIDTH: Partial<Record<string, number>> = { byte: 1, value: 2, short: 2, hword: 2, '2byte': 2, long: 4, word: 4, '4byte': 4, int: 4, quad: 8, xword: 8, '8byte': 8, dword: 8 };
/** Directives that end an object's data. */
const END = new Set(['size', 'section', 'text', 'data', 'bss', 'ident']);

/** The bytes of each object whose label `wanted` accepts, from the compiler's assembly. */
export function readObjects(asm: string, wanted: (label: string) => boolean): Map<string, Uint8Array> {
  const found = new Map<string, number[]>();
  let current: number[] | undefined;
  for (const raw of asm.split('\n')) {
    const line = raw.trim();
    const label = /^([\w.$]+):$/.exec(line);
    if (label) {
      current = wanted(label[1]) ? [] : undefined;
      if (current) found.set(label[1], current);
      continue;
    }
    const d = current && /^\.([\w]+)\s*(.*)$/.exec(line);
    if (!current || !d) continue;
    const [, dir, arg] = d;
    const width = WIDTH[dir];
    if (dir === 'zero' || dir === 'skip') {
      for (let i = 0; i < Number(arg); i++) current.push(0);
    } else if (width) {
      let v = BigInt.asUintN(width * 8, BigInt(arg.trim()));
      for (let i = 0; i < width; i++) {
        current.push(Number(v & 0xffn));
        v >>= 8n;
      }
    } else if (END.has(dir)) {
      current = undefined;
    }
  }
  return new Map([...found].map(([k, v]) => [k, Uint8Array.from(v)]));
}

/** The numbers of the bits set in bytes (bit k is bit k % 8 of byte k / 8), ascending. */
export function setBits(bytes: Uint8Array): number[] {
  const bits: number[] = [];
  bytes.forEach((b, i) => {
    for (let j = 0; j < 8; j++) if (b & (1 << j)) bits.push(i * 8 + j);
  });
  return bits;
}

export interface Assembly {
  /** The assembly (empty when the compile failed). */
  asm: string;
  stderr: string;
  /** The compiler's exit status; null when it was killed or could not start. */
  status: number | null;
  /** Set when the compiler could not be started or ran out of time: why, in one line. */
  failure?: string;
}

/**
 * Compiles C text (given on stdin) to assembly with compiler and extra args (-I, -D, -include…).
 * Never throws; the compiler is killed after timeoutMs.
 */
export function compileToAssembly(compiler: string[], text: string, args: string[], timeoutMs: number): Promise<Assembly> {
  return new Promise((resolve) => {
    const child = spawn(compiler[0], [...compiler.slice(1), ...args, '-w', '-S', '-O0', '-x', 'c', '-', '-o', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `${compiler.join(' ')} took more than ${timeoutMs / 1000} s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => { /* the compiler exited early: its status and stderr say why */ });
    child.on('error', (e) => {
      failure ??= `cannot run ${compiler[0]}: ${e.message}`;
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({ asm: status === 0 && !failure ? Buffer.concat(out).toString('utf8') : '', stderr, status: failure ? null : status, failure });
    });
    child.stdin.end(text);
  });
}
