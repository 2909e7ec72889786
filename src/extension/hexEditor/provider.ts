// The custom editor shmInspector.hexEditor: one HexDocument per segment URI (attached once),
// any number of webviews on it. VS Code's undo stack, dirty state, save, revert, Save As and
// hot-exit backups go through here to the document; live inspection (bookmarks, snapshots,
// export/import) through LiveInspection, shared by the webviews' requests and the palette.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentClient } from '../agent/client';
import type { Handlers } from '../../protocol/rpc';
import type { WebviewToHost } from '../../protocol/webview';
import { HEX_EDITOR, SCHEME, TIMELINE_EDITOR, command } from '../manifest';
import { loadRecording } from '../timeline/recordingFiles';
import { RecordingSource } from './recordingSource';
import { parseSegmentUri } from '../shmUri';
import { applyCandidate, backupMatches, decodeBackup, encodeBackup, orphanMessage, type BackupData } from './backup';
import { BackupSource } from './backupSource';
import { goToOffsetCommand, openSegmentCommand } from './commands';
import { HexDocument, SaveCancelled, type DocumentPrompts } from './document';
import type { Disposable } from './emitter';
import { identityOf, sameSegment, type SegmentIdentity, type SegmentInfo } from '../../protocol/segment';
import { createHandlers, type HandlerDeps } from './handlers';
import { registerInspectCommands } from './inspection/commands';
import { LiveInspection } from './inspection/liveInspection';
import { startSaveAs, vscodeOrphanPrompt, vscodePrompts, type OrphanPrompt } from './prompts';
import { saveDocumentAs } from './saveAs';
import { SegmentWatcher } from './segmentWatcher';
import { HEX_SECTION, readHexSettings, readModeSetting, writeThroughEnabled } from './settings';
import { SegmentSource } from './source';
import { errorMessage, isGoneError, type ByteSource } from './byteSource';
import { WebviewHost } from './webviewHost';
import { OverlayStore } from '../../ctypes/overlayStore';
import { registerOverlayCommands } from '../overlays/commands';
import { OverlayService, type OverlayPrompts } from '../overlays/overlayService';
import { vscodeOverlayPrompts, vscodeOverlayWorkspace } from '../overlays/vscodeOverlays';
import { ReasonedSource, ownerReadOnlyReason } from './writePolicy';

/** Command that hands the provider to integration tests (not contributed: not in the palette). */
export const TEST_API_COMMAND = command('_hexEditorApi');
const OPEN_FOR_WRITING = 'Open for Writing…';

interface Entry {
  doc: HexDocument;
  hosts: Set<WebviewHost>;
  watcher: SegmentWatcher;
}

export class HexEditorProvider implements vscode.CustomEditorProvider<HexDocument>, vscode.Disposable {
  private readonly editEmitter = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<HexDocument>>();
  readonly onDidChangeCustomDocument = this.editEmitter.event;
  private readonly savedEmitter = new vscode.EventEmitter<HexDocument>();
  /** A document's edits were written to its segment (Save): the Watch view marks it. */
  readonly onDidSaveSegment = this.savedEmitter.event;
  private readonly timelinesEmitter = new vscode.EventEmitter<void>();
  /** A recording was opened as a timeline, or its last editor closed. */
  readonly onDidChangeTimelines = this.timelinesEmitter.event;
  private readonly entries = new Map<HexDocument, Entry>();
  /** Anything with dispose(): vscode's emitters and the agent's listeners are not vscode.Disposable instances. */
  private readonly subscriptions: Disposable[] = [];
  private lastActive: WebviewHost | undefined;
  private disposed = false;
  /** The document's questions; tests may replace them. */
  prompts: DocumentPrompts = vscodePrompts;
  /** What to do with a restored backup whose segment is gone; tests may replace it. */
  orphanPrompt: OrphanPrompt = vscodeOrphanPrompt;
  /** Bookmarks, snapshots, export/import (its prompts are replaceable too). */
  readonly inspection: LiveInspection;
  /** C types applied over segments (issue 11). */
  readonly overlays: OverlayService;
  /** Apply C Type…'s questions; tests may replace them. */
  overlayPrompts: OverlayPrompts = vscodeOverlayPrompts;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly agent: AgentClient,
    storage: { globalState: vscode.Memento; globalStoragePath: string },
  ) {
    this.inspection = new LiveInspection(storage.globalState, path.join(storage.globalStoragePath, 'snapshots'), agent, {
      documents: () => [...this.entries.keys()],
      hostsOf: (doc) => [...(this.entries.get(doc)?.hosts ?? [])],
    });
    this.overlays = new OverlayService(new OverlayStore(), {
      documents: () => [...this.entries.keys()],
      hostsOf: (doc) => [...(this.entries.get(doc)?.hosts ?? [])],
    }, vscodeOverlayWorkspace, () => this.overlayPrompts);
    this.subscriptions.push(
      this.overlays,
      this.editEmitter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(HEX_SECTION)) return;
        const settings = readHexSettings();
        for (const entry of this.entries.values()) for (const h of entry.hosts) h.sendSettings(settings);
      }),
      agent.onDidExit(() => {
        // Re-attach (or find the segment gone) soon, not at the next poll.
        const t = setTimeout(() => { for (const e of this.entries.values()) if (e.hosts.size) e.watcher.poll(); }, 300);
        t.unref();
      }),
    );
  }

  // ---- CustomEditorProvider ---------------------------------------------------------

  async openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext): Promise<HexDocument> {
    if (uri.scheme !== SCHEME) return this.openRecording(uri);
    const ref = parseSegmentUri(uri);
    let backup: BackupData | undefined;
    if (openContext.backupId) {
      try {
        backup = decodeBackup(await vscode.workspace.fs.readFile(vscode.Uri.parse(openContext.backupId)));
      } catch (err) {
        void vscode.window.showWarningMessage(`Unsaved edits of ${uri.path} could not be restored: ${errorMessage(err)}`);
      }
    }
    // A backup whose segment is gone or replaced opens on its own bytes: never dropped.
    if (backup) {
      const now = await this.segmentNow(ref.id);
      if (now !== 'unknown' && !(now && backup.identity.ctime >= 0 && sameSegment(now, backup.identity))) {
        return this.openOrphan(uri, backup, now && identityOf(now));
      }
    }
    const expect = ref.expect ?? backup?.identity;
    const ownerReason = ref.readOnly ? undefined : await this.ownerReadOnly(ref.id, ref.write);
    const opened = await SegmentSource.open(this.agent, { id: ref.id, expect, readOnly: ref.readOnly || ownerReason !== undefined, readMode: readModeSetting() });
    const source = ownerReason ? new ReasonedSource(opened, ownerReason) : opened;
    if (ownerReason) {
      void vscode.window.showInformationMessage(`Segment ${uri.path.split('/').pop()}: ${ownerReason}.`, OPEN_FOR_WRITING).then((choice) => {
        if (choice === OPEN_FOR_WRITING) void vscode.commands.executeCommand(command('openForWriting'), uri);
      });
    }
    if (backup && !backupMatches(backup.identity, source.identity)) {
      await source.close();
      return this.openOrphan(uri, backup, source.identity);
    }
    try {
      return this.addDocument(uri, source, backup);
    } catch (err) {
      await source.close(); // a document that could not be made must not keep the segment attached
      throw err;
    }
  }

  /** A recording file as a timeline: read-only bytes of one moment at a time. */
  private async openRecording(uri: vscode.Uri): Promise<HexDocument> {
    if (uri.scheme !== 'file') throw new Error(`recordings are read where the segments are: open a file on this machine (got ${uri.toString()})`);
    const rec = await loadRecording(uri.fsPath);
    return this.addDocument(uri, new RecordingSource(rec), undefined);
  }

  /** The open timelines (recordings in an editor), for the Watch view's plot clicks and commands. */
  timelines(): { doc: HexDocument; source: RecordingSource }[] {
    const out: { doc: HexDocument; source: RecordingSource }[] = [];
    for (const doc of this.entries.keys()) if (doc.source instanceof RecordingSource) out.push({ doc, source: doc.source });
    return out;
  }

  /** The segment with this id now; undefined if there is none, 'unknown' if the agent could not tell. */
  private async segmentNow(id: number): Promise<SegmentInfo | undefined | 'unknown'> {
    try {
      return await this.agent.request('stat', { id });
    } catch (err) {
      return isGoneError(err) ? undefined : 'unknown'; // unknown: open as usual, which reports why
    }
  }

  /** Open a backup's edits without their segment, and offer Save As or applying them to the segment with its key now. */
  private openOrphan(uri: vscode.Uri, backup: BackupData, current: SegmentIdentity | undefined): HexDocument {
    const message = orphanMessage(backup, current);
    const doc = this.addDocument(uri, new BackupSource(backup.identity, message), backup);
    void doc.refreshStatus();
    void this.offerOrphan(doc, backup, message);
    return doc;
  }

  private async offerOrphan(doc: HexDocument, backup: BackupData, message: string): Promise<void> {
    try {
      const { segments } = await this.agent.request('list', {}).catch(() => ({ segments: [] }));
      const target = applyCandidate(backup, segments);
      const answer = await this.orphanPrompt(doc, message, target && `Apply to Segment ${target.id}`);
      if (answer === 'saveAs') startSaveAs(doc);
      if (answer !== 'apply' || !target) return;
      const source = await SegmentSource.open(this.agent, { id: target.id, expect: identityOf(target), readOnly: false });
      try {
        await doc.saveTo(source);
      } finally {
        await source.close();
      }
      void vscode.window.showInformationMessage(`The edits from the backup were written to segment ${target.id}.`);
    } catch (err) {
      const text = err instanceof SaveCancelled ? `${err.message}.` : errorMessage(err);
      void vscode.window.showWarningMessage(`${text} The edits are still in the editor of ${doc.uri.path}.`);
    }
  }

  private addDocument(uri: vscode.Uri, source: ByteSource, backup: BackupData | undefined): HexDocument {
    const doc = new HexDocument(source, {
      uri,
      prompts: { conflict: (...a) => this.prompts.conflict(...a), saveGone: (...a) => this.prompts.saveGone(...a) },
      writeThrough: writeThroughEnabled,
      backup,
    });
    const entry: Entry = { doc, hosts: new Set(), watcher: new SegmentWatcher(doc, () => [...entry.hosts].some((h) => h.visible)) };
    this.entries.set(doc, entry);
    doc.onDidEdit((rec) => {
      this.editEmitter.fire({ document: doc, label: rec.label, undo: () => doc.undo(rec), redo: () => doc.redo(rec) });
    });
    doc.onDidDispose(() => {
      entry.watcher.dispose();
      for (const h of entry.hosts) h.dispose();
      this.entries.delete(doc);
      if (source.timeline) this.timelinesEmitter.fire();
    });
    if (source.timeline) this.timelinesEmitter.fire();
    return doc;
  }

  /** Root opens other users' segments read-only unless asked to write: why, or undefined. */
  private async ownerReadOnly(id: number, write: boolean): Promise<string | undefined> {
    const euid = process.geteuid?.();
    if (write || euid !== 0) return undefined; // no need to ask the agent
    const info = await this.agent.request('stat', { id }).catch(() => undefined);
    return ownerReadOnlyReason({ euid, ownerUid: info?.uid, ownerName: info?.user ?? '', write });
  }

  resolveCustomEditor(doc: HexDocument, panel: vscode.WebviewPanel): void {
    const entry = this.entries.get(doc);
    if (!entry) throw new Error(`segment ${doc.info.id}: the document was closed`);
    const host = new WebviewHost(panel, doc, this.extensionUri, this.handlerDeps());
    entry.hosts.add(host);
    if (panel.active) this.lastActive = host;
    const viewState = panel.onDidChangeViewState(() => {
      if (panel.active) this.lastActive = host;
      entry.watcher.update();
    });
    host.onDidDispose(() => {
      viewState.dispose();
      entry.hosts.delete(host);
      if (this.lastActive === host) this.lastActive = undefined;
      entry.watcher.update();
    });
    entry.watcher.update();
  }

  async saveCustomDocument(doc: HexDocument): Promise<void> {
    try {
      await doc.save();
      this.savedEmitter.fire(doc);
    } catch (err) {
      throw err instanceof SaveCancelled ? new vscode.CancellationError() : err;
    }
  }

  async saveCustomDocumentAs(doc: HexDocument, destination: vscode.Uri, cancellation: vscode.CancellationToken): Promise<void> {
    try {
      await saveDocumentAs(doc, destination, cancellation);
    } catch (err) {
      throw err instanceof SaveCancelled ? new vscode.CancellationError() : err;
    }
  }

  async revertCustomDocument(doc: HexDocument): Promise<void> {
    await doc.revert();
  }

  async backupCustomDocument(doc: HexDocument, context: vscode.CustomDocumentBackupContext): Promise<vscode.CustomDocumentBackup> {
    const destination = context.destination;
    await vscode.workspace.fs.writeFile(destination, encodeBackup(doc.backupData()));
    return {
      id: destination.toString(),
      delete: () => { vscode.workspace.fs.delete(destination).then(undefined, () => undefined); },
    };
  }

  // ---- for commands and tests -------------------------------------------------------

  /** The open document for a shm: URI (exact URI, query included). */
  documentFor(uri: vscode.Uri | string): HexDocument | undefined {
    const key = typeof uri === 'string' ? uri : uri.toString();
    for (const doc of this.entries.keys()) if (doc.uri.toString() === key) return doc;
    return undefined;
  }

  /** The request handlers a webview of this document gets (validation included). */
  handlersFor(uri: vscode.Uri | string): Handlers<WebviewToHost> | undefined {
    const doc = this.documentFor(uri);
    return doc && createHandlers(doc, this.handlerDeps());
  }

  /** How many webviews show this document. */
  editorCount(doc: HexDocument): number {
    return this.entries.get(doc)?.hosts.size ?? 0;
  }

  /** The webviews showing this document. */
  editorsOf(doc: HexDocument): WebviewHost[] {
    return [...(this.entries.get(doc)?.hosts ?? [])];
  }

  /** The hex editor the user worked in last, if still open. */
  activeEditor(): WebviewHost | undefined {
    for (const e of this.entries.values()) for (const h of e.hosts) if (h.active) return h;
    return this.lastActive;
  }

  /** Dispose these with the provider. */
  track(...disposables: Disposable[]): void {
    this.subscriptions.push(...disposables);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.savedEmitter.dispose();
    this.timelinesEmitter.dispose();
    for (const d of this.subscriptions) d.dispose();
    for (const e of [...this.entries.values()]) {
      e.watcher.dispose();
      for (const h of e.hosts) h.dispose();
    }
  }

  /** The overlay operations for webview requests: a failure is also shown (the dialogs were ours). */
  private overlaysForWebview(): HandlerDeps['overlays'] {
    const shown = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
      try {
        return await fn(...a);
      } catch (err) {
        this.overlayPrompts.error(errorMessage(err));
        throw err;
      }
    };
    return {
      initial: (d) => this.overlays.initial(d),
      apply: shown((d, c) => this.overlays.apply(d, c)),
      remove: shown((d, id) => this.overlays.remove(d, id)),
      verify: shown((d, id) => this.overlays.verify(d, id)),
    };
  }

  private handlerDeps(): HandlerDeps {
    return {
      settings: readHexSettings,
      copy: async (text) => { await vscode.env.clipboard.writeText(text); },
      inspect: this.inspection.forWebview(),
      overlays: this.overlaysForWebview(),
      // The Watch view's commands do the rest (and report their own errors); undefined = cancelled.
      watchValue: async (d, target) => {
        const args = 'overlay' in target ? [command('watchField'), { segmentId: d.info.id, path: target.path, overlay: target.overlay }]
          : [command('watchValue'), { segmentId: d.info.id, offset: target.offset, type: target.type }];
        return (await vscode.commands.executeCommand(...(args as [string, unknown]))) !== undefined;
      },
    };
  }
}

function tryRegisterCommand(id: string, fn: (...args: unknown[]) => unknown): vscode.Disposable {
  try {
    return vscode.commands.registerCommand(id, fn);
  } catch (err) {
    // Registered elsewhere already: keep that one rather than fail activation.
    console.warn(`[shm-inspector] ${id}: ${errorMessage(err)}`);
    return new vscode.Disposable(() => undefined);
  }
}

function reportErrors(fn: (...args: unknown[]) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (err) {
      void vscode.window.showErrorMessage(errorMessage(err));
    }
  };
}

/**
 * Register the hex editor, its commands (Open Segment in Hex Editor…, Go to Offset…, live
 * inspection: find, differences, bookmarks, snapshots, export/import) and the test hook.
 * Returns the provider: a Disposable that removes all of them (also added to
 * context.subscriptions; disposing twice is harmless).
 */
export function registerHexEditor(context: vscode.ExtensionContext, agent: AgentClient): HexEditorProvider {
  const provider = new HexEditorProvider(context.extensionUri, agent, {
    globalState: context.globalState,
    // Snapshots live where the segments are (this extension host's machine): a local path
    // (the deprecated context.globalStoragePath is this same fsPath).
    globalStoragePath: context.globalStorageUri.fsPath,
  });
  provider.track(
    ...[HEX_EDITOR, TIMELINE_EDITOR].map((viewType) => vscode.window.registerCustomEditorProvider(viewType, provider, {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    })),
    tryRegisterCommand(command('openSegment'), reportErrors((arg) => openSegmentCommand(agent, arg))),
    tryRegisterCommand(command('goToOffset'), reportErrors((arg) => goToOffsetCommand(provider.activeEditor(), arg))),
    tryRegisterCommand(TEST_API_COMMAND, () => provider),
    ...registerInspectCommands(provider, tryRegisterCommand),
    ...registerOverlayCommands(provider, agent, tryRegisterCommand),
  );
  context.subscriptions.push(provider);
  return provider;
}
