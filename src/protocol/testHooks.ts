// Test-only agent requests, shared by the host's client (which may send them) and the agent
// (which serves them, src/agent/testHooks.ts, only when started with TEST_HOOKS_ENV=1: unit tests
// and the soak test set it; the extension never does).

export const TEST_HOOKS_ENV = 'SHM_INSPECTOR_TEST_HOOKS';

export const CRASH_SIGNALS = ['SIGSEGV', 'SIGBUS', 'SIGKILL', 'SIGABRT'] as const;
export type CrashSignal = (typeof CRASH_SIGNALS)[number];

export type AgentTestMethods = {
  testCrash: { params: { signal: CrashSignal }; result: null };
};
