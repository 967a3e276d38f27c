import { afterEach, describe, expect, it } from "vitest";
import { readAgentRow, resultJsonSchema } from "@grove/core";
import type { ModelStep } from "@grove/testing";
import { startRealAgentRun, type RealAgentRun } from "../test-support/real-agent-run.ts";

// Real agents that do their work but write no RESULT, or one grove cannot use: the run still ends (no crash),
// and says what it did instead. Claude Code's final answer is a RESULT of last resort. Codex's last message is
// held to RESULT's schema (--output-schema) and written to the run folder (--output-last-message): grove's
// RESULT when it is one.

let run: RealAgentRun | undefined;
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
});

const EDIT: ModelStep = { do: "edit", path: "{cwd}/README.md", find: "# real agent", replace: "# real agent, edited" };
const INVALID_RESULT: ModelStep = { do: "write", path: "{result}", content: JSON.stringify({ status: "maybe", summary: 42 }) };
const systemLines = (r: RealAgentRun) =>
  r
    .lines()
    .filter((l) => l.stream === "system")
    .map((l) => l.text);

describe("a real claude agent", () => {
  it("that writes no RESULT: its final answer becomes the RESULT, and the log says why", async () => {
    run = await startRealAgentRun({
      cli: "claude",
      script: [{ do: "read", path: "{contextPack}" }, EDIT, { do: "say", text: "Edited the README title." }],
    });
    expect((await run.ended()).state).toBe("succeeded");
    const report = run.report();
    expect(report?.result).toEqual({ status: "done", summary: "Edited the README title.", learnings: [] });
    expect(report?.resultError).toBeNull();
    expect(systemLines(run)).toContainEqual(
      expect.stringMatching(
        /^The agent wrote no RESULT \(expected JSON at \/.+\/result\.json\)\. Using the agent's final answer as its RESULT instead\.$/,
      ),
    );
    expect(await run.repo.git(["log", "-1", "--format=%s", "agent/claude/task"])).toBe("Edited the README title.");
  });

  it("that writes an invalid RESULT: the log names what is wrong with it before the final answer stands in", async () => {
    run = await startRealAgentRun({
      cli: "claude",
      script: [{ do: "read", path: "{contextPack}" }, EDIT, INVALID_RESULT, { do: "say", text: "Done, RESULT written." }],
    });
    expect((await run.ended()).state).toBe("succeeded");
    expect(run.report()?.result).toMatchObject({ summary: "Done, RESULT written." });
    // The schema's message spans lines: each is a row of its own, no row holds a line break.
    expect(systemLines(run).join("\n")).toMatch(
      /\nThe RESULT does not match the schema:\n[\s\S]*→ at status[\s\S]*→ at summary Using the agent's final answer as its RESULT instead\.\n/,
    );
    expect(run.lines().filter((l) => /[\r\n]/.test(l.text))).toEqual([]);
  });
});

describe("a real codex agent (its final answer read from its --json events)", () => {
  it("that writes no RESULT: its final answer becomes the RESULT, and its work still lands on its branch", async () => {
    run = await startRealAgentRun({ cli: "codex", script: [EDIT, { do: "say", text: "Edited the README title." }] });
    expect((await run.ended()).state).toBe("succeeded");
    const report = run.report();
    expect(report?.result).toEqual({ status: "done", summary: "Edited the README title.", learnings: [] });
    expect(report?.resultError).toBeNull();
    expect(systemLines(run)).toContainEqual(expect.stringMatching(/^The agent wrote no RESULT .*Using the agent's final answer/));
    expect(report?.commits).toBe(1);
  });

  it("that writes an invalid RESULT: the log names what is wrong with it, the final answer stands in, nothing crashes", async () => {
    run = await startRealAgentRun({
      cli: "codex",
      script: [{ do: "read", path: "{contextPack}" }, EDIT, INVALID_RESULT, { do: "say", text: "Done." }],
    });
    expect((await run.ended()).state).toBe("succeeded");
    expect(run.report()?.result).toMatchObject({ summary: "Done." });
    expect(systemLines(run).join("\n")).toMatch(
      /\nThe RESULT does not match the schema:\n[\s\S]*→ at status[\s\S]*→ at summary Using/,
    );
    expect(run.lines().filter((l) => /[\r\n]/.test(l.text))).toEqual([]);
  });
});

describe.each(["claude", "codex"] as const)("a real %s agent that changes nothing", (cli) => {
  it("ends no_changes, untested, its branch at its base, with the reason as the run's error and no merge request", async () => {
    run = await startRealAgentRun({
      cli,
      script: [
        { do: "read", path: "{contextPack}" },
        { do: "say", text: "The README is already right; nothing to do." },
      ],
    });
    const ended = await run.ended();
    expect(ended.state).toBe("no_changes");
    expect(ended.error).toMatch(/^no changes: the agent exited without changing anything; agent\/\w+\/task is still at its base/);
    const report = run.report();
    expect(report).toMatchObject({ exitCode: 0, commits: 0, uncommittedCount: 0, test: { status: "skipped" } });
    expect(report?.headSha).toBe(report?.baseSha);
    expect(run.endedAudit()).toMatchObject({ state: "no_changes" });
    expect(await run.repo.git(["rev-list", "--count", `main..agent/${cli}/task`])).toBe("0");
  });
});

describe("a real codex agent's RESULT in its last message (--output-schema, --output-last-message)", () => {
  it("is the run's RESULT: the model was asked for RESULT's schema, its answer landed in the run folder, the run says so", async () => {
    const answer = {
      status: "done",
      summary: "Edited the README title.",
      learnings: [{ title: "Titles", body: "The README title says what the repo is.", tags: null }],
      files: ["README.md"],
      followUps: null,
    };
    run = await startRealAgentRun({ cli: "codex", script: [EDIT, { do: "say", text: JSON.stringify(answer) }] });
    expect((await run.ended()).state).toBe("succeeded");
    expect(run.report()?.result).toEqual({
      status: "done",
      summary: "Edited the README title.",
      learnings: [{ title: "Titles", body: "The README title says what the repo is." }],
      files: ["README.md"],
    });
    expect(run.report()?.resultError).toBeNull();
    const formats = run.textFormats();
    expect(formats.length).toBeGreaterThan(0);
    for (const format of formats) expect(format).toMatchObject({ type: "json_schema", strict: true, schema: resultJsonSchema() });
    expect(systemLines(run)).toContainEqual(
      expect.stringMatching(/^RESULT read from the agent's last message \(\/.+\/last-message\.json\), written by its CLI\.$/),
    );
    expect(run.endedAudit()).toMatchObject({ resultSource: "last-message" });
    // The hub got codex's events as rows of a kind (what the run page's structured view shows), read back as entries.
    const entries = run
      .lines()
      .map((line) => readAgentRow(line))
      .filter((row) => row !== null);
    expect(entries.map((row) => row.kind)).toEqual(["session", "error", "tool", "outcome", "message", "final"]);
    expect(entries.slice(2)).toEqual([
      { kind: "tool", label: "shell", text: expect.stringContaining("README.md") as unknown },
      { kind: "outcome", label: "tool result", text: "exit 0" },
      { kind: "message", label: "agent", text: JSON.stringify(answer) },
      { kind: "final", label: "finished", text: "turn done: 2400 in / 80 out tokens" },
    ]);
  });

  it("that does not match the schema: no RESULT, and a resultError that says what is wrong with the message", async () => {
    run = await startRealAgentRun({
      cli: "codex",
      script: [EDIT, { do: "say", text: JSON.stringify({ status: "finished", summary: "Edited." }) }],
    });
    expect((await run.ended()).state).toBe("succeeded");
    expect(run.report()?.result).toBeNull();
    expect(run.report()?.resultError).toMatch(
      /^The agent wrote no RESULT \(expected JSON at .+\)\. The agent's last message \(.+\/last-message\.json\) is JSON but no RESULT: it does not match the RESULT schema:\n.*→ at status/s,
    );
    expect(run.endedAudit()).toMatchObject({ resultSource: "none" });
  });
});
