// Named offsets and ranges with a colour, kept per segment key (private segments: per id and
// creator) in a Memento (globalState), so they survive restarts and come back with the key.
import type { SegmentInfo } from '../../protocol/segment';

import type { Bookmark, BookmarkColor } from '../../protocol/webview';

export type { Bookmark, BookmarkColor };
export const BOOKMARK_COLORS: readonly BookmarkColor[] = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'];

/** The part of vscode.Memento we use. */
export interface MementoLike {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

export function bookmarkKey(info: Pick<SegmentInfo, 'id' | 'key' | 'keyHex' | 'cpid'>): string {
  return `bookmarks:${info.key !== 0 ? info.keyHex : `private-${info.id}-${info.cpid}`}`;
}

export class BookmarkStore {
  constructor(private readonly memento: MementoLike) {}

  list(info: Pick<SegmentInfo, 'id' | 'key' | 'keyHex' | 'cpid'>): Bookmark[] {
    // Only this store writes these keys.
    return [...((this.memento.get(bookmarkKey(info)) as Bookmark[] | undefined) ?? [])].sort((a, b) => a.offset - b.offset);
  }

  /** Adds or replaces (same name) a bookmark; validates it against the segment size. */
  async add(info: Pick<SegmentInfo, 'id' | 'key' | 'keyHex' | 'cpid' | 'size'>, b: Bookmark): Promise<void> {
    if (!b.name.trim()) throw new RangeError('a bookmark needs a name');
    if (!Number.isSafeInteger(b.offset) || !Number.isSafeInteger(b.length) || b.offset < 0 || b.length < 1 || b.offset + b.length > info.size) {
      throw new RangeError(`bookmark ${b.name}: offset ${b.offset} + length ${b.length} is outside the segment (${info.size} bytes)`);
    }
    if (!BOOKMARK_COLORS.includes(b.color)) throw new RangeError(`unknown colour ${b.color}`);
    const rest = this.list(info).filter((x) => x.name !== b.name);
    await this.memento.update(bookmarkKey(info), [...rest, { name: b.name.trim(), offset: b.offset, length: b.length, color: b.color }]);
  }

  async remove(info: Pick<SegmentInfo, 'id' | 'key' | 'keyHex' | 'cpid'>, name: string): Promise<void> {
    await this.memento.update(bookmarkKey(info), this.list(info).filter((x) => x.name !== name));
  }
}
