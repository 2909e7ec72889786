// The host's side of the agent: forks it lazily, sends typed requests, and survives its death.
// If the agent dies (SIGSEGV, SIGKILL, exit), every pending request rejects with an AgentError
// naming the cause and the requests it was serving; the next request starts a fresh agent, but
// after too many crashes in a short time (a request that kills every agent, a prefix that
// cannot run) it stops starting agents until restart(). No koffi here.
import type { AgentEvents, WatchPush } from '../../protocol/watchSampling';
import { type ChildProcess, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { AgentMethods } from '../../protocol/agent';
import { Rpc, RpcError, type RequestOptions } from '../../protocol/rpc';
import { PIPE_ENV, PIPE_FD, XFER_FD } from '../../protocol/bytePipe';
import { PipeClient, newPipeToken, openTransferFile } from './pipeClient';
import { findAgentPid, isOurAgent } from './procs';
import type { AgentTestMethods } from '../../protocol/testHooks';

export { mapsShowSegment } from './procs';

/** Crash back-off: at most `starts` agent starts after crashes within `windowMs`. */
export interface CrashLimit {
  starts: number;
  windowMs: number;
}

export const DEFAULT_CRASH_LIMIT: CrashLimit = { starts: 3, windowMs: 10_000 };

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
  /** Extra environment for the agent (tests: SHM_INSPECTOR_TEST_HOOKS=1). */
  env?: Record<string, string>;
  crashLimit?: CrashLimit;
  /** Clock for the crash limit (tests inject one instead of waiting 10 s). */
  now?: () => number;
  /** How long a leaving agent gets before its process is sent SIGTERM, then as long to SIGKILL. */
  stopTimeoutMs?: number;
  /** false: never read /proc/<agent>/mem (tests and benches measure the pipe or the channel). Default true. */
  procMemory?: boolean;
  /** false: no byte pipe, read and write go over the channel. Default true. */
  bytePipe?: boolean;
}

/**
 * idle: no agent (not started yet, or between restart's stop and start); running: an agent process
 * is up or starting; down: the last agent crashed and the next request starts another; stopped:
 * the crash limit was hit and only restart() starts one; disposed: shut down for good.
 */
export type AgentState = 'idle' | 'running' | 'down' | 'stopped' | 'disposed';

export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Methods that were in flight when it died. */
  during: string[];
  message: string;
  /** This crash hit the crash limit: the client starts no more agents until restart(). */
  stopped: boolean;
}

/**
 * The error of every request the agent did not answer (code EAGENT).
 * `inFlightAtDeath`: the request was being served when the agent died, so it may be what killed
 * it (SIGBUS on an unbacked huge page, SIGSEGV): retrying it can kill the next agent too, so
 * callers must not retry it automatically. `during` lists the methods in flight at that death.
 * `stopped`: no agent runs and none starts until restart() (the Restart Agent command).
 */
export class AgentError extends RpcError {
  readonly inFlightAtDeath: boolean;
  readonly during: readonly string[];
  readonly stopped: boolean;
  constructor(message: string, details: { inFlightAtDeath?: boolean; during?: string[]; stopped?: boolean } = {}) {
    super({ name: 'AgentError', message, code: 'EAGENT' });
    this.inFlightAtDeath = details.inFlightAtDeath ?? false;
    this.during = details.during ?? [];
    this.stopped = details.stopped ?? false;
  }
}

/** True when `err` is the rejection of a request that was in flight when the agent died. */
export function diedInFlight(err: unknown): boolean {
  return err instanceof AgentError && err.inFlightAtDeath;
}

type ClientMethods = AgentMethods & AgentTestMethods;
type ClientRpc = Rpc<Record<string, never>, ClientMethods, AgentEvents>;
type Listener<T> = (e: T) => void;

const SHUT_DOWN = 'the shared-memory agent was shut down';

export class AgentClient {
  private child: ChildProcess | undefined;
  private rpc: ClientRpc | undefined;
  /** The current agent's byte pipe (read, write), usable once its first ping confirmed it. */
  private pipe: PipeClient | undefined;
  private gen = 0;
  private readonly pushListeners = new Set<(event: WatchPush, generation: number) => void>();
  private stderrTail: string[] = [];
  /** The first stderr line that names an error: it says more than a stack's last lines. */
  private stderrError: string | undefined;
  private memFd: number | null | undefined; // undefined = not tried for this agent, null = unavailable
  /** The agent's own pid as we see it (learnt by a ping right after the start). */
  private ownPid: number | undefined;
  /** Resolves with the agent's pid once it answered its first ping. */
  private startup: Promise<number> | undefined;
  private startupPending = false;
  /** When the recent crashes happened (for the crash limit). */
  private crashes: number[] = [];
  private stoppedWhy: string | undefined;
  /** restart() is stopping the old agent: requests wait for the new one. */
  private stopping: Promise<void> | undefined;
  private stateValue: AgentState = 'idle';
  private readonly exitListeners = new Set<Listener<AgentExit>>();
  private readonly stateListeners = new Set<Listener<AgentState>>();
  private disposed = false;

  constructor(private readonly options: AgentClientOptions) {}

  /** Increments each time a new agent starts: handles from an older generation are gone. */
  get generation(): number {
    return this.gen;
  }

  /** The process we started: the agent, or the command prefix's process (`timeout`, `sudo`). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * The agent's own pid, as this process sees it: `pid` itself, or a descendant of it when the
   * command prefix forks. Undefined until the agent answered its first ping, or when no process
   * among the prefix's descendants could be shown to be our agent.
   */
  get agentPid(): number | undefined {
    return this.ownPid;
  }

  get state(): AgentState {
    return this.stateValue;
  }

  /** While stopped: why, in the words every request then rejects with. */
  get stoppedMessage(): string | undefined {
    return this.stoppedWhy;
  }

  /** read and write of the current agent travel on the byte pipe (pipeClient.ts), not the channel. */
  get bytePipe(): boolean {
    return this.pipe?.usable ?? false;
  }

  onDidChangeState(listener: Listener<AgentState>): { dispose(): void } {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  /**
   * Samples of pushed watches (watchStart with push), with the generation of the agent that sent
   * them: watch numbers start again at 1 in a restarted agent.
   */
  onWatchSamples(listener: (event: WatchPush, generation: number) => void): { dispose(): void } {
    this.pushListeners.add(listener);
    return { dispose: () => this.pushListeners.delete(listener) };
  }

  /**
   * A file descriptor on /proc/<agentPid>/mem, so the host can pread the agent's attachments
   * directly: one kernel copy, no serialization, and a bad address is EIO, never a signal.
   * Only for a process that is (a descendant of) the child we started and runs our agent script;
   * null where that cannot be shown, or the kernel refuses (agent under another user, Yama
   * ptrace_scope 3): then the channel is used.
   */
  agentMemory(): number | null {
    if (this.options.procMemory === false) return null;
    if (this.memFd !== undefined) return this.memFd;
    const root = this.child?.pid;
    const pid = this.ownPid;
    if (root === undefined || pid === undefined) return null; // not known yet: ask again later
    const ours = () => isOurAgent(pid, root, this.options.agentPath);
    this.memFd = null;
    if (!ours()) return null;
    try {
      const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
      // Checked again: the pid could have been reused between the check and the open.
      if (ours()) this.memFd = fd;
      else fs.closeSync(fd);
    } catch {
      /* not allowed: the channel it is */
    }
    return this.memFd;
  }

  onDidExit(listener: Listener<AgentExit>): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  request<K extends keyof ClientMethods>(method: K, params: ClientMethods[K]['params'], opts?: RequestOptions): Promise<ClientMethods[K]['result']> {
    if (this.disposed) return Promise.reject(new AgentError(SHUT_DOWN));
    if (this.stopping) return this.stopping.then(() => this.request(method, params, opts));
    if (this.stoppedWhy !== undefined) return Promise.reject(new AgentError(this.stoppedWhy, { stopped: true }));
    const rpc = this.ensure();
    const onPipe = method === 'read' || method === 'write' ? this.pipe?.request(method, params, opts) : undefined;
    return onPipe ? onPipe as Promise<ClientMethods[K]['result']> : rpc.request(method, params, opts);
  }

  /**
   * A read whose bytes land in `into` (its first `params.length` bytes): over the byte pipe
   * straight from the transfer file, so a caller that reuses its buffer never pays for fresh
   * pages; over the channel, copied in.
   */
  async readInto(params: ClientMethods['read']['params'], into: Uint8Array, opts?: RequestOptions): Promise<void> {
    if (into.length < params.length) throw new RangeError(`read: a ${into.length}-byte buffer cannot take ${params.length} bytes`);
    const dest = into.subarray(0, params.length);
    const onPipe = !this.disposed && !this.stopping && this.stoppedWhy === undefined ? this.pipe?.request('read', params, opts, dest) : undefined;
    const got = (await (onPipe ?? this.request('read', params, opts))) as Uint8Array;
    if (got.length !== params.length) throw new RangeError(`read: the agent answered ${got.length} bytes for ${params.length}`);
    if (got.buffer !== dest.buffer || got.byteOffset !== dest.byteOffset) dest.set(got);
  }

  /** Start the agent now (normally the first request does). */
  start(): void {
    if (!this.disposed && !this.stopping && this.stoppedWhy === undefined) this.ensure();
  }

  /**
   * Stop the running agent, if any (it detaches and exits; its process is killed only if it does
   * not), forget past crashes, start a new one and resolve with its pid. The way out of 'stopped'.
   */
  async restart(): Promise<number> {
    this.throwIfDisposed();
    this.crashes = [];
    this.stoppedWhy = undefined;
    this.stopping ??= this.stopAgent('the shared-memory agent was restarted').finally(() => { this.stopping = undefined; });
    await this.stopping;
    this.throwIfDisposed(); // dispose() may have run while it stopped
    this.ensure();
    const startup = this.startup;
    if (!startup) throw new AgentError('the shared-memory agent did not start');
    return startup;
  }

  private throwIfDisposed(): void {
    if (this.disposed) throw new AgentError(SHUT_DOWN);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.stopAgent(SHUT_DOWN);
    this.setState('disposed');
  }

  /** Forget the current agent, reject its requests, and let it go (see release). */
  private stopAgent(why: string): Promise<void> {
    const child = this.child;
    const rpc = this.rpc;
    const pipe = this.pipe;
    this.forget();
    const err = new AgentError(why);
    rpc?.close(err);
    pipe?.close(err);
    if (!this.disposed) this.setState(this.stoppedWhy !== undefined ? 'stopped' : 'idle');
    return child ? this.release(child) : Promise.resolve();
  }

  private forget(): void {
    this.child = undefined;
    this.rpc = undefined;
    this.pipe = undefined;
    this.ownPid = undefined;
    this.startup = undefined;
    this.startupPending = false;
    if (typeof this.memFd === 'number') fs.closeSync(this.memFd);
    this.memFd = undefined;
  }

  /**
   * Let an agent go: disconnecting its channel makes it detach everything and exit (main.ts), and
   * reaches it through any command prefix. Resolves when the process we started has exited; if it
   * does not in time, it is signalled through the ChildProcess (never by a raw pid, which could
   * name another process by then). An agent left behind by a killed prefix still gets the
   * disconnect and leaves.
   */
  private release(child: ChildProcess): Promise<void> {
    const gone = () => child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
    const disconnect = () => { if (child.connected) child.disconnect(); };
    disconnect();
    if (gone()) return Promise.resolve();
    const grace = this.options.stopTimeoutMs ?? 2000;
    return new Promise<void>((resolve) => {
      const timers = [
        setTimeout(() => { if (!gone()) child.kill('SIGTERM'); }, grace),
        setTimeout(() => { if (!gone()) child.kill('SIGKILL'); }, 2 * grace),
      ];
      for (const t of timers) t.unref();
      child.once('exit', () => {
        for (const t of timers) clearTimeout(t);
        disconnect();
        resolve();
      });
    });
  }

  private setState(state: AgentState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const l of this.stateListeners) l(state);
  }

  private ensure(): ClientRpc {
    if (this.rpc) return this.rpc;
    const { agentPath, commandPrefix, execPath } = this.options;
    // The byte pipe is stdio entries PIPE_FD (frames) and XFER_FD (the transfer file); a prefix
    // that forks passes them on as it does the IPC fd.
    let token = this.options.bytePipe === false ? undefined : newPipeToken();
    const xferFd = token ? openTransferFile(token) : undefined;
    if (xferFd === undefined) token = undefined;
    const env = { ...process.env, ...this.options.env, ELECTRON_RUN_AS_NODE: '1', ...(token ? { [PIPE_ENV]: token } : {}) };
    const stdio: ('ignore' | 'pipe' | 'ipc' | number)[] = ['ignore', 'ignore', 'pipe', 'ipc'];
    if (token && xferFd !== undefined) {
      stdio[PIPE_FD] = 'pipe';
      stdio[XFER_FD] = xferFd;
    }
    let child: ChildProcess;
    try {
      child = commandPrefix?.length
        ? spawn(commandPrefix[0], [...commandPrefix.slice(1), execPath ?? process.execPath, agentPath], { env, stdio, serialization: 'advanced' })
        : fork(agentPath, [], { env, stdio, serialization: 'advanced', execPath: execPath ?? process.execPath, execArgv: [] });
    } catch (err) {
      if (xferFd !== undefined) fs.closeSync(xferFd);
      throw err;
    }
    const rpc: ClientRpc = new Rpc<Record<string, never>, ClientMethods, AgentEvents>(
      (m) => {
        if (!child.connected) throw new Error('the agent channel is closed');
        child.send(m);
      },
      {},
      { timeoutMs: this.options.timeoutMs ?? 30000 },
    );
    const pipeEnd = child.stdio[PIPE_FD];
    const pipe = token && xferFd !== undefined && pipeEnd instanceof net.Socket ? new PipeClient(pipeEnd, token, xferFd, this.options.timeoutMs ?? 30000) : undefined;
    if (!pipe && xferFd !== undefined) fs.closeSync(xferFd); // the agent has its own copy, if any
    this.forget();
    this.child = child;
    this.rpc = rpc;
    this.pipe = pipe;
    this.gen++;
    this.stderrTail = [];
    this.stderrError = undefined;
    this.setState('running');
    child.on('message', (m) => rpc.receive(m));
    const gen = this.gen;
    rpc.on('watchSamples', (event) => { for (const l of this.pushListeners) l(event, gen); });
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
    child.on('error', (err) => { if (child.pid === undefined) this.onGone(child, rpc, null, null, `could not run (${err.message})`); });
    child.on('exit', (code, signal) => this.onGone(child, rpc, code, signal));
    // The agent closed its channel (it died) while a prefix process lingers: 'exit' would come
    // late or never. Give it a moment to tell how the agent ended, then call it gone.
    child.on('disconnect', () => {
      if (this.child !== child) return; // we let it go
      setTimeout(() => this.onGone(child, rpc, null, null, 'closed its channel'), 1000).unref();
    });
    // Learn the agent's own pid first: with a forking prefix it is not child.pid.
    this.startupPending = true;
    this.startup = rpc.request('ping', {}).then(({ pid, pipe: pipeServed }) => {
      if (this.child === child) {
        this.startupPending = false;
        if (pipeServed === true) pipe?.open();
        this.ownPid = child.pid === undefined ? undefined : findAgentPid(child.pid, pid, agentPath);
      }
      return this.ownPid ?? pid;
    });
    this.startup.catch(() => undefined); // its failure is reported through the requests and onDidExit
    return rpc;
  }

  private onGone(child: ChildProcess, rpc: ClientRpc, code: number | null, signal: NodeJS.Signals | null, how?: string): void {
    if (this.child !== child) return; // an older agent, already replaced, stopped or disposed
    const pipe = this.pipe;
    const during = [...rpc.pendingMethods(), ...(pipe?.pendingMethods() ?? [])];
    if (this.startupPending && during.includes('ping')) during.splice(during.indexOf('ping'), 1); // our own ping is no suspect
    this.forget();
    const now = (this.options.now ?? Date.now)();
    const limit = this.options.crashLimit ?? DEFAULT_CRASH_LIMIT;
    this.crashes = [...this.crashes.filter((t) => now - t < limit.windowMs), now];
    const stopped = this.crashes.length > limit.starts;
    const cause = how ?? (signal ? `was killed by ${signal}` : `exited with code ${code}`);
    const lines = [...new Set([this.stderrError, ...this.stderrTail.slice(-2)].filter(Boolean))];
    const tail = lines.length ? `; last output: ${lines.join(' | ')}` : '';
    const message = `the shared-memory agent ${cause}${during.length ? ` during ${[...new Set(during)].join(', ')}` : ''}${tail}`;
    const err = new AgentError(message, { inFlightAtDeath: true, during, stopped });
    rpc.close(err);
    pipe?.close(err); // a reply cut off mid-frame is dropped with the pipe
    if (stopped) {
      this.stoppedWhy = `the agent crashed ${this.crashes.length} times in ${Math.round(limit.windowMs / 1000)} s; stopped: use Restart Agent`;
    }
    this.setState(stopped ? 'stopped' : 'down');
    void this.release(child); // a prefix that outlived its agent, or an orphaned agent: let them go
    for (const l of this.exitListeners) l({ code, signal, during, message, stopped });
  }
}
