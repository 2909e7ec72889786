// The packaged extension shows up in the workbench: its "Shared Memory" activity bar item
// opens the segments view, which lists the host's segments with their totals above the rows,
// or, on a host with none, its welcome content with a Create Segment… button. (VS Code hides
// welcome content while a view has a message, so the view must leave it unset then.)
// Screenshot: media/screenshots/workbench.png.
export const timeoutMs = 90000;

export async function test(t) {
  const t0 = Date.now();
  const sidebar = await t.openView('Shared Memory');
  const title = (await sidebar.locator('.composite.title').first().innerText({ timeout: 15000 })) ?? '';
  if (!/shared memory/i.test(title)) throw new Error(`side bar title is '${title.trim()}', expected 'Shared Memory…'`);
  // The view has loaded when its progress bar is gone and it shows rows or its welcome content.
  await t.viewLoaded(sidebar);
  const rows = await t.treeRows().count();
  const welcome = sidebar.locator('.welcome-view-content').first();
  const message = sidebar.locator('.message').first();
  if (rows === 0) {
    // Which branch runs depends on the host; a clean CI machine has no segments here.
    const text = (await welcome.innerText({ timeout: 5000 })).trim();
    if (!text.startsWith('No System V shared-memory segments on this host.')) throw new Error(`welcome content is '${text}'`);
    await welcome.getByRole('button', { name: 'Create Segment…' }).waitFor({ state: 'visible', timeout: 5000 });
    if (await message.isVisible()) throw new Error(`a message shows over the welcome: '${await message.innerText()}'`);
    t.log(`segments view loaded in ${Date.now() - t0} ms: no segments, welcome content with Create Segment…`);
  } else {
    const text = await t.waitForText(message, /^\d+ of \d+ segments · /);
    if (await welcome.isVisible()) throw new Error('welcome content shows beside rows');
    t.log(`segments view loaded in ${Date.now() - t0} ms with ${rows} rows: '${text}'`);
  }
  await t.sleep(300); // icons and decorations
  await t.screenshot('workbench');
}
