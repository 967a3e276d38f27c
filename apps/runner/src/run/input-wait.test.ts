import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runHeadlessSession } from "../headless/headless-session.ts";
import { lastLine, looksLikePrompt } from "./input-wait.ts";

describe("what looks like a CLI asking for input", () => {
  it("is a known prompt at the end of the last line, or the profile's own; an agent's question in its own words is not", () => {
    for (const line of [
      "Overwrite config? [y/N] ",
      "Continue (yes/no)?",
      "Apply edit? (Y)es/(N)o [Yes]:",
      "Password:",
      "Enter passphrase for key '/x/id_ed25519': ",
      "Press Enter to open the browser…",
    ]) {
      expect(looksLikePrompt(line), line).toBe(true);
    }
    for (const line of [
      "Shall I go on?",
      "Running tests:",
      "",
      '{"type":"assistant","text":"[y/N] is what it asks"} ',
      "password: hunter2 was rejected, retrying in the background now",
    ]) {
      expect(looksLikePrompt(line), line).toBe(false);
    }
    expect(looksLikePrompt("Enter the code from your phone >", /code from your phone >$/i)).toBe(true);
  });

  it("takes the last line with something in it, ended by a newline or not", () => {
    expect(lastLine("one\ntwo? [y/N] ")).toBe("two? [y/N] ");
    expect(lastLine("one\r\ntwo\n\n")).toBe("two");
    expect(lastLine("")).toBe("");
  });
});

// Tiny real CLIs, run as agents with an empty stdin: one asks and waits for an answer that cannot come, one is
// just quiet for a while, one asks the way only its profile knows.
const ASKS = `process.stdout.write("Overwrite the existing config? [y/N] "); process.stdin.resume(); setInterval(() => {}, 1 << 30);`;
const THINKS = `console.log("Looking at the code"); setTimeout(() => process.exit(0), 3000);`;
const ASKS_OWN_WAY = `process.stderr.write("Enter the code from your phone > "); setInterval(() => {}, 1 << 30);`;

let repo: TempRepo;
let dataDir: string;
beforeEach(async () => {
  const agent = (script: string, extra: Record<string, unknown> = {}) => ({
    command: [process.execPath, "-e", script, "--", "{prompt}"],
    inputWaitSec: 1,
    timeoutSec: 60,
    ...extra,
  });
  const config = {
    test: "none",
    agents: {
      asks: agent(ASKS),
      thinks: agent(THINKS),
      "asks-own-way": agent(ASKS_OWN_WAY, { inputPrompt: "code from your phone >$" }),
    },
  };
  repo = await makeTempRepo({ files: { "README.md": "# input\n", "grove.yaml": JSON.stringify(config) } });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-input-wait-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe("an agent that asks for input anyway", () => {
  it("shows as needing input and is stopped, not left hanging; one that is only quiet runs on", async () => {
    const tasks = ["asks", "thinks", "asks-own-way"].map((name) => ({ agent: name, task: "t", profile: name, prompt: "go" }));
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: { session: "session-20260101-1800", tasks },
      dataDir,
      approve: "manual",
    });
    const byAgent = new Map(summary.tasks.map((t) => [t.agent, t]));

    expect(summary.tasks.map((t) => [t.agent, t.state, t.waiting, t.merge])).toEqual([
      ["asks", "needs_input", null, null],
      ["thinks", "no_changes", null, null],
      ["asks-own-way", "needs_input", null, null],
    ]);
    expect(byAgent.get("asks")?.error).toMatch(
      /^needs input: the agent asked "Overwrite the existing config\? \[y\/N\]" and then waited 1 s with no output and no CPU\. Its stdin is empty/,
    );
    expect(byAgent.get("asks-own-way")?.error).toMatch(/^needs input: the agent asked "Enter the code from your phone >"/);
    // Quiet and idle for longer than the wait, but asking nothing: it ended by itself (with no changes).
    expect(byAgent.get("thinks")?.error).toMatch(/^no changes:/);
  });
});
