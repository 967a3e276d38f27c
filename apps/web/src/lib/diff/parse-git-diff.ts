import parseDiff from "parse-diff";
import { pathOfFileHeader } from "./git-diff-paths.ts";

/** meta: a header line worth showing (new file mode, rename from, Binary files differ); note: "\ No newline at end of file". */
export type DiffLineKind = "meta" | "hunk" | "context" | "add" | "del" | "note";
/** newLine: the line's number in the new version of the file (added and context lines), for line comments. */
export type DiffLine = { kind: DiffLineKind; text: string; newLine?: number };
export type DiffFile = { path: string; lines: DiffLine[]; added: number; removed: number };

/** Header lines the view leaves out: the path is shown once, and object ids mean nothing to a reader. */
const HIDDEN_HEADER = /^(diff --git |index |--- |\+\+\+ )/;

/**
 * Reads `git diff` output file by file. Hunks are parse-diff's, which counts each hunk's lines off its
 * `@@ -a,b +c,d @@` header, so a removed line reading "-- x" or an added one reading "++ x" stays a hunk
 * line. A file starts at its `diff --git` line (no hunk line can start so: each has a one-character
 * prefix); its path comes from grove's own reading of the header, which undoes git's quoting.
 * A patch cut short (the runner's size cap) ends inside its last hunk.
 */
export function parseGitDiff(patch: string): DiffFile[] {
  return splitFiles(patch).map(readFile);
}

/** Each file's lines, from its `diff --git` line on; anything before the first is not a file. */
function splitFiles(patch: string): string[][] {
  const files: string[][] = [];
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) files.push([line]);
    else files.at(-1)?.push(line);
  }
  return files;
}

function readFile(lines: string[]): DiffFile {
  const firstHunk = lines.findIndex((line) => line.startsWith("@@ "));
  const header = firstHunk === -1 ? lines : lines.slice(0, firstHunk);
  const shown: DiffLine[] = header
    .filter((line) => line !== "" && !HIDDEN_HEADER.test(line))
    .map((text) => ({ kind: "meta", text }));
  const file: DiffFile = { path: pathOfFileHeader(header), lines: shown, added: 0, removed: 0 };
  if (firstHunk === -1) return file;
  const body = lines.slice(firstHunk).join("\n");
  let parsed: parseDiff.File[];
  try {
    parsed = parseDiff(body);
  } catch {
    // parse-diff throws on a "\ No newline" right after an empty hunk, which git never writes: show the text as it is.
    file.lines.push(...lines.slice(firstHunk).map((text): DiffLine => ({ kind: "meta", text })));
    return file;
  }
  for (const part of parsed) {
    file.added += part.additions;
    file.removed += part.deletions;
    for (const chunk of part.chunks) {
      file.lines.push({ kind: "hunk", text: chunk.content });
      for (const change of chunk.changes) file.lines.push({ kind: kindOf(change), text: change.content, ...newLineOf(change) });
    }
  }
  return file;
}

function newLineOf(change: parseDiff.Change): { newLine?: number } {
  if (change.content.startsWith("\\")) return {};
  if (change.type === "add") return { newLine: change.ln };
  if (change.type === "normal") return { newLine: change.ln2 };
  return {};
}

function kindOf(change: parseDiff.Change): DiffLineKind {
  // parse-diff files the "\ No newline" marker under the change before it.
  if (change.content.startsWith("\\")) return "note";
  return change.type === "add" ? "add" : change.type === "del" ? "del" : "context";
}
