// The Segments view's data: the latest listing from the agent, filtered and sorted. Elements are
// shmids (numbers) and small child nodes; getTreeItem maps them from the latest listing. A
// refresh fires onDidChangeTreeData only for rows that changed, or for the root when the set
// or order of rows changed, so selection and expansion survive (TreeItem.id = seg-<id>).
import * as vscode from 'vscode';
import type { AgentClient } from '../agent/client';
import type { SegmentSummaries } from '../overlays/segmentSummaries';
import { SUMMARY_LABEL } from '../../ctypes/overlaySummary';
import type { AttachmentReport, SegmentInfo, ShmLimits } from '../../protocol/segment';
import { diffListings, sameOrder, sameReport } from './diff';
import { errorMessage } from './errorText';
import {
  DEFAULT_FILTER, DEFAULT_SORT, type ViewFilter, type ViewSort, applyView, isFiltered, sanitizeFilter, sanitizeSort,
} from './filter';
import {
  type DetailNode, type TreeNode, detailNodes, detailTreeItem, errorNode, isSegmentNode, segmentTooltip, segmentTreeItem,
} from './treeItems';

const FILTER_STATE = 'segments.filter';
const SORT_STATE = 'segments.sort';

export interface SegmentsSummary {
  /** Segments on the host (unfiltered). */
  total: number;
  /** Rows the view shows. */
  shown: number;
  totalBytes: number;
  limits?: ShmLimits;
  filter: ViewFilter;
  sort: ViewSort;
  /** Why the last refresh failed, if it did. */
  error?: string;
  loaded: boolean;
}

export class SegmentsProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly updateEmitter = new vscode.EventEmitter<SegmentsSummary>();
  /** After every refresh, filter or sort change: for the view's description and message. */
  readonly onDidUpdate = this.updateEmitter.event;

  private listing = new Map<number, SegmentInfo>();
  private order: number[] = [];
  private limitsValue: ShmLimits | undefined;
  private readonly reports = new Map<number, AttachmentReport>();
  private readonly expanded = new Set<number>();
  private loaded = false;
  private error: string | undefined;
  private running: Promise<boolean> | undefined;
  private queued: Promise<boolean> | undefined;
  private filterValue: ViewFilter;
  private sortValue: ViewSort;
  /** The user running VS Code ("mine"). */
  readonly uid = process.getuid?.();
  /** The C types' lines in a row's tooltip (set once the hex editor's overlays exist). */
  overlayLines: SegmentSummaries | undefined;

  constructor(private readonly agent: AgentClient, private readonly state?: vscode.Memento) {
    this.filterValue = sanitizeFilter(state?.get(FILTER_STATE) ?? DEFAULT_FILTER);
    this.sortValue = sanitizeSort(state?.get(SORT_STATE) ?? DEFAULT_SORT);
  }

  dispose(): void {
    this.changeEmitter.dispose();
    this.updateEmitter.dispose();
  }

  // ---- TreeDataProvider

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node === undefined) {
      if (!this.loaded) await (this.running ?? this.refresh());
      return this.order;
    }
    if (!isSegmentNode(node)) return [];
    this.expanded.add(node); // asked for children = expanded (also when VS Code restores expansion)
    const cached = this.reports.get(node);
    if (cached) return detailNodes(cached);
    try {
      const report = await this.agent.request('attachments', { id: node });
      this.reports.set(node, report);
      return detailNodes(report);
    } catch (err) {
      return [errorNode(node, `cannot list attached processes: ${errorMessage(err)}`)];
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (!isSegmentNode(node)) return detailTreeItem(node);
    const info = this.listing.get(node);
    if (!info) return new vscode.TreeItem(`segment ${node} (gone)`);
    return segmentTreeItem(info, this.uid);
  }

  /** The tooltip, when hovered: every field, then the first fields of each C type remembered for it. */
  async resolveTreeItem(item: vscode.TreeItem, node: TreeNode): Promise<vscode.TreeItem> {
    if (!isSegmentNode(node)) return item;
    const info = this.listing.get(node);
    if (!info) return item;
    const lines = (await this.overlayLines?.lines(info)) ?? [];
    item.tooltip = segmentTooltip(info, lines.map((line) => [SUMMARY_LABEL, line]));
    return item;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return isSegmentNode(node) ? undefined : node.segmentId;
  }

  // ---- State

  /** The segment as the latest listing saw it. */
  info(id: number): SegmentInfo | undefined {
    return this.listing.get(id);
  }

  /** Every segment of the latest listing (unfiltered), by id. */
  segments(): SegmentInfo[] {
    return [...this.listing.values()].sort((a, b) => a.id - b.id);
  }

  /** The rows the view shows, in order. */
  visibleIds(): readonly number[] {
    return this.order;
  }

  get limits(): ShmLimits | undefined {
    return this.limitsValue;
  }

  get lastError(): string | undefined {
    return this.error;
  }

  get filter(): ViewFilter {
    return this.filterValue;
  }

  get sort(): ViewSort {
    return this.sortValue;
  }

  summary(): SegmentsSummary {
    let totalBytes = 0;
    for (const s of this.listing.values()) totalBytes += s.size;
    return {
      total: this.listing.size, shown: this.order.length, totalBytes, limits: this.limitsValue,
      filter: this.filterValue, sort: this.sortValue, error: this.error, loaded: this.loaded,
    };
  }

  setFilter(filter: ViewFilter): void {
    this.filterValue = sanitizeFilter(filter);
    void this.state?.update(FILTER_STATE, isFiltered(this.filterValue) ? this.filterValue : undefined);
    this.reorder(true);
  }

  setSort(sort: ViewSort): void {
    this.sortValue = sanitizeSort(sort);
    void this.state?.update(SORT_STATE, this.sortValue);
    this.reorder(true);
  }

  /** The view tells us what is expanded: only those rows get attachments on refresh. */
  setExpanded(node: TreeNode, expanded: boolean): void {
    if (!isSegmentNode(node)) return;
    if (expanded) this.expanded.add(node);
    else {
      this.expanded.delete(node);
      this.reports.delete(node); // re-expanding reads it fresh
    }
  }

  /**
   * List again. Never throws: resolves false (and keeps the last listing) if the agent failed;
   * lastError says why. Calls while one runs are coalesced into one more run after it, so the
   * result always reflects the state after the call.
   */
  refresh(): Promise<boolean> {
    if (!this.running) {
      this.running = this.load().finally(() => { this.running = undefined; });
      return this.running;
    }
    const next = () => { this.queued = undefined; return this.refresh(); };
    this.queued ??= this.running.then(next, next);
    return this.queued;
  }

  // ---- Internals

  private async load(): Promise<boolean> {
    const wantAttachments = [...this.expanded].some((id) => this.listing.has(id));
    let list: { segments: SegmentInfo[]; attachments?: AttachmentReport[] };
    try {
      const [l, limits] = await Promise.all([
        this.agent.request('list', { attachments: wantAttachments }),
        this.agent.request('limits', {}).catch(() => this.limitsValue),
      ]);
      list = l;
      this.limitsValue = limits;
    } catch (err) {
      const hadError = this.error !== undefined;
      this.error = errorMessage(err);
      if (!this.loaded || !hadError) this.updateEmitter.fire(this.summary());
      this.loaded = true; // show what we have (maybe nothing) rather than spin forever
      return false;
    }
    const next = new Map(list.segments.map((s) => [s.id, s]));
    const { changed, setChanged } = diffListings(this.listing, next);
    this.listing = next;
    const changedSet = new Set(changed);

    // Attachments: only for expanded rows, from the same snapshot.
    const fresh = new Map((list.attachments ?? []).map((r) => [r.id, r]));
    for (const id of [...this.reports.keys()]) if (!this.expanded.has(id)) this.reports.delete(id);
    for (const id of [...this.expanded]) {
      if (!next.has(id)) { this.expanded.delete(id); this.reports.delete(id); continue; }
      const r = fresh.get(id);
      if (r && !sameReport(r, this.reports.get(id))) {
        this.reports.set(id, r);
        changedSet.add(id);
      }
    }

    const wasLoaded = this.loaded;
    this.loaded = true;
    this.error = undefined;
    this.reorder(setChanged || !wasLoaded, [...changedSet]);
    return true;
  }

  /** Recompute the visible rows; fire for the root if they changed, else for changed rows. */
  private reorder(force: boolean, changed: number[] = []): void {
    const order = applyView([...this.listing.values()], this.filterValue, this.sortValue, this.uid).map((s) => s.id);
    const rootChanged = force || !sameOrder(order, this.order);
    this.order = order;
    if (rootChanged) this.changeEmitter.fire(undefined);
    else if (changed.length) {
      const shown = new Set(order);
      const rows = changed.filter((id) => shown.has(id));
      if (rows.length) this.changeEmitter.fire(rows);
    }
    this.updateEmitter.fire(this.summary());
  }
}

export type { DetailNode, TreeNode };
