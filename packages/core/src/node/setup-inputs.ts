import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { listWorktreeIncludes } from "./copy-worktree-includes.ts";
import { runGit } from "./run-git.ts";
import { sha256Hex } from "./sha256.ts";

/**
 * The tracked files whose content decides what a `setup` command produces: lockfiles and the manifests
 * they are checked against (a package.json that gained a dependency its lockfile lacks makes `npm install`
 * install it), at any depth. Matched by file name.
 */
const SETUP_INPUT_NAMES = new Set([
  "package.json",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  "yarn.lock",
  ".yarnrc.yml",
  ".npmrc",
  ".nvmrc",
  ".node-version",
  "Cargo.lock",
  "Cargo.toml",
  "go.mod",
  "go.sum",
  "poetry.lock",
  "uv.lock",
  "pyproject.toml",
  "Pipfile.lock",
  "setup.py",
  "setup.cfg",
  "Gemfile",
  "Gemfile.lock",
  "composer.lock",
  ".gitmodules",
  ".worktreeinclude",
]);
const SETUP_INPUT_PATTERNS = [/^requirements.*\.txt$/, /^bun\.lockb?$/];

export function isSetupInput(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return SETUP_INPUT_NAMES.has(name) || SETUP_INPUT_PATTERNS.some((pattern) => pattern.test(name));
}

/**
 * The repository paths a setup command names, such as `scripts/setup.sh` in `sh ./scripts/setup.sh`, and the
 * file of a task runner it starts (the Makefile of `make setup`): a tracked file among them is what setup runs,
 * so its content decides what setup produces as much as a lockfile does. Words are split the way a shell would
 * roughly see them; a word naming no tracked file matches nothing, so over-splitting costs nothing.
 */
function pathsNamedBy(setup: string | undefined): Set<string> {
  const words = (setup ?? "")
    .split(/[\s;&|()<>=]+/)
    .map((word) =>
      word
        .replace(/^["']+|["']+$/g, "")
        .replace(/^(\.\/)+/, "")
        .replace(/\/+$/, ""),
    )
    .filter(Boolean);
  // `make setup`, `just setup`, `task setup`: the recipe is in the task runner's file at the root, or in the folder
  // the command names (`make -C tools setup`, `cd tools && make setup`); any word may be that folder.
  const files = words.flatMap((word) => TASK_RUNNER_FILES.get(word) ?? []);
  const inFolders = files.length === 0 ? [] : words.flatMap((folder) => files.map((file) => `${folder}/${file}`));
  return new Set([...words, ...files, ...inFolders]);
}

const TASK_RUNNER_FILES = new Map([
  ["make", ["GNUmakefile", "makefile", "Makefile"]],
  ["just", ["justfile", "Justfile", ".justfile"]],
  ["task", ["Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml"]],
]);

/**
 * A fingerprint of everything a warm tree's setup result depends on: the setup command, the blob ids of
 * the candidate commit's setup inputs and of the tracked files the command names (read from git's tree,
 * so it costs no file reads), and the main checkout's `.worktreeinclude` files (their paths, sizes and
 * modification times), which are copied in before setup runs. Equal fingerprints: setup would see the same
 * inputs, so its earlier result stands.
 */
export async function setupInputKey(input: {
  treeish: string;
  cwd: string;
  setup: string | undefined;
  /** The main checkout whose `.worktreeinclude` files are copied in; null in the bare layout. */
  mainCheckout: string | null;
}): Promise<string> {
  const { stdout } = await runGit(["ls-tree", "-r", "-z", "--full-tree", input.treeish], { cwd: input.cwd });
  const named = pathsNamedBy(input.setup);
  const tracked = stdout.split("\0").filter((entry) => {
    const path = entry.slice(entry.indexOf("\t") + 1);
    return isSetupInput(path) || named.has(path);
  });
  const includes = input.mainCheckout === null ? [] : await describeIncludes(input.mainCheckout);
  return sha256Hex(JSON.stringify({ setup: input.setup ?? null, tracked, includes }));
}

async function describeIncludes(mainCheckout: string): Promise<string[]> {
  const described: string[] = [];
  for (const file of await listWorktreeIncludes(mainCheckout)) {
    const info = await lstat(join(mainCheckout, file)).catch(() => null);
    described.push(info === null ? `${file} gone` : `${file} ${info.size} ${info.mtimeMs}`);
  }
  return described;
}
