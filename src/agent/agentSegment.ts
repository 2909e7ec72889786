// The host's handle on a segment open in the agent (it runs in the extension host, like the
// client). Survives agent restarts: re-opens only the same segment.
import * as fs from 'node:fs';
import type { AgentClient } from './client';
import { RpcError, type RequestOptions } from '../protocol/rpc';
import { type SegmentIdentity, type SegmentInfo, identityOf } from '../protocol/segment';
import { checkRange } from '../core/validate';

/**
 * An open segment in the agent that survives agent restarts: after a restart the next call
 * re-opens it, but only if the id still names the same segment (key, creator pid, size).
 */
export class AgentSegment {
  private handle: number | undefined;
  private address = 0;
  private handleGen = -1;
  private opening: Promise<number> | undefined;
  private closed = false;

  private constructor(
    readonly client: AgentClient,
    readonly identity: SegmentIdentity,
    readonly requestedReadOnly: boolean,
    public info: SegmentInfo,
    public readOnly: boolean,
  ) {}

  static async open(client: AgentClient, id: number, options: { readOnly?: boolean; expect?: SegmentIdentity } = {}): Promise<AgentSegment> {
    const r = await client.request('open', { id, readOnly: options.readOnly, expect: options.expect });
    const identity = options.expect ?? identityOf(r.info);
    const seg = new AgentSegment(client, identity, !!options.readOnly, r.info, r.readOnly);
    seg.handle = r.handle;
    seg.address = r.address;
    seg.handleGen = client.generation;
    return seg;
  }

  get id(): number {
    return this.identity.id;
  }

  get size(): number {
    return this.identity.size;
  }

  /** Bytes [offset, offset+length): straight from the agent's attachment when /proc allows, else over the channel. */
  async read(offset: number, length: number, opts?: RequestOptions): Promise<Uint8Array> {
    checkRange('read', offset, length, this.size, this.id);
    await this.currentHandle();
    const fd = this.client.agentMemory();
    if (fd !== null && this.address && this.handleGen === this.client.generation) {
      const buf = Buffer.allocUnsafe(length);
      try {
        if (fs.readSync(fd, buf, 0, length, this.address + offset) === length) return buf;
      } catch {
        // EIO/ESRCH: the agent changed under us; the channel below says why, or re-opens.
      }
    }
    return this.withHandle((handle) => this.client.request('read', { handle, offset, length }, opts));
  }

  async write(offset: number, data: Uint8Array, opts?: RequestOptions): Promise<number> {
    return (await this.withHandle((handle) => this.client.request('write', { handle, offset, data }, opts))).written;
  }

  /** Run a request that needs the handle; re-open once if the agent restarted under us. */
  async withHandle<T>(fn: (handle: number) => Promise<T>): Promise<T> {
    const handle = await this.currentHandle();
    try {
      return await fn(handle);
    } catch (err) {
      const code = (err as RpcError).code;
      if ((code === 'EAGENT' || code === 'EBADF') && !this.closed) {
        this.handle = undefined;
        return fn(await this.currentHandle());
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const h = this.handle;
    this.handle = undefined;
    if (h !== undefined && this.handleGen === this.client.generation) {
      await this.client.request('close', { handle: h }).catch(() => undefined);
    }
  }

  private currentHandle(): Promise<number> {
    if (this.closed) return Promise.reject(new RpcError({ name: 'Error', message: `segment ${this.id} is closed`, code: 'ECLOSED' }));
    if (this.handle !== undefined && this.handleGen === this.client.generation) return Promise.resolve(this.handle);
    this.opening ??= this.client
      .request('open', { id: this.identity.id, readOnly: this.requestedReadOnly, expect: this.identity })
      .then((r) => {
        this.handle = r.handle;
        this.address = r.address;
        this.handleGen = this.client.generation;
        this.info = r.info;
        this.readOnly = r.readOnly;
        return r.handle;
      })
      .finally(() => { this.opening = undefined; });
    return this.opening;
  }
}
