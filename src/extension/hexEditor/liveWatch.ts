// Live refresh, host side: every period, while the editor is visible and its webview watches
// a range, read that range as the webview shows it (pending edits applied) and push only the
// span of bytes that changed since the last push. A quiet segment then costs one read per
// period and no message at all; a busy one a single small message per period. (Polling from
// the webview cost two messages per period through VS Code's webview relay, which measured
// far more CPU than the reads.) vscode-free: the webview tests' fake host runs this class too.
// While the agent is down or stopped it pauses (a read would only start another agent, or fail
// at once), and resumes when an agent runs again.
import type { AgentState } from '../../agent/client';
import type { ByteRange, LiveUpdate } from '../../protocol/webview';

/** What LiveWatch needs to know about the agent (an AgentClient has it). */
export interface AgentStatus {
  readonly state: AgentState;
  onDidChangeState(listener: (state: AgentState) => void): { dispose(): void };
}

export interface LiveWatchDeps {
  read(offset: number, length: number): Promise<Uint8Array>;
  push(update: LiveUpdate): void;
  /** False while polling makes no sense (the editor is hidden, the segment is gone). */
  active(): boolean;
  /** The agent behind read(), if any: polling pauses while it is down or stopped. */
  agent?: AgentStatus;
}

export class LiveWatch {
  private periodMs = 0;
  private range: ByteRange = { offset: 0, length: 0 };
  /** The bytes of `range` the webview has from us; null = push the whole range next. */
  private sent: Uint8Array | null = null;
  /** Bumped by watch() and resync(): a read started before is out of date. */
  private generation = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private reading = false;
  private lastError = '';
  private disposed = false;
  /** Reads done (diagnostics and tests). */
  polls = 0;

  private readonly agentSub: { dispose(): void } | undefined;

  constructor(private readonly deps: LiveWatchDeps) {
    this.agentSub = deps.agent?.onDidChangeState(() => this.update());
  }

  /** False while the agent is down (crashed, not restarted yet) or stopped (crash limit). */
  private agentUp(): boolean {
    const state = this.deps.agent?.state;
    return state !== 'down' && state !== 'stopped' && state !== 'disposed';
  }

  /** Period in ms from the settings; 0 = off. */
  setPeriod(ms: number): void {
    const period = Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
    if (period === this.periodMs) return;
    this.periodMs = period;
    this.stop();
    this.update();
  }

  /** The webview's range to poll (length 0: none). The next push covers all of it. */
  watch(range: ByteRange): void {
    this.range = { offset: range.offset, length: range.length };
    this.resync();
    this.update();
  }

  /** Bytes changed through the editor (edit, undo, save, revert): push the whole range next. */
  resync(): void {
    this.sent = null;
    this.generation++;
  }

  /** Start or stop polling after active() may have changed. */
  update(): void {
    const want = !this.disposed && this.periodMs > 0 && this.range.length > 0 && this.agentUp() && this.deps.active();
    if (want && !this.timer) {
      this.timer = setInterval(() => void this.poll(), this.periodMs);
      (this.timer as { unref?: () => void }).unref?.();
    } else if (!want) {
      this.stop();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.agentSub?.dispose();
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.reading) return; // a slow read: skip this period rather than pile up
    if (!this.agentUp() || !this.deps.active()) {
      this.update();
      return;
    }
    const { offset, length } = this.range;
    const generation = this.generation;
    this.reading = true;
    try {
      const data = await this.deps.read(offset, length);
      this.polls++;
      if (generation !== this.generation || this.disposed) return;
      this.lastError = '';
      const before = this.sent;
      this.sent = data;
      const span = before ? changedSpan(before, data) : { start: 0, end: data.length };
      if (span) this.deps.push({ offset: offset + span.start, data: data.slice(span.start, span.end) });
    } catch (err) {
      if (generation !== this.generation || this.disposed) return;
      this.sent = null;
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.deps.push({ error: message });
      this.lastError = message;
    } finally {
      this.reading = false;
    }
  }
}

/** [start, end) from the first to the last differing byte, or null if a and b are equal. */
export function changedSpan(a: Uint8Array, b: Uint8Array): { start: number; end: number } | null {
  const n = Math.min(a.length, b.length);
  let start = 0;
  while (start < n && a[start] === b[start]) start++;
  if (start === n && a.length === b.length) return null;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  return { start, end: endB };
}
