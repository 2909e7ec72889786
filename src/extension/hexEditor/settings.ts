// The hex editor's settings as the webview gets them (shmInspector.hexEditor.*).
import * as vscode from 'vscode';
import { MIN_LIVE_REFRESH_MS, type HexSettings } from '../../protocol/webview';
import { setting } from '../manifest';

export const HEX_SECTION = setting('hexEditor');

function pick<T>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

export function readHexSettings(): HexSettings {
  const c = vscode.workspace.getConfiguration(HEX_SECTION);
  const live = c.get<unknown>('liveRefresh');
  return {
    bytesPerRow: pick(c.get('bytesPerRow'), [0, 8, 16, 32] as const, 16),
    grouping: pick(c.get('grouping'), [1, 2, 4, 8] as const, 1),
    liveRefreshMs: typeof live === 'number' && Number.isFinite(live) && live > 0 ? Math.max(MIN_LIVE_REFRESH_MS, Math.round(live)) : 0,
    inspector: pick(c.get('inspector'), ['side', 'hover', 'off'] as const, 'side'),
    littleEndian: c.get<unknown>('littleEndian') !== false,
  };
}

export function writeThroughEnabled(): boolean {
  return vscode.workspace.getConfiguration(HEX_SECTION).get<boolean>('writeThrough') === true;
}
