// The types "Apply C Type…" offers: every struct, union, enum and typedef the workspace's headers
// declare, with its size, sorted by how it fits the segment from the chosen offset (fills it
// exactly, divides it, fits, too big). vscode-free: the quick pick (prompts.ts) shows these.
import * as path from 'node:path';
import type { CAbi } from '../../protocol/cTypes';
import { MAX_OVERLAY_COUNT } from '../../protocol/overlay';
import { loadLayouts } from '../../ctypes';
import { compileFlags } from '../../ctypes/compileFlags';
import type { SpecContext } from '../../ctypes/overlayLayout';

export type Fit = 'fills' | 'divides' | 'fits' | 'too-big';

export interface TypeChoice {
  header: string;
  typeName: string;
  size: number;
  fit: Fit;
  /** Elements of an array that fills the segment from the offset (0 when too big). */
  count: number;
}

const FIT_ORDER: Record<Fit, number> = { fills: 0, divides: 1, fits: 2, 'too-big': 3 };

/** How a type of typeSize bytes fits the bytes [offset, segSize). */
export function fitOf(typeSize: number, segSize: number, offset: number): { fit: Fit; count: number } {
  const room = Math.max(0, segSize - offset);
  if (typeSize <= 0) return { fit: room > 0 ? 'fits' : 'too-big', count: room > 0 ? 1 : 0 };
  if (typeSize > room) return { fit: 'too-big', count: 0 };
  const count = Math.min(MAX_OVERLAY_COUNT, Math.floor(room / typeSize));
  if (typeSize === room) return { fit: 'fills', count: 1 };
  return { fit: room % typeSize === 0 ? 'divides' : 'fits', count };
}

/** Fills first, then divides, fits, too big; within each, larger types first, then by name. */
export function sortChoices(list: readonly TypeChoice[]): TypeChoice[] {
  return [...list].sort((a, b) => FIT_ORDER[a.fit] - FIT_ORDER[b.fit] || b.size - a.size || a.typeName.localeCompare(b.typeName) || a.header.localeCompare(b.header));
}

/** What the quick pick says about the fit. */
export function fitText(c: TypeChoice): string {
  switch (c.fit) {
    case 'fills': return 'fills the segment';
    case 'divides': return `${c.count} fit exactly`;
    case 'fits': return c.count > 1 ? `${c.count} fit` : 'fits';
    case 'too-big': return 'larger than the segment from here';
  }
}

export type HeaderTypes = { header: string; choices: TypeChoice[] } | { header: string; error: string };

/** The types one header declares, laid out with the workspace's flags, fitted to the segment. */
export async function typesOf(header: string, ctx: SpecContext, abi: CAbi, segSize: number, offset: number): Promise<HeaderTypes> {
  try {
    const flags = await compileFlags(header, { root: ctx.root, settings: ctx.settings });
    const layouts = await loadLayouts(header, { abi, includeDirs: flags.includeDirs, defines: flags.defines });
    const choices: TypeChoice[] = [];
    for (const typeName of layouts.declared) {
      let size: number;
      try {
        size = layouts.lookup(typeName).size;
      } catch {
        continue; // incomplete (a forward declaration) or unsupported: not offered
      }
      choices.push({ header, typeName, size, ...fitOf(size, segSize, offset) });
    }
    return { header, choices };
  } catch (err) {
    return { header, error: err instanceof Error ? err.message : String(err) };
  }
}

/** A header's path as the pick shows it: relative to the root when inside it. */
export function shownPath(header: string, root: string | undefined): string {
  if (!root) return header;
  const rel = path.relative(root, header);
  return rel.startsWith('..') || path.isAbsolute(rel) ? header : rel;
}
