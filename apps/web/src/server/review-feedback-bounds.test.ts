import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "./test-support/stack.ts";

// A request for changes that says too much, or comments on lines the reviewer cannot have seen, is refused
// with a clear error and changes nothing: on the real stack (hub, SQLite, git, the runner with the demo agent).
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ repoFiles: { "README.md": "# app\n" } });
});
afterAll(async () => {
  await stack.close();
});

const openRequest = async (taskId: string) => {
  await stack.caller.session.start({ tasks: [{ agent: "demo", taskId, prompt: "lines=1 write notes" }] });
  return waitFor(
    // With its diff: line comments are checked against it.
    () => stack.db.mergeRequest.findFirst({ where: { branch: `agent/demo/${taskId}`, state: "open", diff: { not: null } } }),
    60_000,
    () => `open request of ${taskId}\n${stack.runnerOutput()}`,
  );
};

async function expectNothingChanged(taskId: string, mrId: string) {
  expect((await stack.db.mergeRequest.findUniqueOrThrow({ where: { id: mrId } })).state).toBe("open");
  expect(await stack.db.run.count({ where: { taskId } })).toBe(1);
  expect(await stack.db.reviewComment.count({ where: { run: { taskId } } })).toBe(0);
  expect(await stack.db.auditEvent.count({ where: { action: { in: ["merge.changes-requested", "review.commented"] } } })).toBe(0);
}

describe("the feedback a request for changes may carry", () => {
  it("refuses feedback over the byte limit, naming it, and writes nothing", async () => {
    const mr = await openRequest("wordy");
    const lineComments = Array.from({ length: 50 }, () => ({ file: "notes/wordy.md", line: 1, body: "x".repeat(4000) }));
    await expect(
      stack.caller.merge.requestChanges({ mergeRequestId: mr.id, headSha: mr.headSha, comment: "y".repeat(4000), lineComments }),
    ).rejects.toThrow(/at most 32,000 bytes \(the comment and all line comments together\)/);
    await expectNothingChanged("wordy", mr.id);
  });

  it("refuses a line comment on a file that is not in the diff, or a path outside the repository", async () => {
    const mr = await openRequest("elsewhere");
    const send = (file: string, line: number) =>
      stack.caller.merge.requestChanges({
        mergeRequestId: mr.id,
        headSha: mr.headSha,
        comment: "",
        lineComments: [{ file, line, body: "fix this" }],
      });
    await expect(send("does/not/exist.js", 1)).rejects.toThrow(/"does\/not\/exist.js", which is not a file of this diff/);
    await expect(send("../../../etc/passwd", 1)).rejects.toThrow(/which is not a file of this diff/);
    await expect(send("notes/elsewhere.md", 99_999)).rejects.toThrow(
      /line 99999 of notes\/elsewhere.md, which is not a line of this diff/,
    );
    await expectNothingChanged("elsewhere", mr.id);
  });

  it("accepts a line comment on a line of the diff", async () => {
    const mr = await openRequest("precise");
    const round = await stack.caller.merge.requestChanges({
      mergeRequestId: mr.id,
      headSha: mr.headSha,
      comment: "",
      lineComments: [{ file: "notes/precise.md", line: 5, body: "quote it exactly" }],
    });
    expect(round.round).toBe(2);
    expect(await stack.db.reviewComment.count({ where: { runId: mr.runId } })).toBe(1);
  });
});
