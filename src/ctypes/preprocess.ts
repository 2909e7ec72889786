// Turns a C file into preprocessed text plus, for each line, the file and line it came from.
// With a C compiler for the ABI on PATH: `cc -E -dD` (line markers kept, then read and blanked
// here so errors name the header's own file:line). Without one: a small preprocessor of our
// own (object-like #define, #if/#ifdef/#ifndef/#elif/#else/#endif with defined() and integer
// expressions, quoted #include of the workspace's headers, #pragma kept) and the standard
// typedefs from abi.ts instead of the system headers.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CAbi } from '../protocol/cTypes';
import { hostAbi } from './abi';
import { CTypeError, type Origin, type Source } from './declarations';
import { binary, parseCharLiteral, parseIntLiteral, unary } from './integer';

export interface PreprocessOptions {
  abi: CAbi;
  includeDirs?: string[];
  /** `NAME` or `NAME=VALUE`. */
  defines?: string[];
  /** A compiler command to use; false: never use one (our own preprocessor). Default: search PATH. */
  compiler?: string[] | false;
  /** The compiler is killed after this long (default PREPROCESS_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** A preprocessor that runs longer than this is stuck (an include of a FIFO, a hung wrapper). */
export const PREPROCESS_TIMEOUT_MS = 20_000;
/** Most preprocessed output read (a header that expands past this is not a program's header). */
const MAX_OUTPUT = 256 << 20;

/** The compiler command that preprocesses for abi, if one is on PATH. */
export function findCompiler(abi: CAbi): string[] | undefined {
  const candidates: string[][] = abi === hostAbi() ? [['cc'], ['gcc'], ['clang']] : [];
  const triple = abi === 'aarch64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  candidates.push([`${triple}-gcc`], ['clang', `--target=${triple}`]);
  return candidates.find((c) => onPath(c[0]));
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir || '.', cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Preprocesses file; the compiler runs as a child process (never blocking the caller's event loop). */
export async function preprocess(file: string, opts: PreprocessOptions): Promise<Source> {
  if (!fs.existsSync(file)) throw new CTypeError(`${file}: no such file`);
  const compiler = opts.compiler === false ? undefined : opts.compiler ?? findCompiler(opts.abi);
  return compiler ? withCompiler(file, compiler, opts) : ownPreprocessor(file, await fs.promises.readFile(file, 'utf8'), opts);
}

/** GNU spellings tree-sitter-c does not know, mapped to the standard keyword. */
function normalize(line: string): string {
  return line.includes('__signed') ? line.replace(/\b__signed(__)?\b/g, 'signed') : line;
}

/** `cc -E`'s output, or CTypeError with one line (cannot run, timed out, too much output, its first error). */
function runPreprocessor(compiler: string[], args: string[], abs: string, file: string, timeoutMs: number): Promise<string> {
  const name = `${compiler.join(' ')} -E`;
  return new Promise((resolve, reject) => {
    execFile(compiler[0], args, { encoding: 'utf8', maxBuffer: MAX_OUTPUT, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) {
        resolve(stdout);
        return;
      }
      const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
      if (typeof e.code === 'string' && e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        reject(new CTypeError(`${name}: the preprocessed ${file} is larger than ${MAX_OUTPUT >> 20} MiB`));
      } else if (e.killed) {
        reject(new CTypeError(`${name} took more than ${timeoutMs / 1000} s on ${file}: stopped`));
      } else if (typeof e.code === 'string') {
        reject(new CTypeError(`cannot run ${compiler[0]}: ${e.message}`));
      } else {
        const lines = stderr.split('\n');
        const first = lines.find((l) => /error/.test(l)) ?? (lines[0] || (e.signal ? `killed by ${e.signal}` : 'no message'));
        reject(new CTypeError(`${name} failed: ${first.replace(abs, file).trim()}`));
      }
    });
  });
}

async function withCompiler(file: string, compiler: string[], opts: PreprocessOptions): Promise<Source> {
  const abs = path.resolve(file);
  const args = [...compiler.slice(1), '-E', '-dD', ...(opts.includeDirs ?? []).map((d) => `-I${d}`), ...(opts.defines ?? []).map((d) => `-D${d}`), '-x', 'c', abs];
  const lines = (await runPreprocessor(compiler, args, abs, file, opts.timeoutMs ?? PREPROCESS_TIMEOUT_MS)).split('\n');
  const origins: Origin[] = [];
  let current = file;
  let line = 1;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    const marker = /^# (\d+) "((?:[^"\\]|\\.)*)"/.exec(text);
    if (marker) {
      const name = marker[2].replace(/\\(.)/g, '$1');
      current = name === abs ? file : name;
      line = Number(marker[1]);
      lines[i] = '';
      origins.push({ file: current, line });
      continue;
    }
    origins.push({ file: current, line });
    line++;
    if (text.startsWith('#define') || text.startsWith('#undef')) lines[i] = '';
    else lines[i] = normalize(text);
  }
  return { text: lines.join('\n'), origins, mainFile: file, builtinTypes: false };
}

// --- our own small preprocessor -------------------------------------------------------------------

/** Preprocesses text (file is its name for messages and for quoted includes). */
export function ownPreprocessor(file: string, text: string, opts: Pick<PreprocessOptions, 'includeDirs' | 'defines'>): Source {
  const macros = new Map<string, string>();
  for (const d of opts.defines ?? []) {
    const eq = d.indexOf('=');
    macros.set(eq < 0 ? d : d.slice(0, eq), eq < 0 ? '1' : d.slice(eq + 1));
  }
  const out: string[] = [];
  const origins: Origin[] = [];
  const including = new Set<string>();
  const once = new Set<string>();

  const run = (name: string, body: string) => {
    const abs = path.resolve(name);
    if (including.has(abs)) throw new CTypeError(`#include cycle through ${name}`);
    if (once.has(abs)) return;
    including.add(abs);
    // Join continuation lines but keep the row count (one row per physical line).
    const physical = body.split('\n');
    // Each frame: is this group taken, has any branch been taken, is the enclosing group live.
    const stack: { taking: boolean; done: boolean; outer: boolean }[] = [];
    const live = () => stack.every((f) => f.taking);
    for (let i = 0; i < physical.length; i++) {
      const origin = { file: name, line: i + 1 };
      const fail = (m: string): never => { throw new CTypeError(m, origin); };
      let logical = physical[i];
      let extra = 0;
      while (logical.endsWith('\\') && i + extra + 1 < physical.length) {
        extra++;
        logical = logical.slice(0, -1) + physical[i + extra];
      }
      const d = /^\s*#\s*(\w*)\s*(.*)$/.exec(stripComments(logical));
      const emit = (t: string) => {
        out.push(t);
        origins.push(origin);
        for (let k = 0; k < extra; k++) {
          out.push('');
          origins.push({ file: name, line: i + 2 + k });
        }
      };
      i += extra;
      if (!d) {
        emit(live() ? normalize(expand(logical, macros)) : '');
        continue;
      }
      const [, dir, rest] = d;
      const arg = rest.trim();
      switch (dir) {
        case 'if': case 'ifdef': case 'ifndef': {
          const outer = live();
          const cond = !outer ? false : dir === 'if' ? evalCondition(arg, macros, fail) : (dir === 'ifdef') === macros.has(arg.split(/\s/)[0]);
          stack.push({ taking: cond, done: cond, outer });
          break;
        }
        case 'elif': case 'else': {
          const f = stack.at(-1) ?? fail(`#${dir} without #if`);
          if (!f.outer || f.done) f.taking = false;
          else {
            f.taking = dir === 'else' || evalCondition(arg, macros, fail);
            f.done = f.taking;
          }
          break;
        }
        case 'endif':
          if (!stack.pop()) fail('#endif without #if');
          break;
        default:
          if (!live()) break;
          if (dir === 'define') {
            const m = /^([A-Za-z_]\w*)(\(?)\s*(.*)$/.exec(arg) ?? fail(`cannot read #define ${arg}`);
            if (m[2]) macros.delete(m[1]); // function-like macros are not expanded: a use is a syntax error later
            else macros.set(m[1], m[3].trim());
          } else if (dir === 'undef') {
            macros.delete(arg);
          } else if (dir === 'include') {
            const q = /^"([^"]+)"/.exec(arg);
            if (!q) break; // <system> headers: their standard types are built in
            const found = [path.dirname(name), ...(opts.includeDirs ?? [])].map((dir2) => path.join(dir2, q[1])).find((p) => fs.existsSync(p));
            if (!found) return fail(`#include "${q[1]}": not found`);
            emit('');
            run(found, fs.readFileSync(found, 'utf8'));
            continue;
          } else if (dir === 'pragma') {
            if (arg === 'once') once.add(abs);
            else {
              emit(`#pragma ${arg}`);
              continue;
            }
          } else if (dir === 'error') {
            fail(`#error ${arg}`);
          } else if (dir !== 'line' && dir !== '' && dir !== 'warning' && dir !== 'ident') {
            fail(`unsupported directive #${dir}`);
          }
      }
      emit('');
    }
    if (stack.length) throw new CTypeError(`unterminated #if`, { file: name, line: physical.length });
    including.delete(abs);
  };
  run(file, text);
  return { text: out.join('\n'), origins, mainFile: file, builtinTypes: true };
}

function stripComments(line: string): string {
  return line.replace(/\/\*.*?\*\//g, ' ').replace(/\/\/.*$/, '');
}

/** Replaces object-like macros (recursively, each at most once per expansion). */
function expand(text: string, macros: Map<string, string>, active = new Set<string>()): string {
  if (macros.size === 0) return text;
  return text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_]\w*/g, (tok) => {
    const body = macros.get(tok);
    if (body === undefined || active.has(tok)) return tok;
    return expand(body, macros, new Set([...active, tok]));
  });
}

/** Evaluates an #if expression: defined(), macros, integer arithmetic; other names are 0. */
function evalCondition(expr: string, macros: Map<string, string>, fail: (m: string) => never): boolean {
  const withDefined = stripComments(expr).replace(/\bdefined\s*(\(\s*([A-Za-z_]\w*)\s*\)|([A-Za-z_]\w*))/g, (_m, _a, p: string | undefined, b: string | undefined) => (macros.has(p ?? b ?? '') ? '1' : '0'));
  const tokens = expand(withDefined, macros).match(/0[xX][0-9a-fA-F]+\w*|\d\w*|'(?:[^'\\]|\\.)*'|[A-Za-z_]\w*|<<|>>|<=|>=|==|!=|&&|\|\||\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const PREC: Partial<Record<string, number>> = { '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10 };
  const primary = (): bigint => {
    const t = tokens[i++] ?? fail(`#if ${expr}: incomplete expression`);
    if (t === '(') {
      const v = ternary();
      if (tokens[i++] !== ')') fail(`#if ${expr}: missing ')'`);
      return v;
    }
    if ('-+~!'.includes(t)) return unary(t, primary());
    const n = parseIntLiteral(t) ?? parseCharLiteral(t);
    if (n !== undefined) return n;
    if (/^[A-Za-z_]/.test(t)) return 0n;
    return fail(`#if ${expr}: unexpected '${t}'`);
  };
  const climb = (min: number): bigint => {
    let left = primary();
    while ((PREC[peek()] ?? -1) >= min) {
      const op = tokens[i++];
      left = binary(op, left, climb((PREC[op] ?? 0) + 1));
    }
    return left;
  };
  const ternary = (): bigint => {
    const c = climb(1);
    if (peek() !== '?') return c;
    i++;
    const a = ternary();
    if (tokens[i++] !== ':') fail(`#if ${expr}: missing ':'`);
    const b = ternary();
    return c !== 0n ? a : b;
  };
  try {
    const v = ternary();
    if (i < tokens.length) fail(`#if ${expr}: unexpected '${tokens[i]}'`);
    return v !== 0n;
  } catch (err) {
    if (err instanceof CTypeError) throw err;
    return fail(`#if ${expr}: ${(err as Error).message}`);
  }
}
