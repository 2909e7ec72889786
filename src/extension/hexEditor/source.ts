// A hex document's bytes from a live segment in the agent (the ByteSource interface, in
// byteSource.ts, is what the document sees). Reads and writes touch only the ranges asked for.
// vscode-free.
import type { AgentClient } from '../agent/client';
import { AgentSegment } from '../agent/agentSegment';
import type { DiffResult, SearchResult } from '../../protocol/agent';
import type { RequestOptions } from '../../protocol/rpc';
import type { ReadMode } from '../../protocol/settings';
import type { ByteRange, HexDocInfo } from '../../protocol/webview';
import { type Footprint, type SegmentIdentity, type SegmentInfo, describeIdentity, formatKey, sameSegment } from '../../protocol/segment';
import { errorCode, errorMessage, isGoneError, type ByteSource, type LiveSink, type SearchQuery, type SourceStatus } from './byteSource';
import { sampleLive } from './liveSampling';

function goneText(id: number, err: unknown): string {
  return errorCode(err) === 'ECHANGED'
    ? `Segment ${id} is gone: ${errorMessage(err)}`
    : `Segment ${id} was removed (${errorMessage(err)}).`;
}

export interface OpenRequest {
  id: number;
  expect?: SegmentIdentity;
  /** The URI asked for read-only. */
  readOnly: boolean;
  /** Default 'attach'. */
  readMode?: ReadMode;
}

/** The footprint 'auto' chooses for a segment: none unless it is this process's user's own. */
export function footprintFor(mode: ReadMode, s: Pick<SegmentInfo, 'uid' | 'cuid'>, euid = process.geteuid?.() ?? -1): Footprint {
  if (mode !== 'auto') return mode;
  return s.uid === euid || s.cuid === euid ? 'attach' : 'none';
}

/** A live System V segment, attached once in the agent for the document's lifetime. */
export class SegmentSource implements ByteSource {
  private goneMessage: string | undefined;

  private constructor(
    private readonly agent: AgentClient,
    private readonly seg: AgentSegment,
    private readonly readOnlyReason: string | undefined,
  ) {}

  /** Attach read-write if allowed; read-only (saying why) if the URI asks for it or EACCES. */
  static async open(agent: AgentClient, req: OpenRequest): Promise<SegmentSource> {
    try {
      const mode = req.readMode ?? 'attach';
      const footprint = mode === 'auto' ? footprintFor(mode, await agent.request('stat', { id: req.id })) : mode;
      const noWrite = (i: SegmentInfo) => `no write permission (mode ${i.perms}, owner ${i.user || i.uid})`;
      if (req.readOnly) {
        const seg = await AgentSegment.open(agent, req.id, { readOnly: true, expect: req.expect, footprint });
        return new SegmentSource(agent, seg, 'opened read-only');
      }
      try {
        const seg = await AgentSegment.open(agent, req.id, { expect: req.expect, footprint });
        // Without an attachment the agent decides writability from the permissions.
        return new SegmentSource(agent, seg, seg.readOnly ? noWrite(seg.info) : undefined);
      } catch (err) {
        if (errorCode(err) !== 'EACCES') throw err;
        const seg = await AgentSegment.open(agent, req.id, { readOnly: true, expect: req.expect, footprint });
        return new SegmentSource(agent, seg, noWrite(seg.info));
      }
    } catch (err) {
      throw new OpenError(req.id, err);
    }
  }

  get identity(): SegmentIdentity {
    return this.seg.identity;
  }

  /** Live refresh: the agent samples the range through this source's handle (liveSampling.ts). */
  sample(range: ByteRange, hz: number, batchMs: number, sink: LiveSink): { dispose(): void } {
    return sampleLive(this.agent, this.seg, range, hz, batchMs, sink);
  }

  get segment(): AgentSegment {
    return this.seg;
  }

  get size(): number {
    return this.seg.size;
  }

  get info(): HexDocInfo {
    const readOnly = this.seg.readOnly;
    return {
      id: this.seg.id,
      key: this.identity.key,
      keyHex: formatKey(this.identity.key),
      size: this.size,
      readOnly,
      readOnlyReason: readOnly ? this.readOnlyReason ?? 'attached read-only' : undefined,
    };
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    try {
      return await this.seg.read(offset, length);
    } catch (err) {
      throw this.classify(err);
    }
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    try {
      const written = await this.seg.write(offset, data);
      if (written !== data.length) throw new Error(`wrote ${written} of ${data.length} bytes at ${offset}`);
    } catch (err) {
      throw this.classify(err);
    }
  }

  async search(query: SearchQuery, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<SearchResult> {
    try {
      return await this.seg.withHandle((handle) => this.agent.request('search', { ...query, handle }, { signal, onProgress, timeoutMs: 0 }));
    } catch (err) {
      throw this.classify(err);
    }
  }

  async dumpTo(path: string, range: ByteRange | undefined, opts: RequestOptions = {}): Promise<void> {
    try {
      await this.seg.withHandle((handle) => this.agent.request('dump', { handle, path, ...range }, { ...opts, timeoutMs: 0 }));
    } catch (err) {
      throw this.classify(err);
    }
  }

  async diffWith(path: string, opts: RequestOptions = {}): Promise<DiffResult> {
    try {
      return await this.seg.withHandle((handle) => this.agent.request('diff', { handle, path }, { ...opts, timeoutMs: 0 }));
    } catch (err) {
      throw this.classify(err);
    }
  }

  async status(): Promise<SourceStatus> {
    if (this.goneMessage) return { gone: true, dest: false, message: this.goneMessage };
    const id = this.seg.id;
    try {
      const info = await this.agent.request('stat', { id });
      if (!sameSegment(info, this.identity)) {
        this.goneMessage = `Segment ${id} is gone: the id now names another segment (${describeIdentity(info)}).`;
        return { gone: true, dest: false, message: this.goneMessage };
      }
      // After an agent restart this re-opens now, not at the next read; and says how it reads.
      const via = await this.seg.refreshVia();
      if (info.dest) {
        return {
          gone: false,
          dest: true,
          via,
          message: `Segment ${id} was destroyed: it disappears when the last process detaches. ` +
            'Until then it stays readable and writable here, and Save As… keeps a copy.',
        };
      }
      return { gone: false, dest: false, via };
    } catch (err) {
      if (isGoneError(err)) {
        this.goneMessage = goneText(id, err);
        return { gone: true, dest: false, message: this.goneMessage };
      }
      return { gone: false, dest: false, message: `Could not check segment ${id}: ${errorMessage(err)}` };
    }
  }

  async close(): Promise<void> {
    await this.seg.close().catch(() => undefined);
  }

  /** Remember that the segment is gone when an error says so; return the error to throw. */
  private classify(err: unknown): unknown {
    if (isGoneError(err) && !this.goneMessage) this.goneMessage = goneText(this.seg.id, err);
    return err;
  }
}

/** Opening failed: a message the user can act on, and the original code. */
export class OpenError extends Error {
  readonly code: string | undefined;
  constructor(id: number, cause: unknown) {
    const code = errorCode(cause);
    let text: string;
    switch (code) {
      case 'EINVAL':
      case 'EIDRM':
      case 'ENOENT':
        text = `No shared-memory segment with id ${id} (it may have been removed).`;
        break;
      case 'ECHANGED':
        text = `Segment ${id} is not the one that was opened: ${errorMessage(cause)}`;
        break;
      case 'EACCES':
        text = `Permission denied: segment ${id} cannot be attached, not even read-only.`;
        break;
      default:
        text = `Could not open segment ${id}: ${errorMessage(cause)}`;
    }
    super(text);
    this.name = 'OpenError';
    this.code = code;
  }
}
