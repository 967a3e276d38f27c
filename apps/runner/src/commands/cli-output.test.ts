import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

// What a new user sees of grove's own output: colour only where a terminal (or FORCE_COLOR) wants it, and
// hints that fit the error. runGrove pipes stdout and stderr, as `grove … > file` does.

// An agent CLI printing Claude Code's stream-json (grove renders its events in colour) and a coloured line of its own.
const AGENT = [
  "const line = (o) => console.log(JSON.stringify(o));",
  'line({ type: "system", subtype: "init", session_id: "s-1", model: "m" });',
  'console.log("\\u001b[32mthe agent\'s own green\\u001b[0m");',
  'line({ type: "result", subtype: "success", is_error: false, result: "done", num_turns: 1, total_cost_usd: 0 });',
].join("\n");

let repo: TempRepo;
afterEach(async () => {
  await repo.cleanup();
});

async function setUp() {
  repo = await makeTempRepo({ files: { "README.md": "# colour\n" } });
  const agent = join(repo.root, "agent.cjs");
  await writeFile(agent, AGENT);
  const yaml = [
    `test: '"${process.execPath}" -e "process.exit(0)"'`,
    "agents:",
    "  streamer:",
    `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(agent)}, "--output-format", "stream-json", "{prompt}"]`,
  ].join("\n");
  await writeFile(join(repo.dir, "grove.yaml"), `${yaml}\n`);
  await repo.git(["add", "grove.yaml"]);
  await repo.git(["commit", "-qm", "a streaming agent"]);
}

async function session(env: Record<string, string | undefined>) {
  const plan = join(repo.root, "plan.yaml");
  await writeFile(plan, "tasks:\n  - { agent: me, task: one, profile: streamer, prompt: hello }\n");
  return runGrove(["session", "run", "--plan", plan, "--data-dir", join(repo.root, "data")], {
    cwd: repo.dir,
    env: { NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
  });
}

describe("grove session run's live output", () => {
  it("carries no escape codes into a pipe, and colour with FORCE_COLOR=1 unless NO_COLOR is set", async () => {
    await setUp();
    const piped = await session({});
    expect(piped.stdout, piped.stderr).toContain("me/one │ claude session s-1 (m)");
    expect(piped.stdout).toContain("me/one │ the agent's own green");
    expect(piped.stdout + piped.stderr).not.toContain("\u001b");

    const forced = await session({ FORCE_COLOR: "1" });
    expect(forced.stdout, forced.stderr).toContain("me/one │ \u001b[2mclaude session s-1 (m)\u001b[0m");
    expect(forced.stdout).toContain("\u001b[32mthe agent's own green\u001b[0m");

    const neither = await session({ FORCE_COLOR: "1", NO_COLOR: "1" });
    expect(neither.stdout, neither.stderr).toContain("me/one │ claude session s-1 (m)");
    expect(neither.stdout + neither.stderr).not.toContain("\u001b");
  });
});
