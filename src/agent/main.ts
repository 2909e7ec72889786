// The agent process: the only process that calls into libc through koffi. The extension host
// forks it; a bad pointer here (SIGSEGV/SIGBUS) kills only this process, and the host restarts it.
import * as fs from 'node:fs';
import type { AgentMethods } from '../protocol/agent';
import { type Events, Rpc, type RpcMessage } from '../protocol/rpc';
import type { AgentEvents } from '../protocol/watchSampling';
import { serveBytePipe } from './bytePipe';
import { OpenSegments, createHandlers } from './handlers';
import { Recordings } from './recordings';
import { Watches } from './watches';
import type { AgentTestMethods } from '../protocol/testHooks';
import { testHandlers } from './testHooks';

if (!process.send) {
  process.stderr.write('shm-inspector agent: must be started by the extension (no IPC channel)\n');
  process.exit(2);
}

// Its name in /proc/PID/comm, so among a segment's attached processes (the view, ps): forked from
// VS Code it would otherwise inherit the extension host's thread name, 'MainThread'. Only comm:
// process.title would also overwrite the command line, which tools use to find the agent.
try {
  fs.writeFileSync('/proc/self/comm', 'shm-inspector');
} catch {
  /* a name is a nicety */
}

const open = new OpenSegments();
const recordings = new Recordings();
// Watch samples go out as events (the rpc exists by the time a watch can start).
const watches = new Watches((event) => { rpc.notify('watchSamples', event); }, open);
const handlers = createHandlers(open, recordings, watches);
// Bulk bytes (read, write) on their own pipe when the host passed one; the first ping tells it.
const pipe = serveBytePipe(process.env, handlers, open);
const rpc = new Rpc<AgentMethods & AgentTestMethods, Record<string, never>, Events, AgentEvents>(
  (m: RpcMessage) => {
    if (!process.send) throw new Error('the agent has no IPC channel to the host'); // checked at start too
    process.send(m);
  },
  { ...handlers, ping: async () => ({ pid: process.pid, pipe: await pipe }), ...testHandlers(process.env) },
);

process.on('message', (m) => rpc.receive(m));
// The host went away, or asks us to leave (restart, dispose: it disconnects, which reaches us
// through any command prefix, unlike a signal sent to the prefix): detach everything and exit.
process.on('disconnect', () => {
  recordings.closeAll(); // their files are written first: a recording survives the window closing
  watches.closeAll();
  open.closeAll();
  process.exit(0);
});
