// The Watch view in the real workbench (packaged extension): palette → Shared Memory: Watch
// Value… → pick the segment (typed key) → offset 0x20 → type u32; the "Shared Memory: Watch"
// panel opens with a lane named 0x20:u32; a value the CLI writes meanwhile (1234) becomes the
// lane's current value. Screenshot: test-results/screenshots/watch-view.png.
import { createSegment } from './lib/segments.mjs';
import { extensionReady, until } from './lib/workbench.mjs';

export const timeoutMs = 180000;

async function quickPickRow(t, re, what) {
  const rows = t.page.locator('.quick-input-widget .monaco-list-row');
  let found;
  await until(what, async () => {
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      const label = (await rows.nth(i).getAttribute('aria-label', { timeout: 500 }).catch(() => null)) ?? '';
      if (re.test(label)) { found = rows.nth(i); return true; }
    }
    return false;
  }, 60000, 100);
  return found;
}

export async function test(t) {
  const page = t.page;
  await extensionReady(t);
  const seg = await createSegment(t, 4096);
  const input = page.locator('.quick-input-widget input').first();

  await t.runCommand('Shared Memory: Watch Value');
  await until('the segment pick', async () => (await input.getAttribute('placeholder'))?.includes('Pick the segment'), 15000);
  await input.fill(seg.keyHex);
  (await quickPickRow(t, new RegExp(`${seg.keyHex}.*id ${seg.id}`), `segment ${seg.id} in the pick`)).click();
  await until('the offset prompt', async () => (await page.locator('.quick-input-widget').innerText()).includes('Byte offset'), 15000);
  await input.fill('0x20');
  await page.keyboard.press('Enter');
  await until('the type pick', async () => (await page.locator('.quick-input-widget').innerText()).includes('Type of the value at 0x20'), 15000);
  await input.fill('u32');
  (await quickPickRow(t, /^u32\b/, 'u32 in the pick')).click();

  const view = t.webview(0);
  await t.waitForText(view.locator('.lane-label').first(), /^0x20:u32$/, 20000);
  await t.cli('write', seg.id, '--offset', '0x20', '--hex', 'd2040000'); // 1234, little-endian
  await t.waitForText(view.locator('.stat-current').first(), /1,?234/, 20000);
  t.log(`current value shown: ${await view.locator('.stat-current').first().innerText()}`);
  await t.screenshot('watch-view');
  await t.runCommand('Shared Memory: Clear Watches');
}
