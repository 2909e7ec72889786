// What the integration suites share: ids, paths and small waiting helpers.
import * as path from 'path';
import type { CallContext } from '../../../src/protocol/rpc';

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
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The context a webview request handler gets when called directly by a test. */
export const handlerContext: CallContext = { progress: () => undefined, signal: new AbortController().signal };

/** The known pattern tests fill segments with. */
export function expected(offset: number): number {
  return (offset * 7 + 3) & 0xff;
}
