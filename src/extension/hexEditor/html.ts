// The hex editor webview's HTML. Pure (no vscode import): the custom editor provider
// passes webview.asWebviewUri(...) strings, webview.cspSource and a nonce from
// crypto.randomBytes. The page loads one stylesheet and one script, nothing inline.
import { checkPageInputs, escapeAttr, escapeText } from '../webviewHtml';

export interface HexEditorHtmlOptions {
  /** URI of dist/webview.js as the webview sees it. */
  scriptUri: string;
  /** URI of media/hexEditor.css as the webview sees it. */
  styleUri: string;
  /** webview.cspSource. */
  cspSource: string;
  /** Fresh per render, e.g. crypto.randomBytes(16).toString('base64'). */
  nonce: string;
  /** Document title (for screen readers); defaults to "Hex Editor". */
  title?: string;
}

export function hexEditorCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; script-src 'nonce-${nonce}'; font-src ${cspSource};`;
}

export function renderHexEditorHtml(o: HexEditorHtmlOptions): string {
  checkPageInputs('renderHexEditorHtml', o.nonce, o.cspSource);
  const csp = hexEditorCsp(o.cspSource, o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
<title>${escapeText(o.title ?? 'Hex Editor')}</title>
</head>
<body>
<div id="root" class="hex-root" aria-busy="true">Loading…</div>
<script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}
