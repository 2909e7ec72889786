// The palette's and the Segments view's overlay commands: Apply C Type… (in a hex editor at its
// cursor, or on a segment's row at offset 0, then opening it), Verify Layout with the Compiler
// and Remove C Type Overlay. An argument with the answers (tests, keybindings) skips the
// questions it answers; each command resolves to what it did.
import * as vscode from 'vscode';
import type { OverlaySpec, OverlayView } from '../../protocol/overlay';
import { parseSpec } from '../../ctypes/overlayStore';
import type { AgentClient } from '../agent/client';
import { openSegmentInEditor } from '../hexEditor/commands';
import { selectionOf } from '../hexEditor/inspection/commands';
import type { WebviewHost } from '../hexEditor/webviewHost';
import { command } from '../manifest';
import { reported } from '../reported';
import { seqCandidates } from '../timeline/watchFields';
import { type OverlayService, refOf } from './overlayService';

export interface OverlayCommandTarget {
  activeEditor(): WebviewHost | undefined;
  readonly overlays: OverlayService;
}

/** A segment named by a tree row, a SegmentInfo or an id. */
function segmentIdOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (!v || typeof v !== 'object') return undefined;
  const o = v as { id?: unknown; key?: unknown; segmentId?: unknown };
  if (typeof o.segmentId === 'number') return o.segmentId;
  if (typeof o.id === 'number' && 'key' in o) return o.id;
  return undefined;
}

/** Spec answers given as an argument: {header|text, typeName, offset?, count?, abi?}. */
function specArg(v: unknown, abi: OverlaySpec['abi']): OverlaySpec | undefined {
  if (!v || typeof v !== 'object' || typeof (v as { typeName?: unknown }).typeName !== 'string') return undefined;
  const o = v as Partial<OverlaySpec>;
  const spec = parseSpec({ offset: 0, count: 1, abi, ...o });
  if (!spec) throw new Error('Apply C Type: the argument is not a valid overlay (header as an absolute path or text, typeName, offset, count)');
  return spec;
}


export function registerOverlayCommands(target: OverlayCommandTarget, agent: AgentClient, register: (id: string, fn: (...args: unknown[]) => unknown) => vscode.Disposable): vscode.Disposable[] {
  const svc = () => target.overlays;
  const noEditor = (what: string) => {
    void vscode.window.showInformationMessage(`${what} works in a shared-memory hex editor: open a segment first, or use it on a segment's row in the Shared Memory view.`);
  };

  return [
    register(command('applyCType'), reported(async (arg?: unknown): Promise<OverlayView[] | undefined> => {
      const rowId = segmentIdOf(arg);
      if (rowId !== undefined) {
        // From a segment's row: at offset 0, then show it.
        const info = await agent.request('stat', { id: rowId });
        const spec = await svc().ask(info.size, 0);
        if (!spec) return undefined;
        await svc().add({ key: info.key, id: info.id, ctime: info.ctime }, spec);
        await openSegmentInEditor(info);
        return undefined;
      }
      const host = target.activeEditor();
      if (!host) {
        noEditor('Apply C Type');
        return undefined;
      }
      const given = specArg(arg, svc().abi);
      if (given) {
        await svc().add(refOf(host.doc), given);
      } else {
        const { cursor } = await selectionOf(host);
        if (!(await svc().apply(host.doc, cursor))) return undefined;
      }
      return svc().viewsOf(host.doc);
    })),

    register(command('verifyLayout'), reported(async (arg?: unknown) => {
      const host = target.activeEditor();
      if (!host) {
        noEditor('Verify Layout with the Compiler');
        return undefined;
      }
      const view = await pickOverlay(host, arg, 'Verify Layout with the Compiler');
      return view && svc().verifySpec(view);
    })),

    register(command('removeCType'), reported(async (arg?: unknown) => {
      const host = target.activeEditor();
      if (!host) {
        noEditor('Remove C Type Overlay');
        return undefined;
      }
      const view = await pickOverlay(host, arg, 'Remove C Type Overlay');
      if (!view) return undefined;
      await svc().remove(host.doc, view.id);
      return view.id;
    })),

    // Arguments (tests): {overlay: id, field: 'hdr.seq' | null}. Resolves to the counter's place, or null when cleared.
    register(command('setSequenceCounter'), reported(async (arg?: unknown) => {
      const host = target.activeEditor();
      if (!host) {
        noEditor('Set Sequence Counter');
        return undefined;
      }
      const a = arg && typeof arg === 'object' ? arg as { overlay?: unknown; field?: unknown } : {};
      const view = await pickOverlay(host, a.overlay, 'Set Sequence Counter');
      if (!view?.type) {
        if (view) throw new Error(`Set Sequence Counter: ${view.label} does not lay out (${view.error ?? 'unknown error'})`);
        return undefined;
      }
      let field: string | null | undefined;
      if (typeof a.field === 'string' || a.field === null) {
        field = a.field;
      } else {
        const candidates = seqCandidates(view, view.type);
        if (!candidates.length) throw new Error(`Set Sequence Counter: ${view.label} has no 4- or 8-byte integer field`);
        const none = { label: '$(close) None', description: 'sample without a sequence counter', field: null };
        const pick = await vscode.window.showQuickPick([...candidates.map((c) => ({ label: c, description: c === view.seq ? 'current' : undefined, field: c })), none], {
          title: `Set Sequence Counter of ${view.label}`,
          placeHolder: 'A counter the writer makes odd while it writes and bumps after (seqlock): torn samples are read again',
        });
        if (!pick) return undefined;
        field = pick.field;
      }
      const counter = await svc().setSequenceCounter(refOf(host.doc), view.id, field ?? undefined);
      return counter ?? null;
    })),
  ];

  async function pickOverlay(host: WebviewHost, arg: unknown, title: string): Promise<OverlayView | undefined> {
    const views = await svc().viewsOf(host.doc);
    if (!views.length) {
      void vscode.window.showInformationMessage(`Segment ${host.doc.info.id} has no C type applied (Shared Memory: Apply C Type…).`);
      return undefined;
    }
    if (typeof arg === 'string') {
      const v = views.find((x) => x.id === arg);
      if (!v) throw new Error(`${title}: segment ${host.doc.info.id} has no such overlay`);
      return v;
    }
    return svc().prompt().pickOverlay(title, views);
  }
}
