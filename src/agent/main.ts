// The agent process: the only process that calls into libc through koffi. The extension host
// forks it; a bad pointer here (SIGSEGV/SIGBUS) kills only this process, and the host restarts it.
import type { AgentMethods } from '../protocol/agent';
import { Rpc, type RpcMessage } from '../protocol/rpc';
import { OpenSegments, createHandlers } from './handlers';

if (!process.send) {
  process.stderr.write('shm-inspector agent: must be started by the extension (no IPC channel)\n');
  process.exit(2);
}

// Its name in ps, in /proc/PID/comm and so among a segment's attached processes (the view, ipcs
// -p): forked from VS Code it would otherwise inherit the extension host's thread name.
process.title = 'shm-inspector';

const open = new OpenSegments();
const rpc = new Rpc<AgentMethods, Record<string, never>>((m: RpcMessage) => { process.send!(m); }, createHandlers(open));

process.on('message', (m) => rpc.receive(m));
// The host went away: detach everything and leave.
process.on('disconnect', () => {
  open.closeAll();
  process.exit(0);
});
