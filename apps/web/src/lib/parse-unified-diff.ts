export type DiffFile = { path: string; lines: string[]; added: number; removed: number };

const HUNK = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

/**
 * Reads `git diff` output file by file: each file's lines after its `diff --git` header (without the
 * `index`, `---` and `+++` lines) and its added and removed lines. Inside a hunk, lines are counted off
 * its header (`@@ -a,b +c,d @@`), so a removed line reading "-- x" or an added one reading "++ x" is a hunk
 * line, not a header. A patch cut short (the runner's size cap) ends inside its last hunk.
 */
export function parseUnifiedDiff(patch: string): DiffFile[] {
  const files: DiffFile[] = [];
  let current: DiffFile | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  let oldPath: string | null = null;
  for (const line of patch.split("\n")) {
    if (current && (oldLeft > 0 || newLeft > 0)) {
      current.lines.push(line);
      if (line.startsWith("+")) {
        current.added += 1;
        newLeft -= 1;
      } else if (line.startsWith("-")) {
        current.removed += 1;
        oldLeft -= 1;
      } else if (!line.startsWith("\\")) {
        oldLeft -= 1;
        newLeft -= 1;
      }
      continue;
    }
    if (line.startsWith("diff --git ")) {
      current = { path: headerPath(line.slice("diff --git ".length)), lines: [], added: 0, removed: 0 };
      oldPath = null;
      files.push(current);
      continue;
    }
    if (!current || line.startsWith("index ")) continue;
    if (line.startsWith("--- ")) {
      oldPath = sidePath(line.slice(4));
      continue;
    }
    if (line.startsWith("+++ ")) {
      // A deleted file's new side is /dev/null: its name is the old side's.
      current.path = sidePath(line.slice(4)) ?? oldPath ?? current.path;
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk) {
      oldLeft = Number(hunk[1] ?? 1);
      newLeft = Number(hunk[2] ?? 1);
    }
    current.lines.push(line);
  }
  return files;
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
