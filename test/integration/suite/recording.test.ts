// Recording in a real VS Code: Start Recording on a real segment (made and written by this
// test's own agent, another process), known values written while it records, Stop Recording,
// and the file's frames read back with src/timeline/recording.ts; a frame saved as a file, as a
// snapshot, and shown as a hex dump; a segment destroyed mid-recording ends it with a message and
// a readable file.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentClient } from '../../../src/extension/agent/client';
import type { SegmentInfo } from '../../../src/protocol/segment';
import type { RecordingSessions } from '../../../src/extension/timeline/sessions';
import type { SessionEnd } from '../../../src/extension/timeline/sessions';
import { Recording } from '../../../src/timeline/recording';
import type { HexEditorProvider } from '../../../src/extension/hexEditor/provider';
import type { WatchViewProvider } from '../../../src/extension/timeline/watchView';
import type { CRecordType } from '../../../src/protocol/cTypes';
import type { OverlayView } from '../../../src/protocol/overlay';
import { segmentUri } from '../../../src/extension/shmUri';
import { EXTENSION_ID, OtherSegments, REPO, closeAllEditors, expected, handlerContext, present, sharesVscodeApi, stubWindow, waitFor } from './common';

const SIZE = 4096;
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return new Uint8Array(b); };

describe('recording', function () {
  this.timeout(60_000);
  const other = new AgentClient({ agentPath: path.join(REPO, 'dist', 'agent.js'), timeoutMs: 20000 });
  const segs = new OtherSegments(other);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'recording-test-'));
  const made: string[] = [];
  let sessions: RecordingSessions;
  let extensionAgent: AgentClient;
  let watches: WatchViewProvider;
  let provider: HexEditorProvider;

  before(async () => {
    const ext = present(vscode.extensions.getExtension(EXTENSION_ID), `extension ${EXTENSION_ID}`);
    const api = (await ext.activate()) as { agent: AgentClient; recording: { sessions: RecordingSessions }; watch: { provider: WatchViewProvider } };
    sessions = api.recording.sessions;
    extensionAgent = api.agent;
    watches = api.watch.provider;
    provider = present(await vscode.commands.executeCommand<HexEditorProvider | undefined>('shmInspector._hexEditorApi'), 'the hex editor test API');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('shmInspector.clearWatches');
    await closeAllEditors();
  });

  after(async () => {
    for (const s of sessions.list()) await sessions.stop(s).catch(() => undefined);
    await segs.destroyAll();
    other.dispose();
    for (const f of made) fs.rmSync(f, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Until the extension's agent has taken `n` more samples of the recording. */
  async function moreFrames(recording: number, n: number): Promise<void> {
    const frames = async () => (await extensionAgent.request('recordStatus', { recording })).frames;
    const start = await frames();
    await waitFor(async () => (await frames()) >= start + n, `${n} more frames of recording ${recording}`, 20000);
  }

  async function start(info: SegmentInfo, args: { offset?: number; length?: number; hz?: number }): Promise<{ path: string; recording: number }> {
    const started = await vscode.commands.executeCommand<{ path: string; recording: number } | undefined>('shmInspector.startRecording', info, undefined, args);
    const s = present(started, 'the started recording');
    made.push(s.path);
    return s;
  }

  it('records a real segment: the values written are in the frames, in order', async () => {
    const info = await segs.make({ size: SIZE });
    const s = await start(info, { hz: 100 });
    assert.strictEqual(path.dirname(s.path), sessions.folder);
    assert.ok(sessions.folder.endsWith(`${path.sep}recordings`), `kept in the extension's storage: ${sessions.folder}`);
    assert.strictEqual(sessions.list().length, 1);
    const values = [0x01020304, 0xa5a5a5a5, 0xdeadbeef, 7];
    for (const v of values) {
      await segs.write(info, 0x40, u32(v));
      await moreFrames(s.recording, 2);
    }
    await waitFor(() => (sessions.list().at(0)?.progress.frames ?? 0) > 0, 'the status bar\'s counters');
    const end = present(await vscode.commands.executeCommand<SessionEnd | undefined>('shmInspector.stopRecording', s.path), 'the end');
    assert.strictEqual(end.reason, 'stopped');
    assert.strictEqual(end.writeError, undefined);
    assert.strictEqual(sessions.list().length, 0);

    const rec = Recording.open(end.path);
    assert.deepStrictEqual([rec.header.segment.id, rec.header.offset, rec.header.length], [info.id, 0, SIZE]);
    const first = rec.at(rec.firstFrame);
    assert.deepStrictEqual(Array.from(first.subarray(0, 16)), Array.from({ length: 16 }, (_, i) => expected(i)), 'frame 0 holds the segment as it was');
    const seen: number[] = [];
    let frameOf3 = -1;
    for (const f of rec.frames()) {
      const v = rec.at(f.frame).readUInt32LE(0x40);
      if (v === values[2] && frameOf3 < 0) frameOf3 = f.frame;
      if (seen.at(-1) !== v) seen.push(v);
    }
    assert.deepStrictEqual(seen.slice(1), values, 'every value written, in order, after the initial bytes');

    // The frame with the third value: saved as a file, as a snapshot, opened as a timeline.
    const out = path.join(tmp, 'frame.bin');
    const saved = await vscode.commands.executeCommand<{ path: string; bytes: number }>('shmInspector.openRecordingFile', end.path, { frame: frameOf3, saveTo: out });
    assert.strictEqual(saved.bytes, SIZE);
    assert.strictEqual(fs.readFileSync(out).readUInt32LE(0x40), values[2]);
    const meta = await vscode.commands.executeCommand<{ file: string; key: number; size: number }>('shmInspector.openRecordingFile', end.path, { frame: frameOf3, snapshot: true });
    made.push(meta.file, meta.file.replace(/\.bin$/, '.json'));
    assert.deepStrictEqual([meta.key, meta.size], [info.key, SIZE]);
    assert.ok(fs.readFileSync(meta.file).equals(rec.at(frameOf3)), 'the snapshot holds the frame\'s bytes');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('shmInspector.openRecordingFile', end.path, { atMs: rec.info(rec.indexOf(frameOf3)).t, show: true });
    const h = present(provider.handlersFor(uri), 'the timeline\'s handlers');
    const { data } = await h.read({ offset: 0x40, length: 4 }, handlerContext);
    assert.strictEqual(Buffer.from(data).readUInt32LE(0), values[2], 'the timeline shows the frame asked for');
  });

  it('a recording opens as a timeline: scrub, step, previous change of a struct field, and a Watch plot click', async () => {
    // A struct whose seq changes three times and whose stamp changes in between (a field-level
    // "previous change" must skip the frames where only the stamp changed).
    const header = path.join(tmp, 'rec_state.h');
    fs.writeFileSync(header, '#include <stdint.h>\nstruct rec_state { uint32_t magic; uint32_t seq; uint64_t stamp; };\n');
    const info = await segs.make({ size: SIZE, fill: false });
    await segs.write(info, 0, u32(0x52454331));
    // A watch session first: its plot's clicks are what scrub the timeline later.
    const watchId = await vscode.commands.executeCommand<number | undefined>('shmInspector.watchValue', { segmentId: info.id, offset: 4, type: 'uint32' });
    assert.ok(typeof watchId === 'number', 'the watch started');
    const session = present(watches.session, 'the watch session');
    const s = await start(info, { hz: 100 });
    const stamp = (v: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return new Uint8Array(b); };
    for (const seq of [1, 2, 3]) {
      await segs.write(info, 4, u32(seq));
      await moreFrames(s.recording, 3);
      await segs.write(info, 8, stamp(seq * 1000));
      await moreFrames(s.recording, 3);
    }
    const end = present(await vscode.commands.executeCommand<SessionEnd | undefined>('shmInspector.stopRecording', s.path), 'the end');
    const rec = Recording.open(end.path);
    const firstWith = (seq: number) => { for (const f of rec.frames()) if (rec.at(f.frame).readUInt32LE(4) === seq) return f; throw new Error(`seq ${seq} never recorded`); };

    // Opened at the end (the last moment), as the Explorer would open a .shmrec file.
    const uri = vscode.Uri.file(end.path);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'shmInspector.timeline');
    const doc = await waitFor(() => provider.documentFor(uri), 'the timeline document');
    const host = await waitFor(() => provider.editorsOf(doc).at(0), 'the timeline editor');
    await host.whenReady();
    const h = present(provider.handlersFor(uri), 'the timeline\'s handlers');
    // The webview watches its window before the moves below, so each move is pushed ('frame').
    const causes: string[] = [];
    const posts = host.onDidPost((e) => { if (e.name === 'view' && 'cause' in e.payload) causes.push(e.payload.cause); });
    await waitFor(() => causes.length > 0, 'the window\'s first push', 20000);
    const ready = await h.ready({}, handlerContext);
    const timeline = present(ready.timeline, 'the ready answer\'s timeline');
    assert.strictEqual(timeline.overview.frames, rec.frameCount);
    assert.deepStrictEqual([ready.doc.readOnly, ready.doc.id, ready.doc.size], [true, info.id, SIZE]);
    await assert.rejects(Promise.resolve().then(() => h.edit({ offset: 4, data: u32(9) }, handlerContext)), /read-only/);
    const last = await h.timelineSeek({ index: rec.frameCount - 1 }, handlerContext);
    const seqNow = async () => Buffer.from((await h.read({ offset: 4, length: 4 }, handlerContext)).data).readUInt32LE(0);
    assert.strictEqual(await seqNow(), 3);

    // The field from the C type applied over the segment (the overlay panel selects these bytes).
    const views = present(await vscode.commands.executeCommand<OverlayView[] | undefined>('shmInspector.applyCType', { header, typeName: 'struct rec_state' }), 'the applied overlay');
    try {
      const seqField = present((views[0].type as CRecordType).members.find((m) => m.name === 'seq'), 'the seq field');
      const field = { offset: seqField.offset, length: seqField.type.size };
      assert.deepStrictEqual(field, { offset: 4, length: 4 });
      assert.ok((await h.ready({}, handlerContext)).overlays.some((v) => v.id === views[0].id), 'the timeline shows the overlay');
      const prev = present(await h.timelineChange({ ...field, direction: -1 }, handlerContext), 'the previous change of seq');
      assert.strictEqual(prev.frame, firstWith(3).frame, 'the frame where seq became 3, not a later stamp change');
      assert.strictEqual(await seqNow(), 3);
      const before = present(await h.timelineChange({ ...field, direction: -1 }, handlerContext), 'the change before');
      assert.strictEqual(before.frame, firstWith(2).frame);
      assert.strictEqual(await seqNow(), 2);
      // One step back: seq 1 (the frame before the change).
      await h.timelineSeek({ step: -1 }, handlerContext);
      assert.strictEqual(await seqNow(), 1);
      // The editor heard each move and got the changed bytes pushed with heat.
      await waitFor(() => host.lastPosted('timeline')?.index === before.index - 1, 'the timeline event');
      await waitFor(() => causes.includes('frame'), 'a frame push');
      posts.dispose();
      // Scrub by time: the last frame at or before it.
      const t1 = firstWith(1).t;
      assert.strictEqual((await h.timelineSeek({ ms: t1 + 0.001 }, handlerContext)).frame, firstWith(1).frame);
      assert.strictEqual(await seqNow(), 1);
      assert.ok(last.index > 0);
    } finally {
      await vscode.commands.executeCommand('shmInspector.removeCType', views[0].id);
    }

    // The Watch plot shows the span the open timeline covers as a band.
    const band = present((await watches.webviewHandlers().ready({})).state.recorded, 'the recorded band in the Watch view\'s state');
    const lastT = rec.info(rec.frameCount - 1).t;
    assert.ok(Math.abs(band.from - (rec.header.startWallMs + rec.info(0).t - session.sessionStart)) < 1, JSON.stringify(band));
    assert.ok(Math.abs(band.to - band.from - (lastT - rec.info(0).t)) < 1, JSON.stringify(band));
    // A click on the Watch plot at the moment seq became 2 scrubs the open timeline there.
    // (1 ms after it: a time that went through wall-clock arithmetic is not exact to the ns)
    const wall = rec.header.startWallMs + firstWith(2).t + 1;
    await watches.webviewHandlers().seek({ t: wall - session.sessionStart });
    await waitFor(async () => (await seqNow()) === 2, 'the timeline to move to the clicked moment');
  });

  it('a C type field named as the sequence counter: watches and recordings retry torn samples and say how many', async () => {
    const header = path.join(tmp, 'locked.h');
    fs.writeFileSync(header, '#include <stdint.h>\nstruct locked { uint32_t magic; uint32_t seq; uint64_t value; uint16_t tag; };\n');
    const info = await segs.make({ size: SIZE, fill: false });
    await segs.write(info, 4, u32(3)); // odd: a writer is in the middle, and stays there
    const uri = segmentUri(info);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'shmInspector.hexEditor');
    const doc = await waitFor(() => provider.documentFor(uri), 'the segment\'s editor');
    await waitFor(() => provider.editorsOf(doc).at(0)?.active, 'the editor to be active');
    const views = present(await vscode.commands.executeCommand<OverlayView[] | undefined>('shmInspector.applyCType', { header, typeName: 'struct locked' }), 'the overlay');
    try {
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.setSequenceCounter', { overlay: views[0].id, field: 'tag' }), undefined, 'a u16 is no sequence counter (the error is shown)');
      const counter = await vscode.commands.executeCommand('shmInspector.setSequenceCounter', { overlay: views[0].id, field: 'seq' });
      assert.deepStrictEqual(counter, { offset: 4, size: 4 });

      // Watching: every sample is torn while seq stays odd; the view's status line counts them.
      await vscode.commands.executeCommand('shmInspector.watchValue', { segmentId: info.id, offset: 8, type: 'u64' });
      const session = present(watches.session, 'the watch session');
      await waitFor(() => session.torn.giveUps > 0, 'torn samples given up', 20000);
      assert.ok(session.torn.retries >= session.torn.giveUps, JSON.stringify(session.torn));
      assert.match(session.state.message ?? '', /^Sequence counter seq: \d+ torn reads? retried, \d+ given up$/);
      await vscode.commands.executeCommand('shmInspector.clearWatches');

      // Recording: torn samples are read again, then (seq even) frames are kept; the end says how many.
      const s = await start(info, { hz: 100 });
      await waitFor(async () => (await extensionAgent.request('recordStatus', { recording: s.recording })).retries > 0, 'torn reads in the recording', 20000);
      await segs.write(info, 4, u32(4));
      await segs.write(info, 8, u32(77));
      await moreFrames(s.recording, 2);
      const end = present(await vscode.commands.executeCommand<SessionEnd | undefined>('shmInspector.stopRecording', s.path), 'the end');
      assert.ok(end.retries > 0 && end.giveUps > 0, JSON.stringify(end));
      const rec = Recording.open(end.path);
      assert.ok((rec.end.stats?.retries ?? 0) > 0, `the file's end record counts them: ${JSON.stringify(rec.end.stats)}`);
      assert.strictEqual(rec.at(rec.lastFrame).readUInt32LE(8), 77);
      for (const f of rec.frames()) assert.strictEqual(rec.at(f.frame).readUInt32LE(4) % 2, 0, `frame ${f.frame} was read while seq was odd`);
    } finally {
      await vscode.commands.executeCommand('shmInspector.removeCType', views[0].id);
    }
  });

  it('a segment destroyed mid-recording ends it with a message; the file stays readable', async () => {
    const info = await segs.make({ size: SIZE });
    const stub = sharesVscodeApi() ? stubWindow({}) : undefined;
    try {
      const s = await start(info, { offset: 0x100, length: 0x100, hz: 100 });
      await segs.write(info, 0x100, u32(0x600df00d));
      await moreFrames(s.recording, 2);
      await other.request('destroy', { expect: { id: info.id, key: info.key, cpid: info.cpid, size: info.size, ctime: info.ctime } });
      await waitFor(() => sessions.list().length === 0, 'the recording to end', 20000);
      const rec = Recording.open(s.path);
      assert.strictEqual(rec.end.reason, 'destroyed');
      assert.match(rec.end.message ?? '', new RegExp(`segment ${info.id} (was destroyed|is gone)`));
      assert.strictEqual(rec.at(rec.lastFrame).readUInt32LE(0), 0x600df00d);
      if (stub) {
        const warning = await waitFor(() => stub.shown.find((m) => m.fn === 'showWarningMessage'), 'the warning');
        assert.match(String(warning.args[0]), new RegExp(`Recording of segment .*\\(id ${info.id}\\) ended: segment ${info.id} (was destroyed|is gone)\\. \\d+ frames?, .* saved\\.`));
      }
      // Nothing of ours keeps it: the segment is gone once the recording detached.
      const { segments } = await other.request('list', {});
      assert.ok(!segments.some((x) => x.id === info.id), 'the destroyed segment is gone');
    } finally {
      stub?.restore();
    }
  });

  it('refuses a range past the end, Stop with nothing recording and a damaged file, in one line each', async () => {
    const info = await segs.make({ size: SIZE, fill: false });
    const stub = sharesVscodeApi() ? stubWindow({}) : undefined;
    try {
      const none = await vscode.commands.executeCommand('shmInspector.startRecording', info, undefined, { offset: SIZE - 8, length: 64 });
      assert.strictEqual(none, undefined);
      assert.strictEqual(sessions.list().length, 0);
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.stopRecording'), undefined);
      const damaged = path.join(tmp, 'damaged.shmrec');
      fs.writeFileSync(damaged, Buffer.concat([Buffer.from('SHMTLREC'), Buffer.alloc(8, 0xff)]));
      assert.strictEqual(await vscode.commands.executeCommand('shmInspector.openRecordingFile', damaged, { frame: 0, show: true }), undefined);
      if (stub) {
        const errors = stub.shown.filter((m) => m.fn === 'showErrorMessage').map((m) => String(m.args[0]));
        assert.strictEqual(errors.length, 3, errors.join(' | '));
        assert.match(errors[0], /past the end of segment/);
        assert.match(errors[1], /nothing is being recorded/);
        assert.match(errors[2], /damaged\.shmrec: recording format version \d+ is not supported/);
        for (const e of errors) assert.doesNotMatch(e, /\n|    at /);
      }
    } finally {
      stub?.restore();
    }
  });
});
