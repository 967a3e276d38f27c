import { randomUUID } from "node:crypto";
import { DomainError } from "../errors/domain-error.ts";
import { runGit } from "./run-git.ts";

const KEY = "grove.repositoryId";
const VALID = /^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$/;

/**
 * What "the same repository" is for every runner serving it: `grove.repositoryId` in the repository's own git
 * config (shared by all its worktrees; copy it into another clone to make that clone the same repository).
 * Created once when missing: racing creators each append a value and all read the first, so they agree.
 */
export async function ensureRepositoryId(repo: string): Promise<string> {
  const existing = await readRepositoryId(repo);
  if (existing !== null) return existing;
  await runGit(["config", "--local", "--add", KEY, randomUUID()], { cwd: repo });
  const created = await readRepositoryId(repo);
  if (created === null) throw new DomainError("GIT_FAILED", `${KEY} could not be written to ${repo}'s git config.`);
  return created;
}

/** The repository's id, or null when it has none yet; a malformed one is an INVALID_CONFIG error. */
export async function readRepositoryId(repo: string): Promise<string | null> {
  const read = await runGit(["config", "--local", "--get-all", KEY], { cwd: repo, okExitCodes: [0, 1] });
  if (read.exitCode === 1) return null;
  const first = read.stdout.split("\n")[0]?.trim() ?? "";
  if (!VALID.test(first))
    throw new DomainError(
      "INVALID_CONFIG",
      `${KEY} in ${repo}'s git config is "${first.slice(0, 80)}": it must be 8 to 64 of [A-Za-z0-9._-]. Fix it with \`git config ${KEY} <id>\` (the same id in every clone of this repository).`,
    );
  return first;
}
