// Pure parts of the webview in Node (no browser): the page HTML and CSP, hex/offset
// parsing, scroll geometry, the watched window (bytes and pending marks as pushed) and the key map.
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
}>('util/hexParse');

interface ScrollModel { rowCount: number; visibleRows: number; rowHeight: number; clientHeight: number }
const layout = loadWebviewModule<{
  MAX_SCROLL_HEIGHT: number;
  scrollRange(m: ScrollModel): number;
  maxTopRow(m: ScrollModel): number;
  rowForScrollTop(top: number, m: ScrollModel): number;
  scrollTopForRow(row: number, m: ScrollModel): number;
  fitBytesPerRow(px: number, ch: number, grouping: number, digits: number): number;
  rowWidthCh(bpr: number, grouping: number, digits: number): number;
}>('grid/layout');

interface ViewWindowLike {
  range: { offset: number; length: number };
  heldBytes: number;
  want(start: number, end: number, live: boolean): { offset: number; length: number; live: boolean } | null;
  apply(u: unknown): { changed: number[]; bytesChanged: boolean; pendingChanged: boolean; cause: string } | null;
  byteAt(o: number): number;
  isPending(o: number): boolean;
  hasRange(start: number, end: number): boolean;
}
const viewWindowModule = loadWebviewModule<{
  UNLOADED: number;
  UNREADABLE: number;
  ViewWindow: new (size: number) => ViewWindowLike;
}>('live/viewWindow');

const keyboard = loadWebviewModule<{
  commandForKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }, column: 'hex' | 'text', isMac: boolean): { kind: string; [k: string]: unknown } | null;
}>('input/keyboard');

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
    assert.throws(() => renderHexEditorHtml({ scriptUri: 'a', styleUri: 'b', cspSource: "'self' 'unsafe-inline'", nonce: NONCE }), /cspSource/);
    // What code-server's VS Code gives: host sources and 'self'.
    assert.match(renderHexEditorHtml({ scriptUri: 'a', styleUri: 'b', cspSource: "'self' https://*.vscode-cdn.net", nonce: NONCE }), /style-src 'self' https:\/\/\*\.vscode-cdn\.net;/);
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

describe('ViewWindow', () => {
  const bytes = (offset: number, length: number) => Uint8Array.from({ length }, (_, i) => (offset + i) & 0xff);

  it('watches the rows in view plus a margin, and asks again only when they leave it or live changes', () => {
    const v = new viewWindowModule.ViewWindow(1 << 20);
    const w = v.want(8192, 8192 + 800, true);
    assert.ok(w, 'the first view asks for a window');
    assert.deepEqual(w, { offset: 8192 - 4096, length: 800 + 2 * 4096, live: true });
    assert.equal(v.want(8192 + 160, 8192 + 960, true), null, 'scrolling inside the margin: no message');
    assert.deepEqual(v.want(8192 + 160, 8192 + 960, false), { ...w, live: false }, 'paused: the same window, not polled');
    const far = v.want(900_000, 900_800, false);
    assert.ok(far, 'a jump far away asks for a new window');
    assert.ok(far.offset <= 900_000 && far.offset + far.length >= 900_800 && far.length <= 256 << 10);
    assert.deepEqual(v.want(0, 0, false), { offset: 0, length: 0, live: false }, 'nothing in view: nothing watched');
    const tall = v.want(0, 200_000, true);
    assert.ok(tall, 'a taller view asks for a new window');
    assert.ok(tall.length <= 256 << 10, `bounded: ${tall.length}`);
  });

  it('holds the pushed bytes and marks: all, then only what changed; drops pushes for an older window', () => {
    const v = new viewWindowModule.ViewWindow(4096);
    const w = v.want(0, 100, true);
    assert.ok(w, 'the first view asks for a window');
    const window = { offset: w.offset, length: w.length };
    assert.equal(v.byteAt(5), viewWindowModule.UNLOADED, 'nothing before the first push');
    assert.equal(v.apply({ window, offset: 4, data: Uint8Array.of(9), pending: [], cause: 'poll' }), null, 'a part before the whole window waits for it');
    assert.equal(v.byteAt(4), viewWindowModule.UNLOADED);
    assert.deepEqual(v.apply({ window, offset: 0, data: bytes(0, w.length), pending: [], cause: 'all' }), { changed: [], bytesChanged: true, pendingChanged: true, cause: 'all' });
    assert.equal(v.byteAt(5), 5);
    assert.ok(v.hasRange(0, w.length));
    const r = v.apply({ window, offset: 4, data: Uint8Array.of(0xaa, 5, 0xbb), pending: [{ offset: 4, length: 1 }], cause: 'poll' });
    assert.ok(r, 'a part of the held window is applied');
    assert.deepEqual(r.changed, [4, 6], 'only the bytes that differ');
    assert.equal(r.pendingChanged, true, 'a new pending mark: the marks repaint');
    const again = v.apply({ window, offset: 4, data: Uint8Array.of(0xaa, 5, 0xbb), pending: [{ offset: 4, length: 1 }], cause: 'poll' });
    assert.deepEqual(again && [again.changed, again.pendingChanged], [[], false], 'the same push again changes nothing');
    assert.equal(v.byteAt(4), 0xaa);
    assert.deepEqual([v.isPending(3), v.isPending(4), v.isPending(5)], [false, true, false]);
    v.apply({ window, offset: 0, data: new Uint8Array(0), pending: [], cause: 'edit' });
    assert.equal(v.isPending(4), false, 'saved: the mark goes, the byte stays');
    assert.equal(v.byteAt(4), 0xaa);
    assert.equal(v.byteAt(w.length + 10), viewWindowModule.UNLOADED, 'outside the window');
    assert.equal(v.apply({ window: { offset: 1, length: 2 }, offset: 1, data: Uint8Array.of(9, 9), pending: [], cause: 'poll' }), null, 'for another window');
    assert.equal(v.byteAt(1), 1);
    v.apply({ window, error: 'EIDRM' });
    assert.equal(v.byteAt(1), viewWindowModule.UNREADABLE);
    v.apply({ window, offset: 0, data: bytes(0, w.length), pending: [], cause: 'all' });
    assert.equal(v.byteAt(4), 4, 'recovered with the next whole push');
    assert.ok(v.heldBytes <= 256 << 10);
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
