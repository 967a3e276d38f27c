import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { REAL_AGENT_CLIS, type ModelScript, type RealAgentCli } from "@grove/testing";
import { runPaths } from "../run/run-paths.ts";
import { startRealAgentRun, type RealAgentRun } from "../test-support/real-agent-run.ts";

// A review round of a real CLI resumes its conversation: round 1, then round 2 through the built-in profile's
// resume form (claude --resume, codex exec … resume) with the session id round 1 reported, against the model
// double. The double plays one script across both rounds: round 2 does its part only if its conversation holds
// round 1's (a new conversation would replay round 1's steps).

const ROUND_ONE_ANSWER = "Round one is done: round-1.txt written.";
const SCRIPT: ModelScript = [
  { do: "write", path: "{cwd}/round-1.txt", content: "written in round 1\n" },
  { do: "say", text: ROUND_ONE_ANSWER },
  { do: "write", path: "{cwd}/round-2.txt", content: "written in round 2\n" },
  { do: "say", text: "Round two is done." },
];
const ROUND_TWO_PROMPT = "Reviewer: also add round-2.txt";

/** Whether a request's conversation holds an earlier answer of the model (Anthropic `messages`, OpenAI `input`). */
function holdsEarlierAnswer(body: string): boolean {
  const parsed = JSON.parse(body) as { messages?: unknown; input?: unknown };
  const items = Array.isArray(parsed.messages) ? parsed.messages : Array.isArray(parsed.input) ? parsed.input : [];
  return items.some(
    (item: unknown) => JSON.stringify(item).includes(ROUND_ONE_ANSWER) && (item as { role?: string }).role === "assistant",
  );
}

let run: RealAgentRun | undefined;
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
});

describe.each(Object.keys(REAL_AGENT_CLIS) as RealAgentCli[])("a review round of the real %s CLI", (cli) => {
  it("resumes round 1's conversation with the session id it reported, and reports the new one", async () => {
    run = await startRealAgentRun({ cli, script: SCRIPT, prompt: "Write round-1.txt" });
    expect(await run.ended()).toMatchObject({ state: "succeeded" });
    const sessionId = run.report()?.usage?.agentSessionId ?? "";
    expect(sessionId).not.toBe("");
    const roundOneHead = run.report()?.headSha ?? "";
    const requestsOfRoundOne = run.double.requests.length;

    const second = await run.nextRound(ROUND_TWO_PROMPT, {
      number: 2,
      start: "continue",
      bringIntegration: false,
      resumeSessionId: sessionId,
    });
    const end = await second.ended();
    expect(end.state, end.error).toBe("succeeded");
    const lines = second.lines().map((line) => line.text);
    expect(lines).toContain("resuming the agent's conversation of the round before");
    expect(lines.some((line) => line.startsWith(`starting agent ${cli} (profile ${cli}, resuming ${sessionId})`))).toBe(true);

    // The model saw round 1's conversation (its answer) and round 2's prompt in one request.
    const roundTwoBodies = run.double.requests.slice(requestsOfRoundOne).map((request) => request.body);
    expect(roundTwoBodies.some((body) => holdsEarlierAnswer(body) && body.includes(ROUND_TWO_PROMPT))).toBe(true);

    const report = second.report();
    expect(report?.baseSha).toBe(roundOneHead);
    expect(report?.commits).toBe(1);
    expect(report?.diffStat).toContain("round-2.txt");
    expect(report?.diffStat).not.toContain("round-1.txt");
    // Both CLIs keep the conversation's id when they resume it; grove reports what the CLI said.
    expect(report?.usage?.agentSessionId).toBe(sessionId);
    const branch = `agent/${cli}/task`;
    expect(await run.repo.git(["show", `${branch}:round-2.txt`])).toBe("written in round 2");
    expect(await run.repo.git(["show", `${branch}:round-1.txt`])).toBe("written in round 1");
  });

  it("starts a new conversation, with the round before recapped in its CONTEXT-PACK, when no session id is given", async () => {
    run = await startRealAgentRun({ cli, script: SCRIPT.slice(0, 2), prompt: "Write round-1.txt" });
    expect(await run.ended()).toMatchObject({ state: "succeeded" });
    const requestsOfRoundOne = run.double.requests.length;

    const second = await run.nextRound(ROUND_TWO_PROMPT, { number: 2, start: "continue", bringIntegration: false });
    await second.ended();
    const lines = second.lines().map((line) => line.text);
    expect(lines).toContain(
      "no agent session to resume: the agent starts a new conversation; the CONTEXT-PACK recaps the round before",
    );
    const roundTwoBodies = run.double.requests.slice(requestsOfRoundOne).map((request) => request.body);
    expect(roundTwoBodies.some((body) => body.includes(ROUND_TWO_PROMPT))).toBe(true);
    // (Claude Code shows the model recent commits, whose message may quote round 1: only the turns count.)
    expect(roundTwoBodies.some(holdsEarlierAnswer)).toBe(false);
    const pack = await readFile(runPaths(run.dataDir, second.runId).contextPack, "utf8");
    expect(pack).toContain("### What round 1 did");
    expect(pack).toMatch(/Files changed on the branch: `round-1\.txt`/);
  });
});

// A resumed conversation holds round 1's CONTEXT-PACK and RESULT paths (round 1's run folder, which round 2 may
// not write); round 2's prompt names its own, and the model follows the latest message.
const resultOf = (summary: string, learning: string) =>
  JSON.stringify({ status: "done", summary, learnings: [{ title: learning, body: `${learning}.` }] });
const RESULT_SCRIPT: ModelScript = [
  { do: "read", path: "{contextPack}" },
  { do: "write", path: "{cwd}/round-1.txt", content: "written in round 1\n" },
  { do: "write", path: "{result}", content: resultOf("Round one wrote its result.", "round one learning") },
  { do: "say", text: ROUND_ONE_ANSWER },
  { do: "write", path: "{cwd}/round-2.txt", content: "written in round 2\n" },
  { do: "write", path: "{result}", content: resultOf("Round two wrote its result.", "round two learning") },
  { do: "say", text: "Round two is done." },
];

describe("the RESULT of a resumed review round of the real claude CLI", () => {
  it("is written to this round's result.json, which its prompt names, with nothing refused", async () => {
    run = await startRealAgentRun({ cli: "claude", script: RESULT_SCRIPT, prompt: "Write round-1.txt" });
    const first = await run.ended();
    expect(
      first.state,
      `${first.error}\n${run
        .lines()
        .map((l) => l.text)
        .join("\n")}`,
    ).toBe("succeeded");
    expect(run.report()?.result).toMatchObject({ summary: "Round one wrote its result." });
    const sessionId = run.report()?.usage?.agentSessionId ?? "";

    const second = await run.nextRound(ROUND_TWO_PROMPT, {
      number: 2,
      start: "continue",
      bringIntegration: false,
      resumeSessionId: sessionId,
    });
    const end = await second.ended();
    expect(end.state, end.error).toBe("succeeded");
    const report = second.report();
    expect(report?.refusedActions).toBe(0);
    expect(report?.resultError).toBeNull();
    expect(report?.result).toMatchObject({
      summary: "Round two wrote its result.",
      learnings: [{ title: "round two learning" }],
    });
    const written = JSON.parse(await readFile(runPaths(run.dataDir, second.runId).result, "utf8")) as { summary: string };
    expect(written.summary).toBe("Round two wrote its result.");
  });
});
