// Recording in the real workbench (packaged extension): palette → Shared Memory: Start Recording
// → pick the segment (typed key) → Enter for the whole segment; the status bar shows "REC" with
// time, frames and size; a value written by the CLI meanwhile; a click on the item stops it and a
// notification says what was saved; Open Recording… lists it (segment, frames, size) and opens it
// as a timeline in the hex editor: the strip above the grid, the first moment (before the value),
// then } (next change of the byte under the cursor) shows the value and the strip says which frame;
// [ steps back to the moment before it; its delete button in Open Recording… removes it.
// Screenshots: test-results/screenshots/recording-status.png, recording-open.png, recording-timeline.png.
import { createSegment } from './lib/segments.mjs';
import { extensionReady, until } from './lib/workbench.mjs';

export const timeoutMs = 300000;

/** The first row of the open quick pick whose aria-label matches re, once there. */
async function quickPickRow(t, re, what, ms = 60000) {
  const rows = t.page.locator('.quick-input-widget .monaco-list-row');
  let found;
  await until(what, async () => {
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      const label = (await rows.nth(i).getAttribute('aria-label', { timeout: 500 }).catch(() => null)) ?? ''; // a row going away: skip it
      if (re.test(label)) { found = rows.nth(i); return true; }
    }
    return false;
  }, ms, 100);
  return found;
}

/** Runs a palette command that opens a quick pick and returns its row matching re; the command
 * is run again if the pick never shows it. A webview that had focus can take it back after the
 * palette closes and so close the fresh pick (seen in CI): focus goes to the side bar first. */
async function pickFrom(t, command, re, what) {
  for (let attempt = 1; ; attempt++) {
    await t.page.locator('.part.sidebar .pane-body').first().click({ position: { x: 20, y: 5 } });
    await t.sleep(300);
    await palette(t, command);
    try {
      return await quickPickRow(t, re, what, 20000);
    } catch (e) {
      if (attempt >= 3) throw e;
      await t.page.keyboard.press('Escape');
      await t.sleep(1000);
    }
  }
}

async function palette(t, label) {
  for (let attempt = 1; ; attempt++) {
    try {
      await t.runCommand(label);
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      await t.page.keyboard.press('Escape');
      await t.sleep(1000);
    }
  }
}

export async function test(t) {
  const page = t.page;
  await extensionReady(t);
  const seg = await createSegment(t, 4096);
  const input = page.locator('.quick-input-widget input').first();

  await palette(t, 'Shared Memory: Start Recording');
  await until('the segment pick', async () => (await input.getAttribute('placeholder'))?.includes('Pick the segment to record'), 15000);
  await input.fill(seg.keyHex);
  (await quickPickRow(t, new RegExp(`${seg.keyHex}.*id ${seg.id}`), `segment ${seg.id} in the pick`)).click();
  await until('the range prompt', async () => (await page.locator('.quick-input-widget').innerText()).includes('Range to record'), 15000);
  await page.keyboard.press('Enter'); // empty: the whole segment

  const item = page.locator('.statusbar-item', { hasText: 'REC' }).first();
  await t.waitForText(item, /REC \d+\.\d s · [\d,]+ frames? · /, 15000);
  await t.sleep(300);
  await t.cli('write', seg.id, '--offset', '0x20', '--hex', 'deadbeef');
  // The counters move (polled every 500 ms): wait for a later frame count than the first shown.
  const frames = async () => Number(/([\d,]+) frames?/.exec(await item.innerText())?.[1].replace(/,/g, '') ?? 0);
  const seen = await frames();
  await until('the status bar\'s frame count to grow', async () => (await frames()) > seen + 10, 15000, 100);
  await t.screenshot('recording-status', { clip: await page.locator('.part.statusbar').boundingBox() });
  await item.click();
  const note = t.notification(`Recording of segment ${seg.keyHex} (id ${seg.id}) stopped`);
  await note.waitFor({ state: 'visible', timeout: 20000 });
  const noteText = await note.innerText();
  t.log(noteText.replace(/\s+/g, ' ').trim());
  if (!/frames?, .* saved/.test(noteText)) throw new Error(`the notification does not say what was saved: ${noteText}`);
  await until('the status bar item to go', async () => (await page.locator('.statusbar-item', { hasText: 'REC' }).count()) === 0, 10000);

  await palette(t, 'Shared Memory: Open Recording…');
  const row = await quickPickRow(t, new RegExp(`segment ${seg.keyHex} \\(id ${seg.id}\\), all 4 KiB, 100 Hz, [\\d,]+ frames`), 'the recording in Open Recording…');
  await t.screenshot('recording-open');
  await row.click();
  const web = t.webview();
  const label = web.locator('.timeline-label').first();
  await t.waitForText(label, /^frame 1 of [\d,]+ · /, 30000);
  const cell = (offset) => web.locator(`.hex-cell[data-offset="${offset}"]`).first();
  const cellText = async (offset) => (await cell(offset).innerText()).trim().toLowerCase();
  await until('the first moment, before the value was written', async () => (await cellText(0x20)) === '00', 15000);
  await palette(t, 'Notifications: Clear All Notifications'); // the "stopped" toast would cover the grid's screenshot
  await cell(0x20).click();
  await page.keyboard.press('Shift+BracketRight'); // }: the next change of the byte under the cursor
  await until('the moment the value appeared', async () => (await cellText(0x20)) === 'de', 15000, 100);
  const at = await label.innerText();
  t.log(at);
  if (!/^frame \d+ of [\d,]+ · .* · 4 bytes changed$/.test(at)) throw new Error(`the strip does not say the frame changed 4 bytes: ${at}`);
  await t.screenshot('recording-timeline');
  await page.keyboard.press('BracketLeft'); // [: one frame back, before the value
  await until('the frame before it', async () => (await cellText(0x20)) === '00', 15000, 100);

  // Its delete button in Open Recording…: asked first, then the list is empty.
  const listed = await pickFrom(t, 'Shared Memory: Open Recording…', new RegExp(`segment ${seg.keyHex} \\(id ${seg.id}\\)`), 'the recording listed again');
  await listed.hover();
  await listed.locator('.action-label.codicon-trash').first().click();
  const asked = await t.answerDialog('Delete');
  if (!/Delete the recording .*\.shmrec\?/.test(asked)) throw new Error(`unexpected question: ${asked}`);
  await until('the list to say there are no recordings', async () => (await input.getAttribute('placeholder'))?.includes('No recordings yet'), 15000);
}
