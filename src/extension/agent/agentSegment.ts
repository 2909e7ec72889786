// The host's handle on a segment open in the agent (it runs in the extension host, like the
// client). Survives agent restarts: the next call re-opens it, but only if the id still names
// the same segment (key, creator pid, size, ctime).
import * as fs from 'node:fs';
import type { AgentClient } from './client';
import { RpcError, type RequestOptions } from '../../protocol/rpc';
import { type Footprint, type ReadVia, type SegmentIdentity, type SegmentInfo, identityOf } from '../../protocol/segment';
import { mapsShowSegment } from './procs';
import { checkRange } from '../../core/validate';

export interface AgentSegmentOptions {
  readOnly?: boolean;
  expect?: SegmentIdentity;
  /** 'attach' (default) keeps one attachment in the agent; 'none' attaches nothing that stays. */
  footprint?: Footprint;
}

type OpenResult = { handle: number; info: SegmentInfo; readOnly: boolean; address: number; via: ReadVia };

export class AgentSegment {
  private handle: number | undefined;
  private address = 0;
  /** The agent's /proc/PID/mem may be read at `address`: its maps show this segment there. */
  private memChecked = false;
  private handleGen = -1;
  private opening: Promise<number> | undefined;
  private closed = false;
  private lastVia: ReadVia;

  private constructor(
    readonly client: AgentClient,
    readonly identity: SegmentIdentity,
    private readonly options: AgentSegmentOptions,
    public info: SegmentInfo,
    public readOnly: boolean,
    first: OpenResult,
  ) {
    this.lastVia = first.via;
    this.adopt(first);
  }

  static async open(client: AgentClient, id: number, options: AgentSegmentOptions = {}): Promise<AgentSegment> {
    const r = await client.request('open', { id, readOnly: options.readOnly, expect: options.expect, footprint: options.footprint });
    return new AgentSegment(client, options.expect ?? identityOf(r.info), options, r.info, r.readOnly, r);
  }

  get id(): number {
    return this.identity.id;
  }

  get size(): number {
    return this.identity.size;
  }

  get footprint(): Footprint {
    return this.options.footprint ?? 'attach';
  }

  /** How the bytes were last read (as of the last open or `refreshVia`). */
  get via(): ReadVia {
    return this.lastVia;
  }

  /**
   * Ask the agent how it reads now (a process it read through may have detached). Also re-opens
   * now, after an agent restart, rather than at the next read.
   */
  async refreshVia(): Promise<ReadVia> {
    if (this.footprint === 'attach') return this.withHandle(() => Promise.resolve(this.lastVia));
    this.lastVia = await this.withHandle((handle) => this.client.request('via', { handle }));
    return this.lastVia;
  }

  /**
   * Bytes [offset, offset+length): straight from the agent's attachment through
   * /proc/<agent>/mem when allowed (one kernel copy), else over the byte pipe or the channel.
   * An EIO there is the answer (a page the kernel cannot supply, e.g. a huge page with no
   * pool): asking the agent to memcpy the same page would kill it with SIGBUS.
   */
  async read(offset: number, length: number, opts?: RequestOptions): Promise<Uint8Array> {
    checkRange('read', offset, length, this.size, this.id);
    await this.currentHandle();
    const fd = this.procMemFd();
    if (fd !== null) {
      const buf = Buffer.allocUnsafe(length);
      if (this.readProcMem(fd, buf, offset, length)) return buf;
    }
    return this.withHandle((handle) => this.client.request('read', { handle, offset, length }, opts));
  }

  /**
   * The same bytes into dst (its first `length` bytes, default all of it). A caller that reads
   * again and again into one buffer saves the fresh pages `read` costs (they fault on first
   * touch: for 1 MiB over the byte pipe that is most of the time).
   */
  async readInto(dst: Uint8Array, offset: number, length = dst.length, opts?: RequestOptions): Promise<void> {
    checkRange('read', offset, length, this.size, this.id);
    if (length > dst.length) throw new RangeError(`read: a ${dst.length}-byte buffer cannot take ${length} bytes`);
    await this.currentHandle();
    const fd = this.procMemFd();
    if (fd !== null && this.readProcMem(fd, dst, offset, length)) return;
    await this.withHandle((handle) => this.client.readInto({ handle, offset, length }, dst, opts));
  }

  /** The agent's /proc/<pid>/mem, if this handle may be read through it now. */
  private procMemFd(): number | null {
    return this.memChecked && this.handleGen === this.client.generation ? this.client.agentMemory() : null;
  }

  /** Read through /proc/<agent>/mem; false if the agent's memory is gone (it died). */
  private readProcMem(fd: number, dst: Uint8Array, offset: number, length: number): boolean {
    let n = 0;
    try {
      n = fs.readSync(fd, dst, 0, length, this.address + offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EIO' && this.handleGen === this.client.generation) {
        throw new RpcError({
          name: 'ShmError', code: 'EIO', op: 'read',
          message: `read ${this.id}: the kernel could not supply the bytes at offset 0x${offset.toString(16)}..0x${(offset + length).toString(16)} (EIO); a huge-page segment whose pool has no free pages does this`,
        });
      }
    }
    // 0 bytes: the agent's memory is gone (it died); the channel re-opens in the next agent.
    return n === length;
  }

  async write(offset: number, data: Uint8Array, opts?: RequestOptions): Promise<number> {
    return (await this.withHandle((handle) => this.client.request('write', { handle, offset, data }, opts))).written;
  }

  /**
   * Run a request that needs the handle. Re-open and retry once only when the handle is unknown
   * to the agent (EBADF: it restarted before the request reached it). A request in flight when
   * the agent died (EAGENT) is not retried: it may be what killed it (SIGBUS, SIGSEGV), and
   * retrying would kill the next agent too. The next call re-opens.
   */
  async withHandle<T>(fn: (handle: number) => Promise<T>): Promise<T> {
    const handle = await this.currentHandle();
    try {
      return await fn(handle);
    } catch (err) {
      const code = (err as RpcError).code;
      if (code === 'EAGENT') this.handle = undefined;
      if (code === 'EBADF' && !this.closed) {
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
    // A re-open in flight closes its handle itself when it lands (see currentHandle).
    await this.opening?.catch(() => undefined);
  }

  private adopt(r: OpenResult): void {
    this.handle = r.handle;
    this.address = r.address;
    this.handleGen = this.client.generation;
    this.info = r.info;
    this.readOnly = r.readOnly;
    this.lastVia = r.via;
    this.memChecked = r.address !== 0 && this.agentMapsSegmentAt(r.address);
  }

  /** The host reads /proc/<pid>/mem only where that pid's maps show this segment at that address. */
  private agentMapsSegmentAt(address: number): boolean {
    const pid = this.client.agentPid;
    return pid !== undefined && mapsShowSegment(pid, address, this.id);
  }

  private currentHandle(): Promise<number> {
    if (this.closed) return Promise.reject(new RpcError({ name: 'Error', message: `segment ${this.id} is closed`, code: 'ECLOSED' }));
    if (this.handle !== undefined && this.handleGen === this.client.generation) return Promise.resolve(this.handle);
    const { readOnly, footprint } = this.options;
    this.opening ??= this.client
      .request('open', { id: this.identity.id, readOnly, expect: this.identity, footprint })
      .then(async (r) => {
        if (this.closed) {
          // Closed while this re-open was in flight: give the new handle back, attach nothing.
          await this.client.request('close', { handle: r.handle }).catch(() => undefined);
          throw new RpcError({ name: 'Error', message: `segment ${this.id} is closed`, code: 'ECLOSED' });
        }
        this.adopt(r);
        return r.handle;
      })
      .finally(() => { this.opening = undefined; });
    return this.opening;
  }
}
