// The C grammar: web-tree-sitter with tree-sitter-c's wasm, loaded offline from files next to
// the bundle (esbuild.mjs copies them into dist/) or, when run from tsc's out/, from node_modules.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

export const WASM_FILES = ['tree-sitter.wasm', 'tree-sitter-c.wasm'];

function locate(file: string): string {
  const here = [__dirname, path.join(__dirname, '..', '..', '..', 'dist'), path.join(__dirname, '..', '..', 'dist')];
  for (const dir of here) {
    const p = path.join(dir, file);
    if (fs.existsSync(p)) return p;
  }
  const pkg = file === 'tree-sitter.wasm' ? 'web-tree-sitter/tree-sitter.wasm' : 'tree-sitter-c/tree-sitter-c.wasm';
  try {
    return require.resolve(pkg);
  } catch {
    throw new Error(`cannot find ${file} (looked in ${here.join(', ')}): the C parser is not installed with this build`);
  }
}

let loaded: Promise<Parser> | undefined;

/** One parser for the process (tree-sitter parsers are reusable and parse synchronously). */
export function cParser(): Promise<Parser> {
  loaded ??= (async () => {
    const runtime = locate('tree-sitter.wasm');
    await Parser.init({ locateFile: () => runtime });
    const language = await Language.load(fs.readFileSync(locate('tree-sitter-c.wasm')));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}
