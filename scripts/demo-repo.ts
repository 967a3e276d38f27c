import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { runGit } from "@grove/core/node";

const FILES: Record<string, string> = {
  "README.md": "# demo-app\n\nA small repository that grove's demo agents work on.\n",
  "grove.yaml": [
    "# grove configuration for this repository",
    "integration: main",
    "brain: project-brain",
    "test: node --test",
    "",
  ].join("\n"),
  "src/greet.mjs": "export function greet(name) {\n  return `Hello, ${name}!`;\n}\n",
  "test/greet.test.mjs": [
    'import assert from "node:assert/strict";',
    'import test from "node:test";',
    'import { greet } from "../src/greet.mjs";',
    "",
    'test("greets by name", () => {',
    '  assert.equal(greet("grove"), "Hello, grove!");',
    "});",
    "",
  ].join("\n"),
  "project-brain/README.md": "# project brain\n\nLearnings deposited by grove after each merge. Agents never write here.\n",
  ".gitignore": "node_modules/\n",
};

/** Creates the demo repository on first run (idempotent): `main` with a test suite and a grove.yaml. */
export async function ensureDemoRepo(dir: string): Promise<{ path: string; created: boolean }> {
  const repo = path.resolve(dir);
  if (existsSync(path.join(repo, ".git"))) return { path: repo, created: false };
  await mkdir(repo, { recursive: true });
  const git = (args: string[]) => runGit(args, { cwd: repo });
  await git(["init", "-q", "-b", "main"]);
  await git(["config", "user.name", "grove demo"]);
  await git(["config", "user.email", "demo@grove.local"]);
  await git(["config", "commit.gpgSign", "false"]);
  for (const [file, content] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
    await writeFile(path.join(repo, file), content);
  }
  await git(["add", "-A"]);
  await git(["commit", "-q", "-m", "Initial demo app"]);
  return { path: repo, created: true };
}
