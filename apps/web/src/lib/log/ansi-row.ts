import { AnsiUp } from "ansi_up";
import { tokenizeAnsiRow } from "./ansi-tokens.ts";

const MAX_HREF_LENGTH = 2048;

/**
 * One log row as HTML, rendered on its own: a fresh converter per row, fed only complete SGR
 * sequences and text, so no escape sequence in one row can colour, swallow or hide another
 * (ansi_up alone buffers an unfinished sequence into the next call). ansi_up escapes all text;
 * OSC 8 links become anchors only for http(s) URLs, otherwise their text shows plain.
 */
export function renderAnsiRow(row: string): string {
  const converter = new AnsiUp();
  converter.use_classes = false;
  let html = "";
  let pending = "";
  let href: string | null = null;
  const flush = () => {
    const inner = converter.ansi_to_html(pending);
    pending = "";
    if (!inner) return;
    html +=
      href === null
        ? inner
        : `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer nofollow" class="underline">${inner}</a>`;
  };
  for (const token of tokenizeAnsiRow(row)) {
    if (token.kind === "text") pending += token.text;
    else if (token.kind === "sgr") pending += `\u001b[${token.params}m`;
    else {
      flush();
      href = toSafeHref(token.uri);
    }
  }
  flush();
  return html;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** An http(s) URL, normalised by the URL parser; anything else (javascript:, data:, garbage) is no link. */
export function toSafeHref(uri: string): string | null {
  if (uri.length === 0 || uri.length > MAX_HREF_LENGTH) return null;
  let url: URL;
  try {
    // Not URL.canParse: phones with Safari before 17 lack it.
    url = new URL(uri);
  } catch {
    return null;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
}
