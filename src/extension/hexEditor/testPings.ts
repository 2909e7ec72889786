// The hex editor's test pings, host side (types: src/protocol/testHooks.ts): with the test hooks
// on, the webview's `testPings` event makes the host post a `testPing` event of a given size at
// a given period, through the same postMessage as `view`; the webview ignores it (its Rpc drops
// unknown events). `npm run bench:ui` repaints one cell on each from an injected script, to
// measure what one message per refresh costs in VS Code's webview relay without our code.
import type { RpcMessage } from '../../protocol/rpc';
import { TEST_HOOKS_ENV, TEST_PING, TEST_PINGS, TEST_PINGS_LIMITS, type TestPing, type TestPingsParams } from '../../protocol/testHooks';

export class TestPings {
  private timer: ReturnType<typeof setInterval> | undefined;
  private n = 0;

  /** Null unless the environment enables the test hooks. */
  static create(env: NodeJS.ProcessEnv, post: (m: RpcMessage) => void): TestPings | null {
    return env[TEST_HOOKS_ENV] === '1' ? new TestPings(post) : null;
  }

  private constructor(private readonly post: (m: RpcMessage) => void) {}

  /** Handles a `testPings` event from the webview; false for any other message. */
  receive(m: unknown): boolean {
    const e = m as { rpc?: unknown; name?: unknown; payload?: unknown } | null;
    if (!e || e.rpc !== 'event' || e.name !== TEST_PINGS) return false;
    const p = e.payload as Partial<TestPingsParams> | null;
    const periodMs = Number(p?.periodMs);
    const bytes = Number(p?.bytes);
    this.stop();
    if (!(periodMs >= TEST_PINGS_LIMITS.minPeriodMs) || !(bytes >= 0 && bytes <= TEST_PINGS_LIMITS.maxBytes)) return true;
    this.timer = setInterval(() => this.ping(bytes), periodMs);
    return true;
  }

  dispose(): void {
    this.stop();
  }

  private ping(bytes: number): void {
    const payload: TestPing = { n: ++this.n, pad: '' };
    const m: RpcMessage = { rpc: 'event', name: TEST_PING, payload };
    payload.pad = 'x'.repeat(Math.max(0, bytes - JSON.stringify(m).length));
    try {
      this.post(m);
    } catch {
      this.stop(); // the webview is gone
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
