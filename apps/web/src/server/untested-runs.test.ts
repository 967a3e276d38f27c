import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "./test-support/stack.ts";

let stack: TestStack;

beforeAll(async () => {
  // No `test` in grove.yaml: every run is untested.
  stack = await startTestStack({ repoFiles: { "README.md": "# app\n", "grove.yaml": "brain: project-brain\n" } });
});
afterAll(async () => {
  await stack.close();
});

const runOf = (taskId: string) =>
  waitFor(
    async () => {
      const run = await stack.db.run.findFirst({ where: { taskId } });
      return run && ["succeeded", "failed"].includes(run.state) && run.testStatus !== null ? run : null;
    },
    60_000,
    () => `the end of run ${taskId}\n${stack.runnerOutput()}`,
  );

describe("what the dashboard shows of untested and empty runs", () => {
  it("opens an untested run's merge request for a person, marked untested on the card", async () => {
    await stack.caller.session.start({ tasks: [{ agent: "demo", taskId: "plain", prompt: "lines=1" }] });
    const run = await runOf("plain");
    expect(run).toMatchObject({ state: "succeeded", testStatus: "untested" });
    const mr = await waitFor(
      () => stack.db.mergeRequest.findFirst({ where: { runId: run.id } }),
      30_000,
      () => "the merge request",
    );
    expect(mr.state).toBe("open");
    const cards = await stack.caller.approval.list();
    expect(cards.find((c) => c.id === mr.id)?.verdict.tests.status).toBe("untested");
  });

  it("fails a run whose agent committed nothing, says why, and opens no merge request", async () => {
    await stack.caller.session.start({ tasks: [{ agent: "demo", taskId: "lazy", prompt: "lines=1 no-commit" }] });
    const run = await runOf("lazy");
    expect(run).toMatchObject({ state: "failed", testStatus: "skipped", headSha: run.baseSha });
    expect(run.error).toMatch(
      /^the agent made no commits: agent\/demo\/lazy is still at its base [0-9a-f]{12}, so there is nothing to merge\. It left 2 files/,
    );
    expect(await stack.db.mergeRequest.count({ where: { runId: run.id } })).toBe(0);
    const log = await stack.caller.run.log.list({ runId: run.id, afterSeq: 0, limit: 1000 });
    expect(log.lines.map((l) => l.text)).toContain("tests skipped: nothing was committed to test");
  });
});
