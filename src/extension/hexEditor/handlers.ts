// The host's answers to a hex editor webview's requests. Each handler validates its params
// first (validate.ts) and rejects with a clear message; nothing here throws past the Rpc.
// vscode-free: the clipboard and settings come in as functions.
import type { Handlers } from '../../protocol/rpc';
import type { HexSettings, WebviewToHost } from '../../protocol/webview';
import type { HexDocument } from './document';
import { checkCopy, checkEdit, checkRead, checkSearch } from './validate';

export interface HandlerDeps {
  settings(): HexSettings;
  copy(text: string): Promise<void>;
}

export function createHandlers(doc: HexDocument, deps: HandlerDeps): Handlers<WebviewToHost> {
  return {
    ready: async () => {
      // A fresh look at the segment, so a banner shows from the first paint.
      const state = await doc.refreshStatus().catch(() => doc.state);
      return { doc: doc.info, settings: deps.settings(), state };
    },

    read: async (p) => {
      const { offset, length } = checkRead(p, doc.size);
      return { offset, data: await doc.read(offset, length) };
    },

    edit: async (p) => {
      const { offset, data, label } = checkEdit(p, doc.size);
      await doc.edit(offset, data, label || 'Edit');
      return null;
    },

    copy: async (p) => {
      const { text } = checkCopy(p);
      await deps.copy(text);
      return null;
    },

    search: async (p, ctx) => {
      const q = checkSearch(p, doc.size);
      const r = await doc.search(q, ctx.signal);
      return { offsets: [...r.offsets], truncated: !!r.truncated };
    },
  };
}
