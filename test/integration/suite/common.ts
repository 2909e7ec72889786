// What the integration suites share: ids, paths, small waiting helpers, segments made by the test.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AgentClient } from '../../../src/extension/agent/client';
import type { CallContext } from '../../../src/protocol/rpc';
import { identityOf, type SegmentInfo } from '../../../src/protocol/segment';

export const EXTENSION_ID = 'shm-inspector.shm-inspector';
export const HEX_EDITOR = 'shmInspector.hexEditor';
/** The repository (out/test/integration/suite is four levels below it). */
export const REPO = path.resolve(__dirname, '../../../..');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until pred returns something truthy; fail naming what was awaited. */
export async function waitFor<T>(pred: () => T | Promise<T>, what: string, timeoutMs = 10000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** v itself, failing the test by name when it is missing (where `!` would fail later, with a TypeError). */
export function present<T>(v: T | null | undefined, what: string): T {
  assert.ok(v !== undefined && v !== null, `${what} is missing`);
  return v;
}

/** Close every editor, dropping unsaved changes (no save prompts). */
export async function closeAllEditors(): Promise<void> {
  for (let i = 0; i < 20 && vscode.window.tabGroups.all.some((g) => g.tabs.length); i++) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}

/** The context a webview request handler gets when called directly by a test. */
export const handlerContext: CallContext = { progress: () => undefined, signal: new AbortController().signal };

/** The known pattern tests fill segments with. */
export function expected(offset: number): number {
  return (offset * 7 + 3) & 0xff;
}

/**
 * Segments made and touched by the test's own agent (another process than the extension's):
 * create with a random free key, fill with expected(), read and write by handle, destroy all.
 */
export class OtherSegments {
  readonly made: SegmentInfo[] = [];

  constructor(readonly agent: AgentClient) {}

  async make(options: { size: number; perms?: number; fill?: boolean }): Promise<SegmentInfo> {
    let info: SegmentInfo | undefined;
    for (let i = 0; !info; i++) {
      try {
        const key = (0x53480000 | (1 + Math.floor(Math.random() * 0xfffe))) >>> 0;
        info = await this.agent.request('create', { size: options.size, key, perms: options.perms ?? 0o600, exclusive: true });
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST' || i > 50) throw err;
      }
    }
    this.made.push(info);
    if (options.fill !== false) {
      const data = new Uint8Array(options.size);
      for (let i = 0; i < options.size; i++) data[i] = expected(i);
      await this.write(info, 0, data);
    }
    return info;
  }

  write(info: SegmentInfo, offset: number, data: Uint8Array): Promise<void> {
    return this.withHandle(info, async (handle) => { await this.agent.request('write', { handle, offset, data }); });
  }

  read(info: SegmentInfo, offset: number, length: number): Promise<Buffer> {
    return this.withHandle(info, async (handle) => Buffer.from(await this.agent.request('read', { handle, offset, length })));
  }

  /** Destroy every segment made (if it is still the same one). */
  async destroyAll(): Promise<void> {
    for (const info of this.made) await this.agent.request('destroy', { expect: identityOf(info) }).catch(() => undefined);
  }

  private async withHandle<T>(info: SegmentInfo, fn: (handle: number) => Promise<T>): Promise<T> {
    const { handle } = await this.agent.request('open', { id: info.id, expect: identityOf(info) });
    try {
      return await fn(handle);
    } finally {
      await this.agent.request('close', { handle });
    }
  }
}

export type WindowFn = 'showInputBox' | 'showQuickPick' | 'showWarningMessage' | 'showInformationMessage' | 'showErrorMessage' | 'showSaveDialog';

/**
 * Replace vscode.window functions until restore(); every message shown is recorded. Works only
 * when the extension shares this suite's vscode API object (loaded from the repository, not
 * from --vsix): check with `sharesVscodeApi()`.
 */
export function stubWindow(fns: Partial<Record<WindowFn, (...args: any[]) => unknown>>): { restore(): void; shown: { fn: WindowFn; args: unknown[] }[] } { // eslint-disable-line @typescript-eslint/no-explicit-any
  const win = vscode.window as unknown as Record<string, unknown>;
  const originals = new Map<string, unknown>();
  const shown: { fn: WindowFn; args: unknown[] }[] = [];
  for (const name of new Set<WindowFn>(['showWarningMessage', 'showInformationMessage', 'showErrorMessage', ...(Object.keys(fns) as WindowFn[])])) {
    originals.set(name, win[name]);
    const impl = fns[name];
    win[name] = (...args: unknown[]) => {
      shown.push({ fn: name, args });
      return Promise.resolve(impl ? impl(...args) : undefined);
    };
    assert.notStrictEqual(win[name], originals.get(name), `vscode.window.${name} could not be replaced`);
  }
  return { shown, restore: () => { for (const [k, v] of originals) win[k] = v; } };
}

/** The extension runs from this repository, so stubbing vscode.window reaches it. */
export function sharesVscodeApi(): boolean {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  return !!ext && __dirname.startsWith(ext.extensionPath + path.sep);
}
