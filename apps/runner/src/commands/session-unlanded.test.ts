import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

// Real little CLIs: one changes nothing and exits 0, one asks a person and waits on its empty stdin, one commits.
const IDLE = `console.log("nothing to do here");`;
const ASKS = `process.stdout.write("Overwrite the existing config? [y/N] "); process.stdin.resume(); setInterval(() => {}, 1 << 30);`;
const COMMITS = `require("node:fs").writeFileSync("done.txt", "done\\n"); for (const a of [["add", "-A"], ["commit", "-qm", "done"]]) require("node:child_process").execFileSync("git", a);`;

let repo: TempRepo;
afterEach(async () => {
  await repo.cleanup();
});

async function session(tasks: string[]) {
  const planPath = join(repo.root, "plan.yaml");
  await writeFile(planPath, `tasks:\n${tasks.map((agent) => `  - { agent: ${agent}, task: t1, prompt: go }\n`).join("")}`);
  return runGrove(["session", "run", "--plan", planPath, "--data-dir", join(repo.root, "data"), "--approve", "auto"], {
    cwd: repo.dir,
  });
}

describe("grove session run, when a task's agent changed nothing or needed input", () => {
  it("says so per task and exits 5 (nothing changed) or 4 (needs a person), never 'every task landed'", async () => {
    const agent = (script: string) => ({ command: [process.execPath, "-e", script, "--", "{prompt}"], inputWaitSec: 1 });
    const config = { test: 'node -e "process.exit(0)"', agents: { idle: agent(IDLE), asks: agent(ASKS), lands: agent(COMMITS) } };
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": JSON.stringify(config) } });

    const unchanged = await session(["lands", "idle"]);
    expect(unchanged.code, unchanged.stdout + unchanged.stderr).toBe(5);
    expect(unchanged.stdout).toContain(": 1 of 2 landed, 1 changed nothing");
    expect(unchanged.stdout).toMatch(
      /idle\/t1\s+unchanged\s+run no_changes\s+tests skipped\s+no changes: the agent changed nothing/,
    );
    expect(await repo.git(["log", "main", "--merges", "--format=%s"])).toBe("Merge lands agent results (t1)");
    // The live line says the end once: its explanation already begins with "no changes".
    expect(unchanged.stderr).toMatch(/▸ idle\/t1\s+no changes: the agent/);
    expect(unchanged.stderr).not.toContain("no_changes: no changes");

    const asked = await session(["idle", "asks"]);
    expect(asked.code, asked.stdout + asked.stderr).toBe(4);
    expect(asked.stdout).toContain(": 0 of 2 landed, 1 needed input, 1 changed nothing");
    expect(asked.stdout).toMatch(
      /asks\/t1\s+needs_input\s+run needs_input\s+tests skipped\s+needs input: the agent asked "Overwrite the existing config\? \[y\/N\]"/,
    );
    expect(await repo.git(["branch", "--list", "agent/asks/t1"])).toContain("agent/asks/t1");
  });
});
