import { runGit } from "./run-git.ts";

export type StatusEntry = { code: string; path: string };

/**
 * Tracked changes and untracked files (ignored files excluded), from `git status --porcelain -z`.
 * Submodule changes count: a worktree with a modified submodule is not clean.
 */
export async function worktreeStatus(worktree: string, opts: { untracked?: boolean } = {}): Promise<StatusEntry[]> {
  const untracked = (opts.untracked ?? true) ? "--untracked-files=all" : "--untracked-files=no";
  const { stdout } = await runGit(["status", "--porcelain=v1", "-z", untracked, "--ignore-submodules=none"], { cwd: worktree });
  return parseStatusZ(stdout);
}

/** `git status --porcelain=v1 -z` output as entries (a rename's or copy's source path is skipped). */
export function parseStatusZ(stdout: string): StatusEntry[] {
  const fields = stdout.split("\0");
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (!field) continue;
    const code = field.slice(0, 2);
    entries.push({ code, path: field.slice(3) });
    // A rename or copy is followed by its source path as a field of its own.
    if (code.includes("R") || code.includes("C")) i++;
  }
  return entries;
}

export function describeStatus(entries: StatusEntry[], limit = 20): string {
  const lines = entries.slice(0, limit).map((e) => `  ${e.code === "??" ? "untracked" : "modified "} ${e.path}`);
  if (entries.length > limit) lines.push(`  … and ${entries.length - limit} more`);
  return lines.join("\n");
}
