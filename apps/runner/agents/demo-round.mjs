// The demo agent's part in a review round (GROVE_ROUND ≥ 2): it resolves a merge conflict grove left in its
// worktree by taking both sides, and writes the reviewer's comments (its prompt's lines) into a file of
// its own, so a round changes the branch the way a reviewer can see.
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const MARKER = /^(<{7}|={7}|>{7}|\|{7})( |$)/;

/** A round's work: conflicts resolved (unless keepConflicts), the comments noted; the files it changed. */
export function workOnRound({ task, prompt, keepConflicts, say }) {
  const round = Number(process.env.GROVE_ROUND ?? "1");
  if (!(round >= 2)) return [];
  const resolved = keepConflicts ? [] : resolveConflictsTakingBoth();
  if (resolved.length > 0) void say(`resolved conflicts in ${resolved.join(", ")} (kept both sides)`);
  return [...resolved, noteReviewComments(task, round, prompt)];
}

/** Conflicted files with every marker line removed and both sides kept (ours first); their paths. */
function resolveConflictsTakingBoth() {
  const unmerged = execFileSync("git", ["diff", "--name-only", "--diff-filter=U", "-z"], { encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const path of unmerged) {
    const kept = [];
    let inBase = false;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const marker = MARKER.exec(line)?.[1]?.[0];
      if (marker === "|") inBase = true;
      else if (marker === "=" || marker === ">" || marker === "<") inBase = false;
      if (marker === undefined && !inBase) kept.push(line);
    }
    writeFileSync(path, kept.join("\n"));
  }
  return unmerged;
}

/** Appends the round's prompt, line by line, to notes/<task>-review.md; its path. */
function noteReviewComments(task, round, prompt) {
  const path = join("notes", `${task}-review.md`);
  const lines = prompt
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => `- round ${round}: ${line}`);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${lines.join("\n") || `- round ${round}: (no comments)`}\n`);
  return path;
}
