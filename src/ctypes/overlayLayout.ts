// The laid-out type of a remembered overlay (OverlaySpec): its header preprocessed with the
// include dirs and defines of the settings and the workspace's compile_commands.json, or its
// typed-in declarations, then the type looked up. One place for the extension (editor, tree
// tooltip, Verify) and the CLI (`info`). Errors are CTypeError with one line naming file:line.
import type { CType } from '../protocol/cTypes';
import type { OverlaySpec } from '../protocol/overlay';
import { type CompileFlags, compileFlags, type FlagSettings } from './compileFlags';
import { CTypeError, layoutText, loadLayouts } from './index';

export interface SpecContext {
  /** Where relative include dirs are from and where to look for compile_commands.json (a workspace folder). */
  root?: string;
  /** The user's include dirs and defines (shmInspector.c.includePath / .defines). */
  settings?: FlagSettings;
}

export interface SpecLayout {
  type: CType;
  /** The flags the header was preprocessed with (undefined for typed-in declarations). */
  flags?: CompileFlags;
}

/** Lays out spec's type; CTypeError if the header or the type cannot be read now. */
export async function layoutSpec(spec: OverlaySpec, ctx: SpecContext = {}): Promise<SpecLayout> {
  if (spec.header === undefined) {
    const layouts = await layoutText(spec.text ?? '', { abi: spec.abi, includeDirs: ctx.settings?.includeDirs, defines: ctx.settings?.defines });
    return { type: layouts.lookup(spec.typeName) };
  }
  const flags = await compileFlags(spec.header, { root: ctx.root, settings: ctx.settings });
  const layouts = await loadLayouts(spec.header, { abi: spec.abi, includeDirs: flags.includeDirs, defines: flags.defines });
  const type = layouts.lookup(spec.typeName);
  if (type.size === 0 && spec.count > 1) throw new CTypeError(`${spec.typeName} has size 0: it cannot fill an array`);
  return { type, flags };
}
