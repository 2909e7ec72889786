// Recording in the real workbench (packaged extension): palette → Shared Memory: Start Recording
// → pick the segment (typed key) → Enter for the whole segment; the status bar shows "REC" with
// time, frames and size; a value written by the CLI meanwhile; a click on the item stops it and a
// notification says what was saved; Open Recording… lists it (segment, frames, size), the frame
// where the value appeared opens as a read-only hex dump that shows it; its delete button removes it.
// Screenshots: test-results/screenshots/recording-status.png, recording-open.png.
import { createSegment } from './lib/segments.mjs';
import { extensionReady, until } from './lib/workbench.mjs';

export const timeoutMs = 300000;

/** The first row of the open quick pick whose aria-label matches re, once there. */
async function quickPickRow(t, re, what) {
  const rows = t.page.locator('.quick-input-widget .monaco-list-row');
  let found;
  await until(what, async () => {
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      const label = (await rows.nth(i).getAttribute('aria-label', { timeout: 500 }).catch(() => null)) ?? ''; // a row going away: skip it
      if (re.test(label)) { found = rows.nth(i); return true; }
    }
    return false;
  }, 60000, 100);
  return found;
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
  (await quickPickRow(t, /frame \d+ · 4 bytes changed/, 'the frame where the value appeared')).click();
  (await quickPickRow(t, /Show Frame as Hex Dump/, 'the hex dump action')).click();
  const editor = page.locator('.editor-instance .view-lines').first();
  await t.waitForText(editor, /00000020\s+de\sad\sbe\sef/, 15000); // Monaco renders spaces as U+00A0

  // Its delete button in Open Recording…: asked first, then the list is empty.
  await palette(t, 'Shared Memory: Open Recording…');
  const listed = await quickPickRow(t, new RegExp(`segment ${seg.keyHex} \\(id ${seg.id}\\)`), 'the recording listed again');
  await listed.hover();
  await listed.locator('.action-label.codicon-trash').first().click();
  const asked = await t.answerDialog('Delete');
  if (!/Delete the recording .*\.shmrec\?/.test(asked)) throw new Error(`unexpected question: ${asked}`);
  await until('the list to say there are no recordings', async () => (await input.getAttribute('placeholder'))?.includes('No recordings yet'), 15000);
}
