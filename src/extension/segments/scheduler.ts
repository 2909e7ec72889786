// Automatic refresh while the view is visible: one refresh at a time (the next is armed when the
// last one settles, so a slow agent never piles up requests), a new period when the setting
// changes, nothing while hidden, and backoff while refreshes keep failing.
import type { Disposable } from 'vscode';

const MAX_BACKOFF_MS = 60_000;

export class RefreshScheduler implements Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private visible = false;
  private running = false;
  private failures = 0;
  private disposed = false;

  /**
   * @param refresh resolves true on success, false on failure (never rejects)
   * @param intervalMs current period in ms; 0 = no automatic refresh
   */
  constructor(private readonly refresh: () => Promise<boolean>, private readonly intervalMs: () => number) {}

  get isVisible(): boolean {
    return this.visible;
  }

  /** Whether a timer is armed (for tests and diagnostics). */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) this.kick();
    else this.clear();
  }

  /** The interval setting changed: restart the period with the new value. */
  reconfigure(): void {
    this.failures = 0;
    this.arm();
  }

  /** Refresh now (when visible) and start a new period after it. */
  kick(): void {
    this.clear();
    if (this.visible && !this.disposed) void this.tick();
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const ok = await this.refresh().catch(() => false);
      this.failures = ok ? 0 : this.failures + 1;
    } finally {
      this.running = false;
      this.arm();
    }
  }

  private arm(): void {
    this.clear();
    if (!this.visible || this.disposed || this.running) return;
    const base = this.intervalMs();
    if (!(base > 0)) return;
    const delay = this.failures ? Math.min(base * 2 ** this.failures, Math.max(base, MAX_BACKOFF_MS)) : base;
    this.timer = setTimeout(() => { this.timer = undefined; void this.tick(); }, delay);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
