import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runGit } from "../node/run-git.ts";

export type TempRepo = {
  /** The repository's main checkout: `<tmp>/repo`. Sibling worktrees land next to it inside `<tmp>`. */
  dir: string;
  /** The temporary parent folder that holds the repository and its sibling worktrees. */
  root: string;
  /** Runs git in the repository (or in opts.cwd) and returns its trimmed stdout; throws on failure. */
  git: (args: string[], opts?: { cwd?: string }) => Promise<string>;
  /** Writes files (relative paths) into the repository or opts.cwd. */
  write: (files: Record<string, string>, opts?: { cwd?: string }) => Promise<void>;
  cleanup: () => Promise<void>;
};

/** A real repository for integration tests: `init -b main`, local identity, no signing, no auto gc, one commit. */
export async function makeTempRepo(
  opts: { files?: Record<string, string>; name?: string; parent?: string } = {},
): Promise<TempRepo> {
  const root = await realpath(await mkdtemp(join(opts.parent ?? tmpdir(), "grove-test-")));
  const dir = join(root, opts.name ?? "repo");
  await mkdir(dir);
  const git = async (args: string[], gitOpts: { cwd?: string } = {}) =>
    (await runGit(args, { cwd: gitOpts.cwd ?? dir })).stdout.trim();
  const write = async (files: Record<string, string>, writeOpts: { cwd?: string } = {}) => {
    for (const [path, content] of Object.entries(files)) {
      const target = join(writeOpts.cwd ?? dir, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
  };
  await git(["init", "-q", "-b", "main"]);
  for (const [key, value] of [
    ["user.name", "Grove Test"],
    ["user.email", "test@grove.invalid"],
    ["commit.gpgSign", "false"],
    ["tag.gpgSign", "false"],
    ["gc.auto", "0"],
    ["maintenance.auto", "false"],
  ] as const) {
    await git(["config", key, value]);
  }
  await write(opts.files ?? { "README.md": "# test repo\n" });
  await git(["add", "-A"]);
  await git(["commit", "-q", "-m", "initial commit"]);
  return { dir, root, git, write, cleanup: () => rm(root, { recursive: true, force: true }) };
}
