// Pure parts of live inspection in Node: sorted ranges (marks on screen, next/previous by
// binary search), the per-byte overlay classes, and the router that runs an action once when
// the same key press arrives both as a keydown and as the host's `action` event.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadWebviewModule } from './harness';

interface Span { offset: number; length: number }
interface RangeSetLike {
  size: number;
  items: Span[];
  forEachIn(start: number, end: number, fn: (from: number, to: number, item: Span, index: number) => void): void;
  indexAfter(at: number): number;
  indexBefore(at: number): number;
  indexAt(at: number): number;
}
const rs = loadWebviewModule<{
  RangeSet: new (items: Span[]) => RangeSetLike;
  stepRange(set: RangeSetLike, at: number, direction: 1 | -1): { index: number; wrapped: boolean } | null;
}>('util/rangeSet');

const ov = loadWebviewModule<{
  Overlays: new () => {
    setMatches(all: RangeSetLike, current: Span | null): void;
    setDiff(d: RangeSetLike): void;
    setBookmarks(b: RangeSetLike): void;
    prepare(start: number, end: number): void;
    classAt(o: number): string;
  };
}>('grid/overlays');

const actions = loadWebviewModule<{
  DUPLICATE_MS: number;
  ActionRouter: new (run: (a: string) => void, isMac: boolean) => {
    fromHost(a: unknown): void;
    fromKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean; repeat?: boolean; isComposing?: boolean; preventDefault(): void; stopPropagation(): void }): boolean;
  };
}>('input/actions');

const collect = (set: RangeSetLike, start: number, end: number) => {
  const out: [number, number][] = [];
  set.forEachIn(start, end, (from, to) => out.push([from, to]));
  return out;
};

describe('RangeSet', () => {
  it('finds the ranges that touch a window, also long and overlapping ones', () => {
    const set = new rs.RangeSet([{ offset: 0, length: 1000 }, { offset: 10, length: 2 }, { offset: 11, length: 2 }, { offset: 500, length: 1 }, { offset: 2000, length: 5 }]);
    assert.deepEqual(collect(set, 5, 12), [[5, 12], [10, 12], [11, 12]]);
    assert.deepEqual(collect(set, 999, 2001), [[999, 1000], [2000, 2001]]);
    assert.deepEqual(collect(set, 1000, 2000), []);
    assert.deepEqual(collect(set, 2004, 3000), [[2004, 2005]]);
    // Unsorted input is sorted.
    const u = new rs.RangeSet([{ offset: 30, length: 1 }, { offset: 10, length: 1 }, { offset: 20, length: 1 }]);
    assert.deepEqual(u.items.map((r) => r.offset), [10, 20, 30]);
  });

  it('steps to the next / previous range by binary search, wrapping at the ends', () => {
    const ranges = Array.from({ length: 10000 }, (_, i) => ({ offset: i * 1000 + 7, length: 3 }));
    const set = new rs.RangeSet(ranges);
    assert.equal(set.indexAfter(0), 0);
    assert.equal(set.indexAfter(7), 1, 'after a range start: the next one');
    assert.equal(set.indexAfter(5_000_000), 5000);
    assert.equal(set.indexBefore(5_000_007), 4999, 'before the start of range 5000');
    assert.equal(set.indexBefore(5_000_008), 5000, 'inside range 5000: its start');
    assert.equal(set.indexAt(5_000_007), 5000);
    assert.equal(set.indexAt(5_000_008), -1);
    assert.deepEqual(rs.stepRange(set, 9_999_007, 1), { index: 0, wrapped: true });
    assert.deepEqual(rs.stepRange(set, 7, -1), { index: 9999, wrapped: true });
    assert.deepEqual(rs.stepRange(set, 6, 1), { index: 0, wrapped: false });
    assert.equal(rs.stepRange(new rs.RangeSet([]), 0, 1), null);
  });
});

describe('Overlays', () => {
  it('gives each byte the classes of its marks, and nothing outside the prepared window', () => {
    const o = new ov.Overlays();
    o.prepare(0, 100);
    assert.equal(o.classAt(5), '', 'no marks: no classes');
    o.setBookmarks(new rs.RangeSet([{ offset: 0, length: 8, color: 'blue' } as Span, { offset: 4, length: 2, color: 'red' } as Span]));
    o.setDiff(new rs.RangeSet([{ offset: 6, length: 3 }]));
    o.setMatches(new rs.RangeSet([{ offset: 7, length: 2 }, { offset: 20, length: 2 }]), { offset: 20, length: 2 });
    o.prepare(0, 32);
    assert.equal(o.classAt(0), ' bm bm-blue');
    assert.equal(o.classAt(4), ' bm bm-red', 'the later bookmark wins');
    assert.equal(o.classAt(6), ' bm bm-blue diff');
    assert.equal(o.classAt(7), ' bm bm-blue diff match');
    assert.equal(o.classAt(8), ' diff match');
    assert.equal(o.classAt(9), '');
    assert.equal(o.classAt(21), ' match match-current');
    assert.equal(o.classAt(40), '', 'outside the window');
    o.prepare(16, 48);
    assert.equal(o.classAt(20), ' match match-current');
    assert.equal(o.classAt(7), '', 'outside the new window');
  });
});

describe('ActionRouter', () => {
  const key = (k: string, mods: { ctrl?: boolean; shift?: boolean } = {}) => ({
    key: k, ctrlKey: !!mods.ctrl, metaKey: false, altKey: false, shiftKey: !!mods.shift, preventDefault() {}, stopPropagation() {},
  });

  it('maps Ctrl+F, F3, Shift+F3, F7, Shift+F7 and leaves other keys alone', () => {
    const ran: string[] = [];
    const r = new actions.ActionRouter((a) => ran.push(a), false);
    assert.equal(r.fromKey(key('f', { ctrl: true })), true);
    assert.equal(r.fromKey(key('F3')), true);
    assert.equal(r.fromKey(key('F3', { shift: true })), true);
    assert.equal(r.fromKey(key('F7')), true);
    assert.equal(r.fromKey(key('F7', { shift: true })), true);
    assert.equal(r.fromKey(key('g', { ctrl: true })), false);
    assert.equal(r.fromKey(key('a')), false);
    assert.deepEqual(ran, ['find', 'findNext', 'findPrevious', 'nextDifference', 'previousDifference']);
  });

  it('runs one press once when it arrives as a key and then as a host action, and everything else every time', async () => {
    const ran: string[] = [];
    const r = new actions.ActionRouter((a) => ran.push(a), false);
    r.fromKey(key('F3'));
    r.fromHost('findNext'); // the same press, passed on by VS Code
    assert.deepEqual(ran, ['findNext']);
    r.fromKey(key('F3'));
    r.fromKey(key('F3')); // two quick presses...
    r.fromHost('findNext');
    r.fromHost('findNext'); // ...and their two echoes
    assert.deepEqual(ran, ['findNext', 'findNext', 'findNext']);
    r.fromHost('findNext'); // the palette: no key press to echo
    assert.equal(ran.length, 4);
    r.fromHost('nextDifference'); // the palette first, then the key: both
    r.fromKey(key('F7'));
    assert.deepEqual(ran.slice(4), ['nextDifference', 'nextDifference']);
    r.fromKey(key('F3', { shift: true }));
    r.fromHost('findNext'); // another action is not an echo of it
    assert.deepEqual(ran.slice(6), ['findPrevious', 'findNext']);
    // An echo that never came does not swallow a palette command much later.
    r.fromKey(key('F7', { shift: true }));
    await new Promise((resolve) => setTimeout(resolve, actions.DUPLICATE_MS + 50));
    r.fromHost('previousDifference');
    assert.deepEqual(ran.slice(8), ['previousDifference', 'previousDifference']);
    r.fromHost('bogus');
    r.fromHost(42);
    assert.equal(ran.length, 10, 'unknown actions are ignored');
  });
});
