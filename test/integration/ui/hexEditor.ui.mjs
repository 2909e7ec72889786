// The hex editor in the real workbench: a segment made with the CLI, opened from the command
// palette (Open Segment in Hex Editor…, typing its key), bytes typed into the grid, saved with
// Ctrl+S, checked with the CLI. Screenshot: media/screenshots/hex-editor.png.
export const timeoutMs = 120000;

const TEXT = 'Hello from SHM Inspector! Live System V shared memory, edited in place.';

function randomKey() {
  return (0x53480000 | (1 + Math.floor(Math.random() * 0xfffe))) >>> 0;
}

/** Bytes [offset, offset+length) of the segment, read by the CLI (a separate process). */
async function cliBytes(t, id, offset, length) {
  const out = await t.cli('read', id, '--offset', offset, '--length', length, '--format', 'hex');
  // hexdump -C lines: "00000010  41 42 ...  |AB..|"
  const bytes = [];
  for (const line of out.split('\n')) {
    const m = /^[0-9a-f]{8}\s+((?:[0-9a-f]{2}\s+)+)/i.exec(line);
    if (m) bytes.push(...m[1].trim().split(/\s+/).map((h) => parseInt(h, 16)));
  }
  return bytes.slice(0, length);
}

async function until(t, what, fn, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await t.sleep(100);
  }
}

export async function test(t) {
  // A segment with a recognisable pattern: text at 0, a counting ramp from 0x80.
  let info;
  for (let i = 0; !info; i++) {
    try {
      info = await t.cliJson('create', '--size', 4096, '--key', '0x' + randomKey().toString(16), '--exclusive');
    } catch (e) {
      if (i > 20 || !/EEXIST|exists/.test(String(e.message))) throw e;
    }
  }
  const id = info.id;
  const keyHex = info.keyHex ?? '0x' + (info.key >>> 0).toString(16).padStart(8, '0');
  t.addCleanup(() => t.cli('rm', id).catch(() => undefined));
  await t.cli('write', id, '--text', TEXT);
  const ramp = Array.from({ length: 96 }, (_, i) => ((i * 5 + 0x20) & 0xff).toString(16).padStart(2, '0')).join('');
  await t.cli('write', id, '--offset', 0x80, '--hex', ramp);
  t.log(`segment ${id} key ${keyHex}`);

  // Open it from the palette by typing its key.
  await t.runCommand('Open Segment in Hex Editor');
  const input = t.page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill(keyHex);
  const row = t.page.locator('.quick-input-widget .monaco-list-row', { hasText: keyHex }).first();
  await row.waitFor({ state: 'visible', timeout: 15000 });
  await t.page.keyboard.press('Enter');

  // The tab shows key and id; the grid shows the segment's bytes.
  const tab = t.page.locator('.tabs-container .tab', { hasText: `${keyHex}-${id}` }).first();
  await tab.waitFor({ state: 'visible', timeout: 30000 });
  const web = t.webview();
  const cell = (offset) => web.locator(`.hex-cell[data-offset="${offset}"]`).first();
  await cell(0).waitFor({ state: 'visible', timeout: 30000 });
  await until(t, 'the first byte to show', async () => (await cell(0).innerText()).trim().toLowerCase() === '48');

  // Type two bytes over "from" (offset 6): 46 52 = "FR".
  await cell(6).click();
  await t.page.keyboard.type('4652');
  await until(t, 'the typed bytes in the grid', async () => (await cell(7).innerText()).trim().toLowerCase() === '52');
  await until(t, 'the dirty tab', async () => /dirty/.test((await tab.getAttribute('class')) ?? ''));
  const before = await cliBytes(t, id, 6, 2);
  if (before[0] !== 0x66 || before[1] !== 0x72) throw new Error(`segment changed before Save: ${before}`);

  await t.page.keyboard.press('Control+s');
  await until(t, 'Save to write the segment', async () => {
    const b = await cliBytes(t, id, 6, 2);
    return b[0] === 0x46 && b[1] === 0x52;
  });
  await until(t, 'the clean tab', async () => !/dirty/.test((await tab.getAttribute('class')) ?? ''));
  const untouched = await cliBytes(t, id, 0x80, 4);
  if (untouched.join(',') !== [0x20, 0x25, 0x2a, 0x2f].join(',')) throw new Error(`bytes outside the edit changed: ${untouched}`);
  t.log('typed 46 52 at 0x6, saved with Ctrl+S, the CLI reads "FR"');

  // Another process writes: the live view shows it (live refresh re-reads visible rows).
  await t.cli('write', id, '--offset', 0x40, '--hex', 'cafebabe');
  await until(t, 'the live refresh to show the other process\'s bytes', async () => (await cell(0x40).innerText()).trim().toLowerCase() === 'ca', 10000);

  // Select a few bytes for the screenshot (inspector shows their values).
  await cell(0x80).click();
  await t.page.keyboard.press('Shift+ArrowRight');
  await t.page.keyboard.press('Shift+ArrowRight');
  await t.page.keyboard.press('Shift+ArrowRight');
  await t.sleep(500);
  await t.screenshot('hex-editor');
}
