/**
 * The path one file of `git diff` is about, from the lines before its first hunk: the new side's
 * `+++` name, the old side's `---` name for a deleted file, or the `diff --git` header's name when
 * there are neither (binary files, mode changes). git C-quotes unusual names (`core.quotePath`),
 * which diff parsers do not undo; this does.
 */
export function pathOfFileHeader(header: readonly string[]): string {
  let path = headerPath((header[0] ?? "").slice("diff --git ".length));
  let oldPath: string | null = null;
  for (const line of header) {
    if (line.startsWith("--- ")) oldPath = sidePath(line.slice(4));
    // A deleted file's new side is /dev/null: its name is the old side's.
    else if (line.startsWith("+++ ")) path = sidePath(line.slice(4)) ?? oldPath ?? path;
  }
  return path;
}

/** The path of a `--- a/x` or `+++ b/x` line (null for /dev/null); git ends a name with a space in a tab. */
function sidePath(raw: string): string | null {
  const name = raw.endsWith("\t") ? raw.slice(0, -1) : raw;
  if (name === "/dev/null") return null;
  return withoutPrefix(name.startsWith('"') ? unquote(name) : name);
}

/** The path of `diff --git a/x b/x`: the name both sides share, which may itself hold " b/". */
function headerPath(rest: string): string {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    return withoutPrefix(unquote(rest.slice(0, end + 1)));
  }
  const half = (rest.length - 1) / 2;
  const a = rest.slice(0, half);
  if (Number.isInteger(half) && rest === `${a} b/${a.slice(2)}` && a.startsWith("a/")) return a.slice(2);
  return /^a\/(.*) b\/(.*)$/.exec(rest)?.[2] ?? rest;
}

function withoutPrefix(name: string): string {
  return name.startsWith("a/") || name.startsWith("b/") ? name.slice(2) : name;
}

function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

const ESCAPES = new Map(Object.entries({ a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 }));
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A name git quoted C-style (`core.quotePath`): escapes, and non-ASCII bytes as octal `\303\251`. */
function unquote(quoted: string): string {
  const body = quoted.slice(1, quoted.endsWith('"') && quoted.length > 1 ? -1 : undefined);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const char = body[i] ?? "";
    if (char !== "\\") {
      const code = body.codePointAt(i) ?? 0;
      if (code > 0xffff) i++;
      bytes.push(...utf8.encode(String.fromCodePoint(code)));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4))?.[0];
    if (octal) {
      bytes.push(parseInt(octal, 8) & 0xff);
      i += 3;
    } else {
      const next = body[i + 1] ?? "\\";
      const escaped = ESCAPES.get(next);
      if (escaped === undefined) bytes.push(...utf8.encode(next));
      else bytes.push(escaped);
      i += 1;
    }
  }
  return fromUtf8.decode(new Uint8Array(bytes));
}
