import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runHeadlessSession } from "./headless-session.ts";
import { PlanSchema } from "./plan-file.ts";

let repo: TempRepo;
let dataDir: string;

// More free memory than any machine has: every run waits for memory, except while nothing else runs.
const UNREACHABLE_MB = 16 * 1024 * 1024;

beforeEach(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "5";
  const test = `"${process.execPath}" -e "process.exit(0)"`;
  repo = await makeTempRepo({
    files: {
      "README.md": "# admission\n",
      "grove.yaml": `test: '${test}'\nadmission:\n  minFreeMemoryMb: ${UNREACHABLE_MB}\n`,
    },
  });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-admission-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe("a headless session admits its runs by free memory, not only by count", () => {
  it("runs one at a time when memory is short, saying why each waits, and never starves", async () => {
    const lines: { task: string; text: string }[] = [];
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: PlanSchema.parse({
        session: "session-20260101-0900",
        tasks: ["one", "two", "three"].map((task) => ({ agent: "demo", profile: "demo", task, prompt: `${task} lines=1` })),
      }),
      dataDir,
      approve: "manual",
      maxConcurrentRuns: 8,
      onLine: (task, _stream, text) => lines.push({ task: task.taskId, text }),
    });
    expect(summary.tasks.map((t) => t.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const said = (pattern: RegExp) => [...new Set(lines.filter((l) => pattern.test(l.text)).map((l) => l.task))].sort();
    // Each run started alone, the machine's answer notwithstanding, and said so.
    expect(said(/^short of memory: .*; not waiting: nothing else grove started is running$/)).toEqual(["one", "three", "two"]);
    // The count cap (8) let all three in; memory held two back, with the reason in their lines.
    expect(said(/^not started yet: (waiting for memory|waiting in line)/).length).toBeGreaterThanOrEqual(2);
    // Never two agents at once: each one's start comes after the one before it exited.
    const at = (task: string, pattern: RegExp) => lines.findIndex((l) => l.task === task && pattern.test(l.text));
    const spans = ["one", "two", "three"]
      .map((task) => [at(task, /^starting agent /), at(task, /^agent exited/)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (const [start, end] of spans) expect(end).toBeGreaterThan(start);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBeGreaterThan(spans[i - 1]?.[1] ?? Infinity);
  });
});
