// Bookmarks: named, coloured ranges kept per segment key (the store: ../../inspect/bookmarks.ts).
// Adding asks for a name and a colour; every open editor of a segment that shares the
// bookmarks is told of a change.
import type { Bookmark, BookmarkColor, ByteRange } from '../../../protocol/webview';
import { BOOKMARK_COLORS, BookmarkStore, bookmarkKey, type MementoLike } from '../../inspect/bookmarks';
import { bytesText } from '../../inspect/transfer';
import type { HexDocument } from '../document';
import { MAX_BOOKMARK_NAME } from '../validate';
import type { InspectPrompts } from './prompts';
import { type InspectEditors, checkInside, hex, rangeText, segmentName, segmentRef } from './target';

export class Bookmarks {
  readonly store: BookmarkStore;

  /** `prompts` is asked for at each call: tests replace them. */
  constructor(memento: MementoLike, private readonly prompts: () => InspectPrompts, private readonly editors: InspectEditors) {
    this.store = new BookmarkStore(memento);
  }

  /** The segment's bookmarks that fit in it (a segment of the same key may be smaller now). */
  of(doc: HexDocument): Bookmark[] {
    return this.store.list(segmentRef(doc)).filter((b) => b.offset + b.length <= doc.size);
  }

  async add(doc: HexDocument, range: ByteRange): Promise<Bookmark | null> {
    checkInside(doc, range, 'Add Bookmark');
    const existing = this.of(doc);
    const names = new Set(existing.map((b) => b.name));
    const name = await this.prompts().text({
      title: `Bookmark ${range.length === 1 ? hex(range.offset) : rangeText(range)} (${bytesText(range.length)}): name (1/2)`,
      prompt: 'Name of the bookmark (an existing name is replaced)',
      value: names.has(hex(range.offset)) ? `${hex(range.offset)} (${existing.length + 1})` : hex(range.offset),
      validate: (v) => {
        const t = v.trim();
        if (!t) return 'Enter a name';
        if (t.length > MAX_BOOKMARK_NAME) return `At most ${MAX_BOOKMARK_NAME} characters`;
        return undefined;
      },
    });
    if (name === undefined || !name.trim()) return null;
    const used = new Set(existing.map((b) => b.color));
    const suggestion: BookmarkColor = BOOKMARK_COLORS.find((c) => !used.has(c)) ?? BOOKMARK_COLORS[existing.length % BOOKMARK_COLORS.length];
    const color = await this.prompts().color(`Bookmark '${name.trim()}': colour (2/2)`, suggestion);
    if (!color) return null;
    const bookmark: Bookmark = { name: name.trim(), offset: range.offset, length: range.length, color };
    await this.store.add(segmentRef(doc), bookmark);
    this.broadcast(doc);
    return bookmark;
  }

  async remove(doc: HexDocument, name: string): Promise<void> {
    const ref = segmentRef(doc);
    if (!this.store.list(ref).some((b) => b.name === name)) throw new Error(`${segmentName(doc)} has no bookmark named '${name}'.`);
    await this.store.remove(ref, name);
    this.broadcast(doc);
  }

  /** Every open editor of a segment with the same bookmarks (same key, or same private segment) gets them. */
  private broadcast(doc: HexDocument): void {
    const key = bookmarkKey(segmentRef(doc));
    for (const d of this.editors.documents()) {
      if (bookmarkKey(segmentRef(d)) !== key) continue;
      const bookmarks = this.of(d);
      for (const h of this.editors.hostsOf(d)) h.post('bookmarks', { bookmarks });
    }
  }
}
