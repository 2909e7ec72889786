// Pattern search over a segment in chunks through one reused Buffer (never the whole segment).
// Patterns may have wildcard bytes (mask 0x00) and may be ASCII case-insensitive.
// A match may span two chunks: each window overlaps the next by pattern length - 1.
import { BULK_CHUNK } from '../protocol/chunks';
import { checkCount } from './validate';

/** What a search reads (a SegmentAccess, or bytes in memory: a recorded moment in the host). */
export interface SearchSource {
  readonly size: number;
  readInto(dst: Uint8Array, start: number, length?: number): number;
}

export interface SearchOptions {
  pattern: Uint8Array;
  mask?: Uint8Array;
  caseInsensitive?: boolean;
  from?: number;
  backwards?: boolean;
  max?: number;
  chunkSize?: number;
}

const lower = (b: number) => (b >= 65 && b <= 90 ? b | 0x20 : b);

/** The longest run of must-match bytes: found with indexOf, the rest checked byte by byte. */
function anchorOf(pattern: Uint8Array, mask: Uint8Array | undefined): { at: number; bytes: Buffer } {
  if (!mask) return { at: 0, bytes: Buffer.from(pattern) };
  let best = { at: 0, len: 0 };
  for (let i = 0; i < pattern.length; ) {
    if (mask[i] !== 0xff) { i++; continue; }
    let j = i;
    while (j < pattern.length && mask[j] === 0xff) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  return { at: best.at, bytes: Buffer.from(pattern.subarray(best.at, best.at + best.len)) };
}

function matchesAt(buf: Buffer, pos: number, pattern: Uint8Array, mask: Uint8Array | undefined, ci: boolean): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const m = mask ? mask[i] : 0xff;
    if (m === 0) continue;
    const a = ci ? lower(buf[pos + i]) : buf[pos + i];
    if ((a & m) !== (pattern[i] & m)) return false;
  }
  return true;
}

/**
 * Yields after each chunk (so the caller can report progress, yield the event loop and cancel),
 * with the matches found so far. Forward: matches starting at >= from. Backwards: at <= from.
 */
export function* searchChunks(seg: SearchSource, o: SearchOptions): Generator<{ done: number; total: number; offsets: number[] }, { offsets: number[]; truncated: boolean }> {
  const n = o.pattern.length;
  if (n === 0) throw new RangeError('search: empty pattern');
  if (o.mask && o.mask.length !== n) throw new RangeError('search: mask and pattern lengths differ');
  if (o.mask && !o.mask.some((m) => m !== 0)) throw new RangeError('search: the pattern is all wildcards');
  const max = checkCount(o.max ?? 1000, 'search: max') || 1;
  const ci = !!o.caseInsensitive;
  const pattern = ci ? o.pattern.map(lower) : o.pattern;
  const anchor = anchorOf(pattern, o.mask);
  const chunk = Math.max(checkCount(o.chunkSize ?? BULK_CHUNK, 'search: chunkSize'), n);
  const buf = Buffer.allocUnsafe(chunk + n - 1);
  const offsets: number[] = [];
  const last = seg.size - n; // last possible match start
  if (last < 0) return { offsets: [], truncated: false }; // pattern longer than the segment
  const from = checkCount(o.from ?? (o.backwards ? last : 0), 'search: from');
  const total = o.backwards ? Math.min(from, last) + 1 : Math.max(0, last - from + 1);
  let done = 0;

  // Windows of match starts [lo, hi]; for each, bytes [lo, hi + n) are copied.
  const scan = (lo: number, hi: number): boolean => {
    const len = hi + n - lo;
    seg.readInto(buf, lo, len);
    if (ci) for (let i = 0; i < len; i++) buf[i] = lower(buf[i]);
    const view = buf.subarray(0, len);
    const found: number[] = [];
    for (let p = view.indexOf(anchor.bytes, anchor.at); p !== -1 && p - anchor.at <= hi - lo; p = view.indexOf(anchor.bytes, p + 1)) {
      const start = p - anchor.at;
      if (start >= 0 && matchesAt(view, start, pattern, o.mask, ci)) found.push(lo + start);
    }
    if (o.backwards) found.reverse();
    for (const f of found) {
      offsets.push(f);
      if (offsets.length >= max) return true;
    }
    return false;
  };

  if (total > 0) {
    if (!o.backwards) {
      for (let lo = from; lo <= last; lo += chunk) {
        const hi = Math.min(lo + chunk - 1, last);
        if (scan(lo, hi)) return { offsets, truncated: hi < last || offsets.length >= max };
        done += hi - lo + 1;
        yield { done, total, offsets };
      }
    } else {
      for (let hi = Math.min(from, last); hi >= 0; hi -= chunk) {
        const lo = Math.max(0, hi - chunk + 1);
        if (scan(lo, hi)) return { offsets, truncated: true };
        done += hi - lo + 1;
        yield { done, total, offsets };
      }
    }
  }
  return { offsets, truncated: false };
}

/** Run a search to the end without yielding (tests, CLI). */
export function search(seg: SearchSource, o: SearchOptions): { offsets: number[]; truncated: boolean } {
  const it = searchChunks(seg, o);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}
