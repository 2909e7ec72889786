// Live inspection (issue 5) in a real VS Code: a segment changed by other processes (a child
// that writes a counter every 50 ms, and this test's own agent), opened in the hex editor and
// driven through the same request handlers the webview uses and through the palette commands.
// The dialogs are scripted through the provider's replaceable InspectPrompts; what reaches the
// webviews is observed on their hosts (onDidPost / lastPosted). Every segment, child process,
// snapshot and file a test makes is removed in after()/finally, also when a test fails.
import * as assert from 'assert';
import { type ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentClient } from '../../../src/extension/agent/client';
import type { SegmentInfo } from '../../../src/protocol/segment';
import type { Handlers } from '../../../src/protocol/rpc';
import type { DiffView, HostToWebviewEvents, WebviewToHost } from '../../../src/protocol/webview';
import type { HexDocument } from '../../../src/extension/hexEditor/document';
import type { InspectPrompts } from '../../../src/extension/hexEditor/inspection/prompts';
import type { HexEditorProvider } from '../../../src/extension/hexEditor/provider';
import type { PostedEvent, WebviewHost } from '../../../src/extension/hexEditor/webviewHost';
import type { SnapshotMeta } from '../../../src/extension/inspect/snapshots';
import { segmentUri } from '../../../src/extension/shmUri';
import { EXTENSION_ID, HEX_EDITOR, OtherSegments, closeAllEditors, REPO, expected, handlerContext, present, sleep, waitFor } from './common';
import { decodeViewData } from '../../../src/protocol/viewData';

const CORE_JS = path.join(REPO, 'out', 'src', 'core', 'index.js');
const SIZE = 64 * 1024;
const MiB = 1 << 20;

const ctx = handlerContext;



describe('live inspection', function () {
  this.timeout(90_000);
  // "Another process": this test's own agent (it starts at the first request).
  const other = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 20000 });
  let provider: HexEditorProvider;
  const children = new Set<ChildProcess>();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inspect-test-'));

  const segs = new OtherSegments(other);
  const makeSegment = (size = SIZE, fill = true) => segs.make({ size, fill });
  const otherWrite = (info: SegmentInfo, offset: number, data: Uint8Array) => segs.write(info, offset, data);
  const otherRead = (info: SegmentInfo, offset: number, length: number) => segs.read(info, offset, length);

  async function open(info: SegmentInfo, options: { readOnly?: boolean; beside?: boolean } = {}): Promise<{ uri: vscode.Uri; doc: HexDocument; h: Handlers<WebviewToHost>; host: WebviewHost }> {
    const uri = segmentUri(info, options);
    const before = new Set<WebviewHost>();
    const existing = provider.documentFor(uri);
    if (existing) for (const x of provider.editorsOf(existing)) before.add(x);
    await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR, options.beside ? vscode.ViewColumn.Beside : undefined);
    const doc = await waitFor(() => provider.documentFor(uri), `the document of ${uri.toString()}`);
    const host = await waitFor(() => provider.editorsOf(doc).find((x) => !before.has(x)), 'the new editor');
    return { uri, doc, h: present(provider.handlersFor(uri), 'the editor\'s handlers'), host };
  }

  /** Events posted to a webview from now on. */
  function record(host: WebviewHost): { events: PostedEvent[]; of<K extends keyof HostToWebviewEvents>(name: K): HostToWebviewEvents[K][]; dispose(): void } {
    const events: PostedEvent[] = [];
    const sub = host.onDidPost((e) => events.push(e));
    return {
      events,
      of: <K extends keyof HostToWebviewEvents>(name: K) => events.filter((e) => e.name === name).map((e) => e.payload as HostToWebviewEvents[K]),
      dispose: () => { sub.dispose(); },
    };
  }

  /** Script the inspection's dialogs; any question not scripted fails the test. Messages are recorded. */
  function script(answers: Partial<InspectPrompts>): { infos: string[]; errors: string[]; restore(): void } {
    const infos: string[] = [];
    const errors: string[] = [];
    const unexpected = (what: string) => () => Promise.reject(new Error(`unexpected question: ${what}`));
    const base: InspectPrompts = {
      saveTarget: unexpected('save dialog'),
      openSource: unexpected('open dialog'),
      text: unexpected('input box'),
      color: unexpected('colour'),
      snapshot: unexpected('snapshot pick'),
      snapshots: unexpected('snapshots pick'),
      bookmarks: unexpected('bookmark pick'),
      confirm: unexpected('confirmation'),
      info: (m) => { infos.push(m); return Promise.resolve(undefined); },
      error: (m) => { errors.push(m); },
    };
    const original = provider.inspection.prompts;
    provider.inspection.prompts = { ...base, ...answers };
    return { infos, errors, restore: () => { provider.inspection.prompts = original; } };
  }

  /** Answers for text questions, in order. */
  const texts = (...values: (string | undefined)[]) => () => Promise.resolve(values.shift());

  const tabDirty = (dirty: boolean) =>
    waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.isDirty === dirty, `the tab to be ${dirty ? 'dirty' : 'clean'}`);

  /** A child process (not the extension, not our agent) writing a u32 LE counter at `offset` every 50 ms. */
  function startCounter(info: SegmentInfo, offset: number): ChildProcess {
    const script = path.join(tmp, 'counter.js');
    fs.writeFileSync(script, [
      `const { Segment } = require(${JSON.stringify(CORE_JS)});`,
      'const seg = Segment.open(Number(process.argv[2])).attach();',
      'const b = Buffer.alloc(4); let n = 0;',
      'const stop = () => { try { seg.detach(); } catch {} process.exit(0); };',
      'process.on("SIGTERM", stop);',
      `setInterval(() => { b.writeUInt32LE(++n); try { seg.writeChunk(b, ${offset}); } catch { stop(); } }, 50);`,
    ].join('\n'));
    const child = spawn(process.execPath, [script, String(info.id)], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('exit', (code) => { if (code) console.log(`counter child exited ${code}: ${stderr}`); });
    children.add(child);
    return child;
  }

  function stopChild(child: ChildProcess): Promise<void> {
    children.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  const snapshotsOf = (doc: HexDocument): SnapshotMeta[] => provider.inspection.snapshotsOf(doc);

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    await ext.activate();
    const api = await vscode.commands.executeCommand<HexEditorProvider | undefined>('shmInspector._hexEditorApi');
    assert.ok(api?.inspection, 'the hex editor test API has the inspection');
    provider = api;
    assert.ok(fs.existsSync(CORE_JS), `${CORE_JS} is missing (npm run compile)`);
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  after(async () => {
    for (const c of [...children]) await stopChild(c);
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
    // Snapshots and bookmarks of our segments, then the segments.
    // (Segments are made only after before() has set provider.)
    for (const info of segs.made) {
      const store = provider.inspection.snapshotStore;
      for (const m of store.listAll().filter((x) => x.id === info.id && x.cpid === info.cpid)) store.remove(m);
      const ref = { id: info.id, key: info.key, keyHex: info.keyHex, cpid: info.cpid };
      for (const b of provider.inspection.bookmarkStore.list(ref)) await provider.inspection.bookmarkStore.remove(ref, b.name);
    }
    await segs.destroyAll();
    other.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a counter another process writes every 50 ms shows through reads; pending edits stay intact and are listed exactly', async () => {
    const info = await makeSegment();
    await otherWrite(info, 0, new Uint8Array(4));
    const counter = startCounter(info, 0);
    const saves = provider.prompts;
    const asked: string[] = [];
    provider.prompts = { conflict: (_d, _c, t) => { asked.push(t.message); return Promise.resolve(undefined); }, saveGone: (_d, m) => { asked.push(m); return Promise.resolve(); } };
    try {
      const { doc, h, host } = await open(info);
      const count = async () => (await h.read({ offset: 0, length: 4 }, ctx)).data;
      const first = await waitFor(async () => Buffer.from(await count()).readUInt32LE(0), 'the counter to start');

      await h.edit({ offset: 100, data: new Uint8Array([0xaa, 0xbb]) }, ctx);
      await h.edit({ offset: 0x2000, data: new Uint8Array([0xcc]) }, ctx);
      const pending = [{ offset: 100, length: 2 }, { offset: 0x2000, length: 1 }];
      assert.deepStrictEqual(doc.pendingSpans(), pending);
      const windowPending = () => { const v = host.lastPosted('view'); return v && 'pending' in v ? v.pending : undefined; };
      await waitFor(() => windowPending()?.some((r) => r.offset === 100 && r.length === 2), 'the pending edit pushed with the window');

      const seen = new Set<number>([first]);
      for (let i = 0; i < 6; i++) {
        await sleep(120);
        const r = await h.read({ offset: 0, length: 128 }, ctx);
        seen.add(Buffer.from(r.data).readUInt32LE(0));
        assert.deepStrictEqual([r.data[100], r.data[101]], [0xaa, 0xbb], 'the pending edit stays while the counter runs');
        assert.strictEqual(r.data[99], expected(99));
      }
      assert.ok(seen.size >= 4, `the counter moved: ${[...seen].join(', ')}`);
      assert.ok(Math.max(...seen) > first);
      assert.deepStrictEqual(doc.pendingSpans(), pending);

      // Save writes the edited bytes only: no conflict (the counter is elsewhere), and it keeps counting.
      await tabDirty(true);
      await vscode.commands.executeCommand('workbench.action.files.save');
      await waitFor(() => !doc.isDirty, 'saved');
      assert.deepStrictEqual(asked, []);
      assert.deepStrictEqual([...(await otherRead(info, 100, 2))], [0xaa, 0xbb]);
      await waitFor(() => windowPending()?.length === 0, 'no pending edits pushed after Save');
      const a = (await otherRead(info, 0, 4)).readUInt32LE(0);
      await waitFor(async () => (await otherRead(info, 0, 4)).readUInt32LE(0) > a, 'the counter to go on after Save');
    } finally {
      provider.prompts = saves;
      await stopChild(counter);
    }
  });

  it('live refresh: the agent samples what the webview watches and the host pushes only the counter bytes that change; nothing when quiet or hidden', async () => {
    const config = vscode.workspace.getConfiguration('shmInspector.hexEditor');
    await config.update('liveRefresh', 100, vscode.ConfigurationTarget.Global);
    const info = await makeSegment();
    await otherWrite(info, 0x10, new Uint8Array(4));
    const counter = startCounter(info, 0x10);
    try {
      const { host } = await open(info);
      await host.whenReady();
      const rec = record(host);
      // The counter's bytes, rebuilt from the pushes alone, must count up.
      const bytes = new Uint8Array(4);
      const values: number[] = [];
      await waitFor(() => {
        for (const u of rec.of('view').splice(0)) {
          assert.ok(!('error' in u), `no live error: ${JSON.stringify(u)}`);
          if ('error' in u) continue;
          const data = decodeViewData(u.data);
          for (let i = 0; i < data.length; i++) {
            const o = u.offset + i - 0x10;
            if (o >= 0 && o < 4) bytes[o] = data[i];
          }
          values.push(Buffer.from(bytes).readUInt32LE(0));
        }
        rec.events.length = 0;
        return values.length >= 6;
      }, 'six live pushes');
      const rising = values.slice(1);
      assert.ok(rising.every((v, i) => i === 0 || v > rising[i - 1]), `the counter rises through the pushes: ${values.join(', ')}`);
      // After the first push each carries only the changed span of the counter.
      const later: { offset: number; length: number }[] = [];
      await waitFor(() => {
        for (const e of rec.events.splice(0)) {
          if (e.name === 'view' && !('error' in e.payload)) later.push({ offset: e.payload.offset, length: e.payload.data.length });
        }
        return later.length >= 3;
      }, 'three more pushes');
      assert.ok(later.every((r) => r.offset >= 0x10 && r.offset + r.length <= 0x14 && r.length >= 1), `only counter bytes pushed: ${JSON.stringify(later)}`);

      // Quiet: the agent goes on sampling the window and sends nothing, so nothing is pushed.
      await stopChild(counter);
      await sleep(300);
      rec.events.length = 0;
      assert.ok(host.viewport.sampling, 'the window is still sampled');
      await sleep(500); // five refresh periods
      assert.deepStrictEqual(rec.of('view'), [], 'nothing pushed while nothing changes');
      assert.ok(host.viewport.sampling);

      // Hidden behind a text editor in the same group: no sampling at all.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: 'cover' }), { preview: false });
      await waitFor(() => !host.visible, 'the hex editor hidden');
      await waitFor(() => !host.viewport.sampling, 'sampling stopped while hidden');
      await otherWrite(info, 0x10, Uint8Array.of(0xab, 0xcd, 0xef, 0x01));
      await sleep(300);
      assert.deepStrictEqual(rec.of('view'), [], 'nothing pushed while hidden');
      rec.dispose();
    } finally {
      await stopChild(counter);
      await config.update('liveRefresh', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('export: the file holds the segment bytes of the range with the pending edits; cancel writes nothing', async () => {
    const info = await makeSegment();
    const { doc, h } = await open(info);
    await h.edit({ offset: 0x1000, data: new Uint8Array([1, 2, 3]) }, ctx);
    await h.edit({ offset: 0x0fef, data: new Uint8Array([0x77]) }, ctx); // just before the range: not exported
    await h.edit({ offset: 0x10ef, data: new Uint8Array([0x88, 0x99]) }, ctx); // straddles the end
    await otherWrite(info, 0x1010, new Uint8Array([0x5a])); // another process, after opening: exported as it is now
    const target = path.join(tmp, 'range.bin');
    fs.writeFileSync(target, 'old contents'); // overwritten
    const s = script({ saveTarget: (title, def) => { assert.match(title, /0xff0–0x10ef/); assert.match(def.path, /-0xff0-256\.bin$/); return Promise.resolve(vscode.Uri.file(target)); } });
    try {
      const r = await h.exportRange({ offset: 0x0ff0, length: 0x100 }, ctx);
      assert.deepStrictEqual(r, { path: target, bytes: 0x100 });
      const file = fs.readFileSync(target);
      const want = await otherRead(info, 0x0ff0, 0x100);
      want.set([1, 2, 3], 0x10);
      want[0xff] = 0x88;
      assert.strictEqual(file.length, 0x100);
      assert.ok(file.equals(want), 'segment bytes + pending edits');
      assert.strictEqual((fs.statSync(target).mode & 0o777).toString(8), '600', 'memory can hold secrets: the export (replacing a 0644 file) is private');
      assert.strictEqual(file[0x20], 0x5a);
      assert.strictEqual(want[0x20], 0x5a);
      assert.strictEqual((await otherRead(info, 0x1000, 1))[0], expected(0x1000), 'export writes nothing to the segment');
      assert.strictEqual(doc.isDirty, true);
      assert.match(s.infos[0], /^Exported 256 bytes \(0xff0–0x10ef\) of segment .* to .*range\.bin \(with 4 bytes of unsaved edits\)\.$/);
      assert.deepStrictEqual(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
    } finally {
      s.restore();
    }

    // Cancelled in the save dialog: null; cancelled from the webview (its signal): null, no file.
    const c = script({ saveTarget: () => Promise.resolve(undefined) });
    try {
      assert.strictEqual(await h.exportRange({ offset: 0, length: 16 }, ctx), null);
    } finally {
      c.restore();
    }
    const big = await makeSegment(16 * MiB, false);
    const second = await open(big);
    const cancelled = path.join(tmp, 'cancelled.bin');
    const aborted = new AbortController();
    aborted.abort();
    const d = script({ saveTarget: () => Promise.resolve(vscode.Uri.file(cancelled)) });
    try {
      assert.strictEqual(await second.h.exportRange({ offset: 0, length: 16 * MiB }, { ...ctx, signal: aborted.signal }), null);
      await sleep(300); // the agent notices the cancel between chunks and removes its file
      assert.strictEqual(fs.existsSync(cancelled), false);
      assert.deepStrictEqual(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), []);
      assert.deepStrictEqual(d.errors, []);
    } finally {
      d.restore();
    }

    // The palette's Export Selection… with a range argument (the whole segment).
    const whole = path.join(tmp, 'whole.bin');
    const w = script({ saveTarget: (_t, def) => { assert.match(def.path, /shm-0x[0-9a-f]{8}-\d+\.bin$/); return Promise.resolve(vscode.Uri.file(whole)); } });
    try {
      await vscode.commands.executeCommand('vscode.openWith', segmentUri(info), HEX_EDITOR);
      await waitFor(() => provider.activeEditor()?.doc === doc, 'the first editor to be active');
      const r = await vscode.commands.executeCommand('shmInspector.exportSelection', { offset: 0, length: SIZE });
      assert.deepStrictEqual(r, { path: whole, bytes: SIZE });
      const file = fs.readFileSync(whole);
      assert.strictEqual(file.length, SIZE);
      assert.deepStrictEqual([...file.subarray(0x1000, 0x1003)], [1, 2, 3]);
      assert.strictEqual(file[0x0fef], 0x77);
    } finally {
      w.restore();
    }
  });

  it('import: a file at an offset is one undoable edit (one undo restores); too large, past the end and read-only are refused', async () => {
    const info = await makeSegment();
    const { doc, h } = await open(info);
    const data = Buffer.alloc(3000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 13 + 1) & 0xff;
    const file = path.join(tmp, 'import.bin');
    fs.writeFileSync(file, data);
    const s = script({ openSource: () => Promise.resolve(vscode.Uri.file(file)) });
    try {
      const r = await h.importFile({ offset: 0x2000 }, ctx);
      assert.deepStrictEqual(r, { path: file, bytes: 3000 });
      assert.ok(Buffer.from((await h.read({ offset: 0x2000, length: 3000 }, ctx)).data).equals(data));
      assert.strictEqual((await otherRead(info, 0x2000, 1))[0], expected(0x2000), 'pending until Save');
      assert.deepStrictEqual(doc.pendingSpans(), [{ offset: 0x2000, length: 3000 }]);
      await tabDirty(true);
      await vscode.commands.executeCommand('undo');
      await waitFor(async () => (await h.read({ offset: 0x2000, length: 1 }, ctx)).data[0] === expected(0x2000), 'one undo to restore');
      const back = (await h.read({ offset: 0x2000, length: 3000 }, ctx)).data;
      assert.ok(back.every((b, i) => b === expected(0x2000 + i)), 'every imported byte restored by one undo');
      assert.strictEqual(doc.isDirty, false);
      await vscode.commands.executeCommand('redo');
      await waitFor(async () => (await h.read({ offset: 0x2000, length: 1 }, ctx)).data[0] === data[0], 'redo');

      // Does not fit before the end: refused with the numbers, nothing changes.
      await assert.rejects(Promise.resolve(h.importFile({ offset: SIZE - 10 }, ctx)), /import\.bin is 2\.9 KiB \(3000 bytes\), but only 10 bytes fit between offset 0xfff6 and the end/);
      assert.match(s.errors[0], /only 10 bytes fit/, 'the user is told too');
      assert.deepStrictEqual(doc.pendingSpans(), [{ offset: 0x2000, length: 3000 }]);
      await assert.rejects(Promise.resolve(h.importFile({ offset: SIZE }, ctx)), /past the end/);
    } finally {
      s.restore();
    }

    // Through the palette at an offset argument.
    const small = path.join(tmp, 'small.bin');
    fs.writeFileSync(small, Buffer.from([9, 8, 7]));
    const p = script({ openSource: () => Promise.resolve(vscode.Uri.file(small)) });
    try {
      assert.deepStrictEqual(await vscode.commands.executeCommand('shmInspector.importFile', 5), { path: small, bytes: 3 });
      assert.deepStrictEqual([...(await h.read({ offset: 4, length: 5 }, ctx)).data], [expected(4), 9, 8, 7, expected(8)]);
    } finally {
      p.restore();
    }

    // Read-only: refused before any dialog.
    const ro = await makeSegment();
    const r2 = await open(ro, { readOnly: true });
    const q = script({});
    try {
      await assert.rejects(Promise.resolve(r2.h.importFile({ offset: 0 }, ctx)), /read-only \(opened read-only\): a file cannot be imported/);
    } finally {
      q.restore();
    }
  });

  it('bookmarks: add, list, remove; every webview of the segment is told; kept per key across a reopen', async () => {
    const info = await makeSegment();
    const otherSeg = await makeSegment();
    const { uri, doc, h, host } = await open(info);
    const events = record(host);
    let colours = 0;
    const s = script({ text: texts('header', 'counter'), color: (_t, suggestion) => Promise.resolve(colours++ === 0 ? 'blue' : suggestion) });
    try {
      const b = await h.addBookmark({ offset: 0, length: 16 }, ctx);
      assert.deepStrictEqual(b, { name: 'header', offset: 0, length: 16, color: 'blue' });
      // The palette command with a range argument (no selection request).
      const c = await vscode.commands.executeCommand('shmInspector.addBookmark', { offset: 64, length: 4 });
      assert.deepStrictEqual(c, { name: 'counter', offset: 64, length: 4, color: 'red' }, 'the first unused colour is suggested');
      const list = provider.inspection.bookmarksOf(doc);
      assert.deepStrictEqual(list.map((x) => [x.name, x.offset]), [['header', 0], ['counter', 64]]);
      assert.deepStrictEqual(events.of('bookmarks').map((e) => e.bookmarks.length), [1, 2]);
      assert.deepStrictEqual(host.lastPosted('bookmarks')?.bookmarks, list);

      // Cancelled name: nothing added. Invalid ranges never reach a dialog.
      s.restore();
      const t = script({ text: texts(undefined) });
      try {
        assert.strictEqual(await h.addBookmark({ offset: 1, length: 1 }, ctx), null);
        await assert.rejects(Promise.resolve(h.addBookmark({ offset: SIZE, length: 1 }, ctx)), /past the end/);
      } finally {
        t.restore();
      }

      // Go to Bookmark (by name, as a keybinding could pass it) moves the webview's cursor.
      await vscode.commands.executeCommand('shmInspector.goToBookmark', 'counter');
      assert.deepStrictEqual(host.lastPosted('goto'), { offset: 64, length: 4 });

      // Add Bookmark from the palette without arguments: the webview's own selection (or cursor).
      await host.whenReady();
      host.goto(0x80, 8);
      const sel = await waitFor(async () => { const x = await host.selection(); return (x.length ? x.offset : x.cursor) === 0x80 ? x : undefined; }, 'the webview to move to 0x80', 5000)
        .catch(async () => host.selection());
      const want = sel.length > 0 ? { offset: sel.offset, length: sel.length } : { offset: sel.cursor, length: 1 };
      assert.strictEqual(want.offset, 0x80, `the webview moved to 0x80 (selection ${JSON.stringify(sel)})`);
      const t2 = script({ text: texts('selected'), color: (_t, suggestion) => Promise.resolve(suggestion) });
      try {
        const viaSelection = await vscode.commands.executeCommand('shmInspector.addBookmark');
        assert.deepStrictEqual(viaSelection, { name: 'selected', ...want, color: 'orange' }, 'red and blue are taken: orange is suggested');
      } finally {
        t2.restore();
      }

      // Another segment has its own (none).
      const o = await open(otherSeg);
      assert.deepStrictEqual(provider.inspection.bookmarksOf(o.doc), []);
      assert.deepStrictEqual((await o.h.ready({}, ctx)).bookmarks, [], 'the ready answer carries its bookmarks');
    } finally {
      events.dispose();
      s.restore();
    }

    // Close every editor of the segment, reopen: the bookmarks come back (by key), in the ready answer.
    await closeAllEditors();
    await waitFor(() => !provider.documentFor(uri), 'the document to close');
    const again = await open(info);
    assert.notStrictEqual(again.doc, doc);
    assert.deepStrictEqual(provider.inspection.bookmarksOf(again.doc).map((x) => x.name), ['header', 'counter', 'selected']);
    await again.host.whenReady();
    const sent = await again.h.ready({}, ctx);
    assert.deepStrictEqual(sent.bookmarks.map((x) => x.name), ['header', 'counter', 'selected']);

    const events2 = record(again.host);
    const r = script({ bookmarks: (_t, items, many) => { assert.strictEqual(many, true); return Promise.resolve(items); } });
    try {
      await again.h.removeBookmark({ name: 'counter' }, ctx);
      await assert.rejects(Promise.resolve(again.h.removeBookmark({ name: 'counter' }, ctx)), /no bookmark named 'counter'/);
      assert.deepStrictEqual(await vscode.commands.executeCommand('shmInspector.removeBookmark'), ['header', 'selected']);
      assert.deepStrictEqual(provider.inspection.bookmarksOf(again.doc), []);
      assert.deepStrictEqual(events2.of('bookmarks').map((e) => e.bookmarks.map((x) => x.name)), [['header', 'selected'], ['selected'], []]);
    } finally {
      events2.dispose();
      r.restore();
    }
  });

  it('snapshots: take one, another process changes bytes, compare: the diff event carries exactly the changed ranges; a second editor gets it with its ready answer; clear', async () => {
    const info = await makeSegment();
    const { doc, h, host } = await open(info);
    const events = record(host);
    const s = script({ text: texts('before') });
    let snap;
    try {
      await h.edit({ offset: 0x500, data: new Uint8Array([0]) }, ctx); // pending: not in the snapshot, not compared
      snap = await h.takeSnapshot({}, ctx);
      assert.ok(snap);
      assert.strictEqual(snap.label, 'before');
      assert.strictEqual(snap.size, SIZE);
      assert.match(s.infos[0], /Took snapshot 'before' .*unsaved edits are not in it/);
    } finally {
      s.restore();
    }
    const metas = snapshotsOf(doc);
    assert.deepStrictEqual(metas.map((m) => m.name), [snap.name]);
    assert.ok(fs.readFileSync(metas[0].file).equals(await otherRead(info, 0, SIZE)), 'the snapshot holds the segment bytes');
    assert.strictEqual((fs.statSync(metas[0].file).mode & 0o777).toString(8), '600', 'the snapshot file is private');

    // Another process changes three places (bytes chosen to differ from the old ones).
    await otherWrite(info, 0x10, new Uint8Array([expected(0x10) ^ 0xff, expected(0x11) ^ 0xff]));
    await otherWrite(info, 0x3000, new Uint8Array([expected(0x3000) ^ 1]));
    await otherWrite(info, SIZE - 1, new Uint8Array([expected(SIZE - 1) ^ 0x80]));
    await otherWrite(info, 0x40, new Uint8Array([expected(0x40)])); // written, but unchanged: not a difference

    const c = script({ snapshot: (_t, _p, items, size) => { assert.strictEqual(size, SIZE); return Promise.resolve(items[0]); } });
    try {
      assert.strictEqual(await h.compareWithSnapshot({}, ctx), null);
      const want = [{ offset: 0x10, length: 2 }, { offset: 0x3000, length: 1 }, { offset: SIZE - 1, length: 1 }];
      const diffs = events.of('diff');
      assert.strictEqual(diffs.length, 1);
      const d = present(diffs[0].diff, 'the diff event\'s diff');
      assert.deepStrictEqual(d.ranges, want);
      assert.strictEqual(d.bytes, 4);
      assert.strictEqual(d.truncated, false);
      assert.match(d.against, /^snapshot 'before' \(\d\d:\d\d:\d\d\)$/);
      assert.match(c.infos[0], /4 bytes differ in 3 ranges \(0x10–0x11, 0x3000, 0xffff\)/);

      // A second editor of the same document gets the differences (and bookmarks) in its ready answer.
      const beside = await open(info, { beside: true });
      assert.strictEqual(beside.doc, doc);
      await beside.host.whenReady();
      const got = await beside.h.ready({}, ctx);
      assert.deepStrictEqual(got.diff, d);
      assert.ok(Array.isArray(got.bookmarks));

      // Compare through the palette with the snapshot's name: the same result.
      const again = await vscode.commands.executeCommand<DiffView>('shmInspector.compareWithSnapshot', snap.name);
      assert.deepStrictEqual(again.ranges, want);

      await h.clearDiff({}, ctx);
      assert.deepStrictEqual(events.of('diff').slice(-1), [{ diff: null }]);
      assert.strictEqual(provider.inspection.diffOf(doc), undefined);
    } finally {
      events.dispose();
      c.restore();
    }
  });

  it('two snapshots: compared with each other in the agent; offsets marked in the editor, a summary with Open as Text Report', async () => {
    const info = await makeSegment();
    const { doc, host } = await open(info);
    const s = script({ text: texts('A', 'B') });
    let a, b;
    try {
      a = await vscode.commands.executeCommand<{ name: string } | null>('shmInspector.takeSnapshot');
      await otherWrite(info, 0x100, new Uint8Array([expected(0x100) ^ 0xff]));
      await otherWrite(info, 0x8000, new Uint8Array([expected(0x8000) ^ 1, expected(0x8001) ^ 1, expected(0x8002) ^ 1]));
      b = await vscode.commands.executeCommand<{ name: string } | null>('shmInspector.takeSnapshot');
      await otherWrite(info, 0x9000, new Uint8Array([expected(0x9000) ^ 1])); // after B: live only, not in A vs B
    } finally {
      s.restore();
    }
    assert.ok(a && b);
    assert.deepStrictEqual(snapshotsOf(doc).map((m) => m.label), ['B', 'A'], 'newest first');

    const events = record(host);
    let reportAsked = false;
    const picks: string[] = [];
    const c = script({
      // Picked newest first (B, then A): the comparison still reads from the older to the newer.
      snapshot: (title, _p, items) => { picks.push(`${title}: ${items.map((m) => m.label).join(',')}`); return Promise.resolve(items[0]); },
      info: (m, ...actions) => {
        if (actions.includes('Open as Text Report')) { reportAsked = true; c.infos.push(m); return Promise.resolve('Open as Text Report'); }
        c.infos.push(m);
        return Promise.resolve(undefined);
      },
    });
    try {
      const d = await vscode.commands.executeCommand<DiffView>('shmInspector.compareSnapshots');
      assert.strictEqual(picks[0], 'Compare Two Snapshots (1 of 2): B,A');
      assert.match(picks[1], /^Compare Two Snapshots \(2 of 2\): with snapshot 'B' \(\d\d:\d\d:\d\d\): A$/);
      assert.deepStrictEqual(d.ranges, [{ offset: 0x100, length: 1 }, { offset: 0x8000, length: 3 }]);
      assert.strictEqual(d.bytes, 4);
      assert.match(d.against, /^snapshot 'A' \(.*\) vs snapshot 'B' \(.*\)$/);
      assert.deepStrictEqual(events.of('diff').map((e) => e.diff?.ranges), [d.ranges], 'sent to the editor for marking');
      assert.ok(reportAsked);
      assert.match(c.infos[0], /4 bytes differ in 2 ranges \(0x100, 0x8000–0x8002\) between snapshot 'A' .* and snapshot 'B' .*marked in the editor, which shows the live bytes/);
      const report = await waitFor(() => vscode.workspace.textDocuments.find((t) => t.getText().startsWith('Snapshots of segment')), 'the text report');
      assert.match(report.getText(), /4 bytes differ in 2 ranges\./);
      assert.match(report.getText(), /\n0x8000 +3 +0x8002\n/);
    } finally {
      events.dispose();
      c.restore();
    }

    // Delete Snapshots…: this segment's are offered first; confirmed; the files are gone.
    const files = snapshotsOf(doc).map((m) => m.file);
    const del = script({
      snapshots: (_t, current) => Promise.resolve(current),
      confirm: (m, _d, action) => { assert.match(m, /Delete 2 snapshots/); assert.strictEqual(action, 'Delete'); return Promise.resolve(true); },
    });
    try {
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.deleteSnapshots'), 2);
      assert.deepStrictEqual(snapshotsOf(doc), []);
      assert.ok(files.every((f) => !fs.existsSync(f) && !fs.existsSync(f.replace(/\.bin$/, '.json'))));
    } finally {
      del.restore();
    }
  });

  it('search through the handler across the agent\'s 4 MiB chunk boundaries of a 16 MiB segment', async () => {
    const info = await makeSegment(16 * MiB, false);
    const pattern = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04]);
    const at = [4 * MiB - 3, 8 * MiB - 8, 12 * MiB + 16, 16 * MiB - 8]; // across, ending at, after, ending at the end
    for (const o of at) await otherWrite(info, o, pattern);
    await otherWrite(info, 12 * MiB - 2, Buffer.from('hello')); // case-insensitive target across 12 MiB
    const { h } = await open(info);

    const all = await h.search({ pattern, from: 0, max: 100 }, ctx);
    assert.deepStrictEqual(all, { offsets: at, truncated: false });
    const back = await h.search({ pattern, from: 16 * MiB - 1, backwards: true, max: 100 }, ctx);
    assert.deepStrictEqual(back.offsets, [...at].reverse());
    const next = await h.search({ pattern, from: 4 * MiB - 2, max: 1 }, ctx);
    assert.deepStrictEqual(next, { offsets: [8 * MiB - 8], truncated: true });
    const prev = await h.search({ pattern, from: 8 * MiB - 9, backwards: true, max: 1 }, ctx);
    assert.deepStrictEqual(prev.offsets, [4 * MiB - 3]);
    // Wildcards spanning the boundary: de ?? be ?? 01.
    const masked = await h.search({ pattern: pattern.subarray(0, 5), mask: new Uint8Array([0xff, 0, 0xff, 0, 0xff]), from: 0, max: 100 }, ctx);
    assert.deepStrictEqual(masked.offsets, at);
    const text = await h.search({ pattern: Buffer.from('HeLLo'), caseInsensitive: true, from: 0, max: 10 }, ctx);
    assert.deepStrictEqual(text.offsets, [12 * MiB - 2]);
    await assert.rejects(Promise.resolve(h.search({ pattern: new Uint8Array(0), from: 0, max: 1 }, ctx)), /pattern is empty/);
  });

  it('palette commands send actions to the active editor\'s webview; contributions have when clauses and keys', async () => {
    const info = await makeSegment();
    const { host } = await open(info);
    await waitFor(() => provider.activeEditor() === host, 'the editor to be active');
    const events = record(host);
    try {
      for (const c of ['find', 'findNext', 'findPrevious', 'nextDifference', 'previousDifference', 'copyAs']) {
        await vscode.commands.executeCommand(`shmInspector.${c}`);
      }
      assert.deepStrictEqual(events.of('action').map((e) => e.action), ['find', 'findNext', 'findPrevious', 'nextDifference', 'previousDifference', 'copyAs']);
    } finally {
      events.dispose();
    }
    const pkg = present(vscode.extensions.getExtension(EXTENSION_ID), `extension ${EXTENSION_ID}`).packageJSON as {
      contributes: { commands: { command: string; category: string }[]; menus: { commandPalette: { command: string; when: string }[] }; keybindings: { command: string; key: string; when: string }[] };
    };
    const ids = ['find', 'findNext', 'findPrevious', 'nextDifference', 'previousDifference', 'copyAs', 'takeSnapshot', 'compareWithSnapshot', 'compareSnapshots',
      'clearDifferences', 'addBookmark', 'goToBookmark', 'removeBookmark', 'exportSelection', 'importFile'].map((n) => `shmInspector.${n}`);
    const registered = await vscode.commands.getCommands(true);
    for (const id of [...ids, 'shmInspector.deleteSnapshots']) {
      assert.ok(registered.includes(id), `${id} is registered`);
      assert.strictEqual(pkg.contributes.commands.find((c) => c.command === id)?.category, 'Shared Memory', `${id} is contributed`);
    }
    // In a segment's editor and in a recording's timeline (the same editor, another view type).
    const inEditor = 'activeCustomEditorId =~ /^shmInspector\\.(hexEditor|timeline)$/';
    for (const id of ids) {
      assert.strictEqual(pkg.contributes.menus.commandPalette.find((m) => m.command === id)?.when, inEditor, `${id} palette when`);
    }
    const keys = Object.fromEntries(pkg.contributes.keybindings.filter((k) => k.when.startsWith(inEditor)).map((k) => [k.command, k.key]));
    assert.deepStrictEqual(
      [keys['shmInspector.find'], keys['shmInspector.findNext'], keys['shmInspector.findPrevious'], keys['shmInspector.nextDifference'], keys['shmInspector.previousDifference']],
      ['ctrl+f', 'f3', 'shift+f3', 'f7', 'shift+f7'],
    );
  });

  it('settings flow to the webview: liveRefresh, inspector and littleEndian in ready and on change', async () => {
    const info = await makeSegment();
    const { h, host } = await open(info);
    const config = vscode.workspace.getConfiguration('shmInspector.hexEditor');
    const r0 = await h.ready({}, ctx);
    assert.deepStrictEqual([r0.settings.liveRefreshMs, r0.settings.inspector, r0.settings.littleEndian], [500, 'side', true], 'defaults');
    try {
      await config.update('littleEndian', false, vscode.ConfigurationTarget.Global);
      await config.update('inspector', 'hover', vscode.ConfigurationTarget.Global);
      await config.update('liveRefresh', 0, vscode.ConfigurationTarget.Global);
      const sent = await waitFor(() => {
        const st = host.lastPosted('settings');
        return st && !st.littleEndian && st.inspector === 'hover' && st.liveRefreshMs === 0 ? st : undefined;
      }, 'the settings event');
      assert.strictEqual(sent.littleEndian, false);
      const r = await h.ready({}, ctx);
      assert.deepStrictEqual([r.settings.liveRefreshMs, r.settings.inspector, r.settings.littleEndian], [0, 'hover', false]);
    } finally {
      await config.update('littleEndian', undefined, vscode.ConfigurationTarget.Global);
      await config.update('inspector', undefined, vscode.ConfigurationTarget.Global);
      await config.update('liveRefresh', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
