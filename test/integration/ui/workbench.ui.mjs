// The packaged extension shows up in the workbench: its "Shared Memory" activity bar item
// opens the segments view, which lists the host's segments (or its welcome content when
// there are none). Screenshot: media/screenshots/workbench.png.
export const timeoutMs = 90000;

export async function test(t) {
  const t0 = Date.now();
  const sidebar = await t.openView('Shared Memory');
  const title = (await sidebar.locator('.composite.title').first().innerText({ timeout: 15000 })) ?? '';
  if (!/shared memory/i.test(title)) throw new Error(`side bar title is '${title.trim()}', expected 'Shared Memory…'`);
  // The view has loaded when its progress bar is gone and it shows rows or its welcome content.
  await t.viewLoaded(sidebar);
  t.log(`segments view loaded in ${Date.now() - t0} ms with ${await t.treeRows().count()} rows`);
  await t.sleep(300); // icons and decorations
  await t.screenshot('workbench');
}
