// Snapshots of a segment kept on disk (the extension's global storage, on the machine where the
// segments are), and comparisons live-vs-snapshot (through the document's byte source) or
// snapshot-vs-snapshot (files only), done by the agent in chunks. vscode-free: the root folder
// is passed in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiffResult } from '../../protocol/agent';
import type { RequestOptions } from '../../protocol/rpc';
import { formatKey, type SegmentIdentity, type SegmentInfo } from '../../protocol/segment';
import type { AgentClient } from '../agent/client';

export interface SnapshotMeta {
  /** File name stem, unique within the store. */
  name: string;
  /** Where the bytes are. */
  file: string;
  id: number;
  key: number;
  keyHex: string;
  cpid: number;
  size: number;
  /** ms since the epoch. */
  created: number;
  label: string;
}

/** Snapshots of one segment share a folder: by key, or by id and creator for private ones. */
export function snapshotGroup(info: Pick<SegmentInfo, 'id' | 'key' | 'keyHex' | 'cpid'>): string {
  return info.key !== 0 ? info.keyHex : `private-${info.id}-${info.cpid}`;
}

/**
 * Where snapshot bytes come from and what they are compared with: a HexDocument (through its
 * ByteSource), or a SegmentSource itself. Nothing here talks to the agent about a segment.
 */
export interface SnapshotSource {
  readonly identity: SegmentIdentity;
  dumpTo(path: string, range: undefined, opts?: RequestOptions): Promise<void>;
  diffWith(path: string, opts?: RequestOptions): Promise<DiffResult>;
}

export class SnapshotStore {
  constructor(private readonly root: string) {}

  /** Copy the source's bytes into a new snapshot file (chunked, cancellable, with progress). */
  async take(source: SnapshotSource, label: string, opts: RequestOptions = {}): Promise<SnapshotMeta> {
    const info = { ...source.identity, keyHex: formatKey(source.identity.key) };
    const dir = path.join(this.root, snapshotGroup(info));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const created = Date.now();
    const stem = new Date(created).toISOString().replace(/[:.]/g, '-');
    // Two snapshots in the same millisecond get distinct names (-2, -3...).
    let name = stem;
    for (let n = 2; fs.existsSync(path.join(dir, `${name}.json`)) || fs.existsSync(path.join(dir, `${name}.bin`)); n++) name = `${stem}-${n}`;
    const file = path.join(dir, `${name}.bin`);
    await source.dumpTo(file, undefined, opts);
    const meta: SnapshotMeta = { name, file, id: info.id, key: info.key, keyHex: info.keyHex, cpid: info.cpid, size: info.size, created, label: label || name };
    try {
      fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(meta, null, 2), { mode: 0o600 });
    } catch (err) {
      fs.rmSync(file, { force: true });
      throw err;
    }
    return meta;
  }

  /** Snapshots of this segment, newest first. */
  list(info: Pick<SegmentInfo, 'id' | 'key' | 'keyHex' | 'cpid'>): SnapshotMeta[] {
    return this.listDir(path.join(this.root, snapshotGroup(info)));
  }

  /** Every snapshot in the store (all segments), newest first. */
  listAll(): SnapshotMeta[] {
    let groups: string[];
    try {
      groups = fs.readdirSync(this.root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
    return groups.flatMap((g) => this.listDir(path.join(this.root, g))).sort((a, b) => b.created - a.created);
  }

  private listDir(dir: string): SnapshotMeta[] {
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const metas: SnapshotMeta[] = [];
    for (const n of names) {
      try {
        const meta = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as SnapshotMeta;
        // The bytes are next to the metadata, wherever the store has moved since.
        const file = path.join(dir, `${n.slice(0, -'.json'.length)}.bin`);
        if (typeof meta.created === 'number' && typeof meta.size === 'number' && fs.existsSync(file)) metas.push({ ...meta, file });
      } catch {
        // a damaged entry is skipped, not fatal
      }
    }
    return metas.sort((a, b) => b.created - a.created);
  }

  remove(meta: SnapshotMeta): void {
    fs.rmSync(meta.file, { force: true });
    fs.rmSync(meta.file.replace(/\.bin$/, '.json'), { force: true });
  }

  /** Which bytes of the source differ from the snapshot. */
  compareLive(source: SnapshotSource, meta: SnapshotMeta, opts: RequestOptions = {}): Promise<DiffResult> {
    return source.diffWith(meta.file, opts);
  }

  /** Which bytes differ between two snapshots. */
  compareSnapshots(agent: AgentClient, a: SnapshotMeta, b: SnapshotMeta, opts: RequestOptions = {}): Promise<DiffResult> {
    return agent.request('diff', { path: a.file, otherPath: b.file }, { timeoutMs: 0, ...opts });
  }
}
