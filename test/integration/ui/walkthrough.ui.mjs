// The Get Started walkthrough in the real workbench (packaged extension): opened from the
// palette (Welcome: Open Walkthrough… is workbench.action.openWalkthrough), each step done
// through its own button, and after each one the step's checkbox is ticked and its effect is
// there: the Shared Memory view is open, a 4 KiB private segment with the sample text exists
// (the CLI reads it), the hex editor shows its bytes, and after Destroy… and closing the editor
// the segment is gone; the last step's markdown media shows beside it. Screenshot:
// test-results/screenshots/walkthrough.png.
// The sample segment is removed by a cleanup whatever happens (found by id, key 0, size, ctime
// and its text, so nothing else on the machine is touched).
import { closeAllEditors, extensionReady, until } from './lib/workbench.mjs';

export const timeoutMs = 180000;

const TITLE = 'Get Started with SHM Inspector';
const SAMPLE_START = 'Hello from SHM Inspector!';

/** The step's button in the walkthrough page (data-step-id is "<extension>#<walkthrough>#<step>"). */
const stepOf = (t, id) => t.page.locator(`button.getting-started-step[data-step-id$="#gettingStarted#${id}"]`).first();

async function isDone(t, id) {
  return (await stepOf(t, id).getAttribute('aria-checked')) === 'true';
}

/** Palette → Welcome: Open Walkthrough… → ours; resolves when its first step shows. */
async function openWalkthrough(t) {
  await t.runCommand('Welcome: Open Walkthrough');
  const input = t.page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill(TITLE);
  const row = t.page.locator('.quick-input-widget .monaco-list-row', { hasText: TITLE }).first();
  await row.waitFor({ state: 'visible', timeout: 15000 });
  await row.click();
  await stepOf(t, 'openView').waitFor({ state: 'visible', timeout: 30000 });
}

/** Expand a step (if it is not) and click the button its description renders for a link. */
async function runStep(t, id, buttonLabel) {
  if (await isDone(t, id)) throw new Error(`step ${id} is ticked before it was done`);
  const step = stepOf(t, id);
  if ((await step.getAttribute('aria-expanded')) !== 'true') await step.click();
  const button = step.locator('.monaco-button', { hasText: buttonLabel }).first();
  await button.waitFor({ state: 'visible', timeout: 10000 });
  await button.click();
}

async function expectDone(t, id) {
  await until(`the walkthrough to tick step ${id}`, () => isDone(t, id), 15000, 100);
}

/** Some frame of the page (the walkthrough's media is a webview) has an h1 with this text. */
async function frameWithText(t, heading) {
  for (const f of t.page.frames()) {
    const found = await f.evaluate((h) => [...document.querySelectorAll('h1')].some((e) => e.textContent?.trim() === h), heading).catch(() => false);
    if (found) return true;
  }
  return false;
}

/** Private 4 KiB segments that were not there before and hold the sample text. */
async function newSamples(t, before) {
  const out = [];
  for (const s of await t.cliJson('ls')) {
    if (before.has(`${s.id}/${s.ctime}`) || s.key !== 0 || s.size !== 4096 || s.dest) continue;
    const text = await t.cli('read', s.id, '--length', SAMPLE_START.length, '--format', 'raw').catch(() => '');
    if (text === SAMPLE_START) out.push(s);
  }
  return out;
}

export async function test(t) {
  await extensionReady(t);
  const before = new Set((await t.cliJson('ls')).map((s) => `${s.id}/${s.ctime}`));
  t.addCleanup(async () => {
    await closeAllEditors(t).catch(() => undefined); // the editor's attachment would defer removal
    for (const s of await newSamples(t, before)) {
      await t.cli('rm', s.id, '--expect-key', '0', '--expect-ctime', s.ctime, '--expect-size', s.size);
      t.log(`cleanup removed sample segment ${s.id}`);
    }
  });

  await openWalkthrough(t);
  for (const id of ['openView', 'createSample', 'openHexEditor', 'destroy']) {
    if (await isDone(t, id)) throw new Error(`step ${id} is ticked before anything was done`);
  }

  // 1. Open the Shared Memory view.
  if (await t.viewPane('Segments').isVisible()) throw new Error('the Segments view is open before step 1');
  await runStep(t, 'openView', 'Open the Shared Memory View');
  await expectDone(t, 'openView');
  await t.viewPane('Segments').waitFor({ state: 'visible', timeout: 15000 });
  await t.viewLoaded(t.viewPane('Segments'));
  t.log('step 1: the Segments view is open and the step is ticked');

  // 2. Create a sample segment: the notification names it; the CLI reads its text.
  await runStep(t, 'createSample', 'Create a Sample Segment');
  const toast = t.notification('Created sample segment');
  await toast.waitFor({ state: 'visible', timeout: 15000 });
  const said = (await toast.innerText()).replace(/\s+/g, ' ');
  const m = /Created sample segment private \(id (\d+), 4 KiB\)/.exec(said);
  if (!m) throw new Error(`the notification '${said}' does not name a 4 KiB private segment`);
  const id = Number(m[1]);
  await expectDone(t, 'createSample');
  const samples = await newSamples(t, before);
  if (samples.length !== 1 || samples[0].id !== id) throw new Error(`expected one new sample segment, id ${id}; found ${JSON.stringify(samples.map((s) => s.id))}`);
  const info = samples[0];
  if (info.perms !== 'rw-------' || info.nattch !== 0) throw new Error(`sample segment ${id}: perms ${info.perms}, nattch ${info.nattch} (expected rw-------, 0)`);
  const row = t.treeRow(`id ${id}`, 'Segments');
  await row.waitFor({ state: 'visible', timeout: 15000 });
  if ((await row.getAttribute('aria-selected')) !== 'true') throw new Error(`the sample's row (id ${id}) is not selected`);
  t.log(`step 2: sample segment ${id} exists, holds the text, is selected, and the step is ticked`);

  // 3. Open it in the hex editor (the view's selection): the grid shows 'H' (0x48) at 0.
  await runStep(t, 'openHexEditor', 'Open in Hex Editor');
  const tab = t.page.locator('.tabs-container .tab', { hasText: `private-${id}` }).first();
  await tab.waitFor({ state: 'visible', timeout: 30000 });
  const cell = t.webview().locator('.hex-cell[data-offset="0"]').first();
  await cell.waitFor({ state: 'visible', timeout: 30000 });
  await until('the first byte in the grid', async () => (await cell.innerText()).trim().toLowerCase() === '48', 15000, 100);
  // The hex editor took the walkthrough's place in the group: bring the walkthrough back.
  await openWalkthrough(t);
  await expectDone(t, 'openHexEditor');
  t.log(`step 3: the hex editor shows segment ${id} and the step is ticked`);

  // 4. Destroy it: the modal names it; once the editor lets go, the segment is gone.
  await runStep(t, 'destroy', 'Destroy');
  const message = await t.answerDialog('Destroy');
  if (!message.includes(`id ${id}`)) throw new Error(`the confirmation '${message}' does not name segment ${id}`);
  await expectDone(t, 'destroy');
  // With the side bar hidden the page is wide enough to show the step's media beside it: the
  // markdown of destroy.md, rendered in a webview frame.
  await t.runCommand('View: Toggle Primary Side Bar Visibility');
  await until('the step media (media/walkthrough/destroy.md) to show', () => frameWithText(t, 'Clean up'), 15000, 200);
  await t.screenshot('walkthrough');
  await t.openView('Shared Memory');
  await closeAllEditors(t);
  await until(`segment ${id} to be gone`, async () => !(await t.cliJson('ls')).some((s) => s.id === id && s.ctime === info.ctime), 15000, 200);
  await until(`the row of segment ${id} to leave the view`, async () => (await t.treeRows('Segments').filter({ hasText: `id ${id}` }).count()) === 0, 15000, 200);
  t.log(`step 4: segment ${id} destroyed and the step is ticked`);
}
