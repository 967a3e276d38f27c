import { existsSync } from "node:fs";
import stripAnsi from "strip-ansi";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BUILT_IN_PROFILES } from "../launch/agent-profiles.ts";
import { startRealAgentRun, type RealAgentRun } from "../test-support/real-agent-run.ts";

// Real agents that fail or are held back: refused an action by their CLI's permissions, or ended by an
// error of their model's API. The real claude and codex CLIs against scripted models, run by the daemon.

let run: RealAgentRun | undefined;
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
});

describe("a real claude agent refused actions", () => {
  it("shows each refusal (a write outside its folders, a tool outside --allowedTools) in its log and in the run's end, and its other work still lands on its branch", async () => {
    run = await startRealAgentRun({
      cli: "claude",
      script: [
        { do: "write", path: "{cwd}/../refused.txt", content: "outside the worktree" },
        // Not in --allowedTools, and print mode cannot ask.
        { do: "tool", name: "WebFetch", input: { url: "http://127.0.0.1:9/", prompt: "Summarise" } },
        { do: "edit", path: "{cwd}/README.md", find: "# real agent", replace: "# real agent, edited" },
        { do: "say", text: "Edited the README; one write was refused." },
      ],
    });
    const ended = await run.ended();
    expect(ended.state).toBe("succeeded");
    const worktree = await run.worktree();
    expect(existsSync(join(dirname(worktree), "refused.txt"))).toBe(false);

    const texts = run.lines().map((l) => `${l.stream}: ${stripAnsi(l.text)}`);
    const webFetch = "WebFetch: Claude requested permissions to use WebFetch, but you haven't granted it yet.";
    expect(texts).toContain("stderr: ✗ refused Write: Path is outside allowed working directories");
    expect(texts).toContain(`stderr: ✗ refused ${webFetch}`);
    expect(texts).toContain(
      `system: the agent was refused 2 actions: Write: Path is outside allowed working directories; ${webFetch}`,
    );
    expect(run.endedAudit()).toMatchObject({ state: "succeeded", refused: 2 });
    expect(await run.repo.git(["show", "agent/claude/task:README.md"])).toBe("# real agent, edited");
  });
});

describe("a real codex agent refused an action", () => {
  it("counts a call codex's approval review declined, as Claude's denials are, and its other work still lands", async () => {
    // --approve-for-me instead of the built-in --sandbox workspace-write: under `exec`'s default approval
    // ("never") a request to leave the sandbox is refused with no event at all on --json, and a command the
    // sandbox stops is only a failed command (its output says "Read-only file system"), so neither is counted.
    const builtIn = BUILT_IN_PROFILES.codex?.command ?? [];
    const at = builtIn.indexOf("--sandbox");
    run = await startRealAgentRun({
      cli: "codex",
      profile: { command: [...builtIn.slice(0, at), "--approve-for-me", ...builtIn.slice(at + 2)] },
      script: [
        { do: "run", command: "touch /etc/grove-refused", escalate: true },
        { do: "edit", path: "{cwd}/README.md", find: "# real agent", replace: "# real agent, edited" },
        { do: "say", text: "Edited the README; one command was refused." },
      ],
    });
    const ended = await run.ended();
    expect(ended.state).toBe("succeeded");
    const refusal = "shell: /bin/bash -c 'touch /etc/grove-refused' (declined by codex's approval)";
    const texts = run.lines().map((l) => `${l.stream}: ${stripAnsi(l.text)}`);
    expect(texts).toContain(`stderr: ✗ refused ${refusal}`);
    expect(texts).toContain(`system: the agent was refused 1 action: ${refusal}`);
    expect(run.report()?.refusedActions).toBe(1);
    expect(run.endedAudit()).toMatchObject({ state: "succeeded", refused: 1 });
    expect(existsSync("/etc/grove-refused")).toBe(false);
    expect(await run.repo.git(["show", "agent/codex/task:README.md"])).toBe("# real agent, edited");
  });
});

describe("a real codex agent under the built-in profile asking to leave its sandbox", () => {
  it("is refused by codex, which says so only on stderr: counted as a refused action, its other work lands", async () => {
    run = await startRealAgentRun({
      cli: "codex",
      script: [
        { do: "run", command: "touch /etc/grove-refused", escalate: true },
        { do: "edit", path: "{cwd}/README.md", find: "# real agent", replace: "# real agent, edited" },
        { do: "say", text: "Edited the README; one command was refused." },
      ],
    });
    expect((await run.ended()).state).toBe("succeeded");
    const refusal =
      "shell: approval policy is Never; reject command — you cannot ask for escalated permissions if the approval policy is Never (asked to run outside its sandbox)";
    const texts = run.lines().map((l) => `${l.stream}: ${stripAnsi(l.text)}`);
    expect(texts).toContain(`stderr: ✗ refused ${refusal}`);
    expect(texts).toContain(`system: the agent was refused 1 action: ${refusal}`);
    expect(run.report()?.refusedActions).toBe(1);
    expect(existsSync("/etc/grove-refused")).toBe(false);
    expect(await run.repo.git(["show", "agent/codex/task:README.md"])).toBe("# real agent, edited");
  });
});

describe.each(["claude", "codex"] as const)("a real %s agent whose model API refuses the request", (cli) => {
  it("exits non-zero: the run fails with its exit code and the CLI's error in the log, untested, nothing committed", async () => {
    run = await startRealAgentRun({
      cli,
      script: [{ do: "refuse", status: 400, message: "grove double: this request is refused" }],
    });
    const ended = await run.ended();
    expect(ended.state).toBe("failed");
    const report = run.report();
    expect(report?.exitCode).not.toBe(0);
    expect(report?.exitCode).not.toBeNull();
    expect(report?.test.status).toBe("skipped");
    expect(report?.commits).toBe(0);
    const texts = run.lines().map((l) => stripAnsi(l.text));
    expect(texts.some((t) => t.includes("grove double: this request is refused"))).toBe(true);
    expect(
      texts.some((t) => new RegExp(`^agent exited \\(exit code ${report?.exitCode ?? "?"}\\) after \\d+\\.\\d s$`).test(t)),
    ).toBe(true);
    expect(texts).toContain("tests skipped: the agent did not succeed");
  });
});
