import { randomUUID } from "node:crypto";
import { access, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { DomainError } from "../errors/domain-error.ts";
import { copyWorktreeIncludes } from "./copy-worktree-includes.ts";
import type { RepoContext } from "./open-repo.ts";
import { isSha } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { setupInputKey } from "./setup-inputs.ts";
import { diskBytes } from "./disk-bytes.ts";
import { snapshotIfDirty } from "./stale-merge-trees.ts";
import type { WarmSlot } from "./warm-tree-pool.ts";
import { parseStatusZ, type StatusEntry } from "./worktree-status.ts";

/** What the slot's last successful setup produced, and for which inputs (setup-inputs.ts). */
const SETUP_FILE = "setup.json";
const SetupStateSchema = z.object({ key: z.string(), kept: z.array(z.string()), sizeBytes: z.number().optional() });

export type WarmTreeReady = {
  /** The fingerprint of the setup inputs; recordWarmSetup stores it once setup succeeded. */
  setupKey: string;
  /** The slot's earlier setup result was kept and stands for this candidate: setup is not run again. */
  isSetUp: boolean;
  /** Why the slot's tree could not be reset and was replaced by a new worktree; null when it was reused. */
  replaced: string | null;
};

/**
 * Moves a claimed warm tree to the candidate `sha`: a forced detached checkout (git writes only the files
 * that differ), then every untracked and ignored file removed except what an earlier setup produced for the
 * same inputs; with other inputs, everything (a full clean) and setup runs again. Then `.worktreeinclude`
 * files and submodules as for a new worktree, and a check that the tree is exactly the candidate: HEAD is
 * `sha` and git reports no change but the kept setup output. A tree that fails any step is replaced by a
 * new worktree, so a test never runs on stale files.
 */
export async function moveWarmTree(
  ctx: RepoContext,
  slot: WarmSlot,
  sha: string,
  setup: string | undefined,
): Promise<WarmTreeReady> {
  if (!isSha(sha)) throw new DomainError("INVALID_INPUT", `"${sha.slice(0, 100)}" is not a full commit SHA.`);
  if (slot.wasAbandoned && (await isWorktree(slot.path))) await snapshotIfDirty(ctx.repo, slot.path).catch(() => null);
  let replaced = "there was no tree in this slot yet";
  try {
    if (await isWorktree(slot.path)) return { ...(await resetTree(ctx, slot, sha, setup)), replaced: null };
  } catch (error) {
    // Whatever broke it (a half-written index, a submodule in another state), a new tree is the answer.
    replaced = error instanceof Error ? error.message : String(error);
  }
  await discardTree(ctx, slot);
  await withRepoLock(ctx.repo, async () => {
    await runGit(["worktree", "prune"], { cwd: ctx.repo });
    await runGit(["worktree", "add", "--detach", "--quiet", "--", slot.path, sha], { cwd: ctx.repo });
  });
  return { ...(await resetTree(ctx, slot, sha, setup)), replaced };
}

async function resetTree(
  ctx: RepoContext,
  slot: WarmSlot,
  sha: string,
  setup: string | undefined,
): Promise<Omit<WarmTreeReady, "replaced">> {
  const path = slot.path;
  // Left by a git killed with its holder mid-checkout: nobody else works in a claimed tree.
  await rm(join(await gitDirOf(path), "index.lock"), { force: true });
  // Repeatable: the tree is claimed, and a forced checkout of sha puts it as a run lost with the spawner would have.
  await runGit(["checkout", "--force", "--quiet", "--detach", sha, "--"], { cwd: path, isRepeatable: true });
  if (await exists(join(path, ".gitmodules")))
    await runGit(["submodule", "update", "--init", "--recursive", "--force"], { cwd: path });
  const setupKey = await setupInputKey({ treeish: sha, cwd: path, setup, mainCheckout: ctx.isBare ? null : ctx.repo });
  const state = await readSetupState(slot.dir);
  // Setup output someone deleted (a node_modules removed by hand) is not there to stand for a setup run.
  const isSetUp = state?.key === setupKey && (await allExist(path, state.kept));
  if (!isSetUp) await rm(join(slot.dir, SETUP_FILE), { force: true });
  const kept = isSetUp ? state.kept : [];
  await runGit(["clean", "-ffdxq", ...kept.flatMap((entry) => ["-e", anchoredPattern(entry)])], { cwd: path });
  if (!ctx.isBare) await copyWorktreeIncludes(ctx.repo, path);
  await verifyCandidate(path, sha, new Set(kept));
  return { setupKey, isSetUp };
}

/**
 * Stores what the setup that just succeeded left in the tree (every untracked and ignored entry, folders as
 * one entry), to be kept by the next reset with the same setup inputs.
 */
export async function recordWarmSetup(slot: WarmSlot, setupKey: string): Promise<void> {
  const kept = (await statusEntries(slot.path, ["--ignored"])).filter((e) => e.code === "??" || e.code === "!!");
  // Measured once here, while setup's own minutes dominate, so doctor and Health can show it without a walk.
  const state = { key: setupKey, kept: kept.map((e) => `${e.code} ${e.path}`), sizeBytes: await diskBytes(slot.path) };
  await writeFile(join(slot.dir, SETUP_FILE), JSON.stringify(state));
}

/** Throws unless HEAD is `sha` and nothing differs from it but the kept setup output. */
export async function verifyCandidate(path: string, sha: string, kept: ReadonlySet<string>): Promise<void> {
  await verifyHead(path, sha);
  const stray = (await statusEntries(path, [])).filter((e) => !kept.has(`${e.code} ${e.path}`));
  if (stray.length > 0)
    throw new DomainError(
      "GIT_FAILED",
      `the warm tree ${path} differs from ${sha}: ${stray
        .map((e) => `${e.code} ${e.path}`)
        .join(", ")
        .slice(0, 500)}`,
    );
}

export async function verifyHead(path: string, sha: string): Promise<void> {
  const { stdout: head } = await runGit(["rev-parse", "HEAD"], { cwd: path });
  if (head.trim() !== sha) throw new DomainError("GIT_FAILED", `the warm tree ${path} is at ${head.trim()}, not at ${sha}`);
}

/** Removes the slot's tree and its setup record; git forgets it at the next prune. */
export async function discardTree(ctx: RepoContext, slot: Pick<WarmSlot, "dir" | "path">): Promise<void> {
  await rm(join(slot.dir, SETUP_FILE), { force: true });
  const aside = join(slot.dir, `deleting-${randomUUID()}`);
  const isMoved = await rename(slot.path, aside).then(
    () => true,
    () => false,
  );
  await withRepoLock(ctx.repo, () => runGit(["worktree", "prune"], { cwd: ctx.repo }));
  if (isMoved) await rm(aside, { recursive: true, force: true });
}

async function statusEntries(path: string, extra: string[]): Promise<StatusEntry[]> {
  const args = ["status", "--porcelain=v1", "-z", "--untracked-files=normal", "--ignore-submodules=none", ...extra];
  const { stdout } = await runGit(args, { cwd: path });
  return parseStatusZ(stdout);
}

/** A status entry ("!! node_modules/") as a gitignore pattern that matches exactly that path from the top. */
function anchoredPattern(entry: string): string {
  const path = entry.slice(3);
  return `/${path.replace(/[\\*?[\]!#]/g, (c) => `\\${c}`).replace(/ $/, "\\ ")}`;
}

/** The tree's size on disk when its setup last ran; null before any. */
export async function recordedWarmTreeBytes(dir: string): Promise<number | null> {
  return (await readSetupState(dir))?.sizeBytes ?? null;
}

async function readSetupState(dir: string): Promise<z.infer<typeof SetupStateSchema> | null> {
  const text = await readFile(join(dir, SETUP_FILE), "utf8").catch(() => null);
  if (text === null) return null;
  try {
    return SetupStateSchema.safeParse(JSON.parse(text)).data ?? null;
  } catch {
    return null;
  }
}

/** The tree is a registered worktree of its own (not a leftover folder, nor a path inside another checkout). */
async function isWorktree(path: string): Promise<boolean> {
  if (!(await exists(join(path, ".git")))) return false;
  const probe = await runGit(["rev-parse", "--show-toplevel"], { cwd: path, okExitCodes: [0, 128] }).catch(() => null);
  return probe?.exitCode === 0 && probe.stdout.trim() === path;
}

async function gitDirOf(path: string): Promise<string> {
  const { stdout } = await runGit(["rev-parse", "--absolute-git-dir"], { cwd: path });
  return stdout.trim();
}

async function allExist(root: string, entries: string[]): Promise<boolean> {
  for (const entry of entries) if (!(await exists(join(root, entry.slice(3))))) return false;
  return true;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
