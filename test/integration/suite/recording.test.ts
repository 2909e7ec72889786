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
import { EXTENSION_ID, OtherSegments, REPO, closeAllEditors, expected, present, sharesVscodeApi, stubWindow, waitFor } from './common';

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

  before(async () => {
    const ext = present(vscode.extensions.getExtension(EXTENSION_ID), `extension ${EXTENSION_ID}`);
    const api = (await ext.activate()) as { agent: AgentClient; recording: { sessions: RecordingSessions } };
    sessions = api.recording.sessions;
    extensionAgent = api.agent;
  });

  afterEach(async () => {
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

    // The frame with the third value: saved as a file, as a snapshot, shown as a hex dump.
    const out = path.join(tmp, 'frame.bin');
    const saved = await vscode.commands.executeCommand<{ path: string; bytes: number }>('shmInspector.openRecordingFile', end.path, { frame: frameOf3, saveTo: out });
    assert.strictEqual(saved.bytes, SIZE);
    assert.strictEqual(fs.readFileSync(out).readUInt32LE(0x40), values[2]);
    const meta = await vscode.commands.executeCommand<{ file: string; key: number; size: number }>('shmInspector.openRecordingFile', end.path, { frame: frameOf3, snapshot: true });
    made.push(meta.file, meta.file.replace(/\.bin$/, '.json'));
    assert.deepStrictEqual([meta.key, meta.size], [info.key, SIZE]);
    assert.ok(fs.readFileSync(meta.file).equals(rec.at(frameOf3)), 'the snapshot holds the frame\'s bytes');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('shmInspector.openRecordingFile', end.path, { atMs: rec.info(rec.indexOf(frameOf3)).t, show: true });
    const text = (await vscode.workspace.openTextDocument(uri)).getText();
    assert.match(text, /^00000040  ef be ad de /m, 'the hex dump shows the value at 0x40');
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
