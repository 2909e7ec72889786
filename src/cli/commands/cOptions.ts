// The options every command that reads C declarations shares (layout; read/write --header), and
// turning them into loadLayouts' options: one spelling, one help text, one error.
import { type LoadOptions, hostAbi } from '../../ctypes';
import { compileFlags } from '../../ctypes/compileFlags';
import { type CAbi, C_ABIS } from '../../protocol/cTypes';
import { type OptionSpec, type Parsed, UsageError } from '../args';

export const C_TYPE_OPTION: OptionSpec = {
  name: 'type', value: 'NAME', help: "the C type as C spells it: 'struct foo', 'union u', 'enum e' or a typedef name",
};

export const C_BUILD_OPTIONS: OptionSpec[] = [
  {
    name: 'abi', value: 'x86_64|aarch64', help: `lay out for this ABI (default: this machine's, ${hostAbi()})`,
    parse: (t, o) => {
      if (!(C_ABIS as readonly string[]).includes(t)) throw new UsageError(`${o} must be ${C_ABIS.join(' or ')}, not '${t}'`);
      return t;
    },
  },
  { name: 'include', short: 'I', value: 'DIR', list: true, help: 'add DIR to the include path (repeatable)' },
  { name: 'define', short: 'D', value: 'NAME[=V]', list: true, help: 'define a macro (repeatable)' },
];

/** loadLayouts' options from the parsed C_BUILD_OPTIONS. */
export function cLoadOptions(p: Parsed): LoadOptions {
  return {
    abi: (p.options.abi as CAbi | undefined) ?? hostAbi(),
    includeDirs: p.options.include as string[] | undefined,
    defines: p.options.define as string[] | undefined,
  };
}

export const C_COMPILE_COMMANDS_OPTION: OptionSpec = {
  name: 'compile-commands', value: 'FILE|DIR',
  help: "also the -I/-D of FILE's entry in this compile_commands.json (or in DIR's)",
};

/** cLoadOptions plus, with --compile-commands, the flags of the database's entry for file (after -I/-D). */
export async function cLoadOptionsFor(p: Parsed, file: string): Promise<LoadOptions> {
  const opts = cLoadOptions(p);
  const database = p.options['compile-commands'] as string | undefined;
  if (database === undefined) return opts;
  const flags = await compileFlags(file, { database, settings: { includeDirs: opts.includeDirs, defines: opts.defines } });
  return { ...opts, includeDirs: flags.includeDirs, defines: flags.defines };
}
