// The HTML shell of every mltrace webview, with a strict Content Security Policy: nothing inline
// but the nonce'd bundle, styles and fonts only from the webview's own resource root. Pure (no
// `vscode` import) so the webview tests load exactly what VS Code loads.

export interface WebviewHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `asWebviewUri` of dist/webview, without a trailing slash. */
  baseUri: string;
  /** The bundle's name in dist/webview: `graph`, `inspector`, `review`, `history`. */
  view: string;
  nonce: string;
  title: string;
}

/**
 * The bundle is `async`: it must not wait for the style sheets, whose loading through the
 * webview's service worker has been seen to stall in code-server, leaving a blank view.
 */
export function webviewHtml(options: WebviewHtmlOptions): string {
  const { cspSource, baseUri, view, nonce } = options;
  const csp = [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(`${baseUri}/codicon.css`)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${escapeAttribute(`${baseUri}/base.css`)}">
<link rel="stylesheet" href="${escapeAttribute(`${baseUri}/${view}.css`)}">
<title>${escapeText(options.title)}</title>
</head>
<body data-view="${escapeAttribute(view)}">
<script async nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(`${baseUri}/${view}.js`)}"></script>
</body>
</html>`;
}

const escapeText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string): string => escapeText(text).replace(/"/g, '&quot;');
