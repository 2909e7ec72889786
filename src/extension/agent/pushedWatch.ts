// A watch in the agent seen from the host: its `watchSamples` events, in order, from the moment
// it starts. The agent sends the first batch while it still answers watchStart, so events are
// held until the answer names the watch; events of a restarted agent (watch numbers start again
// at 1) are told apart by the client's generation. Used by the Watch view's sessions and the
// hex editor's live refresh.
import type { AgentState } from './client';
import type { AgentMethods } from '../../protocol/agent';
import type { RequestOptions } from '../../protocol/rpc';
import type { WatchPush } from '../../protocol/watchSampling';

/** What it needs of the AgentClient. */
export interface WatchAgent {
  request<K extends keyof AgentMethods>(method: K, params: AgentMethods[K]['params'], opts?: RequestOptions): Promise<AgentMethods[K]['result']>;
  onWatchSamples(listener: (event: WatchPush, generation: number) => void): { dispose(): void };
  readonly generation: number;
  readonly state: AgentState;
}

export interface PushedWatch {
  /** The agent's number for it. */
  readonly watch: number;
  /** Stops it; its last batch reaches onEvent first. Never rejects; no request to an agent that is down. */
  stop(): Promise<void>;
}

/**
 * Starts a watch with `start` (which sends watchStart, perhaps after re-opening a handle) and
 * hands every event of it to onEvent until stop() or its end. Rejects as start does.
 */
export async function startPushedWatch(agent: WatchAgent, start: () => Promise<{ watch: number }>, onEvent: (event: WatchPush) => void): Promise<PushedWatch> {
  let early: { event: WatchPush; gen: number }[] | undefined = [];
  const mine = { watch: -1, gen: -1, stopped: false };
  const deliver = (event: WatchPush) => {
    if (mine.stopped || event.watch !== mine.watch) return;
    onEvent(event);
    if (event.ended) { mine.stopped = true; sub.dispose(); }
  };
  const sub = agent.onWatchSamples((event, gen) => {
    if (early) early.push({ event, gen });
    else if (gen === mine.gen) deliver(event);
  });
  try {
    mine.watch = (await start()).watch;
  } catch (err) {
    sub.dispose();
    throw err;
  }
  mine.gen = agent.generation; // the agent that answered
  const held = early;
  early = undefined;
  for (const e of held) if (e.gen === mine.gen) deliver(e.event);
  const { watch, gen } = mine;
  return {
    watch,
    stop: async () => {
      if (mine.stopped) return;
      if (gen === agent.generation && agent.state === 'running') await agent.request('watchStop', { watch }).catch(() => undefined);
      mine.stopped = true;
      sub.dispose();
    },
  };
}
