// Recording in VS Code (issue 12): Start Recording on a segment (its row, or the palette's pick)
// with an optional range; a status-bar item while recording (click: Stop Recording); a message
// when one ends (stopped, the segment destroyed, a failure); Open Recording… (the extension's
// recordings, each with a delete button) and Open Recording File…: the recording as a timeline in
// the hex editor (timelines.ts), or, for a programmatic caller, a moment's bytes saved as a file or
// a snapshot. Sampling and writing happen in the agent (sessions.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SegmentInfo } from '../../protocol/segment';
import { formatSize } from '../../protocol/size';
import { MAX_HZ, MIN_HZ, tornText } from '../../timeline/sampler';
import { type CommandContext, UserError, registerGuarded, targetSegments } from '../commands/context';
import { formatKeyLabel } from '../format';
import { readModeSetting } from '../hexEditor/settings';
import { footprintFor } from '../hexEditor/source';
import { SnapshotStore, type SnapshotMeta } from '../inspect/snapshots';
import { command, setting } from '../manifest';
import { errorMessage } from '../segments/errorText';
import { type RecordedSegment, describeSummary, deleteRecording, frameFor, listRecordings, loadRecording } from './recordingFiles';
import { RECORDING_EXT, formatDuration, parseRange, rangeText, segmentName, statusText } from './recordingText';
import type { Timelines } from './timelines';
import { type RecordingOptions, RecordingSessions, type Session, type SessionEnd } from './sessions';

const RECORDING_CONTEXT = `${setting('recording')}.active`; // shmInspector.recording.active
const OPEN = 'Open';

export interface RecordingSettings {
  hz: number;
  budgetMiB: number;
}

export function recordingSettings(): RecordingSettings {
  const c = vscode.workspace.getConfiguration();
  const hz = c.get<number>(setting('recording.hz'), 100);
  const budgetMiB = c.get<number>(setting('recording.budgetMiB'), 64);
  return {
    hz: Number.isFinite(hz) ? Math.min(MAX_HZ, Math.max(MIN_HZ, Math.round(hz))) : 100,
    budgetMiB: Number.isFinite(budgetMiB) && budgetMiB >= 1 ? budgetMiB : 64,
  };
}

/** What a programmatic caller (a test, another command) may pass to skip the prompts. */
export interface StartArgs {
  offset?: number;
  length?: number;
  hz?: number;
  budgetMiB?: number;
}

/** What a programmatic caller may pass to Open Recording File…: the moment and what to do with it. */
export interface FrameArgs {
  frame?: number;
  atMs?: number;
  /** Save the frame's bytes to this file. */
  saveTo?: string;
  /** Save the frame as a snapshot of its segment (whole-segment recordings). */
  snapshot?: boolean;
  /** Open the timeline at that moment (the default). */
  show?: boolean;
}

/** The segment's seqlock counter, if one of its C types names one (OverlayService.sequenceCounter). */
export type SeqLookup = (info: SegmentInfo) => Promise<{ offset: number; size: 4 | 8 } | undefined>;

export interface RecordingApi {
  readonly sessions: RecordingSessions;
}

export function registerRecording(ctx: CommandContext, context: vscode.ExtensionContext, timelines: Timelines, seqOf: SeqLookup): { disposables: vscode.Disposable[]; api: RecordingApi } {
  const storage = context.globalStorageUri.fsPath;
  const sessions = new RecordingSessions(ctx.agent, path.join(storage, 'recordings'));
  const snapshots = new SnapshotStore(path.join(storage, 'snapshots'));
  const item = vscode.window.createStatusBarItem(setting('recording'), vscode.StatusBarAlignment.Left, 100);
  item.name = 'SHM Inspector Recording';
  item.command = command('stopRecording');
  item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  let active = false;
  const refreshItem = () => {
    const running = sessions.list();
    if (active !== running.length > 0) {
      active = running.length > 0;
      void vscode.commands.executeCommand('setContext', RECORDING_CONTEXT, active);
    }
    if (!running.length) { item.hide(); return; }
    item.text = statusText(running.map((s) => s.progress));
    item.tooltip = `Recording ${running.map((s) => `${segmentName(s.segment)} (${rangeText(s.options.offset, s.options.length, s.segment.size)}, ${s.options.hz} Hz)`).join('; ')}. Click to stop.`;
    item.show();
  };
  const reg = (name: string, action: string, fn: (...args: any[]) => unknown) => registerGuarded(ctx, name, action, fn); // eslint-disable-line @typescript-eslint/no-explicit-any
  const openFile = (file: string, args?: FrameArgs) => openRecordingFile(file, snapshots, timelines, args);
  const disposables: vscode.Disposable[] = [
    toDisposable(item),
    toDisposable(sessions),
    toDisposable(sessions.onDidChange(refreshItem)),
    toDisposable(sessions.onDidEnd(({ session, end }) => { void reportEnd(session, end, openFile); })),
    reg('startRecording', 'Start recording', (target?: unknown, selected?: unknown, args?: StartArgs) => startRecording(ctx, sessions, seqOf, target, selected, args)),
    reg('stopRecording', 'Stop recording', (which?: unknown) => stopRecording(sessions, which)),
    reg('openRecording', 'Open recording', () => openRecordingFromStore(sessions.folder, openFile)),
    reg('openRecordingFile', 'Open recording file', async (file?: unknown, args?: FrameArgs) => {
      const target = typeof file === 'string' ? file : file instanceof vscode.Uri ? file.fsPath : await pickRecordingFile(sessions.folder);
      return target === undefined ? undefined : openFile(target, args);
    }),
  ];
  return { disposables, api: { sessions } };
}

function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return new vscode.Disposable(() => d.dispose());
}

// --- start and stop ------------------------------------------------------------------------------

async function startRecording(ctx: CommandContext, sessions: RecordingSessions, seqOf: SeqLookup, target: unknown, selected: unknown, args?: StartArgs): Promise<{ path: string; recording: number } | undefined> {
  let info: SegmentInfo | undefined;
  if (target !== undefined && target !== null) {
    const infos = targetSegments(ctx, target, selected);
    if (infos.length !== 1) throw new UserError('select one segment to record');
    info = infos[0];
  } else {
    info = await pickSegment(ctx);
    if (!info) return undefined;
  }
  const settings = recordingSettings();
  let range = { offset: args?.offset ?? 0, length: args?.length ?? info.size - (args?.offset ?? 0) };
  if (!args) {
    const text = await vscode.window.showInputBox({
      title: `Record ${segmentName(info)}`,
      prompt: `Range to record: empty for all ${formatSize(info.size)}, or OFFSET+LENGTH (0x100+64), or START-END (0x100-0x200). ${settings.hz} Hz, at most ${settings.budgetMiB} MiB kept (settings: shmInspector.recording.*).`,
      placeHolder: 'the whole segment',
      validateInput: (t) => { const r = parseRange(t, info.size); return r.ok ? undefined : r.error; },
    });
    if (text === undefined) return undefined;
    const r = parseRange(text, info.size);
    if (!r.ok) throw new UserError(r.error);
    range = r.value;
  }
  const options: RecordingOptions = {
    ...range, hz: args?.hz ?? settings.hz, budget: Math.round((args?.budgetMiB ?? settings.budgetMiB) * 1024 * 1024),
    // As the hex editor reads it: other users' segments without an attachment of ours (readMode auto).
    footprint: footprintFor(readModeSetting(), info),
  };
  const seq = await seqOf(info);
  if (seq) options.seq = { offset: seq.offset, size: seq.size };
  const session = await sessions.start(info, options);
  vscode.window.setStatusBarMessage(`Recording ${segmentName(info)} at ${options.hz} Hz`, 3000);
  return { path: session.path, recording: session.recording };
}

interface SegmentPick extends vscode.QuickPickItem {
  info: SegmentInfo;
}

async function pickSegment(ctx: CommandContext): Promise<SegmentInfo | undefined> {
  const { segments } = await ctx.agent.request('list', {});
  if (!segments.length) throw new UserError('there are no shared-memory segments to record');
  const pick = await vscode.window.showQuickPick<SegmentPick>(
    segments.map((info) => ({ info, label: formatKeyLabel(info.key), description: `id ${info.id} · ${formatSize(info.size)} · ${info.user}`, detail: info.creatorCommand ? `created by ${info.creatorCommand} (pid ${info.cpid})` : undefined })),
    { title: 'Start Recording', placeHolder: 'Pick the segment to record', matchOnDescription: true },
  );
  return pick?.info;
}

async function stopRecording(sessions: RecordingSessions, which?: unknown): Promise<SessionEnd | SessionEnd[] | undefined> {
  const running = sessions.list();
  if (!running.length) throw new UserError('nothing is being recorded');
  let chosen: Session[];
  if (typeof which === 'string') {
    const s = running.find((r) => r.path === which);
    if (!s) throw new UserError(`no recording into ${which} is running`);
    chosen = [s];
  } else if (running.length === 1 || which === 'all') {
    chosen = running;
  } else {
    const all = { label: 'Stop All', sessions: running };
    const pick = await vscode.window.showQuickPick([all, ...running.map((s) => ({ label: segmentName(s.segment), description: `${formatDuration(s.progress.elapsedMs)} · ${s.progress.frames} frames`, sessions: [s] }))], { title: 'Stop Recording' });
    if (!pick) return undefined;
    chosen = pick.sessions;
  }
  const ends = await Promise.all(chosen.map((s) => sessions.stop(s)));
  return typeof which === 'string' || ends.length === 1 ? ends[0] : ends;
}

/** Says how a recording ended; the file can be opened from the message. */
async function reportEnd(session: Session, end: SessionEnd, openFile: (file: string) => Promise<unknown>): Promise<void> {
  const name = segmentName(session.segment);
  if (end.writeError) {
    void vscode.window.showErrorMessage(`Recording of ${name} failed: ${end.writeError}.`);
    return;
  }
  const torn = end.retries || end.giveUps ? `; ${tornText(end.retries, end.giveUps)}` : '';
  const saved = `${end.frames.toLocaleString('en-US')} frame${end.frames === 1 ? '' : 's'}, ${formatSize(end.fileBytes)} saved${torn}`;
  const choice = end.reason === 'stopped' && !end.message
    ? await vscode.window.showInformationMessage(`Recording of ${name} stopped: ${saved}.`, OPEN)
    : await vscode.window.showWarningMessage(`Recording of ${name} ended: ${end.message ?? end.reason}. ${saved}.`, OPEN);
  if (choice === OPEN) await openFile(end.path).catch((err: unknown) => vscode.window.showErrorMessage(`Open recording failed: ${errorMessage(err)}`));
}

// --- opening recordings -------------------------------------------------------------------------------

interface StoredPick extends vscode.QuickPickItem {
  file: string;
}

const DELETE_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete Recording' };

/** Open Recording…: the extension's recordings, newest first, each with a delete button. */
async function openRecordingFromStore(dir: string, openFile: (file: string) => Promise<unknown>): Promise<unknown> {
  const qp = vscode.window.createQuickPick<StoredPick>();
  qp.title = 'Open Recording';
  qp.placeholder = 'Pick a recording (Open Recording File… for one elsewhere)';
  qp.matchOnDescription = true;
  qp.busy = true;
  const load = async () => {
    const listed = await listRecordings(dir);
    qp.items = listed.map((r) => r.summary
      ? { file: r.file, label: path.basename(r.file, `.${RECORDING_EXT}`), description: describeSummary(r.summary), buttons: [DELETE_BUTTON] }
      : { file: r.file, label: `$(warning) ${path.basename(r.file)}`, description: r.error, buttons: [DELETE_BUTTON] });
    qp.busy = false;
    if (!listed.length) qp.placeholder = 'No recordings yet: use Start Recording on a segment';
  };
  void load();
  qp.onDidTriggerItemButton(async (e) => {
    qp.ignoreFocusOut = true; // the question's dialog takes the focus: keep the list open under it
    const ok = await vscode.window.showWarningMessage(`Delete the recording ${path.basename(e.item.file)}?`, { modal: true }, 'Delete');
    qp.ignoreFocusOut = false;
    qp.show();
    if (ok !== 'Delete') return;
    try {
      deleteRecording(dir, e.item.file);
    } catch (err) {
      void vscode.window.showErrorMessage(`Delete recording failed: ${errorMessage(err)}`);
    }
    await load();
  });
  const file = await new Promise<string | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems.at(0)?.file));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  return file === undefined ? undefined : openFile(file);
}

async function pickRecordingFile(folder: string): Promise<string | undefined> {
  const uris = await vscode.window.showOpenDialog({
    title: 'Open Recording File', canSelectMany: false, openLabel: 'Open Recording',
    defaultUri: fs.existsSync(folder) ? vscode.Uri.file(folder) : undefined,
    filters: { 'SHM Inspector recordings': [RECORDING_EXT], 'All files': ['*'] },
  });
  const uri = uris?.[0];
  if (uri && uri.scheme !== 'file') throw new UserError(`recordings are read where the segments are: choose a file on this machine (got ${uri.toString()})`);
  return uri?.fsPath;
}

/**
 * Open a recording: as a timeline in the hex editor (at a moment, if given). With args (tests,
 * other commands) a moment's bytes may instead be saved to a file or as a snapshot.
 */
async function openRecordingFile(file: string, snapshots: SnapshotStore, timelines: Timelines, args?: FrameArgs): Promise<unknown> {
  const rec = await loadRecording(file).catch((err: unknown) => { throw new UserError(errorMessage(err)); });
  const moment = args && (args.frame !== undefined || args.atMs !== undefined) ? { frame: frameFor(rec, args) } : undefined;
  if (!moment || !(args?.snapshot || args?.saveTo)) return timelines.open(file, moment);
  const frame = moment.frame;
  const info = rec.info(rec.indexOf(frame));
  const bytes = rec.at(frame);
  if (args.snapshot) {
    const whole = rec.header.offset === 0 && rec.header.length === rec.header.segment.size;
    const seg = rec.header.segment as RecordedSegment;
    if (!whole || seg.cpid === undefined || seg.ctime === undefined) {
      throw new UserError(whole ? 'this recording does not name its segment\'s creator: save the frame bytes as a file instead' : 'only a recording of a whole segment makes a snapshot: save the frame bytes as a file instead');
    }
    return snapshotOf(snapshots, seg, bytes, `${path.basename(file, `.${RECORDING_EXT}`)} frame ${frame} (${info.t.toFixed(3)} ms)`);
  }
  const to = args.saveTo as string;
  await fs.promises.writeFile(to, bytes, { mode: 0o600 });
  return { path: to, bytes: bytes.length, frame };
}

/** A frame's bytes as a snapshot of the recorded segment (the store the hex editor compares with). */
function snapshotOf(store: SnapshotStore, seg: RecordedSegment, bytes: Buffer, label: string): Promise<SnapshotMeta> {
  const identity = { id: seg.id, key: seg.key, size: seg.size, cpid: seg.cpid ?? 0, ctime: seg.ctime ?? 0 };
  return store.take({
    identity,
    dumpTo: async (file) => { await fs.promises.writeFile(file, bytes, { mode: 0o600 }); },
    diffWith: () => Promise.reject(new Error('a recorded frame is not a live segment')),
  }, label);
}
