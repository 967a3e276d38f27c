// `pnpm test` runs the packages' suites in lanes it names (scripts/test-unit.sh): a package added to the workspace,
// or renamed, must be named there once, or its tests would quietly never run.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The folders pnpm-workspace.yaml's `packages:` globs name (`dir/*` or a folder). */
async function workspaceDirs(): Promise<string[]> {
  const yaml = await readFile(path.join(REPO_ROOT, "pnpm-workspace.yaml"), "utf8");
  const globs = [...(yaml.match(/^packages:\n((?:\s+- .+\n)+)/m)?.[1] ?? "").matchAll(/- (\S+)/g)].map((m) => m[1] ?? "");
  const dirs: string[] = [];
  for (const glob of globs) {
    if (!glob.endsWith("/*")) dirs.push(glob);
    else for (const entry of await readdir(path.join(REPO_ROOT, glob.slice(0, -2)))) dirs.push(`${glob.slice(0, -2)}/${entry}`);
  }
  return dirs.filter((dir) => existsSync(path.join(REPO_ROOT, dir, "package.json")));
}

it("names every workspace package with a vitest suite in one lane of scripts/test-unit.sh, once", async () => {
  const script = await readFile(path.join(REPO_ROOT, "scripts/test-unit.sh"), "utf8");
  const laned = [...script.matchAll(/^bash scripts\/test-lane\.sh (.+?) &$/gm)].flatMap((m) => (m[1] ?? "").split(" "));
  const withTests: string[] = [];
  for (const dir of await workspaceDirs()) {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, dir, "package.json"), "utf8")) as {
      name: string;
      scripts?: Record<string, string>;
    };
    if (pkg.scripts?.test?.startsWith("vitest")) withTests.push(pkg.name);
  }
  expect(withTests.length).toBeGreaterThanOrEqual(6);
  expect([...laned].sort()).toEqual(withTests.sort());
});
