// Typed overlays, host side (issue 11): which C types are applied over a segment (remembered in
// the OverlayStore per key), laid out from their headers (cached; re-read when a header changes),
// sent to every hex editor of the segment (`overlays`), and the flows the webview and the palette
// start: Apply C Type…, remove, Verify Layout with the Compiler. vscode-free: dialogs come in as
// OverlayPrompts, the workspace (headers, settings, file watching) as OverlayWorkspace.
import { promises as fsp, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CAbi, CType } from '../../protocol/cTypes';
import {
  MAX_OVERLAY_COUNT, type OverlaySpec, type OverlayView, overlayId, overlayLabel,
} from '../../protocol/overlay';
import { hostAbi, layoutText } from '../../ctypes';
import { layoutSpec, type SpecContext, type SpecLayout } from '../../ctypes/overlayLayout';
import { type OverlayStore, type SegmentRef, storeKey } from '../../ctypes/overlayStore';
import { type SeqCounter, seqCounter } from '../timeline/watchFields';
import { hasSegmentOffsets, partialRecordingReason } from '../hexEditor/byteSource';
import { describeDisagreement, verifyLayout, type VerifyResult } from '../../ctypes/verify';
import type { HexDocument } from '../hexEditor/document';
import type { OverlayOps } from '../hexEditor/handlers';
import type { InspectEditors } from '../hexEditor/inspection/target';
import { type HeaderTypes, type TypeChoice, fitOf, sortChoices, typesOf } from './catalog';

/** What the user picked in the first question of Apply C Type…. */
export type TypePick = { kind: 'type'; choice: TypeChoice } | { kind: 'file' } | { kind: 'text' };

export interface OverlayPrompts {
  /** The types of the workspace's headers as they load (`load` adds them; busy until it resolves). */
  pickType(title: string, load: (add: (h: HeaderTypes) => void) => Promise<void>): Promise<TypePick | undefined>;
  /** One header's (or typed declarations') types. */
  pickTypeIn(title: string, choices: TypeChoice[]): Promise<TypeChoice | undefined>;
  chooseHeader(): Promise<string | undefined>;
  declarations(): Promise<string | undefined>;
  /** At the cursor or at 0: the offset chosen. */
  pickPlace(title: string, cursor: number): Promise<number | undefined>;
  /** One value or `count` elements. */
  pickCount(title: string, count: number): Promise<number | undefined>;
  pickOverlay(title: string, views: OverlayView[]): Promise<OverlayView | undefined>;
  info(message: string): void;
  error(message: string): void;
  /** Verify's full report (an output channel) and its one-line summary. */
  report(lines: string[], summary: string, ok: boolean): void;
}

export interface OverlayWorkspace {
  /** Where relative include dirs are from / compile_commands.json is looked for, and the C settings. */
  context(header?: string): SpecContext;
  /** The workspace's C headers and sources, headers first. */
  findHeaders(): Promise<string[]>;
  /** Call `changed` when the file changes or goes. */
  watch(file: string, changed: () => void): { dispose(): void };
}

/** A segment as the store names it. */
export function refOf(doc: HexDocument): SegmentRef {
  return { key: doc.info.key, id: doc.info.id, ctime: doc.identity.ctime };
}

/** The spec as the segment can hold it: count cut to what fits from its offset. */
function fitted(spec: OverlaySpec, type: CType, size: number): { count: number } | { error: string } {
  if (spec.offset >= size) return { error: `offset 0x${spec.offset.toString(16)} is past the end of the segment (${size} bytes)` };
  const { fit, count } = fitOf(type.size, size, spec.offset);
  if (fit === 'too-big') return { error: `${spec.typeName} (${type.size} bytes) does not fit in the segment from 0x${spec.offset.toString(16)} (${size - spec.offset} bytes left)` };
  return { count: Math.min(spec.count, count, MAX_OVERLAY_COUNT) };
}

export class OverlayService implements OverlayOps {
  /** Layouts by overlayId; a header's are dropped when it changes. */
  private readonly layouts = new Map<string, { header?: string; stamp: string; layout: Promise<SpecLayout> }>();
  private readonly watched = new Map<string, { dispose(): void }>();

  constructor(
    private readonly store: OverlayStore,
    private readonly editors: InspectEditors,
    private readonly workspace: OverlayWorkspace,
    /** Asked for at each call: tests replace them. */
    private readonly prompts: () => OverlayPrompts,
    readonly abi: CAbi = hostAbi(),
  ) {}

  /** The prompts in use now. */
  prompt(): OverlayPrompts {
    return this.prompts();
  }

  dispose(): void {
    for (const w of this.watched.values()) w.dispose();
    this.watched.clear();
  }

  // ---- OverlayOps (the webview's requests; also the palette's) ------------------------

  initial(doc: HexDocument): Promise<OverlayView[]> {
    return this.viewsOf(doc);
  }

  async apply(doc: HexDocument, cursor: number): Promise<boolean> {
    const partial = partialRecordingReason(doc.source, 'C types');
    if (partial) throw new Error(partial);
    const spec = await this.ask(doc.size, cursor);
    if (!spec) return false;
    await this.add(refOf(doc), spec);
    return true;
  }

  async remove(doc: HexDocument, id: string): Promise<void> {
    const ref = refOf(doc);
    if (!(await this.store.get(ref)).some((s) => overlayId(s) === id)) throw new Error('That C type overlay is not applied to this segment any more.');
    await this.store.remove(ref, id);
    await this.broadcast(ref);
  }

  async verify(doc: HexDocument, id: string): Promise<void> {
    const spec = (await this.store.get(refOf(doc))).find((s) => overlayId(s) === id);
    if (!spec) throw new Error('That C type overlay is not applied to this segment any more.');
    await this.verifySpec(spec);
  }

  // ---- for commands and tests -----------------------------------------------------------

  /** The overlays of a document as its webviews get them. */
  async viewsOf(doc: HexDocument): Promise<OverlayView[]> {
    if (!hasSegmentOffsets(doc.source)) return [];
    const specs = await this.store.get(refOf(doc));
    return Promise.all(specs.map((s) => this.view(s, doc.size)));
  }

  /**
   * Name `path` (undefined: none) as the sequence counter of the overlay `id` of a segment, after
   * checking that it is one (a 4- or 8-byte integer field). Watches and recordings started from now
   * on use it.
   */
  async setSequenceCounter(ref: SegmentRef, id: string, path: string | undefined): Promise<SeqCounter | undefined> {
    const spec = (await this.store.get(ref)).find((s) => overlayId(s) === id);
    if (!spec) throw new Error('That C type overlay is not applied to this segment any more.');
    const counter = path === undefined ? undefined : seqCounter(spec, (await this.layout(spec)).type, path);
    await this.store.setSeq(ref, id, path);
    await this.broadcast(ref);
    return counter;
  }

  /** The segment's sequence counter, if one of its overlays names one that still lays out. */
  async sequenceCounter(ref: SegmentRef): Promise<(SeqCounter & { field: string }) | undefined> {
    const spec = (await this.store.get(ref)).find((s) => s.seq !== undefined);
    if (!spec?.seq) return undefined;
    try {
      return { ...seqCounter(spec, (await this.layout(spec)).type, spec.seq), field: spec.seq };
    } catch {
      return undefined; // the header changed under it: sample without (the panel shows the overlay's error)
    }
  }

  /** Remember spec for the segment and tell its editors. */
  async add(ref: SegmentRef, spec: OverlaySpec): Promise<void> {
    await this.store.add(ref, spec);
    await this.broadcast(ref);
  }

  /** The questions of Apply C Type… for a segment of `size` bytes; undefined = cancelled. */
  async ask(size: number, cursor: number): Promise<OverlaySpec | undefined> {
    const p = this.prompts();
    const picked = await p.pickType('Apply C Type (1/3): a type from the workspace\'s headers', (add) => this.loadWorkspaceTypes(size, add));
    if (!picked) return undefined;
    let choice: TypeChoice | undefined;
    let text: string | undefined;
    if (picked.kind === 'type') {
      choice = picked.choice;
    } else if (picked.kind === 'file') {
      const header = await p.chooseHeader();
      if (!header) return undefined;
      const types = await typesOf(header, this.workspace.context(header), this.abi, size, 0);
      if ('error' in types) throw new Error(types.error);
      if (!types.choices.length) throw new Error(`${header} declares no struct, union, enum or typedef.`);
      choice = await p.pickTypeIn(`Apply C Type: a type from ${path.basename(header)}`, sortChoices(types.choices));
    } else {
      text = await p.declarations();
      if (!text?.trim()) return undefined;
      const layouts = await layoutText(text, { abi: this.abi, ...this.workspace.context().settings });
      const choices = layouts.declared.flatMap((typeName) => {
        try {
          const t = layouts.lookup(typeName);
          return [{ header: '', typeName, size: t.size, ...fitOf(t.size, size, 0) }];
        } catch {
          return [];
        }
      });
      if (!choices.length) throw new Error('The declarations declare no struct, union, enum or typedef.');
      choice = choices.length === 1 ? choices[0] : await p.pickTypeIn('Apply C Type: one of the declared types', sortChoices(choices));
    }
    if (!choice) return undefined;
    const offset = cursor > 0 ? await p.pickPlace(`Apply ${choice.typeName} (2/3): where`, cursor) : 0;
    if (offset === undefined) return undefined;
    const { fit, count } = fitOf(choice.size, size, offset);
    if (fit === 'too-big') throw new Error(`${choice.typeName} (${choice.size} bytes) does not fit in the segment from 0x${offset.toString(16)} (${size - offset} bytes left).`);
    const n = count > 1 ? await p.pickCount(`Apply ${choice.typeName} (3/3): how many`, count) : 1;
    if (n === undefined) return undefined;
    return { ...(text !== undefined ? { text } : { header: choice.header }), typeName: choice.typeName, offset, count: n, abi: this.abi };
  }

  /** Verify one spec's layout with the user's compiler and report it. */
  async verifySpec(spec: OverlaySpec): Promise<VerifyResult> {
    const { type, flags } = await this.layout(spec);
    let file = spec.header;
    let tmp: string | undefined;
    if (!file) {
      tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'shm-inspector-verify-'));
      file = path.join(tmp, 'declarations.h');
      await fsp.writeFile(file, spec.text ?? '', { mode: 0o600 });
    }
    try {
      const settings = this.workspace.context(spec.header).settings;
      const r = await verifyLayout({
        file, abi: spec.abi, typeName: spec.typeName, type,
        includeDirs: flags?.includeDirs ?? settings?.includeDirs, defines: flags?.defines ?? settings?.defines,
      });
      const what = `${spec.typeName} (${spec.header ?? 'typed declarations'}, ${spec.abi})`;
      if (r.kind === 'failed') {
        this.prompts().report([`Verify Layout of ${what}: ${r.message}`], `Could not verify ${spec.typeName}: ${r.message}`, false);
      } else if (r.disagreements.length === 0) {
        this.prompts().report([`Verify Layout of ${what}: ${r.fields} fields, size and alignment agree with ${r.compiler}.`], `${spec.typeName}: the layout agrees with ${r.compiler} (${r.fields} fields).`, true);
      } else {
        const lines = r.disagreements.map((d) => `  ${describeDisagreement(d, spec.typeName)}`);
        this.prompts().report([`Verify Layout of ${what}: ${r.disagreements.length} disagreement(s) with ${r.compiler}:`, ...lines],
          `${spec.typeName}: ${r.disagreements.length} field(s) differ from ${r.compiler}'s layout (see the output).`, false);
      }
      return r;
    } finally {
      if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
    }
  }

  /** A header changed (or went): lay its overlays out again and tell the editors that show them. */
  async headerChanged(header: string): Promise<void> {
    for (const [id, l] of this.layouts) if (l.header === header) this.layouts.delete(id);
    const refs = new Map<string, SegmentRef>();
    for (const doc of this.editors.documents()) {
      if ((await this.store.get(refOf(doc))).some((s) => s.header === header)) refs.set(storeKey(refOf(doc)), refOf(doc));
    }
    for (const ref of refs.values()) await this.broadcast(ref);
  }

  // ---- internals -----------------------------------------------------------------------

  private async loadWorkspaceTypes(size: number, add: (h: HeaderTypes) => void): Promise<void> {
    const headers = await this.workspace.findHeaders();
    for (const header of headers) {
      add(await typesOf(header, this.workspace.context(header), this.abi, size, 0));
      await new Promise((r) => setImmediate(r)); // let the extension host breathe between headers
    }
  }

  /** spec's laid-out type, from the cache (also for the Segments view's tooltip). */
  layout(spec: OverlaySpec): Promise<SpecLayout> {
    const id = overlayId(spec);
    // The header's stamp as well as its watcher: a watcher set up when the header is first laid
    // out can miss a change made right after (it starts asynchronously), and then nothing else
    // would ever lay it out again.
    const stamp = spec.header ? fileStamp(spec.header) : '';
    const cached = this.layouts.get(id);
    if (cached && spec.header && cached.stamp !== stamp) void this.headerChanged(spec.header); // drops its layouts at once
    let p = this.layouts.get(id)?.layout;
    if (!p) {
      p = layoutSpec(spec, this.workspace.context(spec.header));
      this.layouts.set(id, { header: spec.header, stamp, layout: p });
      p.catch(() => this.layouts.delete(id)); // a failure is tried again next time
      if (spec.header && !this.watched.has(spec.header)) {
        const header = spec.header;
        this.watched.set(header, this.workspace.watch(header, () => void this.headerChanged(header)));
      }
    }
    return p;
  }

  private async view(spec: OverlaySpec, size: number): Promise<OverlayView> {
    const base = { ...spec, id: overlayId(spec), label: overlayLabel(spec) };
    try {
      const { type } = await this.layout(spec);
      const f = fitted(spec, type, size);
      if ('error' in f) return { ...base, error: f.error };
      return { ...base, count: f.count, label: overlayLabel({ ...spec, count: f.count }), type };
    } catch (err) {
      return { ...base, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Every open editor of a segment the store names like ref gets its overlays. */
  private async broadcast(ref: SegmentRef): Promise<void> {
    const key = storeKey(ref);
    for (const doc of this.editors.documents()) {
      if (storeKey(refOf(doc)) !== key) continue;
      const overlays = await this.viewsOf(doc);
      for (const h of this.editors.hostsOf(doc)) h.post('overlays', { overlays });
    }
  }
}

/** What changes when a file is written: size, mtime (ns), inode; '' for a file that is not there. */
function fileStamp(file: string): string {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.size}:${st.mtimeNs}:${st.ino}`;
  } catch {
    return '';
  }
}
