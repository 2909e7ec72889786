// Pure parts of the webview in Node (no browser): the page HTML and CSP, hex/offset
// parsing, scroll geometry, the page cache, pending-edit marks and the key map.
// Webview modules are bundled with esbuild for Node so the Node build never compiles
// browser code.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hexEditorCsp, renderHexEditorHtml } from '../../src/extension/hexEditor/html';
import { loadWebviewModule } from './harness';

type Parse<T> = { ok: true; value: T } | { ok: false; error: string };
const hexParse = loadWebviewModule<{
  parseHexBytes(text: string): Parse<Uint8Array>;
  parseOffset(input: string, current: number, size: number): Parse<number>;
}>('hexParse');

interface ScrollModel { rowCount: number; visibleRows: number; rowHeight: number; clientHeight: number }
const layout = loadWebviewModule<{
  MAX_SCROLL_HEIGHT: number;
  scrollRange(m: ScrollModel): number;
  maxTopRow(m: ScrollModel): number;
  rowForScrollTop(top: number, m: ScrollModel): number;
  scrollTopForRow(row: number, m: ScrollModel): number;
  fitBytesPerRow(px: number, ch: number, grouping: number, digits: number): number;
  rowWidthCh(bpr: number, grouping: number, digits: number): number;
}>('layout');

interface PageCacheLike {
  stats: { reads: number; bytes: number };
  pageCount: number;
  byteAt(o: number): number;
  ensure(start: number, end: number): void;
  write(o: number, data: Uint8Array): void;
  invalidate(r: { offset: number; length: number }[] | 'all'): void;
  isFresh(start: number, end: number): boolean;
  applyFresh(o: number, data: Uint8Array): { changed: number[]; skipped: boolean };
}
const pageCacheModule = loadWebviewModule<{
  UNLOADED: number;
  UNREADABLE: number;
  PageCache: new (o: {
    size: number; pageSize: number; maxPages: number; maxRunPages: number;
    read(offset: number, length: number, signal: AbortSignal): Promise<Uint8Array>;
    onUpdate(): void; onError(m: string): void;
  }) => PageCacheLike;
}>('pageCache');

const pendingModule = loadWebviewModule<{
  PendingEdits: new () => { isEmpty: boolean; record(o: number, d: Uint8Array): void; clear(): void; valuesIn(s: number, e: number): Map<number, number> };
}>('pendingEdits');

const keyboard = loadWebviewModule<{
  commandForKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }, column: 'hex' | 'text', isMac: boolean): { kind: string; [k: string]: unknown } | null;
}>('keyboard');

const NONCE = 'q1w2e3r4t5y6u7i8o9p0AA==';

describe('renderHexEditorHtml', () => {
  const html = renderHexEditorHtml({ scriptUri: 'https://x.vscode-cdn.net/dist/webview.js?a=1&b=2', styleUri: 'https://x.vscode-cdn.net/media/hexEditor.css', cspSource: 'https://*.vscode-cdn.net', nonce: NONCE });

  it('carries the exact CSP, with the nonce and without unsafe-inline', () => {
    const csp = `default-src 'none'; img-src https://*.vscode-cdn.net data:; style-src https://*.vscode-cdn.net; script-src 'nonce-${NONCE}'; font-src https://*.vscode-cdn.net;`;
    assert.equal(hexEditorCsp('https://*.vscode-cdn.net', NONCE), csp);
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${csp.replace(/'/g, "'")}">`), html);
    assert.ok(!html.includes('unsafe-inline'));
    assert.ok(!html.includes('unsafe-eval'));
  });

  it('loads one script with the nonce and one stylesheet, escapes URIs, has nothing inline', () => {
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes(`<script nonce="${NONCE}" src="https://x.vscode-cdn.net/dist/webview.js?a=1&amp;b=2"></script>`));
    assert.ok(html.includes('<link rel="stylesheet" href="https://x.vscode-cdn.net/media/hexEditor.css">'));
    assert.ok(!/style=/.test(html), 'no style attributes');
    assert.ok(!/<style/.test(html), 'no style elements');
    assert.ok(!/ on[a-z]+=/.test(html), 'no inline handlers');
  });

  it('rejects weak nonces and cspSource values that would break the policy', () => {
    assert.throws(() => renderHexEditorHtml({ scriptUri: 'a', styleUri: 'b', cspSource: 'c', nonce: 'abc' }), /nonce/);
    assert.throws(() => renderHexEditorHtml({ scriptUri: 'a', styleUri: 'b', cspSource: "x; script-src 'unsafe-inline'", nonce: NONCE }), /cspSource/);
  });
});

describe('parseHexBytes (paste into the hex column)', () => {
  const ok = (s: string) => {
    const r = hexParse.parseHexBytes(s);
    assert.ok(r.ok, `${s}: ${r.ok ? '' : r.error}`);
    return Array.from(r.value);
  };
  it('accepts the usual spellings', () => {
    const dead = [0xde, 0xad, 0xbe, 0xef];
    assert.deepEqual(ok('de ad be ef'), dead);
    assert.deepEqual(ok('0xdeadbeef'), dead);
    assert.deepEqual(ok('DEADBEEF'), dead);
    assert.deepEqual(ok('0xde, 0xad, 0xbe, 0xef'), dead);
    assert.deepEqual(ok('\\xde\\xad\\xbe\\xef'), dead);
    assert.deepEqual(ok('de:ad:be:ef'), dead);
    assert.deepEqual(ok('{ 0xDE, 0xAD,\n 0xBE, 0xEF }'), dead);
    assert.deepEqual(ok('  00 ff\t10\r\n'), [0, 255, 16]);
  });
  it('explains what is wrong', () => {
    const err = (s: string) => {
      const r = hexParse.parseHexBytes(s);
      assert.ok(!r.ok, `${s} should be refused`);
      return r.error;
    };
    assert.match(err('abc'), /Odd number of hex digits/);
    assert.match(err('hello'), /Not hex: 'hello'/);
    assert.match(err('   '), /No hex bytes/);
    assert.match(err('0x'), /Not hex/);
  });
});

describe('parseOffset (Go to Offset)', () => {
  const size = 1 << 30;
  const at = (s: string, cur = 0x100) => {
    const r = hexParse.parseOffset(s, cur, size);
    assert.ok(r.ok, `${s}: ${r.ok ? '' : r.error}`);
    return r.value;
  };
  const err = (s: string, cur = 0x100) => {
    const r = hexParse.parseOffset(s, cur, size);
    assert.ok(!r.ok, `${s} should be refused`);
    return r.error;
  };
  it('reads hex, decimal and relative offsets', () => {
    assert.equal(at('0x10'), 16);
    assert.equal(at('0X3FFFFFFF'), size - 1);
    assert.equal(at('4096'), 4096);
    assert.equal(at(' 1_000 '), 1000);
    assert.equal(at('+0x10'), 0x110);
    assert.equal(at('-16'), 0xf0);
    assert.equal(at('+ 4'), 0x104);
  });
  it('refuses out-of-range and malformed input with a clear message', () => {
    assert.match(err(String(size)), /past the end.*1073741824 bytes/);
    assert.match(err('-0x101'), /before the start/);
    assert.match(err('ff'), /not a decimal number.*0xff/);
    assert.match(err('12abc'), /0x/);
    assert.match(err('banana'), /not an offset/);
    assert.match(err(''), /Type an offset/);
    assert.match(err('99999999999999999999'), /too large/);
  });
});

describe('scroll geometry', () => {
  it('maps rows 1:1 to pixels when the content fits', () => {
    const m = { rowCount: 256, visibleRows: 30, rowHeight: 20, clientHeight: 640 };
    assert.equal(layout.scrollRange(m), (256 - 30) * 20);
    for (const row of [0, 1, 17, 226]) {
      assert.equal(layout.scrollTopForRow(row, m), row * 20);
      assert.equal(layout.rowForScrollTop(row * 20, m), row);
    }
    assert.equal(layout.scrollTopForRow(10_000, m), 226 * 20, 'clamped');
  });
  it('scales the scrollbar for a 1 GiB segment and stays under the browser height limit', () => {
    const m = { rowCount: (1 << 30) / 16, visibleRows: 30, rowHeight: 20, clientHeight: 640 };
    const range = layout.scrollRange(m);
    assert.ok(range + m.clientHeight <= layout.MAX_SCROLL_HEIGHT);
    assert.ok(range > 1_000_000);
    assert.equal(layout.rowForScrollTop(0, m), 0);
    assert.equal(layout.rowForScrollTop(range, m), layout.maxTopRow(m));
    assert.equal(layout.rowForScrollTop(range / 2, m), Math.round(layout.maxTopRow(m) / 2));
    // Round trip is exact for every row up to the pixel rounding the browser applies.
    for (const row of [0, 12345, 33554400, layout.maxTopRow(m)]) {
      assert.equal(layout.rowForScrollTop(layout.scrollTopForRow(row, m), m), row);
    }
  });
  it('works for the largest sizes (2^53 bytes)', () => {
    const m = { rowCount: Math.ceil(2 ** 53 / 32), visibleRows: 40, rowHeight: 18, clientHeight: 800 };
    assert.equal(layout.rowForScrollTop(layout.scrollRange(m), m), m.rowCount - 40);
  });
  it('fits whole groups to the width', () => {
    const ch = 8;
    const w16 = layout.rowWidthCh(16, 4, 8) * ch;
    assert.equal(layout.fitBytesPerRow(w16, ch, 4, 8), 16);
    assert.equal(layout.fitBytesPerRow(w16 - 1, ch, 4, 8), 12);
    assert.equal(layout.fitBytesPerRow(10, ch, 8, 8), 8, 'at least one group');
    const w17 = layout.rowWidthCh(17, 1, 8) * ch;
    assert.equal(layout.rowWidthCh(17, 1, 8), 2 + 8 + 2 + 17 * 3 + 2 + 17, 'no group gaps without grouping');
    assert.equal(layout.fitBytesPerRow(w17, ch, 1, 8), 17);
    assert.equal(layout.fitBytesPerRow(w17 - 0.5, ch, 1, 8), 16);
    assert.equal(layout.rowWidthCh(16, 4, 8), 2 + 8 + 2 + 16 * 3 + 3 + 2 + 16, 'three gaps between four groups');
  });
});

describe('PageCache', () => {
  const make = (size: number, opts: { maxPages?: number; delay?: boolean } = {}) => {
    const reads: { offset: number; length: number }[] = [];
    const resolvers: (() => void)[] = [];
    let src = (o: number) => o & 0xff;
    const cache = new pageCacheModule.PageCache({
      size, pageSize: 1024, maxPages: opts.maxPages ?? 8, maxRunPages: 4,
      read: (offset, length) => {
        reads.push({ offset, length });
        const make = () => Uint8Array.from({ length }, (_, i) => src(offset + i));
        if (!opts.delay) return Promise.resolve(make());
        return new Promise((resolve) => resolvers.push(() => resolve(make())));
      },
      onUpdate: () => undefined,
      onError: () => undefined,
    });
    return { cache, reads, resolvers, setSource: (f: (o: number) => number) => { src = f; } };
  };
  const tick = () => new Promise((r) => setImmediate(r));

  it('coalesces neighbouring pages into one read, clips the last page, serves bytes', async () => {
    const { cache, reads } = make(5000);
    cache.ensure(0, 5000);
    assert.deepEqual(reads, [{ offset: 0, length: 4096 }, { offset: 4096, length: 904 }]);
    assert.equal(cache.byteAt(10), pageCacheModule.UNLOADED);
    await tick();
    assert.equal(cache.byteAt(10), 10);
    assert.equal(cache.byteAt(4999), 4999 & 0xff);
    cache.ensure(0, 5000);
    assert.equal(reads.length, 2, 'nothing read twice');
  });

  it('stays bounded and evicts least recently used pages', async () => {
    const { cache, reads } = make(1 << 30, { maxPages: 8 });
    for (let p = 0; p < 100; p++) {
      cache.ensure(p * 7 * 1024, p * 7 * 1024 + 2000);
      await tick();
      assert.ok(cache.pageCount <= 8, `page count ${cache.pageCount}`);
    }
    const before = reads.length;
    cache.ensure(0, 100);
    assert.equal(reads.length, before + 1, 'page 0 was evicted and is read again');
  });

  it('drops a read that raced with a local edit and fetches again', async () => {
    const { cache, reads, resolvers } = make(4096, { delay: true });
    cache.ensure(0, 100);
    cache.write(5, Uint8Array.of(0xaa));
    resolvers.shift()!();
    await tick();
    assert.equal(cache.byteAt(5), pageCacheModule.UNLOADED, 'the stale read was dropped');
    cache.ensure(0, 100);
    assert.equal(reads.length, 2);
    resolvers.shift()!();
    await tick();
    assert.equal(cache.byteAt(5), 5);
  });

  it('keeps showing invalidated bytes until the new ones arrive', async () => {
    const { cache, resolvers, setSource } = make(4096, { delay: true });
    cache.ensure(0, 100);
    resolvers.shift()!();
    await tick();
    setSource(() => 0x11);
    cache.invalidate([{ offset: 50, length: 1 }]);
    assert.equal(cache.byteAt(50), 50, 'old byte still shown');
    cache.ensure(0, 100);
    resolvers.shift()!();
    await tick();
    assert.equal(cache.byteAt(50), 0x11);
  });

  it('applyFresh reports changed offsets and skips pages that are stale or being read', async () => {
    const { cache, resolvers } = make(3072, { delay: true });
    cache.ensure(0, 3072);
    resolvers.shift()!();
    await tick();
    assert.ok(cache.isFresh(0, 3072));
    const fresh = Uint8Array.from({ length: 3072 }, (_, i) => i & 0xff);
    fresh[3] = 0xee;
    fresh[1500] = 0xee;
    fresh[2500] = 0xee;
    cache.invalidate([{ offset: 1024, length: 1 }]); // page 1: stale, its re-read not issued yet
    assert.ok(!cache.isFresh(0, 3072));
    assert.ok(cache.isFresh(0, 1024));
    assert.deepEqual(cache.applyFresh(0, fresh), { changed: [3, 2500], skipped: true });
    assert.equal(cache.byteAt(3), 0xee);
    assert.equal(cache.byteAt(1500), 1500 & 0xff, 'stale page not overwritten');
    cache.ensure(0, 3072); // page 1's read is now in flight
    assert.ok(!cache.isFresh(1024, 2048), 'a page being read is not fresh');
    assert.deepEqual(cache.applyFresh(1500, fresh.subarray(1500, 1501)), { changed: [], skipped: true });
    resolvers.shift()!();
    await tick();
    assert.ok(cache.isFresh(0, 3072));
    assert.deepEqual(cache.applyFresh(0, Uint8Array.of(0xee, 1, 2, 3)), { changed: [0, 3], skipped: false }, 'byte 3 back from 0xee to 3');
  });
});

describe('PendingEdits', () => {
  it('remembers the last value written per offset and forgets on clear', () => {
    const p = new pendingModule.PendingEdits();
    assert.ok(p.isEmpty);
    p.record(10, Uint8Array.of(1, 2));
    p.record(12, Uint8Array.of(3));
    p.record(11, Uint8Array.of(9));
    assert.deepEqual([...p.valuesIn(0, 100)].sort((a, b) => a[0] - b[0]), [[10, 1], [11, 9], [12, 3]]);
    assert.deepEqual([...p.valuesIn(11, 12)], [[11, 9]]);
    p.clear();
    assert.ok(p.isEmpty);
    assert.equal(p.valuesIn(0, 100).size, 0);
  });
});

describe('key map', () => {
  const k = (key: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean; altKey: boolean }> = {}, column: 'hex' | 'text' = 'hex') =>
    keyboard.commandForKey({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods }, column, false);
  it('maps navigation, editing and leaves VS Code its shortcuts', () => {
    assert.deepEqual(k('ArrowRight', { shiftKey: true }), { kind: 'move', to: 'right', extend: true });
    assert.deepEqual(k('End', { ctrlKey: true }), { kind: 'move', to: 'docEnd', extend: false });
    assert.deepEqual(k('Home'), { kind: 'move', to: 'rowStart', extend: false });
    assert.deepEqual(k('g', { ctrlKey: true }), { kind: 'goto' });
    assert.deepEqual(k('a'), { kind: 'hexDigit', value: 10 });
    assert.equal(k('x'), null, 'not a hex digit');
    assert.deepEqual(k('x', {}, 'text'), { kind: 'char', text: 'x' });
    assert.equal(k('z', { ctrlKey: true }), null, 'undo belongs to VS Code');
    assert.equal(k('s', { ctrlKey: true }), null, 'save belongs to VS Code');
    assert.equal(k('v', { ctrlKey: true }), null, 'paste arrives as a paste event');
    assert.deepEqual(k('Tab'), { kind: 'switchColumn' });
    assert.equal(k('Tab', {}, 'text'), null, 'Tab leaves the grid from the text column: no focus trap');
  });
});
