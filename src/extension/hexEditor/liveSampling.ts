// Live refresh of a segment in the agent: the agent's sampling engine (agent/watches.ts, the
// same Sampler as watches and recordings) samples the window through the editor's own handle
// (no attachment of its own) and pushes each batch that changed something as a `watchSamples`
// event; a quiet segment costs no message. vscode-free.
import type { AgentClient } from '../agent/client';
import type { AgentSegment } from '../agent/agentSegment';
import type { ByteRange } from '../../protocol/webview';
import type { WatchSamples } from '../../protocol/watchSampling';
import { startPushedWatch } from '../agent/pushedWatch';
import type { Span } from '../../timeline/diff';
import { errorMessage, type LiveSink } from './byteSource';

/** Every span of the samples, in order, in segment offsets (the range starts at `base`). */
export function spansOf(samples: WatchSamples, base: number): Span[] {
  const spans: Span[] = [];
  let at = 0;
  for (let i = 0; i < samples.spanOffset.length; i++) {
    const n = samples.spanLength[i];
    spans.push({ offset: base + samples.spanOffset[i], bytes: samples.bytes.subarray(at, at + n) });
    at += n;
  }
  return spans;
}

/** Starts sampling `range` of seg at hz; sink gets the changes until dispose() (or the end). */
export function sampleLive(agent: AgentClient, seg: AgentSegment, range: ByteRange, hz: number, batchMs: number, sink: LiveSink): { dispose(): void } {
  let disposed = false;
  const running = startPushedWatch(
    agent,
    () => seg.withHandle((handle) => agent.request('watchStart', { expect: seg.identity, handle, offset: range.offset, length: range.length, hz, changesOnly: true, batchMs })),
    (event) => {
      if (disposed) return;
      if (event.samples) sink.changed(spansOf(event.samples, range.offset));
      if (event.ended) { disposed = true; sink.ended(event.ended.message); }
    },
  );
  running.catch((err: unknown) => { if (!disposed) { disposed = true; sink.ended(errorMessage(err)); } });
  return {
    dispose: () => {
      disposed = true;
      void running.then((w) => w.stop(), () => undefined);
    },
  };
}
