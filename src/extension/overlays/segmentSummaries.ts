// The C types remembered for a segment, as the Segments view's tooltip shows them (issue 11):
// `struct shared_state @ 0x0 (state.h): magic = 0x53484d31, pid = 4242, …`. Types are laid out
// through the overlay service's cache (a header is parsed once, not at every hover); bytes come
// from the agent, read-only, without an attachment of ours where an attached process's mapping
// can be read, only from the segment the row showed (key, creator pid, size, ctime), and only
// those the first fields need. Never throws: each failure is that overlay's one short line.
// vscode-free.
import type { SpecLayout } from '../../ctypes/overlayLayout';
import { OverlayStore } from '../../ctypes/overlayStore';
import { type OverlaySummary, oneLine, summarizeOverlays, summaryLines } from '../../ctypes/overlaySummary';
import type { OverlaySpec } from '../../protocol/overlay';
import { type SegmentInfo, identityOf } from '../../protocol/segment';
import { AgentSegment } from '../agent/agentSegment';
import type { AgentClient } from '../agent/client';
import { errorCode } from '../errors';

/** Why the agent could not read the segment, in a few words. */
export function readFailure(err: unknown): string {
  switch (errorCode(err)) {
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EINVAL': case 'EIDRM': case 'ENOENT': return 'the segment is gone';
    case 'ECHANGED': return 'the id now names another segment';
    default: return oneLine(err);
  }
}

export class SegmentSummaries {
  /** Read at every call (the editor's Apply C Type… writes it); tests may replace it. */
  store: OverlayStore;

  constructor(
    private readonly agent: AgentClient,
    private readonly layout: (spec: OverlaySpec) => Promise<SpecLayout>,
    store: OverlayStore = new OverlayStore(),
  ) {
    this.store = store;
  }

  /** The overlays' summaries (at most MAX_SUMMARIES) and how many there are. */
  async summaries(info: SegmentInfo): Promise<{ list: OverlaySummary[]; total: number }> {
    const specs = await this.store.get({ key: info.key, id: info.id, ctime: info.ctime });
    if (!specs.length) return { list: [], total: 0 };
    let opening: Promise<AgentSegment> | undefined;
    try {
      const list = await summarizeOverlays(specs, info.size, {
        layout: this.layout,
        read: async (offset, length) => {
          opening ??= AgentSegment.open(this.agent, info.id, { readOnly: true, expect: identityOf(info), footprint: 'none' });
          try {
            return await (await opening).read(offset, length);
          } catch (err) {
            throw new Error(readFailure(err));
          }
        },
      });
      return { list, total: specs.length };
    } finally {
      if (opening) await opening.then((seg) => seg.close(), () => undefined);
    }
  }

  /** The tooltip's lines: one per overlay, "and N more"; none when nothing is remembered. */
  async lines(info: SegmentInfo): Promise<string[]> {
    try {
      const { list, total } = await this.summaries(info);
      return summaryLines(list, total);
    } catch (err) {
      return [`cannot read the remembered C types: ${oneLine(err)}`];
    }
  }
}
