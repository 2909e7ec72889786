// Live refresh in the real workbench: a separate process bumps a counter in a segment every
// 100 ms while the segment is open in the hex editor (live refresh at its default, 500 ms).
// The editor must show the counter's bytes changing and highlighted (heat-1..3 classes, with a
// visible background) while bytes that don't change carry no heat, and the status line's
// live counter ("Live: N bytes changed") must be > 0. Screenshot:
// media/screenshots/live-heat.png.
import { cliBytes, createSegment, startCounterWriter } from './lib/segments.mjs';
import { armWatch, closeAllEditors, extensionReady, openSegment, sleep, until, watchResult, webviewFrame } from './lib/workbench.mjs';

export const timeoutMs = 90000;

const TEXT = 'Live counter at 0x40, bumped every 100 ms by another process:';
const COUNTER_AT = 0x40;
const COUNTER_LEN = 4;
const WRITER_MS = 100;
const STEP = 0x01010101; // every byte of the uint32 changes on each bump
const SAMPLES = 12;
const SAMPLE_EVERY_MS = 300;

/** Alpha of a computed CSS color: rgb()/rgba()/color(srgb r g b / a). */
function alphaOf(color) {
  const m = /\/\s*([\d.]+%?)\s*\)$/.exec(color) ?? /^rgba\([^,]+,[^,]+,[^,]+,\s*([\d.]+)\)$/.exec(color);
  if (!m) return color.startsWith('rgb(') || color.startsWith('color(') ? 1 : NaN;
  return m[1].endsWith('%') ? parseFloat(m[1]) / 100 : parseFloat(m[1]);
}

/** One look at the grid: text and heat of the counter's cells and of the static cells around it. */
function sample(frame) {
  return frame.evaluate(
    ({ at, len }) => {
      const heatOf = (el) => Number(/\bheat-(\d)\b/.exec(el?.className ?? '')?.[1] ?? 0);
      const cells = [...document.querySelectorAll('.grid .hex-cell[data-offset]')];
      const counter = [];
      const hotStatic = [];
      let staticCells = 0;
      for (const c of cells) {
        const o = Number(c.dataset.offset);
        if (o >= at && o < at + len) counter.push({ o, text: c.textContent.trim(), heat: heatOf(c) });
        else {
          staticCells++;
          if (heatOf(c) > 0) hotStatic.push(o);
        }
      }
      // Heat must be visible: the background of heat-3 (read from a scratch cell beside the
      // counter with transitions off, so a fade-in in progress does not count) differs from
      // that of a cold cell.
      const bg = (el) => (el ? getComputedStyle(el).backgroundColor : null);
      const anchor = cells.find((c) => Number(c.dataset.offset) === at);
      let hotBg = null;
      if (anchor) {
        const scratch = document.createElement(anchor.tagName);
        scratch.className = 'hex-cell heat-3';
        scratch.style.transition = 'none';
        anchor.parentElement.append(scratch);
        hotBg = bg(scratch);
        scratch.remove();
      }
      const cold = cells.find((c) => heatOf(c) === 0 && !/\b(selected|cursor|unloaded)\b/.test(c.className));
      return {
        at: Date.now(),
        counter,
        hotStatic,
        staticCells,
        hotBg,
        coldBg: bg(cold),
        status: document.querySelector('.status-live')?.textContent?.trim() ?? '',
      };
    },
    { at: COUNTER_AT, len: COUNTER_LEN },
  );
}

export async function test(t) {
  const page = t.page;
  await extensionReady(t);
  const seg = await createSegment(t, 4096);
  await t.cli('write', seg.id, '--text', TEXT);
  const writer = await startCounterWriter(t, seg.id, COUNTER_AT, WRITER_MS, STEP);
  t.log(`segment ${seg.id} ${seg.keyHex}; writer pid ${writer.pid} adds 0x${STEP.toString(16)} to the uint32 at 0x${COUNTER_AT.toString(16)} every ${WRITER_MS} ms`);

  await openSegment(t, seg, () => armWatch(page, { offset: 0, expected: TEXT.charCodeAt(0).toString(16), startKey: { key: 'Enter' } }));
  await watchResult(page);
  const frame = await webviewFrame(t);
  // Sample once a live refresh has shown a new counter value (the first one comes about
  // 500 ms after the editor opened).
  const initial = (await sample(frame)).counter.find((c) => c.o === COUNTER_AT)?.text;
  await until('a live refresh to show the counter changing', async () => {
    const now = (await sample(frame)).counter.find((c) => c.o === COUNTER_AT)?.text;
    return now && now !== initial;
  }, 10000);

  const samples = [];
  for (let i = 0; i < SAMPLES; i++) {
    samples.push(await sample(frame));
    await sleep(SAMPLE_EVERY_MS);
  }
  // What the shown counter should be near: the segment's bytes read by another process now.
  const shown = await sample(frame);
  const actual = await cliBytes(t, seg.id, COUNTER_AT, 1);

  const lowTexts = samples.map((s) => s.counter.find((c) => c.o === COUNTER_AT)?.text);
  const distinct = new Set(lowTexts).size;
  const counterHeat = samples.map((s) => s.counter.map((c) => c.heat));
  const allHot = samples.filter((s) => s.counter.length === COUNTER_LEN && s.counter.every((c) => c.heat > 0)).length;
  const hotStatic = [...new Set(samples.flatMap((s) => s.hotStatic))];
  const liveCounts = samples.map((s) => Number(/^Live: (\d+) bytes? changed$/.exec(s.status)?.[1] ?? -1));
  const positive = liveCounts.filter((n) => n > 0).length;
  const shownLow = parseInt(shown.counter.find((c) => c.o === COUNTER_AT)?.text ?? 'x', 16);
  const lag = (actual[0] - shownLow + 256) % 256; // bumps between what is shown and the segment now
  const hotBg = samples.map((s) => s.hotBg).find(Boolean);
  const coldBg = samples.map((s) => s.coldBg).find(Boolean);

  t.log(`counter byte 0x${COUNTER_AT.toString(16)} over ${SAMPLES} samples ${SAMPLE_EVERY_MS} ms apart: ${lowTexts.join(' ')} (${distinct} distinct)`);
  t.log(`heat of the counter's ${COUNTER_LEN} cells per sample: ${counterHeat.map((h) => h.join('')).join(' ')}; all hot in ${allHot}/${SAMPLES}`);
  t.log(`static cells with heat in any sample: ${hotStatic.length} of ${samples[0].staticCells}`);
  t.log(`status live counts: ${liveCounts.join(' ')} ("${samples.at(-1).status}")`);
  t.log(`heat-3 background ${hotBg} (alpha ${alphaOf(hotBg ?? '')}), cold background ${coldBg}; shown low byte 0x${shownLow.toString(16)}, segment now 0x${actual[0].toString(16)} (${lag} bumps behind)`);

  await sleep(200);
  await t.screenshot('live-heat');
  await writer.stop();
  await closeAllEditors(t);

  const failures = [];
  if (distinct < 4) failures.push(`the counter's byte showed only ${distinct} distinct values in ${SAMPLES} samples over ${((SAMPLES * SAMPLE_EVERY_MS) / 1000).toFixed(1)} s`);
  if (allHot < SAMPLES - 1) failures.push(`the counter's cells were highlighted in only ${allHot} of ${SAMPLES} samples`);
  if (hotStatic.length > 0) failures.push(`bytes that never change were highlighted: offsets ${hotStatic.slice(0, 10).join(', ')}`);
  if (positive < SAMPLES - 1 || !(liveCounts.at(-1) > 0)) failures.push(`the status line's live counter was > 0 in only ${positive} of ${SAMPLES} samples (${liveCounts.join(' ')})`);
  if (!hotBg || !coldBg || hotBg === coldBg || !(alphaOf(hotBg) >= 0.05)) failures.push(`a highlighted cell does not look different (heat-3 background ${hotBg} vs ${coldBg})`);
  // Live refresh every 500 ms, a bump every 100 ms: what is shown trails by a few bumps at most.
  if (!(lag <= 15)) failures.push(`the shown counter (0x${shownLow.toString(16)}) is ${lag} bumps behind the segment (0x${actual[0].toString(16)})`);
  if (failures.length) throw new Error(failures.join('; '));
}
