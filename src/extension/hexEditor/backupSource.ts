// The byte source of a restored backup whose segment is gone (or whose id names another
// segment now): it has the backup's identity and size and nothing to read, so the document
// keeps the edits, shows why, and Save As writes the bytes the backup remembers. vscode-free.
import type { SearchResult } from '../../protocol/agent';
import { formatKey, type SegmentIdentity } from '../../protocol/segment';
import type { HexDocInfo } from '../../protocol/webview';
import type { ByteSource, SourceStatus } from './byteSource';

export class BackupSource implements ByteSource {
  constructor(readonly identity: SegmentIdentity, private readonly message: string) {}

  get size(): number {
    return this.identity.size;
  }

  get info(): HexDocInfo {
    const { id, key, size } = this.identity;
    return { id, key, keyHex: formatKey(key), size, readOnly: false };
  }

  read(): Promise<Uint8Array> {
    return Promise.reject(this.gone());
  }

  write(): Promise<void> {
    return Promise.reject(this.gone());
  }

  search(): Promise<SearchResult> {
    return Promise.reject(this.gone());
  }

  status(): Promise<SourceStatus> {
    return Promise.resolve({ gone: true, dest: false, message: this.message });
  }

  async close(): Promise<void> {}

  private gone(): Error {
    return Object.assign(new Error(this.message), { code: 'ENOENT' });
  }
}
