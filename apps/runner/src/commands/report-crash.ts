import { isDomainError, type DomainError, type DomainErrorCode } from "@grove/core";
import { DOMAIN_ERROR_EXIT_CODE } from "@grove/core/launch";

const HINTS: Partial<Record<DomainErrorCode, string>> = {
  INVALID_NAME: "agent names and task ids may use ASCII letters, digits, '.', '_' and '-'.",
  INVALID_CONFIG: "fix the file the message names (grove.yaml at the repository root, or the plan); it names the key.",
  BRANCH_CHECKED_OUT: "`grove worktree list` shows which worktree holds which branch.",
  DIRTY_WORKTREE: "commit the work, or pass --force: grove keeps a snapshot under refs/grove/archive/ first.",
  UNMERGED_BRANCH: "merge it, pass --keep-branch, or pass --force to archive it under refs/grove/archive/.",
  LOCK_TIMEOUT: "another grove process holds that lock (a repository's, or an audit file's); try again when it is done.",
  AUDIT_BROKEN: "`grove audit verify FILE` checks the file line by line; grove only appends to an intact chain.",
  GIT_FAILED: "run `grove doctor` to look for stale lock files or worktrees left behind.",
};

/** The commands that take --repo PATH (and default it to the current folder). */
const REPO_COMMANDS = new Set([
  "worktree",
  "doctor",
  "session",
  "runner",
  "prune",
  "cleanup",
  "archive",
  "agents",
  "approve",
  "reject",
]);

/**
 * The hint for something not found, as fits the command typed: --repo suggested only to a command that
 * takes it and was not given it.
 */
function notFoundHint(argv: readonly string[]): string {
  if (argv.some((arg) => arg === "--repo" || arg.startsWith("--repo="))) return "check the path given to --repo.";
  if (REPO_COMMANDS.has(argv[0] ?? "")) return "check the path, or pass --repo PATH; `grove worktree list` shows what exists.";
  return "check the path.";
}

/** The hint the error carries itself (null: none), else its code's, else none. */
function hintFor(error: DomainError, argv: readonly string[]): string | null {
  if (error.hint !== undefined) return error.hint;
  if (error.code === "NOT_FOUND") return notFoundHint(argv);
  return HINTS[error.code] ?? null;
}

/**
 * The CLI's one crash handler: a DomainError becomes `grove: <message>` plus a hint (exit 2); anything
 * else one line (exit 1). Stacks only with GROVE_DEBUG=1.
 */
export function reportCrash(
  error: unknown,
  io: { err: (text: string) => void; env: Readonly<Record<string, string | undefined>> },
  argv: readonly string[] = [],
): number {
  const debug = io.env.GROVE_DEBUG === "1";
  if (isDomainError(error)) {
    const lines = [`grove: ${error.message}`];
    const hint = hintFor(error, argv);
    if (hint && !error.message.includes("\nusage:")) lines.push(`hint: ${hint}`);
    if (debug && error.process)
      lines.push(`command: ${error.process.command.join(" ")} (in ${error.process.cwd})`, error.process.stderrTail);
    if (debug && error.stack) lines.push(error.stack);
    io.err(lines.join("\n"));
    return DOMAIN_ERROR_EXIT_CODE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`grove: unexpected error: ${message.split("\n")[0] ?? ""}${debug ? "" : " (GROVE_DEBUG=1 shows details)"}`);
  if (debug && error instanceof Error && error.stack) io.err(error.stack);
  return 1;
}
