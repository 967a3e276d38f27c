import { parseGroveConfig } from "@grove/core";
import { makeTempRepo } from "@grove/core/test-support";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";
import { BUILT_IN_PROFILES, findProfile } from "./agent-profiles.ts";

describe("an agents entry in grove.yaml without a command", () => {
  it("adjusts the built-in profile of its name: its keys win, its env is merged, the command and resume form stay", () => {
    const config = parseGroveConfig(
      "agents:\n  claude:\n    timeoutSec: 25\n    env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' }\n",
    );
    const claude = findProfile("claude", config);
    expect(claude.command).toEqual(BUILT_IN_PROFILES.claude?.command);
    expect(claude.resume).toEqual(BUILT_IN_PROFILES.claude?.resume);
    expect(claude).toMatchObject({ timeoutSec: 25, env: { ANTHROPIC_BASE_URL: "http://127.0.0.1:9" } });
    // A whole profile (with a command) still replaces the built-in one.
    const replaced = findProfile("claude", parseGroveConfig("agents:\n  claude:\n    command: [my-claude, '--', '{prompt}']\n"));
    expect(replaced).toEqual({ command: ["my-claude", "--", "{prompt}"] });
  });

  it("is refused, by name, when no built-in profile has its name", () => {
    const config = parseGroveConfig("agents:\n  mine:\n    timeoutSec: 5\n");
    expect(() => findProfile("mine", config)).toThrow(
      'agents.mine in grove.yaml has no command, and "mine" is no built-in profile to adjust (aider, claude, codex, demo): give it a command.',
    );
  });

  it("holds for a real session: the built-in demo agent stopped at the timeout grove.yaml gave it", async () => {
    const repo = await makeTempRepo({
      files: { "README.md": "# override\n", "grove.yaml": "test: none\nagents:\n  demo:\n    timeoutSec: 2\n" },
    });
    try {
      const plan = join(repo.root, "plan.yaml");
      await writeFile(plan, 'session: session-20260101-0700\ntasks:\n  - { agent: demo, task: slow, prompt: "hang" }\n');
      const result = await runGrove(["session", "run", "--plan", plan, "--data-dir", join(repo.root, "data")], { cwd: repo.dir });
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain("the agent ran past its timeout of 2000 ms and was stopped");
    } finally {
      await repo.cleanup();
    }
  });
});
