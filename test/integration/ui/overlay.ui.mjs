// C type overlays in the real workbench (issue 11): a header in the workspace declares
// struct shared_state; a C program compiled against it (lib/structWriter.c) writes one into a
// real segment and changes `counter` when the test tells it to. The overlay is applied with
// shmInspector.applyCType and a spec argument (a user keybinding with args), the panel must show
// the values the writer wrote; after the writer changes counter, only the counter row is
// highlighted (heat class) and counted (×1, then ×2). `level` edited in the panel stays pending
// until Save, which writes exactly its bytes into the segment (read back by the CLI). The
// overlay is then removed through the panel and is gone from the store (a temp file of this run).
// Nothing is timed: every step waits for a condition. Screenshot: overlay-panel.png.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cliBytes, createSegment } from './lib/segments.mjs';
import { closeAllEditors, extensionReady, openSegment, until, webviewFrame } from './lib/workbench.mjs';

export const timeoutMs = 120000;

const execFileP = promisify(execFile);
const writerSource = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'structWriter.c');

const HEADER = `#include <stdint.h>

struct shared_state {
  uint32_t magic;
  int32_t pid;
  uint64_t counter;
  char name[16];
  double level;
};
`;
/** Where the compiler puts the members (x86_64 and aarch64 alike); the test reads bytes there. */
const AT = { magic: 0, pid: 4, counter: 8, name: 16, level: 32 };
const TYPE = 'struct shared_state';
const MAGIC = 0x53484d31;
const NAME = 'producer';
const LEVEL = 0.25;
const NEW_LEVEL = 2.75;
/** Past 2^32: the whole uint64 is read, not its low half. */
const COUNTS = [5000000000n, 5000000001n];
const LEAVES = ['magic', 'pid', 'counter', 'name', 'level'];
const KEY = 'ctrl+alt+shift+y';
const PRESS = 'Control+Alt+Shift+KeyY';

/** The writer, started after compiling it against the workspace's header. */
async function startWriter(t, id, dir, include) {
  const exe = path.join(dir, 'structWriter');
  try {
    await execFileP('cc', ['-std=gnu11', '-Wall', '-Werror', '-I', include, writerSource, '-o', exe]);
  } catch (e) {
    throw new Error(`compiling ${path.basename(writerSource)} failed: ${e.stderr || e.message}`, { cause: e });
  }
  const child = spawn(exe, [String(id), '0x' + MAGIC.toString(16), NAME, String(LEVEL)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  child.stdin.on('error', () => {}); // it may already be gone when cleanup closes its input
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  t.addCleanup(async () => {
    // End of input makes it detach and exit; a kill if it does not.
    child.stdin.end();
    const r = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 3000))]);
    if (r === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const waitLine = (re, what) =>
    until(what, () => {
      if (!alive() && !re.test(out)) throw new Error(`the writer exited (${child.exitCode ?? child.signalCode}): ${err.trim()}`);
      return re.test(out);
    }, 10000, 20);
  await waitLine(/^ready (\d+)$/m, 'the writer to attach and write the struct');
  const pid = Number(/^ready (\d+)$/m.exec(out)[1]);
  return {
    pid,
    async setCounter(n) {
      child.stdin.write(`counter ${n}\n`);
      await waitLine(new RegExp(`^counter ${n}$`, 'm'), `the writer to set counter to ${n}`);
    },
  };
}

/**
 * Bind KEY to shmInspector.applyCType with spec as its argument (undone in cleanup). The
 * workbench reads a keybindings.json created after it loaded only when it loads again: reload.
 */
async function bindApply(t, spec) {
  const file = path.join(t.userDataDir, 'User', 'keybindings.json');
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  t.addCleanup(() => (before === null ? fs.rmSync(file, { force: true }) : fs.writeFileSync(file, before)));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify([{ key: KEY, command: 'shmInspector.applyCType', args: spec }], null, 2) + '\n');
  const loaded = t.page.waitForEvent('load', { timeout: 30000 });
  await t.runCommand('Developer: Reload Window');
  await loaded;
  await extensionReady(t);
}

/** The overlay rows in view: path → {value, count, heat}, plus the overlay's own row label. */
function rows(frame) {
  return frame.evaluate(() => {
    const out = {};
    for (const r of document.querySelectorAll('.overlay-tree .ov-row')) {
      const value = r.querySelector('.ov-value');
      const count = r.querySelector('.ov-count');
      out[r.dataset.path || `#${r.querySelector('.ov-label')?.textContent ?? ''}`] = {
        label: r.querySelector('.ov-label')?.textContent ?? '',
        value: r.querySelector('.ov-text')?.textContent ?? '',
        count: count && !count.hidden ? count.textContent : '',
        heat: Number(/\bheat-(\d)\b/.exec(value?.className ?? '')?.[1] ?? 0),
      };
    }
    return out;
  });
}

/**
 * Record in the webview, from now on, every heat class and change count each row shows (a
 * MutationObserver plus a per-frame look): heat fades within a few live refreshes, so a
 * polled look from here could miss it.
 */
function recordRows(frame) {
  return frame.evaluate(() => {
    window.__ovSeen?.stop();
    const seen = { heat: {}, counts: {}, stop: null };
    const look = () => {
      for (const r of document.querySelectorAll('.overlay-tree .ov-row[data-path]')) {
        const p = r.dataset.path;
        const heat = Number(/\bheat-(\d)\b/.exec(r.querySelector('.ov-value')?.className ?? '')?.[1] ?? 0);
        seen.heat[p] = Math.max(seen.heat[p] ?? 0, heat);
        const count = r.querySelector('.ov-count');
        const c = count && !count.hidden ? count.textContent : '';
        if (c && !(seen.counts[p] ?? []).includes(c)) (seen.counts[p] ??= []).push(c);
      }
    };
    const tree = document.querySelector('.overlay-tree');
    const mo = new MutationObserver(look);
    mo.observe(tree, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['class', 'hidden'] });
    let live = true;
    const tick = () => {
      if (!live) return;
      look();
      requestAnimationFrame(tick);
    };
    tick();
    seen.stop = () => {
      live = false;
      mo.disconnect();
    };
    window.__ovSeen = seen;
  });
}

const seenRows = (frame) => frame.evaluate(() => ({ heat: window.__ovSeen.heat, counts: window.__ovSeen.counts }));

/** The store's entries for the segment's key (the extension writes the file). */
function storedFor(t, keyHex) {
  if (!fs.existsSync(t.overlayStore)) return [];
  const all = JSON.parse(fs.readFileSync(t.overlayStore, 'utf8'));
  return all?.segments?.[`key:${keyHex}`] ?? [];
}

const f64 = (bytes) => Buffer.from(bytes).readDoubleLE(0);

export async function test(t) {
  const page = t.page;
  if (!t.userDataDir || !t.overlayStore) throw new Error('the UI runner did not give t.userDataDir and t.overlayStore');
  if (process.env.SHM_INSPECTOR_OVERLAYS !== t.overlayStore) throw new Error('the CLI would not use the run\'s overlay store');
  await extensionReady(t);

  // The header in the workspace; the writer compiled against it, outside the workspace.
  const include = path.join(t.folder, 'include');
  fs.mkdirSync(include);
  const header = path.join(include, 'shared_state.h');
  fs.writeFileSync(header, HEADER);
  const bin = path.join(path.dirname(t.folder), 'bin');
  fs.mkdirSync(bin);
  const spec = { header, typeName: TYPE, offset: 0, count: 1 };
  await bindApply(t, spec);

  const seg = await createSegment(t, 4096);
  const writer = await startWriter(t, seg.id, bin, include);
  t.log(`segment ${seg.id} ${seg.keyHex}; writer pid ${writer.pid} wrote ${TYPE} (magic 0x${MAGIC.toString(16)}, name "${NAME}", level ${LEVEL})`);
  const magicBytes = await cliBytes(t, seg.id, AT.magic, 4);
  if (Buffer.from(magicBytes).readUInt32LE(0) !== MAGIC) throw new Error(`the writer's magic is not in the segment: ${magicBytes}`);

  // Open the segment; close it again before the segment is removed (cleanups run last first).
  await openSegment(t, seg);
  t.addCleanup(async () => {
    if ((await page.locator('.tabs-container .tab').count()) > 0) await t.runCommand('View: Revert and Close Editor').catch(() => undefined);
  });
  const frame = await webviewFrame(t);
  const tab = page.locator('.tabs-container .tab', { hasText: `${seg.keyHex}-${seg.id}` }).first();
  await tab.waitFor({ state: 'visible', timeout: 30000 });

  // Live refresh is on (the default): its toggle offers Pause.
  const live = t.webview().locator('.live-toggle');
  if ((await live.innerText()).trim() === 'Resume') await live.click();
  await until('live refresh to be running', async () => (await live.isVisible()) && (await live.innerText()).trim() === 'Pause', 10000, 100);

  // Apply C Type with the spec as argument (the keybinding): press until the panel shows it
  // (the first press may come before the extension's command is registered).
  await until('the overlay in the panel after Apply C Type (keybinding with the spec)', async () => {
    if ((await rows(frame)).magic) return true;
    await t.webview().locator('.grid').first().click({ position: { x: 5, y: 5 } }).catch(() => undefined);
    await page.keyboard.press(PRESS);
    return until('the panel', async () => !!(await rows(frame)).magic, 3000, 100).catch(() => false);
  }, 30000, 100);
  const stored = storedFor(t, seg.keyHex);
  if (stored.length !== 1 || stored[0].header !== header || stored[0].typeName !== TYPE) throw new Error(`the store holds ${JSON.stringify(stored)} for ${seg.keyHex}`);

  // The values the writer wrote.
  const expected = { magic: String(MAGIC), pid: String(writer.pid), counter: '0', name: JSON.stringify(NAME), level: String(LEVEL) };
  const valuesMatch = (r, exp) => LEAVES.every((p) => r[p]?.value === exp[p]);
  let shown;
  await until('the panel to show the values the writer wrote', async () => valuesMatch((shown = await rows(frame)), expected), 15000, 100)
    .catch((e) => { throw new Error(`${e.message}: shown ${JSON.stringify(shown)}`, { cause: e }); });
  const overlayRow = Object.values(shown).find((r) => r.label.startsWith(TYPE));
  if (!overlayRow) throw new Error(`no overlay row labelled ${TYPE}: ${JSON.stringify(shown)}`);
  const cold = LEAVES.filter((p) => shown[p].heat > 0 || shown[p].count !== '');
  if (cold.length) throw new Error(`fields highlighted or counted before anything changed: ${cold.join(', ')}`);
  t.log(`panel: ${LEAVES.map((p) => `${p} = ${shown[p].value}`).join(', ')}`);

  // The writer changes counter (twice): that row heats up and counts, the others stay cold.
  await recordRows(frame);
  for (const [i, n] of COUNTS.entries()) {
    await writer.setCounter(n);
    const want = { ...expected, counter: String(n) };
    await until(`the counter row to show ${n} counted ×${i + 1}`, async () => {
      const r = await rows(frame);
      return valuesMatch(r, want) && r.counter.count === `×${i + 1}`;
    }, 15000, 50).catch(async (e) => { throw new Error(`${e.message}: shown ${JSON.stringify(await rows(frame))}`, { cause: e }); });
    if (i === 0) await t.screenshot('overlay-panel');
  }
  const seen = await seenRows(frame);
  t.log(`while counter changed: hottest heat per row ${JSON.stringify(seen.heat)}, counts ${JSON.stringify(seen.counts)}`);
  if (!(seen.heat.counter > 0)) throw new Error(`the counter row was never highlighted: ${JSON.stringify(seen.heat)}`);
  if (JSON.stringify(seen.counts.counter) !== JSON.stringify(['×1', '×2'])) throw new Error(`the counter row counted ${JSON.stringify(seen.counts.counter)}, not ×1 then ×2`);
  const warmed = LEAVES.filter((p) => p !== 'counter' && ((seen.heat[p] ?? 0) > 0 || seen.counts[p]));
  if (warmed.length) throw new Error(`rows that did not change were highlighted or counted: ${warmed.join(', ')}`);

  // Edit level in the panel: pending until Save, then exactly its bytes in the segment.
  const web = t.webview();
  await web.locator('.ov-row[data-path="level"] .ov-value').dblclick();
  const input = web.locator('.ov-input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(String(NEW_LEVEL));
  await input.press('Enter');
  await until(`the level row to show ${NEW_LEVEL}`, async () => (await rows(frame)).level?.value === String(NEW_LEVEL), 10000, 50);
  await until('the dirty tab', async () => /dirty/.test((await tab.getAttribute('class')) ?? ''), 10000, 50);
  const pending = f64(await cliBytes(t, seg.id, AT.level, 8));
  if (pending !== LEVEL) throw new Error(`the segment's level changed before Save: ${pending}`);

  await page.keyboard.press('Control+s');
  await until(`Save to write level = ${NEW_LEVEL} into the segment`, async () => f64(await cliBytes(t, seg.id, AT.level, 8)) === NEW_LEVEL, 15000, 100);
  await until('the clean tab', async () => !/dirty/.test((await tab.getAttribute('class')) ?? ''), 10000, 50);
  const after = Buffer.from(await cliBytes(t, seg.id, 0, 40));
  const got = {
    magic: after.readUInt32LE(AT.magic),
    pid: after.readInt32LE(AT.pid),
    counter: after.readBigUInt64LE(AT.counter),
    name: after.subarray(AT.name, AT.name + 16).toString('latin1').replace(/\0+$/, ''),
    level: after.readDoubleLE(AT.level),
  };
  const want = { magic: MAGIC, pid: writer.pid, counter: COUNTS.at(-1), name: NAME, level: NEW_LEVEL };
  const wrong = Object.keys(want).filter((k) => got[k] !== want[k]);
  if (wrong.length) throw new Error(`after Save the segment holds ${wrong.map((k) => `${k} = ${got[k]} (expected ${want[k]})`).join(', ')}`);
  t.log(`edited level to ${NEW_LEVEL} in the panel, saved with Ctrl+S; the CLI reads level ${got.level}, the other fields unchanged`);

  // Remove the overlay through the panel: gone from the panel and from the store.
  await web.locator('.ov-row.ov-overlay .overlay-remove').first().click();
  await web.locator('.overlays-empty').waitFor({ state: 'visible', timeout: 10000 });
  await until('the store to forget the overlay', () => storedFor(t, seg.keyHex).length === 0, 10000, 100);
  await closeAllEditors(t);
}
