// Helpers of the live-inspection tests (Node side): what the data inspector should show for
// some bytes (computed with Buffer's own read methods, independently of the webview's codec),
// a reference search over the fake host's virtual bytes, and reading the page's panels.

import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { baseByte } from './harness';
import type { PageElement, PageGlobals } from './pageDom';

export type Shown = Record<string, string>;

/** The inspector's rows as shown: type -> text. */
export async function inspectorValues(page: Page): Promise<Shown> {
  return page.$$eval('.inspector .inspector-row', (rows) =>
    Object.fromEntries((rows as unknown as PageElement[]).map((r) => [r.dataset.type ?? '', r.querySelector('.inspector-value')?.textContent ?? ''])));
}

/** What the inspector must show for the bytes at the cursor, by Buffer's read methods. */
export function expectedValues(bytes: number[], littleEndian: boolean): Shown {
  const b = Buffer.from(bytes);
  const fits = (n: number) => b.length >= n;
  const dash = '—';
  const le = littleEndian;
  const printable = (x: number) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.');
  return {
    int8: fits(1) ? String(b.readInt8(0)) : dash,
    uint8: fits(1) ? String(b.readUInt8(0)) : dash,
    int16: fits(2) ? String(le ? b.readInt16LE(0) : b.readInt16BE(0)) : dash,
    uint16: fits(2) ? String(le ? b.readUInt16LE(0) : b.readUInt16BE(0)) : dash,
    int32: fits(4) ? String(le ? b.readInt32LE(0) : b.readInt32BE(0)) : dash,
    uint32: fits(4) ? String(le ? b.readUInt32LE(0) : b.readUInt32BE(0)) : dash,
    int64: fits(8) ? String(le ? b.readBigInt64LE(0) : b.readBigInt64BE(0)) : dash,
    uint64: fits(8) ? String(le ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0)) : dash,
    float32: fits(4) ? String(le ? b.readFloatLE(0) : b.readFloatBE(0)) : dash,
    float64: fits(8) ? String(le ? b.readDoubleLE(0) : b.readDoubleBE(0)) : dash,
    binary: fits(1) ? b[0].toString(2).padStart(8, '0') : dash,
    ascii: fits(1) ? Array.from(b.subarray(0, 16), printable).join('') : dash,
    utf8: fits(1) ? b.subarray(0, 16).toString('utf8').replace(/[\u0000-\u001f\u007f]/g, '.') : dash,
  };
}

/** The fake host's bytes [offset, offset + n) (clipped to size), with mutations applied. */
export function virtualBytes(offset: number, n: number, size: number, mutations: Map<number, number> = new Map()): number[] {
  const out: number[] = [];
  for (let o = offset; o < Math.min(size, offset + n); o++) out.push(mutations.get(o) ?? baseByte(o));
  return out;
}

/** Every match of pattern (mask 0 = any byte, ci = ASCII case-insensitive) in the virtual segment, brute force. */
export function referenceSearch(size: number, mutations: Map<number, number>, pattern: number[], opts: { mask?: number[]; ci?: boolean } = {}): number[] {
  const lower = (b: number) => (b >= 65 && b <= 90 ? b | 0x20 : b);
  const byte = (o: number) => mutations.get(o) ?? baseByte(o);
  const out: number[] = [];
  for (let s = 0; s + pattern.length <= size; s++) {
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      if (opts.mask && opts.mask[i] === 0) continue;
      const a = opts.ci ? lower(byte(s + i)) : byte(s + i);
      const p = opts.ci ? lower(pattern[i]) : pattern[i];
      if (a !== p) ok = false;
    }
    if (ok) out.push(s);
  }
  return out;
}

/** Write bytes into the fake segment (as another process would) and remember them for the reference. */
export async function mutate(page: Page, mutations: Map<number, number>, offset: number, bytes: number[]): Promise<void> {
  bytes.forEach((b, i) => mutations.set(offset + i, b));
  await page.evaluate(([o, b]) => (globalThis as unknown as PageGlobals).fakeHost.mutate(o, b), [offset, bytes] as const);
}

/** Offsets of the on-screen hex cells that have a class. */
function cellsWith(page: Page, cls: string): Promise<number[]> {
  return page.$$eval(`.grid .hex-cell.${cls}`, (cells) => (cells as unknown as PageElement[]).map((c) => Number(c.dataset.offset)));
}

/**
 * Asserts that the on-screen hex cells with a class are exactly `want`. The grid paints marks
 * at its next animation frame, after the panels and the status line have already changed, so
 * this waits (up to 5 s) for the grid to show them before comparing.
 */
export async function expectCells(page: Page, cls: string, want: number[], message?: string): Promise<void> {
  await page.waitForFunction(([c, w]) => {
    const shown = [...(globalThis as unknown as PageGlobals).document.querySelectorAll(`.grid .hex-cell.${c}`)].map((e) => Number(e.dataset.offset));
    return JSON.stringify(shown) === w;
  }, [cls, JSON.stringify(want)] as const, { timeout: 5000 }).catch(() => undefined);
  assert.deepEqual(await cellsWith(page, cls), want, message);
}

export async function cursorOffset(page: Page): Promise<number> {
  const sel = await page.evaluate<{ cursor: number; offset: number; length: number }>('window.fakeHost.requestSelection()');
  return sel.cursor;
}

export async function selection(page: Page): Promise<{ cursor: number; offset: number; length: number }> {
  return page.evaluate<{ cursor: number; offset: number; length: number }>('window.fakeHost.requestSelection()');
}

export const visibleText = (page: Page, sel: string) =>
  page.evaluate((s) => {
    const e = (globalThis as unknown as PageGlobals).document.querySelector(s);
    return e && !e.closest('[hidden]') ? (e.textContent as string) : '';
  }, sel);

/** Go to offset (selecting length bytes), as the host's Go to Offset does, and wait until the status line shows it. */
export async function goTo(page: Page, offset: number, length = 0): Promise<void> {
  await page.evaluate(([o, n]) => (globalThis as unknown as PageGlobals).fakeHost.sendGoto(o, n > 1 ? n : undefined), [offset, length] as const);
  const cursor = length > 1 ? offset + length - 1 : offset;
  await page.waitForFunction(([c, n]) => {
    const d = (globalThis as unknown as PageGlobals).document;
    return d.querySelector('.status-offset')?.textContent === `Offset 0x${c.toString(16).toUpperCase()} (${c})`
      && (n <= 1 || d.querySelector('.status-selection')?.textContent?.startsWith(`Selected ${n.toLocaleString('en-US')} byte`));
  }, [cursor, length] as const, { timeout: 5000 });
}
