import { readFile, realpath } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { DomainError } from "../errors/domain-error.ts";
import { parseGroveConfig, type GroveConfig } from "../schemas/config.ts";
import { fillWorktreeTemplate, repoDisplayName } from "../worktree/worktree-path.ts";
import { parseWorktreeList } from "../worktree/parse-worktree-list.ts";
import { resolveCommonDir } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";

export type RepoContext = { repo: string; commonDir: string; isBare: boolean; config: GroveConfig };

/**
 * Opens the repository containing `path`. `repo` is always the main checkout (or the bare repository
 * folder in the bare layout), even when `path` is inside one of its linked worktrees.
 */
export async function openRepo(path: string): Promise<RepoContext> {
  const start = await realpath(path).catch((error: unknown) => {
    throw new DomainError("NOT_FOUND", `${path} does not exist.`, { cause: error });
  });
  const probe = await runGit(["rev-parse", "--is-inside-work-tree"], { cwd: start, okExitCodes: [0, 128] });
  if (probe.exitCode !== 0) {
    throw new DomainError("NOT_FOUND", `${start} is not inside a git repository (run \`git init\` or pass --repo).`);
  }
  const commonDir = await resolveCommonDir(start);
  const { stdout } = await runGit(["worktree", "list", "--porcelain", "-z"], { cwd: start });
  const main = parseWorktreeList(stdout)[0];
  const isBare = main?.bare ?? false;
  const repo = main ? await realpath(main.path).catch(() => main.path) : start;
  const config = parseGroveConfig(await readConfigText(repo, isBare), join(repo, "grove.yaml"));
  return { repo, commonDir, isBare, config };
}

/** Where the agent's worktree lives, from the `worktrees` template resolved against the repository folder. */
export function worktreePathFor(ctx: RepoContext, agent: string, taskId: string): string {
  const relative = fillWorktreeTemplate(ctx.config.worktrees, repoDisplayName(basename(ctx.repo)), agent, taskId);
  return resolve(ctx.repo, relative);
}

async function readConfigText(repo: string, isBare: boolean): Promise<string | null> {
  const onDisk = await readFile(join(repo, "grove.yaml"), "utf8").catch((error: unknown) => {
    if (typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT") return null;
    throw error;
  });
  if (onDisk !== null || !isBare) return onDisk;
  // A bare repository has no files on disk; its config is the one committed on HEAD.
  const blob = await runGit(["cat-file", "blob", "HEAD:grove.yaml"], { cwd: repo, okExitCodes: [0, 128] });
  return blob.exitCode === 0 ? blob.stdout : null;
}
