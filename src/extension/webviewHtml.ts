// What every webview page of ours checks before it is rendered (the hex editor's, the Watch
// view's): a nonce strong enough, a cspSource that can only name hosts, and escaping. Pure.

/** Throws unless nonce is at least 16 base64 characters and cspSource is host sources and 'self' only. */
export function checkPageInputs(who: string, nonce: string, cspSource: string): void {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error(`${who}: the nonce must be at least 16 base64 characters`);
  // VS Code gives host sources and, in current versions, 'self' ("'self' https://*.vscode-cdn.net"):
  // only those, so no keyword ('unsafe-inline', '*') or directive can slip into the policy.
  if (!cspSource || !cspSource.split(' ').every((t) => t === "'self'" || /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[A-Za-z0-9*.+-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/.test(t))) {
    throw new Error(`${who}: unexpected characters in cspSource ${JSON.stringify(cspSource)}`);
  }
}

export function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
