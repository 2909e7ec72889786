// Test-only requests, served only by an agent started with SHM_INSPECTOR_TEST_HOOKS=1 (unit tests
// and the soak test set it; the extension never does). `testCrash` makes the agent die of a real
// signal while the request is in flight, as a bad pointer (SIGSEGV) or an unbacked huge page
// (SIGBUS) would, without needing an empty huge page pool.
import { execFileSync } from 'node:child_process';
import type { Handlers } from '../protocol/rpc';

export const TEST_HOOKS_ENV = 'SHM_INSPECTOR_TEST_HOOKS';

export type CrashSignal = 'SIGSEGV' | 'SIGBUS' | 'SIGKILL' | 'SIGABRT';

export type AgentTestMethods = {
  testCrash: { params: { signal: CrashSignal }; result: null };
};

const SIGNALS: readonly string[] = ['SIGSEGV', 'SIGBUS', 'SIGKILL', 'SIGABRT'];

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
