// Test-only hooks, off unless the process runs with TEST_HOOKS_ENV=1 (unit tests, the soak test
// and `npm run bench:ui` set it; the extension never does):
// - agent requests, shared by the host's client (which may send them) and the agent (which
//   serves them, src/agent/testHooks.ts);
// - the hex editor's "message floor" (src/extension/hexEditor/testPings.ts): on the webview's
//   `testPings` event the host posts a `testPing` event of a given size at a given period, which
//   the webview's Rpc ignores (unknown event), so a bench can measure what VS Code's webview
//   relay alone costs per message.

export const TEST_HOOKS_ENV = 'SHM_INSPECTOR_TEST_HOOKS';

export const CRASH_SIGNALS = ['SIGSEGV', 'SIGBUS', 'SIGKILL', 'SIGABRT'] as const;
export type CrashSignal = (typeof CRASH_SIGNALS)[number];

export type AgentTestMethods = {
  testCrash: { params: { signal: CrashSignal }; result: null };
};

/** Webview -> host event name: start (periodMs > 0) or stop (0) the test pings. */
export const TEST_PINGS = 'testPings';
/** Host -> webview event name of each ping. */
export const TEST_PING = 'testPing';

export interface TestPingsParams {
  /** Period in ms (0: stop). */
  periodMs: number;
  /** Length of each posted message as JSON text (padded up to it). */
  bytes: number;
}

/** A ping's payload: a counter, and padding that brings the message to the size asked for. */
export interface TestPing {
  n: number;
  pad: string;
}

/** Periods and sizes the host accepts for test pings. */
export const TEST_PINGS_LIMITS = { minPeriodMs: 10, maxBytes: 1 << 20 } as const;
