import { afterEach, describe, expect, it } from "vitest";
import { startRealAgentRun, type RealAgentRun } from "../test-support/real-agent-run.ts";

// A real agent that prints 50,000 lines: every one reaches the hub's log, in order, each with its own
// sequence number, through the runner's spool (bounded: lines wait on disk, not in memory, until the hub
// acknowledges them — see log/spool.test.ts and runner-restart-log.test.ts for the bound itself).

let run: RealAgentRun | undefined;
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
});

const LINES = 50_000;
const answer = Array.from({ length: LINES }, (_, i) => `flood line ${i + 1}`).join("\n");

// Codex prints its final answer as text; Claude Code as one stream-json event of ~700 KB, which grove reads
// whole (log/claude-stream.ts, MAX_CLAUDE_EVENT_CHARS) and renders line by line.
describe.each(["codex", "claude"] as const)("a real %s agent that prints 50,000 lines", (cli) => {
  it("has every line in the run's log, in order", async () => {
    run = await startRealAgentRun({ cli, script: [{ do: "say", text: answer }] });
    await run.ended();
    const r = run;
    const lines = r.lines();
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    const flood = lines.filter((l) => l.stream === "stdout" && l.text.startsWith("flood line "));
    expect(flood).toHaveLength(LINES);
    expect(flood.every((l, i) => l.text === `flood line ${i + 1}`)).toBe(true);
  });
});
