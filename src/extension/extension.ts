// Entry point: one agent client per window (the agent process starts with the first request),
// the Segments view, its commands and the hex editor. Every registration goes into
// context.subscriptions; deactivate disposes them, which shuts the agent down.
import * as vscode from 'vscode';
import type { AgentClient } from './agent/client';
import { AgentHost } from './agent/host';
import { registerCommands } from './commands';
import { registerHexEditor } from './hexEditor/provider';
import { SegmentSummaries } from './overlays/segmentSummaries';
import type { SegmentsProvider } from './segments/provider';
import { SegmentsView } from './segments/view';
import { type RecordingApi, registerRecording } from './timeline/commands';
import { Timelines } from './timeline/timelines';
import { type WatchApi, registerWatch } from './timeline/watchCommands';

/** What activate() returns: the extension's public API (used by the integration tests). */
export interface ShmInspectorApi {
  readonly agent: AgentClient;
  readonly agentHost: AgentHost;
  readonly segmentsProvider: SegmentsProvider;
  readonly segmentsView: SegmentsView;
  readonly recording: RecordingApi;
  readonly watch: WatchApi;
}

export function activate(context: vscode.ExtensionContext): ShmInspectorApi {
  const output = vscode.window.createOutputChannel('SHM Inspector');
  const agentHost = new AgentHost(context.asAbsolutePath('dist/agent.js'), output);
  const view = new SegmentsView(agentHost.client, context.workspaceState);
  context.subscriptions.push(output, agentHost, view);
  const commandContext = { agent: agentHost.client, agentHost, view, output };
  context.subscriptions.push(...registerCommands(commandContext));
  const hexEditor = registerHexEditor(context, agentHost.client);
  context.subscriptions.push(hexEditor);
  const timelines = new Timelines(hexEditor);
  const recording = registerRecording(commandContext, context, timelines, (info) => hexEditor.overlays.sequenceCounter(info));
  context.subscriptions.push(...recording.disposables, timelines.register());
  view.provider.overlayLines = new SegmentSummaries(agentHost.client, (spec) => hexEditor.overlays.layout(spec));
  const watch = registerWatch(commandContext, context, {
    layout: (spec) => hexEditor.overlays.layout(spec),
    sequenceCounter: (info) => hexEditor.overlays.sequenceCounter(info),
  });
  context.subscriptions.push(...watch.disposables, hexEditor.onDidSaveSegment((doc) => { watch.api.provider.markSave(doc.info); }));
  watch.api.provider.seekRecordings = (segment, wallMs) => { timelines.seekAt(segment, wallMs); };
  watch.api.provider.recordedSpan = (segment) => timelines.span(segment);
  context.subscriptions.push(hexEditor.onDidChangeTimelines(() => { watch.api.provider.recordingsChanged(); }));
  // After a crash the view's next automatic refresh (or any request) starts a new agent.
  return { agent: agentHost.client, agentHost, segmentsProvider: view.provider, segmentsView: view, recording: recording.api, watch: watch.api };
}

export function deactivate(): void {
  // Everything, including the agent client, is disposed through context.subscriptions.
}
