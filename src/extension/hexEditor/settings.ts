// The hex editor's settings as the webview gets them (shmInspector.hexEditor.*).
import * as vscode from 'vscode';
import { BYTES_PER_ROW, GROUPING, INSPECTOR, pick, READ_MODE, type ReadMode } from '../../protocol/settings';
import { type HexSettings, liveRefreshPeriod } from '../../protocol/webview';
import { setting } from '../manifest';

export const HEX_SECTION = setting('hexEditor');

export function readHexSettings(): HexSettings {
  const c = vscode.workspace.getConfiguration(HEX_SECTION);
  return {
    bytesPerRow: pick(c.get('bytesPerRow'), BYTES_PER_ROW),
    grouping: pick(c.get('grouping'), GROUPING),
    liveRefreshMs: liveRefreshPeriod(c.get<unknown>('liveRefresh')),
    inspector: pick(c.get('inspector'), INSPECTOR),
    littleEndian: c.get<unknown>('littleEndian') !== false,
  };
}

/**
 * A setting's value from the user's own settings (local or remote machine) or its default,
 * never from a workspace or folder: for settings that write, delete or run something. The
 * manifest gives them "scope": "machine", which makes VS Code drop workspace values already;
 * reading only these levels keeps that true whatever the manifest says.
 */
export function userSetting(section: string, key: string): unknown {
  const i = vscode.workspace.getConfiguration(section).inspect(key);
  return i?.globalValue !== undefined ? i.globalValue : i?.defaultValue;
}

/** Save turns into immediate writes: only the user's own settings may ask for it. */
export function writeThroughEnabled(): boolean {
  return userSetting(HEX_SECTION, 'writeThrough') === true;
}

/** shmInspector.hexEditor.readMode: how a segment's bytes are read (see ReadMode). */
export function readModeSetting(): ReadMode {
  return pick(vscode.workspace.getConfiguration(HEX_SECTION).get('readMode'), READ_MODE);
}
