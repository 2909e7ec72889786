// Recordings opened as timelines in the hex editor (issue 12): open a file at a moment, scrub the
// open timelines of a segment to the moment a Watch plot was clicked, and Save Frame as Snapshot.
import * as vscode from 'vscode';
import type { SegmentInfo } from '../../protocol/segment';
import { UserError } from '../commands/context';
import type { HexDocument } from '../hexEditor/document';
import type { HexEditorProvider } from '../hexEditor/provider';
import type { RecordingSource } from '../hexEditor/recordingSource';
import { TIMELINE_EDITOR, command } from '../manifest';

/** Where a timeline opens: a frame number, or the last frame at or before a time (ms since the start). */
export interface Moment {
  frame?: number;
  atMs?: number;
}

export class Timelines {
  constructor(private readonly provider: HexEditorProvider) {}

  /** Open a recording file as a timeline (or show the one open), at a moment if given. */
  async open(file: string, at?: Moment): Promise<vscode.Uri> {
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.openWith', uri, TIMELINE_EDITOR);
    const source = this.sourceOf(uri);
    if (!source) throw new Error(`the recording ${file} did not open`); // the editor reported why
    if (at?.frame !== undefined) {
      const index = source.indexOfFrame(at.frame);
      if (index < 0) throw new UserError(`the recording has no frame ${at.frame}`);
      source.seek({ index });
    } else if (at?.atMs !== undefined) {
      source.seek({ ms: at.atMs });
    }
    return uri;
  }

  /**
   * A Watch plot was clicked: move every open timeline of this segment whose frames cover the
   * moment there, and show the first. Says so when none does.
   */
  seekAt(segment: SegmentInfo, wallMs: number): number {
    const covering = this.ofSegment(segment).filter(({ source }) => source.covers(wallMs));
    for (const { source } of covering) source.seek({ ms: wallMs - source.startWallMs });
    const first = covering.at(0);
    if (first) {
      void vscode.commands.executeCommand('vscode.openWith', first.doc.uri, TIMELINE_EDITOR);
    } else {
      vscode.window.setStatusBarMessage(`No open recording of segment ${segment.id} covers ${new Date(wallMs).toLocaleTimeString()}: open one (Open Recording…) to scrub there.`, 5000);
    }
    return covering.length;
  }

  /** The wall-clock span (ms since the epoch) the open timelines of a segment cover, if any. */
  span(segment: SegmentInfo): { from: number; to: number } | undefined {
    let from = Infinity;
    let to = -Infinity;
    for (const { source } of this.ofSegment(segment)) {
      const span = source.wallSpan;
      from = Math.min(from, span.from);
      to = Math.max(to, span.to);
    }
    return to >= from ? { from, to } : undefined;
  }

  private ofSegment(segment: SegmentInfo): { doc: HexDocument; source: RecordingSource }[] {
    return this.provider.timelines().filter(({ source }) => source.identity.id === segment.id && source.identity.key === segment.key);
  }

  private sourceOf(uri: vscode.Uri): RecordingSource | undefined {
    return this.provider.timelines().find(({ doc }) => doc.uri.toString() === uri.toString())?.source;
  }

  /** Save Frame as Snapshot: Take Snapshot of the timeline in the active editor (the moment shown). */
  register(): vscode.Disposable {
    return vscode.commands.registerCommand(command('saveFrameAsSnapshot'), async () => {
      const host = this.provider.activeEditor();
      if (!host?.doc.source.timeline) {
        void vscode.window.showErrorMessage('Save Frame as Snapshot: open a recording first (Open Recording…); the frame shown is saved.');
        return undefined;
      }
      return vscode.commands.executeCommand(command('takeSnapshot'));
    });
  }
}
