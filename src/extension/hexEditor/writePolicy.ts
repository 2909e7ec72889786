// When the hex editor opens a segment read-only although the kernel would let it write: root
// may write every segment, so another user's segment opens read-only unless the user asked to
// write (Open for Writing…). No vscode: unit-tested in plain node.
import type { HexDocInfo } from '../../protocol/webview';
import type { ByteSource } from './byteSource';

export interface WriteDecisionInput {
  /** Effective uid of the extension host (process.geteuid()). */
  euid: number | undefined;
  /** The segment's owner; undefined when it could not be read (then: read-only). */
  ownerUid: number | undefined;
  /** Owner's user name ('' or the number when unknown). */
  ownerName: string;
  /** The user asked to write (Open for Writing…, a write=1 URI). */
  write: boolean;
}

/** "nobody (uid 65534)", or "uid 65534" when the name is unknown. */
export function ownerLabel(uid: number, name: string): string {
  return name && name !== String(uid) ? `${name} (uid ${uid})` : `uid ${uid}`;
}

/**
 * Why the segment opens read-only although writing would be allowed, or undefined to open it
 * as usual. The text is what the editor shows after "read-only: ".
 */
export function ownerReadOnlyReason(input: WriteDecisionInput): string | undefined {
  if (input.write || input.euid !== 0 || input.ownerUid === 0) return undefined;
  const owner = input.ownerUid === undefined ? 'its owner could not be read' : `owned by ${ownerLabel(input.ownerUid, input.ownerName)}`;
  return `opened read-only: ${owner}; use Open for Writing… to change it`;
}

/**
 * The source with the editor's read-only reason replaced (SegmentSource only knows "opened
 * read-only"); everything else is the source's own.
 */
export class ReasonedSource implements ByteSource {
  constructor(private readonly inner: ByteSource, private readonly reason: string) {}

  get identity() { return this.inner.identity; }
  get size() { return this.inner.size; }
  get segment() { return this.inner.segment; }
  get info(): HexDocInfo {
    const info = this.inner.info;
    return info.readOnly ? { ...info, readOnlyReason: this.reason } : info;
  }
  read(offset: number, length: number) { return this.inner.read(offset, length); }
  write(offset: number, data: Uint8Array) { return this.inner.write(offset, data); }
  search(...args: Parameters<ByteSource['search']>) { return this.inner.search(...args); }
  status() { return this.inner.status(); }
  close() { return this.inner.close(); }
}
