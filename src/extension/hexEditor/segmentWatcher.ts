// Notices a segment destroyed (or its id reused) while its hex editor is open: polls the
// document's status every ~2 s while one of its editors is visible, and at once when asked
// (an editor became visible, the agent restarted). vscode-free.
import type { HexDocument } from './document';

export const POLL_MS = 2000;

export class SegmentWatcher {
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;

  constructor(
    private readonly doc: HexDocument,
    private readonly isVisible: () => boolean,
    private readonly periodMs = POLL_MS,
  ) {}

  /** Call when visibility may have changed: starts or stops polling. */
  update(): void {
    const want = this.isVisible();
    if (want && !this.timer) {
      this.timer = setInterval(() => this.poll(), this.periodMs);
      this.timer.unref();
      this.poll();
    } else if (!want && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Check now (if no check is running). */
  poll(): void {
    if (this.busy) return;
    this.busy = true;
    this.doc
      .refreshStatus()
      .catch(() => undefined)
      .finally(() => { this.busy = false; });
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
