// The Segments view in the real workbench (packaged extension): segments made with the CLI show
// up by key (one stale — its creator, the CLI, has exited — and one in use, attached by a helper
// process, expanded to show that process); screenshots media/screenshots/segments-view.png and
// segments-tooltip.png (a row's tooltip); then
// right-click → Destroy…, confirm the modal, and the row is gone (and the segment, says the CLI).
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const timeoutMs = 120000;

function randomKey() {
  return '0x' + ((0x53480000 | (1 + Math.floor(Math.random() * 0xfffe))) >>> 0).toString(16).padStart(8, '0');
}

async function createSegment(t, size) {
  for (let i = 0; ; i++) {
    const key = randomKey();
    try {
      const info = await t.cliJson('create', '--size', size, '--key', key, '--exclusive');
      t.addCleanup(() => t.cli('rm', String(info.id), '--expect-key', info.keyHex).catch(() => undefined));
      return info;
    } catch (e) {
      if (!/EEXIST|exists/.test(String(e?.message)) || i > 20) throw e;
    }
  }
}

/** A process that keeps the segment attached (read-write) until killed. */
async function holdAttached(t, id) {
  const core = path.join(t.repoRoot, 'out', 'src', 'core', 'index.js');
  const script = `const c = require(${JSON.stringify(core)}); const s = c.Segment.open(${id}); s.attach(); process.stdout.write('attached\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.addCleanup(() => { child.kill('SIGKILL'); });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`attach helper exited (${code})`)));
  });
  return child;
}

async function waitFor(t, pred, what, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await t.sleep(100);
  }
}

export async function test(t) {
  const stale = await createSegment(t, '64K');
  const used = await createSegment(t, '1M');
  const holder = await holdAttached(t, used.id);
  t.log(`made ${stale.keyHex} (id ${stale.id}, stale) and ${used.keyHex} (id ${used.id}, attached by pid ${holder.pid})`);

  const sidebar = await t.openView('Shared Memory');
  await t.viewLoaded(sidebar);
  const staleRow = t.treeRow(stale.keyHex);
  const usedRow = t.treeRow(used.keyHex);
  await staleRow.waitFor({ state: 'visible', timeout: 15000 });
  await usedRow.waitFor({ state: 'visible', timeout: 15000 });
  const staleText = await staleRow.innerText();
  if (!staleText.includes(`id ${stale.id}`) || !staleText.includes('64 KiB') || !staleText.includes('stale')) {
    throw new Error(`row text '${staleText}' lacks id, size or status`);
  }

  // Expand the attached one: its child row is the helper process.
  await usedRow.locator('.monaco-tl-twistie').click();
  const child = t.treeRow(`${holder.pid} `);
  await child.waitFor({ state: 'visible', timeout: 15000 });
  if (!(await child.innerText()).includes('rw')) throw new Error('the attachment row says rw');

  // The totals against the limits, above the rows.
  await t.waitForText(sidebar, /\d+ of \d+ segments · /);

  // Filter by the test keys' prefix (other work on this machine may be making segments right
  // now), widen the side bar so descriptions fit, hover the stale row for its tooltip.
  await t.runCommand('Shared Memory: Filter Segments…');
  await t.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Filter by text' }).first().click();
  const input = t.page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible' });
  await input.fill('0x5348');
  await input.press('Enter');
  await t.waitForText(sidebar, /Showing \d+ of \d+ segments: matching "0x5348"/, 15000);
  const box = await sidebar.boundingBox();
  if (box) {
    await t.page.mouse.move(box.x + box.width + 2, box.y + box.height / 2);
    await t.page.mouse.down();
    await t.page.mouse.move(box.x + 470, box.y + box.height / 2, { steps: 8 });
    await t.page.mouse.up();
  }
  await t.screenshot('segments-view');
  await staleRow.locator('.label-name, .monaco-highlighted-label').first().hover();
  const tooltip = t.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: stale.keyHex }).filter({ hasText: 'Creator pid' }).first();
  await tooltip.waitFor({ state: 'visible', timeout: 10000 });
  if (!(await tooltip.innerText()).includes('(exited)')) throw new Error('the tooltip says the creator has exited');
  await t.screenshot('segments-tooltip', { keepMouse: true });
  await t.page.mouse.move(900, 600);
  await t.sleep(300);

  // Right-click → Destroy… → confirm.
  await staleRow.click({ button: 'right' });
  const item = t.page.locator('.context-view .action-item', { hasText: 'Destroy…' }).first();
  await item.waitFor({ state: 'visible', timeout: 10000 });
  await item.hover();
  await t.sleep(200); // menus ignore a click that comes with the right-click's own mouse up
  await item.click();
  const dialog = t.page.locator('.monaco-dialog-box').first();
  if (!(await dialog.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false))) {
    t.log('the click on Destroy… did not run it; choosing it with the keyboard');
    await t.page.keyboard.press('End');
    await t.page.keyboard.press('Enter');
  }
  const message = await t.answerDialog('Destroy');
  if (!message.includes(stale.keyHex) || !message.includes(`id ${stale.id}`)) throw new Error(`the confirmation '${message}' does not name the segment`);
  await waitFor(t, async () => (await t.treeRows().filter({ hasText: stale.keyHex }).count()) === 0, 'the destroyed row to disappear');
  const left = await t.cliJson('ls');
  if (left.some((s) => s.id === stale.id)) throw new Error(`segment ${stale.id} still exists`);
  if (!left.some((s) => s.id === used.id)) throw new Error(`segment ${used.id} (not destroyed) is gone`);
  t.log(`destroyed ${stale.keyHex} through the context menu`);
}
