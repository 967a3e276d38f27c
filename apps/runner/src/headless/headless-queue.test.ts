import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runHeadlessSession, type HeadlessTask } from "./headless-session.ts";
import { PlanSchema } from "./plan-file.ts";

let repo: TempRepo;
let dataDir: string;

beforeEach(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "5";
  repo = await makeTempRepo({
    files: { "README.md": "# queue\n", "grove.yaml": `test: '"${process.execPath}" -e "process.exit(0)"'\n` },
  });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-headless-queue-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe("grove session run --approve auto and the merge queue", () => {
  it("lands a run the moment it passes, while a slower run still works", async () => {
    const stop = new AbortController();
    const seenAtMerge: [string, string | undefined][] = [];
    const lines: string[] = [];
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: PlanSchema.parse({
        session: "session-20260101-1000",
        tasks: [
          { agent: "demo", profile: "demo", task: "fast", prompt: "lines=1" },
          // Works until the session is stopped: the fast run can only land before it ends.
          { agent: "demo", profile: "demo", task: "slow", prompt: "hang" },
        ],
      }),
      dataDir,
      approve: "auto",
      signal: stop.signal,
      log: (line) => lines.push(line),
      // The slow run ends only when the session is stopped, and only a landed merge stops it.
      onMerge: (task: HeadlessTask) => {
        seenAtMerge.push([task.taskId, task.merge?.kind]);
        stop.abort("SIGINT");
      },
    });
    expect(seenAtMerge).toEqual([["fast", "merged"]]);
    expect(summary.tasks.map((t) => [t.taskId, t.state, t.merge?.kind ?? null])).toEqual([
      ["fast", "succeeded", "merged"],
      ["slow", "interrupted", null],
    ]);
    expect(await repo.git(["rev-list", "--merges", "--count", "main"])).toBe("1");
    expect(lines.some((l) => l.startsWith("merge queue main: 1 in queue"))).toBe(true);
  });
});
