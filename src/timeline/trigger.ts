// When a watch's trigger fires (src/protocol/watch.ts Trigger): one rule for the host, the agent
// and the tests. Pure.
import type { Trigger } from '../protocol/watch';

/**
 * Whether going from `prev` to `v` fires the trigger. Only finite values cross or equal a level;
 * 'changes' fires when the value differs (NaN to NaN is no change). No previous sample: no firing.
 */
export function triggerFires(trigger: Trigger, prev: number | undefined, v: number): boolean {
  if (prev === undefined) return false;
  const level = trigger.level ?? NaN;
  switch (trigger.kind) {
    case 'above': return prev <= level && v > level;
    case 'below': return prev >= level && v < level;
    case 'equals': return v === level && prev !== level;
    case 'changes': return !Object.is(prev, v) && !(Number.isNaN(prev) && Number.isNaN(v)) && !(prev === 0 && v === 0);
  }
}
