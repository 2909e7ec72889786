// The include dirs and defines to preprocess a header with: the user's settings first, then the
// flags of the workspace's compile_commands.json (the entry of the header itself, else of a
// source file in its directory, else of one whose include path has that directory). Each flag
// says where it came from, for messages.
//
// Read from the database: -I, -iquote, -isystem, -idirafter (joined `-Idir` or separate
// `-I dir`), -D and -U. All include dirs become one -I list in gcc's search order (-iquote,
// -I, -isystem, -idirafter): the preprocessor takes only -I. A -U cancels an earlier -D of the
// database. -include and -imacros are not applied: they are listed in `ignored`.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CTypeError } from './declarations';

export const COMPILE_COMMANDS = 'compile_commands.json';

/** Explicit settings (shmInspector.c.includePath / .defines, the CLI's -I/-D). */
export interface FlagSettings {
  includeDirs?: string[];
  /** `NAME` or `NAME=VALUE`. */
  defines?: string[];
}

export interface FlagsOptions {
  /** The workspace root: where to look for compile_commands.json; relative settings are relative to it. Default: cwd. */
  root?: string;
  /** A compile_commands.json, or a directory to look for one in as in root; default: search root. False: none. */
  database?: string | false;
  settings?: FlagSettings;
}

export type FlagSource =
  | { kind: 'settings' }
  /** entry: the file whose compile command the flag is from. */
  | { kind: 'database'; database: string; entry: string };

export interface Flag { kind: 'include' | 'define'; value: string; from: FlagSource }

export interface CompileFlags {
  /** For loadLayouts/verifyLayout: absolute dirs, in search order. */
  includeDirs: string[];
  /** `NAME` or `NAME=VALUE`; settings win over the database for the same name. */
  defines: string[];
  /** The same flags, each with where it came from. */
  flags: Flag[];
  /** The compile_commands.json read, if one was found. */
  database?: string;
  /** The file whose entry gave the database's flags (the header's own, or a neighbour's). */
  entry?: string;
  /** Arguments we saw but do not apply, and why. */
  ignored: { arg: string; why: string }[];
}

export function describeSource(s: FlagSource): string {
  return s.kind === 'settings' ? 'the settings' : `${s.database} (the entry of ${s.entry})`;
}

export async function compileFlags(header: string, opts: FlagsOptions = {}): Promise<CompileFlags> {
  const root = path.resolve(opts.root ?? '.');
  const out: CompileFlags = { includeDirs: [], defines: [], flags: [], ignored: [] };
  const settings: FlagSource = { kind: 'settings' };
  for (const d of opts.settings?.includeDirs ?? []) addInclude(out, path.resolve(root, d), settings);
  for (const d of opts.settings?.defines ?? []) out.flags.push({ kind: 'define', value: d, from: settings });

  const database = opts.database === false ? undefined : await findDatabase(opts.database ?? root, opts.database !== undefined);
  if (database) {
    out.database = database;
    const entries = await readDatabase(database);
    const entry = entryFor(path.resolve(header), entries);
    if (entry) {
      out.entry = entry.file;
      const from: FlagSource = { kind: 'database', database, entry: entry.file };
      const own = entry.flags;
      for (const d of own.includeDirs) addInclude(out, d, from);
      const ours = new Set(out.flags.filter((f) => f.kind === 'define').map((f) => macroName(f.value)));
      for (const d of own.defines) {
        if (ours.has(macroName(d))) out.ignored.push({ arg: `-D${d}`, why: 'the settings define it' });
        else out.flags.push({ kind: 'define', value: d, from });
      }
      out.ignored.push(...own.ignored);
    }
  }
  out.defines = out.flags.filter((f) => f.kind === 'define').map((f) => f.value);
  return out;
}

function addInclude(out: CompileFlags, dir: string, from: FlagSource): void {
  if (out.includeDirs.includes(dir)) return;
  out.includeDirs.push(dir);
  out.flags.push({ kind: 'include', value: dir, from });
}

const macroName = (define: string) => define.split('=')[0];

/** Where compile_commands.json usually is: the root, or one level down in a build directory. */
export async function findDatabase(where: string, explicit = false): Promise<string | undefined> {
  const abs = path.resolve(where);
  const stat = await fsp.stat(abs).catch(() => undefined);
  if (explicit && !stat) throw new CTypeError(`${where}: no such file or directory`);
  if (stat?.isFile()) return abs;
  if (!stat?.isDirectory()) return undefined;
  const subdirs = (await fsp.readdir(abs, { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory() && d.name.startsWith('cmake-build-')).map((d) => d.name).sort();
  for (const dir of ['.', 'build', 'out', ...subdirs]) {
    const file = path.join(abs, dir, COMPILE_COMMANDS);
    if ((await fsp.stat(file).catch(() => undefined))?.isFile()) return file;
  }
  if (explicit) throw new CTypeError(`no ${COMPILE_COMMANDS} in ${where} (nor in build/, out/ or cmake-build-*/)`);
  return undefined;
}

interface Entry {
  /** Absolute. */
  file: string;
  flags: { includeDirs: string[]; defines: string[]; ignored: { arg: string; why: string }[] };
}

/** Reads and checks a compile_commands.json; an error names the file (and the entry). */
export async function readDatabase(file: string): Promise<Entry[]> {
  let json: unknown;
  try {
    json = JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CTypeError(`${file}: ${e.code ? e.message : `not valid JSON (${e.message})`}`);
  }
  if (!Array.isArray(json)) throw new CTypeError(`${file}: not a compilation database (expected a JSON array of entries)`);
  return json.map((raw: unknown, i) => {
    const bad = (why: string): never => { throw new CTypeError(`${file}: entry ${i + 1}: ${why}`); };
    const e = (raw && typeof raw === 'object' ? raw : bad('not an object')) as Record<string, unknown>;
    const directory = typeof e.directory === 'string' ? e.directory : bad('no "directory"');
    const source = typeof e.file === 'string' ? e.file : bad('no "file"');
    const dir = path.resolve(path.dirname(file), directory);
    let args: string[];
    if (Array.isArray(e.arguments) && e.arguments.every((a) => typeof a === 'string')) args = e.arguments;
    else if (typeof e.command === 'string') {
      try {
        args = splitCommand(e.command);
      } catch (err) {
        return bad(`"command": ${(err as Error).message}`);
      }
    } else return bad('neither "arguments" (an array of strings) nor "command"');
    return { file: path.resolve(dir, source), flags: preprocessorFlags(args.slice(1), dir) };
  });
}

/** The entry to take a header's flags from (see the top of this file). */
function entryFor(header: string, entries: Entry[]): Entry | undefined {
  const dir = path.dirname(header);
  return entries.find((e) => e.file === header)
    ?? entries.find((e) => path.dirname(e.file) === dir)
    ?? entries.find((e) => e.flags.includeDirs.includes(dir));
}

const INCLUDE_ORDER = ['-iquote', '-I', '-isystem', '-idirafter'] as const;
const NOT_APPLIED = ['-include', '-imacros'];

/** The preprocessor flags among a compiler's arguments (relative dirs resolved against dir). */
export function preprocessorFlags(args: string[], dir: string): Entry['flags'] {
  const includes = new Map<string, string[]>(INCLUDE_ORDER.map((o) => [o, []]));
  const defines: string[] = [];
  const ignored: { arg: string; why: string }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    // `-Ifoo` or `-I foo` (the longest option name first: -isystem before -I… cannot clash, -i… are lower case).
    const opt = [...INCLUDE_ORDER, '-D', '-U', ...NOT_APPLIED].find((o) => a.startsWith(o));
    if (!opt) continue;
    if (a.length === opt.length && i + 1 >= args.length) break;
    const value = a.length > opt.length ? a.slice(opt.length) : args[++i];
    if (opt === '-D') defines.push(value);
    else if (opt === '-U') {
      const at = defines.findIndex((d) => macroName(d) === value);
      if (at >= 0) defines.splice(at, 1);
      else ignored.push({ arg: `-U${value}`, why: 'undefines a macro no -D defined: built-in macros cannot be undefined here' });
    } else if (NOT_APPLIED.includes(opt)) ignored.push({ arg: `${opt} ${value}`, why: 'forced includes are not applied' });
    else includes.get(opt)?.push(path.resolve(dir, value));
  }
  const includeDirs = [...new Set(INCLUDE_ORDER.flatMap((o) => includes.get(o) ?? []))];
  return { includeDirs, defines, ignored };
}

/** Splits a command line as a POSIX shell would (quotes and backslashes; no expansions). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const add = (s: string) => { word = (word ?? '') + s; };
  while (i < command.length) {
    const c = command[i++];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '\\') {
      if (i < command.length) add(command[i++]);
    } else if (c === "'") {
      const end = command.indexOf("'", i);
      if (end < 0) throw new Error('unterminated \' quote');
      add(command.slice(i, end));
      i = end + 1;
    } else if (c === '"') {
      add('');
      for (;;) {
        if (i >= command.length) throw new Error('unterminated " quote');
        const d = command[i++];
        if (d === '"') break;
        // Inside double quotes a backslash escapes only $ ` " \ and newline.
        if (d === '\\' && i < command.length && '$`"\\\n'.includes(command[i])) add(command[i++]);
        else add(d);
      }
    } else add(c);
  }
  if (word !== undefined) words.push(word);
  return words;
}
