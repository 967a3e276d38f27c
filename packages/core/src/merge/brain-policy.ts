import { DomainError } from "../errors/domain-error.ts";

export type BrainPolicyVerdict = { ok: true } | { ok: false; files: string[]; reason: string };

/** The configured brain folder as a repository-relative path without "./" or a trailing slash. */
export function normalizeBrainDir(brain: string): string {
  const dir = brain
    .replace(/\\/g, "/")
    .replace(/^(\.\/)+/, "")
    .replace(/\/+$/, "");
  if (!isBrainDirInsideRepository(dir)) {
    throw new DomainError(
      "INVALID_CONFIG",
      `grove.yaml: brain "${brain}" must be a folder inside the repository, outside .git, like project-brain.`,
    );
  }
  return dir;
}

/**
 * Whether a brain folder (normalized, repository-relative) is one git can hold: not the root, not outside
 * the repository, and not in `.git` (git refuses such paths in any case, so a deposit there would fail only
 * once a merge had already been built).
 */
function isBrainDirInsideRepository(dir: string): boolean {
  const parts = dir.split("/");
  return !(
    dir === "" ||
    dir === "." ||
    dir.startsWith("/") ||
    parts.includes("..") ||
    parts.some((p) => p.toLowerCase() === ".git")
  );
}

/** True when grove.yaml's brain names a folder grove can deposit into (see normalizeBrainDir). */
export function isValidBrainDir(brain: string): boolean {
  try {
    normalizeBrainDir(brain);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when `path` lies in the brain folder. Compared case-insensitively: on macOS and Windows
 * `Project-Brain/x.md` is the same folder, and a policy must not be dodged by spelling.
 */
export function isInBrainDir(path: string, brainDir: string): boolean {
  const file = path.replace(/^(\.\/)+/, "").toLowerCase();
  const dir = brainDir.toLowerCase();
  return file === dir || file.startsWith(`${dir}/`);
}

/**
 * Seed section 5, option C: only the orchestrator writes the brain folder. A branch that adds, edits,
 * renames or deletes anything there is blocked; its learnings belong in its RESULT.
 */
export function checkBrainPolicy(changedFiles: readonly string[], brain: string): BrainPolicyVerdict {
  const dir = normalizeBrainDir(brain);
  return brainPolicyVerdict(
    changedFiles.filter((file) => isInBrainDir(file, dir)),
    `${dir}/`,
  );
}

/** The verdict on files already known to lie in the brain folder, `folder` naming it in the reason. */
export function brainPolicyVerdict(brainFiles: readonly string[], folder = "the brain folder"): BrainPolicyVerdict {
  const files = [...new Set(brainFiles)].sort();
  if (files.length === 0) return { ok: true };
  const shown = files.slice(0, 5).join(", ") + (files.length > 5 ? ` and ${files.length - 5} more` : "");
  return {
    ok: false,
    files,
    reason:
      `Blocked by the brain policy: this branch writes into ${folder} (${shown}). Only grove writes the brain folder; ` +
      `the agent should return its learnings in its RESULT instead. Remove those changes from the branch, or reject it.`,
  };
}
