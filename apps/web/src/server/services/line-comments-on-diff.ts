import { DomainError, type LineComment } from "@grove/core";
import { parseGitDiff } from "../../lib/diff/parse-git-diff.ts";

/**
 * A line comment is about a line the reviewer saw: a file of the request's stored diff and a line of that file's
 * hunks (new side). Anything else (a file not in the diff, a made-up path, a line outside the hunks) is refused
 * naming the first such comment, before anything is written.
 */
export function checkLineCommentsOnDiff(diff: string | null, lineComments: readonly LineComment[]): void {
  if (lineComments.length === 0) return;
  if (diff === null)
    throw new DomainError(
      "INVALID_INPUT",
      "This head's diff has not reached the hub yet; comment on its lines once the diff is shown.",
    );
  const lines = new Map<string, Set<number>>();
  for (const file of parseGitDiff(diff))
    lines.set(file.path, new Set(file.lines.flatMap((line) => (line.newLine === undefined ? [] : [line.newLine]))));
  for (const comment of lineComments) {
    const inFile = lines.get(comment.file);
    if (!inFile)
      throw new DomainError(
        "INVALID_INPUT",
        `A line comment is on ${JSON.stringify(comment.file)}, which is not a file of this diff.`,
      );
    if (!inFile.has(comment.line))
      throw new DomainError(
        "INVALID_INPUT",
        `A line comment is on line ${comment.line} of ${comment.file}, which is not a line of this diff (comment on a line the diff shows).`,
      );
  }
}
