// The Segments tree view: wires the provider to VS Code's TreeView, keeps the description
// ("12 of 4096 segments · 48 MiB"), the message (active filter, last error) and the context key
// for the welcome content up to date, and refreshes automatically while visible.
import * as vscode from 'vscode';
import type { AgentClient } from '../agent/client';
import { SEGMENTS_VIEW, setting, PREFIX } from '../manifest';
import { SegmentsProvider, type SegmentsSummary, type TreeNode } from './provider';
import { RefreshScheduler } from './scheduler';
import { messageText, segmentsState, totalsText } from './summaryText';
import { isSegmentNode } from './treeItems';

/** Context key for viewsWelcome: a SegmentsState. */
export const STATE_CONTEXT_KEY = `${PREFIX}.segmentsState`;
/** Context key: the agent crashed too often and starts only through Restart Agent (a title button then). */
export const AGENT_STOPPED_CONTEXT_KEY = `${PREFIX}.agentStopped`;
const INTERVAL_SETTING = setting('refreshInterval');

export function refreshIntervalMs(): number {
  const v = vscode.workspace.getConfiguration().get<number>(INTERVAL_SETTING, 2000);
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.max(v, 250) : 0;
}

export class SegmentsView implements vscode.Disposable {
  readonly provider: SegmentsProvider;
  readonly treeView: vscode.TreeView<TreeNode>;
  readonly scheduler: RefreshScheduler;
  /** Ours and vscode's alike: anything with dispose(). */
  private readonly disposables: { dispose(): unknown }[] = [];
  private lastState: string | undefined;

  constructor(agent: AgentClient, state?: vscode.Memento) {
    this.provider = new SegmentsProvider(agent, state);
    this.treeView = vscode.window.createTreeView(SEGMENTS_VIEW, {
      treeDataProvider: this.provider,
      canSelectMany: true,
      showCollapseAll: true,
    });
    this.scheduler = new RefreshScheduler(() => this.provider.refresh(), refreshIntervalMs);
    this.disposables.push(
      this.scheduler,
      this.treeView,
      this.provider,
      this.treeView.onDidExpandElement((e) => this.provider.setExpanded(e.element, true)),
      this.treeView.onDidCollapseElement((e) => this.provider.setExpanded(e.element, false)),
      this.treeView.onDidChangeVisibility((e) => this.scheduler.setVisible(e.visible)),
      this.provider.onDidUpdate((s) => this.updateChrome(s)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(INTERVAL_SETTING)) this.scheduler.reconfigure();
      }),
      agent.onDidChangeState((state) => {
        void vscode.commands.executeCommand('setContext', AGENT_STOPPED_CONTEXT_KEY, state === 'stopped');
        if (state === 'stopped') void this.provider.refresh(); // its message says why at once
      }),
    );
    this.updateChrome(this.provider.summary());
    if (this.treeView.visible) this.scheduler.setVisible(true);
  }

  /** Segment ids selected in the view (child rows count as their segment). */
  selectedIds(): number[] {
    const ids = this.treeView.selection.map((n) => (isSegmentNode(n) ? n : n.segmentId));
    return [...new Set(ids)];
  }

  /** Select (and focus) a segment's row; false if the filter hides it or it is not listed. */
  async reveal(id: number, options: { focus?: boolean } = {}): Promise<boolean> {
    if (!this.provider.visibleIds().includes(id)) return false;
    try {
      await this.treeView.reveal(id, { select: true, focus: options.focus ?? true, expand: false });
      return true;
    } catch {
      return false;
    }
  }

  /** Refresh now and restart the automatic period. */
  async refreshNow(): Promise<boolean> {
    const ok = await this.provider.refresh();
    if (this.scheduler.isVisible) this.scheduler.reconfigure();
    return ok;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }

  private updateChrome(s: SegmentsSummary): void {
    const state = segmentsState(s);
    this.treeView.description = state === 'loading' || state === 'error' ? undefined : totalsText(s);
    this.treeView.message = messageText(s);
    if (state !== this.lastState) {
      this.lastState = state;
      void vscode.commands.executeCommand('setContext', STATE_CONTEXT_KEY, state);
    }
  }
}
