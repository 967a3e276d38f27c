import { readFile, realpath } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { DomainError } from "../errors/domain-error.ts";
import { parseGroveConfig, type GroveConfig } from "../schemas/config.ts";
import { fillWorktreeTemplate, repoDisplayName } from "../worktree/worktree-path.ts";
import { commonDirOnDisk } from "./common-dir-on-disk.ts";
import { listWorktrees, type WorktreeInfo } from "./list-worktrees.ts";
import { runGit } from "./run-git.ts";

export type RepoContext = { repo: string; commonDir: string; isBare: boolean; config: GroveConfig };

export type LocatedRepo = { start: string; commonDir: string };

/**
 * Opens the repository containing `path`. `repo` is always the main checkout (or the bare repository
 * folder in the bare layout), even when `path` is inside one of its linked worktrees.
 */
export async function openRepo(path: string): Promise<RepoContext> {
  const located = await locateRepo(path);
  return repoContextFrom(located, await listWorktrees(located.start));
}

/**
 * The real path of `path` and its repository's common dir (where the repository lock lives): read from disk when
 * `path` is a main checkout (commonDirOnDisk), else one git process.
 */
export async function locateRepo(path: string): Promise<LocatedRepo> {
  const start = await realpath(path).catch((error: unknown) => {
    throw new DomainError("NOT_FOUND", `${path} does not exist.`, { cause: error });
  });
  const onDisk = await commonDirOnDisk(start);
  if (onDisk !== null) return { start, commonDir: onDisk };
  // One git process both tells that `start` is inside a repository and names its common dir.
  const probe = await runGit(["rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: start, okExitCodes: [0, 128] });
  if (probe.exitCode !== 0) {
    throw new DomainError("NOT_FOUND", `${start} is not inside a git repository (run \`git init\` or pass --repo).`);
  }
  return { start, commonDir: await realpath(probe.stdout.trim()) };
}

/**
 * openRepo from a listing of the repository's worktrees the caller already has: an operation that lists them
 * under the repository lock anyway opens the repository there, with no git process more.
 */
export async function repoContextFrom(located: LocatedRepo, worktrees: WorktreeInfo[]): Promise<RepoContext> {
  const main = worktrees[0];
  const isBare = main?.bare ?? false;
  const repo = main ? await realpath(main.path).catch(() => main.path) : located.start;
  const config = parseGroveConfig(await readConfigText(repo, isBare), join(repo, "grove.yaml"));
  return { repo, commonDir: located.commonDir, isBare, config };
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
