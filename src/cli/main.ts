// `shm-inspector`: the CLI entry. The commands (and the core with its koffi binding) load
// inside the try, so even a failure to load libc or koffi is one line on stderr, exit 1.
const PROG = 'shm-inspector';

function fatal(err: unknown): void {
  const e = err as { message?: unknown } | null | undefined;
  const text = typeof e?.message === 'string' && e.message ? e.message : String(err);
  try {
    process.stderr.write(`${PROG}: ${text.replace(/\s*\n\s*/g, ' ').trim()}\n`);
  } catch { /* nowhere to say it */ }
  process.exitCode = 1;
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { run } = require('./run') as typeof import('./run');
  run(process.argv.slice(2)).then((code) => { process.exitCode = code; }, fatal);
} catch (err) {
  fatal(err);
}
