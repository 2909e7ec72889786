// The "Shared Memory: Watch" view's HTML. Pure (no vscode import): the view provider passes
// webview.asWebviewUri(...) strings for dist/watchView.js and media/watchView.css,
// webview.cspSource and a nonce from crypto.randomBytes. One stylesheet, one script, nothing inline.
import { checkPageInputs, escapeAttr } from '../webviewHtml';

export interface WatchViewHtmlOptions {
  scriptUri: string;
  styleUri: string;
  cspSource: string;
  /** Fresh per render, e.g. crypto.randomBytes(16).toString('base64'). */
  nonce: string;
}

export function watchViewCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; style-src ${cspSource}; script-src 'nonce-${nonce}'; font-src ${cspSource};`;
}

export function renderWatchViewHtml(o: WatchViewHtmlOptions): string {
  checkPageInputs('renderWatchViewHtml', o.nonce, o.cspSource);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(watchViewCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
<title>Shared Memory: Watch</title>
</head>
<body>
<main id="root" class="watch-root" aria-busy="true" aria-label="Watched values over time">Loading…</main>
<script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}
