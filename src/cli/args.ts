// A small table-driven argument parser: each command declares its options and positionals,
// and the parser turns argv into typed values or a UsageError (exit 2). No dependency.
//
// Accepted forms: `--name value`, `--name=value`, `-x value`, `-x` (flags), `--` ends options.
// A value-taking option always takes the next word, even if it starts with '-' (`--key -1`).
// Repeating an option keeps the last value, except for `list` options which collect them all.

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

export interface OptionSpec {
  /** Long name without dashes, e.g. 'offset'. */
  name: string;
  /** One-letter alias without the dash. */
  short?: string;
  /** Placeholder for the value in help (`N`, `HEX`); absent = a flag (boolean). */
  value?: string;
  /** Converts the text (throws UsageError for bad input). Default: the string itself. */
  parse?: (text: string, option: string) => unknown;
  /** Collect every occurrence into an array. */
  list?: boolean;
  help: string;
}

export interface ArgSpec {
  name: string;
  help: string;
  optional?: boolean;
  /** Takes all remaining positionals (must be last). */
  variadic?: boolean;
}

export interface Parsed {
  options: Record<string, unknown>;
  args: string[];
}

/** Option name as given on the command line, for messages. */
const shown = (o: OptionSpec) => `--${o.name}`;

export function parseArgs(argv: readonly string[], options: readonly OptionSpec[], args: readonly ArgSpec[], command: string): Parsed {
  const long = new Map(options.map((o) => [o.name, o]));
  const short = new Map(options.flatMap((o) => (o.short ? [[o.short, o] as const] : [])));
  const out: Record<string, unknown> = {};
  const positionals: string[] = [];

  const set = (o: OptionSpec, text: string | undefined) => {
    if (o.value === undefined) {
      out[o.name] = true;
      return;
    }
    if (text === undefined) throw new UsageError(`option ${shown(o)} needs a value (${o.value})`, command);
    const v = o.parse ? o.parse(text, shown(o)) : text;
    if (o.list) ((out[o.name] as unknown[] | undefined) ?? (out[o.name] = [])).push(v);
    else out[o.name] = v;
  };

  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      const o = long.get(name);
      if (!o) throw new UsageError(`unknown option --${name} for '${command}'${suggest(name, [...long.keys()])}`, command);
      if (o.value === undefined) {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`, command);
        set(o, undefined);
      } else if (eq >= 0) {
        set(o, word.slice(eq + 1));
      } else {
        if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value (${o.value})`, command);
        set(o, argv[++i]);
      }
      continue;
    }
    if (word.startsWith('-') && word.length > 1 && !/^-\d/.test(word)) {
      // -x, -xy (flags bundled), -xVALUE / -x VALUE for the last one
      for (let j = 1; j < word.length; j++) {
        const o = short.get(word[j]);
        if (!o) throw new UsageError(`unknown option -${word[j]} for '${command}'`, command);
        if (o.value === undefined) {
          set(o, undefined);
          continue;
        }
        const rest = word.slice(j + 1);
        if (rest) set(o, rest);
        else if (i + 1 < argv.length) set(o, argv[++i]);
        else throw new UsageError(`option -${o.short} (--${o.name}) needs a value (${o.value})`, command);
        break;
      }
      continue;
    }
    positionals.push(word);
  }

  const required = args.filter((a) => !a.optional && !a.variadic).length;
  const variadic = args.some((a) => a.variadic);
  if (positionals.length > args.length && !variadic) {
    throw new UsageError(`unexpected argument '${positionals[args.length]}' for '${command}'`, command);
  }
  if (positionals.length < required) {
    throw new UsageError(`missing ${args[positionals.length].name} for '${command}'`, command);
  }
  return { options: out, args: positionals };
}

function suggest(name: string, names: string[]): string {
  const close = names.filter((n) => n.startsWith(name) || name.startsWith(n) || distance(n, name) <= 2);
  return close.length ? ` (did you mean --${close[0]}?)` : '';
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** Help text of one command from its table. */
export function formatHelp(prog: string, c: { name: string; summary: string; usage: string[]; args: readonly ArgSpec[]; options: readonly OptionSpec[]; details?: string }): string {
  const lines = [`Usage: ${c.usage.map((u, i) => (i ? '       ' : '') + `${prog} ${c.name}${u ? ' ' + u : ''}`).join('\n')}`, '', c.summary];
  if (c.args.length) {
    lines.push('', 'Arguments:');
    const w = Math.max(...c.args.map((a) => a.name.length));
    for (const a of c.args) lines.push(`  ${a.name.padEnd(w)}  ${a.help}`);
  }
  const all = [...c.options, { name: 'help', short: 'h', help: 'show this help' } as OptionSpec];
  const left = all.map((o) => `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ' ' + o.value : ''}`);
  const w = Math.max(...left.map((l) => l.length));
  lines.push('', 'Options:');
  all.forEach((o, i) => lines.push(`  ${left[i].padEnd(w)}  ${o.help}`));
  if (c.details) lines.push('', c.details.trimEnd());
  return lines.join('\n') + '\n';
}
