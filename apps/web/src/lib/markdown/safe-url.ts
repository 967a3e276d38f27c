const ALLOWED_SCHEMES = new Set(["http", "https", "mailto"]);

/**
 * What a browser makes of an address before it looks at the scheme: tabs and line breaks anywhere
 * are dropped and control characters or spaces at either end trimmed, so "java\tscript:" is
 * "javascript:". Checking the raw text would let those through.
 */
function asBrowserReadsIt(url: string): string {
  const text = url.replace(/[\t\n\r]/g, "");
  const isControlOrSpace = (index: number) => text.charCodeAt(index) <= 0x20;
  let start = 0;
  let end = text.length;
  while (start < end && isControlOrSpace(start)) start += 1;
  while (end > start && isControlOrSpace(end - 1)) end -= 1;
  return text.slice(start, end);
}

/**
 * The address a rendered link or image may carry: http(s), mailto or relative; null for anything
 * else (javascript:, data:, vbscript:, file:, …), which is then rendered without an address.
 */
export function safeUrl(url: string): string | null {
  const cleaned = asBrowserReadsIt(url);
  const colon = cleaned.indexOf(":");
  const firstDelimiter = cleaned.search(/[/?#]/);
  // A colon after the first / ? or # is part of a relative path or query, not a scheme.
  if (colon === -1 || (firstDelimiter !== -1 && firstDelimiter < colon)) return cleaned;
  return ALLOWED_SCHEMES.has(cleaned.slice(0, colon).toLowerCase()) ? cleaned : null;
}

/** A link's address relative to the markdown file's own folder, as a repository path ("a/b.md"); null if it is not one. */
export function relativeRepoPath(href: string, filePath: string): string | null {
  if (href === "" || /^[a-z][a-z0-9+.-]*:|^[/?#\\]/i.test(href)) return null;
  const resolved = new URL(href, `file:///${filePath}`);
  return decodeURIComponent(resolved.pathname.slice(1)) || null;
}
