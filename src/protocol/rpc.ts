// One small request/response layer used on both seams: host <-> agent (child-process
// channel, 'advanced' serialization so Buffers travel as bytes) and host <-> webview
// (postMessage, structured clone). Every request settles: with a result, with the
// remote error, on timeout, on cancel, or when the channel closes.
import type { ErrorData } from './segment';

/** A method table: method name -> [params, result]. */
export type Methods = Record<string, { params: unknown; result: unknown }>;
/** Notifications: name -> payload. */
export type Events = Record<string, unknown>;

export type RpcMessage =
  | { rpc: 'req'; id: number; method: string; params: unknown }
  | { rpc: 'res'; id: number; ok: true; result: unknown }
  | { rpc: 'res'; id: number; ok: false; error: ErrorData }
  | { rpc: 'progress'; id: number; done: number; total: number }
  | { rpc: 'cancel'; id: number }
  | { rpc: 'event'; name: string; payload: unknown };

/** What a handler gets besides its params. */
export interface CallContext {
  /** Report progress of a long request (done of total units, e.g. bytes). */
  progress(done: number, total: number): void;
  /** Aborted when the caller cancels. */
  signal: AbortSignal;
}

export type Handlers<M extends Methods> = {
  [K in keyof M]: (params: M[K]['params'], ctx: CallContext) => M[K]['result'] | Promise<M[K]['result']>;
};

export interface RequestOptions {
  /** Milliseconds; 0 = no timeout. Default from the Rpc options. */
  timeoutMs?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** An error that came from the other side, or from the channel itself. */
export class RpcError extends Error {
  readonly code?: string;
  readonly op?: string;
  constructor(data: ErrorData) {
    super(data.message);
    this.name = data.name || 'Error';
    this.code = data.code;
    this.op = data.op;
  }
}

export function toErrorData(err: unknown): ErrorData {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; message?: unknown; code?: unknown; op?: unknown; toString(): string };
    return {
      name: typeof e.name === 'string' ? e.name : 'Error',
      message: typeof e.message === 'string' ? e.message : String(e),
      code: typeof e.code === 'string' ? e.code : undefined,
      op: typeof e.op === 'string' ? e.op : undefined,
    };
  }
  return { name: 'Error', message: String(err) };
}

function isRpcMessage(m: unknown): m is RpcMessage {
  return !!m && typeof m === 'object' && typeof (m as { rpc?: unknown }).rpc === 'string';
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
  cleanup: () => void;
}

export class Rpc<Local extends Methods, Remote extends Methods, InEvents extends Events = Events, OutEvents extends Events = Events> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<number, AbortController>();
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private closedWith: Error | undefined;

  constructor(
    private readonly send: (msg: RpcMessage) => void,
    private readonly handlers: Partial<Handlers<Local>>,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  /** Feed a message from the channel. Returns false if it was not an rpc message. */
  receive(msg: unknown): boolean {
    if (!isRpcMessage(msg)) return false;
    switch (msg.rpc) {
      case 'req': void this.serve(msg.id, msg.method, msg.params); break;
      case 'res': {
        const p = this.pending.get(msg.id);
        if (!p) break;
        this.pending.delete(msg.id);
        p.cleanup();
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new RpcError(msg.error));
        break;
      }
      case 'progress': this.pending.get(msg.id)?.onProgress?.(msg.done, msg.total); break;
      case 'cancel': this.running.get(msg.id)?.abort(); break;
      case 'event': for (const l of this.listeners.get(msg.name) ?? []) l(msg.payload as never); break;
    }
    return true;
  }

  request<K extends keyof Remote & string>(method: K, params: Remote[K]['params'], opts: RequestOptions = {}): Promise<Remote[K]['result']> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 0;
      const onAbort = () => {
        this.safeSend({ rpc: 'cancel', id });
        this.settle(id, new RpcError({ name: 'AbortError', message: `${method} cancelled`, code: 'ECANCELED', op: method }));
      };
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, { method, resolve, reject, onProgress: opts.onProgress, cleanup });
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.safeSend({ rpc: 'cancel', id });
          this.settle(id, new RpcError({ name: 'TimeoutError', message: `${method} timed out after ${timeoutMs} ms`, code: 'ETIMEDOUT', op: method }));
        }, timeoutMs);
      }
      if (opts.signal) {
        if (opts.signal.aborted) { onAbort(); return; }
        opts.signal.addEventListener('abort', onAbort, { once: true });
      }
      try {
        this.send({ rpc: 'req', id, method, params });
      } catch (err) {
        this.settle(id, new RpcError({ ...toErrorData(err), op: method }));
      }
    });
  }

  notify<K extends keyof OutEvents & string>(name: K, payload: OutEvents[K]): void {
    this.safeSend({ rpc: 'event', name, payload });
  }

  on<K extends keyof InEvents & string>(name: K, listener: (payload: InEvents[K]) => void): { dispose(): void } {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return { dispose: () => set.delete(listener) };
  }

  /** Reject everything pending (and all later requests) with this error. */
  close(err: Error): void {
    this.closedWith = err;
    for (const id of [...this.pending.keys()]) this.settle(id, err);
    for (const c of this.running.values()) c.abort();
  }

  /** Method names of requests still waiting for an answer (for crash reports). */
  pendingMethods(): string[] {
    return [...this.pending.values()].map((p) => p.method);
  }

  private settle(id: number, err: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.cleanup();
    p.reject(err);
  }

  private safeSend(msg: RpcMessage): void {
    try { this.send(msg); } catch { /* channel gone: pending requests are rejected by close() */ }
  }

  private async serve(id: number, method: string, params: unknown): Promise<void> {
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, method)
      ? (this.handlers as Record<string, Handlers<Local>[keyof Local]>)[method]
      : undefined;
    if (!handler) {
      this.safeSend({ rpc: 'res', id, ok: false, error: { name: 'Error', message: `unknown method ${method}`, code: 'ENOSYS', op: method } });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    const ctx: CallContext = {
      progress: (done, total) => this.safeSend({ rpc: 'progress', id, done, total }),
      signal: controller.signal,
    };
    try {
      const result = await handler(params, ctx);
      this.safeSend({ rpc: 'res', id, ok: true, result });
    } catch (err) {
      this.safeSend({ rpc: 'res', id, ok: false, error: toErrorData(err) });
    } finally {
      this.running.delete(id);
    }
  }
}
