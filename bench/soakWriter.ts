// The soak's concurrent writer: another process attached to the soak's segments, writing a
// region of its own while the host reads, edits and saves the rest. It also reads bytes for
// the soak without going through the agent (an independent check of what was saved).
// Driven over the fork IPC channel; every request gets one answer.
import { Segment } from '../src/core';
import { writerByte } from './soakModel';

type Request =
  | { op: 'attach'; id: number }
  | { op: 'write'; id: number; offset: number; length: number; gen: number }
  | { op: 'read'; id: number; offset: number; length: number }
  | { op: 'detach'; id: number };

const attached = new Map<number, Segment>();

function serve(m: Request): unknown {
  switch (m.op) {
    case 'attach': {
      if (attached.has(m.id)) return null;
      const seg = Segment.open(m.id);
      seg.attach();
      attached.set(m.id, seg);
      return null;
    }
    case 'write': {
      const data = Buffer.allocUnsafe(m.length);
      for (let i = 0; i < m.length; i++) data[i] = writerByte(m.gen, i);
      need(m.id).writeChunk(data, m.offset);
      return null;
    }
    case 'read':
      return need(m.id).readChunk(m.length, m.offset);
    case 'detach': {
      const seg = attached.get(m.id);
      attached.delete(m.id);
      seg?.detach();
      return null;
    }
  }
}

function need(id: number): Segment {
  const seg = attached.get(id);
  if (!seg) throw new Error(`writer: segment ${id} is not attached`);
  return seg;
}

/** Answers go back over the fork IPC channel, which a writer started any other way lacks. */
function reply(answer: { seq: number; result?: unknown; error?: string }): void {
  if (!process.send) throw new Error('writer: no IPC channel (start it with fork)');
  process.send(answer);
}

process.on('message', (msg: { seq: number; req: Request }) => {
  try {
    reply({ seq: msg.seq, result: serve(msg.req) });
  } catch (err) {
    reply({ seq: msg.seq, error: err instanceof Error ? err.message : String(err) });
  }
});
process.on('disconnect', () => {
  for (const seg of attached.values()) { try { seg.detach(); } catch { /* exiting */ } }
  process.exit(0);
});
