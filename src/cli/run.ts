// The command table, help, and the one place that turns failures into exit codes:
// 0 success, 1 operation error (ShmError, RangeError from a range check, I/O), 2 usage error.
// Every error is one line on stderr: `shm-inspector: <message>`, never a stack trace.
import { version } from '../../package.json';
import { UsageError, formatHelp, parseArgs } from './args';
import { type Command, NUMBERS_NOTE, PROG } from './command';
import { dump, load, read, search, write } from './commands/data';
import { info, limitsCmd, ls } from './commands/inspect';
import { layout } from './commands/layout';
import { create, rm } from './commands/manage';
import { record, replay, watch } from './commands/timeline';
import { BrokenPipe, type Io, processIo } from './io';

export const COMMANDS: Command[] = [ls, info, create, read, write, rm, limitsCmd, search, dump, load, layout, watch, record, replay];

function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Usage: ${PROG} <command> [options]`,
    '',
    'See, edit and clean up System V shared-memory segments.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    `Run '${PROG} <command> --help' for a command's options.`,
    `  ${PROG} --version    print the version`,
    '',
    NUMBERS_NOTE,
    'Exit status: 0 ok, 1 the operation failed, 2 bad usage.',
    '',
  ].join('\n');
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Run one command line; resolves to the exit code. Never throws. */
export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const name = argv.at(0);
  const rest = argv.slice(1);
  let command: Command | undefined;
  try {
    if (name === undefined) {
      await io.stderr.write(topHelp());
      return 2;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      const which = name === 'help' ? rest[0] : undefined;
      if (which === undefined) {
        await io.stdout.write(topHelp());
        return 0;
      }
      const c = COMMANDS.find((x) => x.name === which);
      if (!c) throw new UsageError(`unknown command '${which}'`);
      await io.stdout.write(formatHelp(PROG, c));
      return 0;
    }
    if (name === '--version' || name === '-V' || name === 'version') {
      await io.stdout.write(`${PROG} ${version}\n`);
      return 0;
    }
    command = COMMANDS.find((c) => c.name === name || (name === 'list' && c.name === 'ls') || (name === 'remove' && c.name === 'rm'));
    if (!command) {
      throw new UsageError(name.startsWith('-') ? `unknown option ${name} (a command comes first)` : `unknown command '${name}'`);
    }
    if (wantsHelp(rest)) {
      await io.stdout.write(formatHelp(PROG, command));
      return 0;
    }
    const parsed = parseArgs(rest, command.options, command.args, command.name);
    return await command.run(parsed, { io });
  } catch (err) {
    return report(err, io, command);
  }
}

async function report(err: unknown, io: Io, command: Command | undefined): Promise<number> {
  if (err instanceof BrokenPipe) return 0;
  const usage = err instanceof UsageError;
  const e = err as { message?: unknown; code?: unknown } | null | undefined;
  let message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  if (!usage && typeof e?.code === 'string' && !message.includes(e.code)) message += ` (${e.code})`;
  if (usage) {
    const which = err.command ?? command?.name;
    message += which ? ` (see '${PROG} ${which} --help')` : ` (see '${PROG} --help')`;
  }
  try {
    await io.stderr.write(`${PROG}: ${oneLine(message)}\n`);
  } catch { /* stderr closed: nothing more to say */ }
  return usage ? 2 : 1;
}
