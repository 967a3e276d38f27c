import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

// The hint under an error fits the command typed: no --repo for a command that has none or was given one.

const REPO_HINT = "pass --repo PATH";
let scratch: string;

beforeEach(async () => {
  scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-hints-")));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const grove = (args: string[]) => runGrove(args, { cwd: scratch });

describe("grove's error hints", () => {
  it("points a missing plan file at --plan, not at --repo", async () => {
    const plan = join(scratch, "nonexistent.yaml");
    const result = await grove(["session", "run", "--plan", plan]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `grove: cannot read the plan ${plan}\nhint: check the --plan path; a relative one is read from the folder you ran grove in.\n`,
    );
  });

  it("points at the --repo given rather than asking for one", async () => {
    const missing = join(scratch, "nonexistent", "path");
    const result = await grove(["worktree", "list", "--repo", missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`grove: ${missing} does not exist.\nhint: check the path given to --repo.\n`);
    const joined = await grove(["worktree", "list", `--repo=${missing}`]);
    expect(joined.stderr).toContain("hint: check the path given to --repo.");
  });

  it("still suggests --repo to a command that takes it and was not given it", async () => {
    const result = await grove(["worktree", "list"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`is not inside a git repository`);
    expect(result.stderr).toContain(`hint: check the path, or ${REPO_HINT}`);
  });

  it("tells approve and reject of an unknown request about --data-dir and --list, never --repo", async () => {
    const dataDir = join(scratch, "data");
    for (const args of [
      ["approve", "demo/nothing", "--data-dir", dataDir],
      ["reject", "demo/nothing", "--comment", "no", "--data-dir", dataDir],
    ]) {
      const result = await grove(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('grove: no merge request "demo/nothing" in ');
      expect(result.stderr).toContain("hint: `grove approve --list` shows the requests waiting");
      expect(result.stderr).toContain("pass the same --data-dir");
      expect(result.stderr).not.toContain("--repo");
    }
  });

  it("names --list in approve's usage", async () => {
    const result = await grove(["approve", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("grove approve [--list] [--repo PATH] [--data-dir DIR] [--json]");
  });
});
