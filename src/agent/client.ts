// The host's side of the agent: forks it lazily, sends typed requests, and survives its death.
// If the agent dies (SIGSEGV, SIGKILL, exit), every pending request rejects with the cause and
// the last requests it was serving; the next request starts a fresh agent. No koffi here.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { AgentMethods } from '../protocol/agent';
import { Rpc, RpcError, type RequestOptions } from '../protocol/rpc';

export interface AgentClientOptions {
  /** Path of the bundled agent (dist/agent.js). */
  agentPath: string;
  /** Optional command prefix, e.g. ['nsenter', '-t', '1234', '-i'] to run in a container's IPC namespace. */
  commandPrefix?: string[];
  /** Default request timeout in ms (0 = none). */
  timeoutMs?: number;
  /** Where the agent's stderr lines go. */
  log?: (line: string) => void;
  /** Node executable for the agent (default: this process's, with ELECTRON_RUN_AS_NODE=1). */
  execPath?: string;
}

export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Methods that were in flight when it died. */
  during: string[];
  message: string;
}

type Listener<T> = (e: T) => void;

export class AgentClient {
  private child: ChildProcess | undefined;
  private rpc: Rpc<Record<string, never>, AgentMethods> | undefined;
  private gen = 0;
  private stderrTail: string[] = [];
  /** The first stderr line that names an error: it says more than a stack's last lines. */
  private stderrError: string | undefined;
  private memFd: number | null | undefined; // undefined = not tried for this agent, null = unavailable
  private readonly exitListeners = new Set<Listener<AgentExit>>();
  private disposed = false;

  constructor(private readonly options: AgentClientOptions) {}

  /** Increments each time a new agent starts: handles from an older generation are gone. */
  get generation(): number {
    return this.gen;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * A file descriptor on /proc/<agent>/mem, so the host can pread the agent's attachments
   * directly: one kernel copy, no serialization, and a bad address is EIO, never a signal.
   * null where the kernel refuses (agent under another user, Yama ptrace_scope 3).
   */
  agentMemory(): number | null {
    if (this.memFd === undefined) {
      try {
        this.memFd = this.child?.pid ? fs.openSync(`/proc/${this.child.pid}/mem`, 'r') : null;
      } catch {
        this.memFd = null;
      }
    }
    return this.memFd;
  }

  onDidExit(listener: Listener<AgentExit>): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  request<K extends keyof AgentMethods & string>(method: K, params: AgentMethods[K]['params'], opts?: RequestOptions): Promise<AgentMethods[K]['result']> {
    if (this.disposed) return Promise.reject(new RpcError({ name: 'Error', message: 'the shared-memory agent was shut down', code: 'EAGENT' }));
    return this.ensure().request(method, params, opts);
  }

  /** Start the agent now (normally the first request does). */
  start(): void {
    this.ensure();
  }

  dispose(): void {
    this.disposed = true;
    const child = this.child;
    this.rpc?.close(new RpcError({ name: 'Error', message: 'the shared-memory agent was shut down', code: 'EAGENT' }));
    this.child = undefined;
    this.rpc = undefined;
    this.closeMemory();
    if (child && child.exitCode === null && child.signalCode === null) {
      child.disconnect?.();
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      t.unref?.();
      child.once('exit', () => clearTimeout(t));
    }
  }

  private closeMemory(): void {
    if (typeof this.memFd === 'number') fs.closeSync(this.memFd);
    this.memFd = undefined;
  }

  private ensure(): Rpc<Record<string, never>, AgentMethods> {
    if (this.rpc) return this.rpc;
    const { agentPath, commandPrefix, execPath } = this.options;
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    const stdio: ('ignore' | 'pipe' | 'ipc')[] = ['ignore', 'ignore', 'pipe', 'ipc'];
    const child = commandPrefix?.length
      ? spawn(commandPrefix[0], [...commandPrefix.slice(1), execPath ?? process.execPath, agentPath], { env, stdio, serialization: 'advanced' })
      : fork(agentPath, [], { env, stdio, serialization: 'advanced', execPath: execPath ?? process.execPath, execArgv: [] });
    const rpc = new Rpc<Record<string, never>, AgentMethods>(
      (m) => {
        if (!child.connected) throw new Error('the agent channel is closed');
        child.send(m);
      },
      {},
      { timeoutMs: this.options.timeoutMs ?? 30000 },
    );
    this.child = child;
    this.rpc = rpc;
    this.gen++;
    this.closeMemory();
    this.stderrTail = [];
    this.stderrError = undefined;
    child.on('message', (m) => rpc.receive(m));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      for (const line of text.split('\n')) {
        if (!line) continue;
        this.stderrTail = [...this.stderrTail.slice(-9), line];
        if (!this.stderrError && /\b\w*Error\b/.test(line)) this.stderrError = line;
        this.options.log?.(line);
      }
    });
    // 'error' also fires when a send fails (EPIPE) while the process is dying: then 'exit'
    // follows with the real cause. Only a process that never started ends here.
    child.on('error', (err) => { if (child.pid === undefined) this.onGone(child, rpc, null, null, err.message); });
    child.on('exit', (code, signal) => this.onGone(child, rpc, code, signal));
    return rpc;
  }

  private onGone(child: ChildProcess, rpc: Rpc<Record<string, never>, AgentMethods>, code: number | null, signal: NodeJS.Signals | null, error?: string): void {
    if (this.child !== child) return; // an older agent, already replaced or disposed
    this.child = undefined;
    this.rpc = undefined;
    this.closeMemory();
    const during = rpc.pendingMethods();
    const how = error ? `could not run (${error})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const lines = [...new Set([this.stderrError, ...this.stderrTail.slice(-2)].filter(Boolean))];
    const tail = lines.length ? `; last output: ${lines.join(' | ')}` : '';
    const message = `the shared-memory agent ${how}${during.length ? ` during ${[...new Set(during)].join(', ')}` : ''}${tail}`;
    rpc.close(new RpcError({ name: 'AgentError', message, code: 'EAGENT' }));
    if (!this.disposed) for (const l of this.exitListeners) l({ code, signal, during, message });
  }
}
