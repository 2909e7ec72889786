// C layouts from headers: preprocess, parse (tree-sitter-c), lay out for an ABI. Used by the CLI
// and (later) the extension host; never by the agent or the webview (they get src/protocol's
// laid-out CType data).
import type { CAbi, CType } from '../protocol/cTypes';
import { ABIS, hostAbi } from './abi';
import { CTypeError, Declarations, type Source } from './declarations';
import { cParser } from './parser';
import { type PreprocessOptions, ownPreprocessor, preprocess } from './preprocess';

export { CTypeError } from './declarations';
export type { Source } from './declarations';
export { findCompiler } from './preprocess';
export { hostAbi } from './abi';

export interface CLayouts {
  abi: CAbi;
  /** Types the file itself declares (`struct foo`, typedef names), in order. */
  declared: string[];
  /** A type by its C name; throws CTypeError (unknown, incomplete, or an unsupported construct). */
  lookup(name: string): CType;
}

export type LoadOptions = Partial<PreprocessOptions>;

/** Lays out the C declarations of source (already preprocessed) for abi. */
export async function layoutSource(source: Source, abi: CAbi = hostAbi()): Promise<CLayouts> {
  const parser = await cParser();
  const tree = parser.parse(source.text);
  if (!tree) throw new CTypeError('the C parser gave no tree');
  try {
    const decls = new Declarations(ABIS[abi], source);
    decls.walk(tree.rootNode);
    return { abi, declared: decls.declared, lookup: (n) => decls.lookup(n) };
  } finally {
    tree.delete();
  }
}

/** Preprocesses and lays out file (a header or any C file). */
export async function loadLayouts(file: string, opts: LoadOptions = {}): Promise<CLayouts> {
  const abi = opts.abi ?? hostAbi();
  return layoutSource(await preprocess(file, { ...opts, abi }), abi);
}

/** Lays out declarations given as text (a prompt, a test), with our own preprocessor. */
export function layoutText(text: string, opts: LoadOptions & { name?: string } = {}): Promise<CLayouts> {
  const name = opts.name ?? '<input>';
  return layoutSource(ownPreprocessor(name, text, opts), opts.abi ?? hostAbi());
}
