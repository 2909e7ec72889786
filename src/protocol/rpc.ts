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

export class Rpc<Local extends Methods, Remote extends Methods, InEvents extends Events = Events, OutEvents extends Events = Events> {
  private nextId = 1;
  private readonly pending = new PendingRequests<{ onProgress?: (done: number, total: number) => void }>();
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
        const p = this.pending.take(msg.id);
        if (!p) break;
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new RpcError(msg.error));
        break;
      }
      case 'progress': this.pending.get(msg.id)?.data.onProgress?.(msg.done, msg.total); break;
      case 'cancel': this.running.get(msg.id)?.abort(); break;
      case 'event': for (const l of this.listeners.get(msg.name) ?? []) l(msg.payload as never); break;
    }
    return true;
  }

  request<K extends keyof Remote & string>(method: K, params: Remote[K]['params'], opts: RequestOptions = {}): Promise<Remote[K]['result']> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    const { answer, started } = this.pending.wait<Remote[K]['result']>(id, method, { onProgress: opts.onProgress }, opts, this.options.timeoutMs ?? 0,
      () => this.safeSend({ rpc: 'cancel', id }));
    if (started) {
      try {
        this.send({ rpc: 'req', id, method, params });
      } catch (err) {
        this.pending.fail(id, new RpcError({ ...toErrorData(err), op: method }));
      }
    }
    return answer;
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
    this.pending.failAll(err);
    for (const c of this.running.values()) c.abort();
  }

  /** Method names of requests still waiting for an answer (for crash reports). */
  pendingMethods(): string[] {
    return this.pending.methods();
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

// --- requests sent and not yet answered ------------------------------------------------------
// One table for this endpoint and the byte pipe's host end. Whatever ends a request (its answer,
// a timeout, an abort, the other side dying) takes it out and clears its timer and listener, so
// a late answer finds nothing and is dropped.

export interface PendingEntry<T> {
  method: string;
  data: T;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  cleanup: () => void;
}

export class PendingRequests<T> {
  private readonly table = new Map<number, PendingEntry<T>>();

  /**
   * Wait for request `id`. On timeout or abort, `giveUp` runs first (e.g. to tell the other side
   * to cancel), then the request fails with ETIMEDOUT or ECANCELED. Returns the promise of its
   * answer; `started` tells whether it is waiting (false: the signal had already aborted).
   */
  wait<R>(id: number, method: string, data: T, opts: RequestOptions, defaultTimeoutMs: number, giveUp?: () => void): { answer: Promise<R>; started: boolean } {
    let started = true;
    const answer = new Promise<R>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        giveUp?.();
        this.fail(id, new RpcError({ name: 'AbortError', message: `${method} cancelled`, code: 'ECANCELED', op: method }));
      };
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      this.table.set(id, { method, data, resolve: resolve as (v: unknown) => void, reject, cleanup });
      const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          giveUp?.();
          this.fail(id, new RpcError({ name: 'TimeoutError', message: `${method} timed out after ${timeoutMs} ms`, code: 'ETIMEDOUT', op: method }));
        }, timeoutMs);
      }
      if (opts.signal?.aborted) { started = false; onAbort(); return; }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
    return { answer, started };
  }

  get(id: number): PendingEntry<T> | undefined {
    return this.table.get(id);
  }

  /** Take request id out of the table to answer it (resolve or reject the entry returned). */
  take(id: number): PendingEntry<T> | undefined {
    const e = this.table.get(id);
    if (!e) return undefined;
    this.table.delete(id);
    e.cleanup();
    return e;
  }

  fail(id: number, err: Error): void {
    this.take(id)?.reject(err);
  }

  failAll(err: Error): void {
    for (const id of [...this.table.keys()]) this.fail(id, err);
  }

  /** Methods of the requests waiting (for crash reports). */
  methods(): string[] {
    return [...this.table.values()].map((e) => e.method);
  }
}
