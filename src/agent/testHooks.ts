// The agent's test-only handlers (names and types: src/protocol/testHooks.ts). `testCrash` makes
// the agent die of a real signal while the request is in flight, as a bad pointer (SIGSEGV) or an
// unbacked huge page (SIGBUS) would, without needing an empty huge page pool.
import { execFileSync } from 'node:child_process';
import type { Handlers } from '../protocol/rpc';
import { type AgentTestMethods, CRASH_SIGNALS, TEST_HOOKS_ENV } from '../protocol/testHooks';

const SIGNALS: readonly string[] = CRASH_SIGNALS;

/** The handlers when the environment enables them, else none (the request is ENOSYS). */
export function testHandlers(env: NodeJS.ProcessEnv): Partial<Handlers<AgentTestMethods>> {
  if (env[TEST_HOOKS_ENV] !== '1') return {};
  return {
    testCrash: ({ signal }) => {
      if (!SIGNALS.includes(signal)) throw new TypeError(`testCrash: signal must be one of ${SIGNALS.join(', ')}`);
      // A deliberate crash leaves no core file (of every attachment) wherever the tests run.
      try { execFileSync('prlimit', ['--pid', String(process.pid), '--core=0'], { stdio: 'ignore' }); } catch { /* no prlimit */ }
      process.kill(process.pid, signal);
      return null; // not reached for these signals
    },
  };
}
