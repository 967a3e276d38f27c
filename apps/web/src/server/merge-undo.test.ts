import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "./test-support/stack.ts";

let stack: TestStack;
let holdDir: string;
let hold: string;

beforeAll(async () => {
  holdDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-hold-")));
  hold = path.join(holdDir, "hold");
  // The test command waits while the hold file exists: the first merge stays in its testing stage, the second queued.
  const test = `"${process.execPath}" -e "const fs=require('fs');const t=setInterval(()=>{if(!fs.existsSync('${hold}'))clearInterval(t)},20)"`;
  stack = await startTestStack({ repoFiles: { "README.md": "# app\n", "grove.yaml": JSON.stringify({ test }) } });
});
afterAll(async () => {
  await stack.close();
  await rm(holdDir, { recursive: true, force: true });
});

const request = (id: string) => stack.db.mergeRequest.findUniqueOrThrow({ where: { id } });
const until = (id: string, what: string, check: (mr: Awaited<ReturnType<typeof request>>) => boolean) =>
  waitFor(
    async () => check(await request(id)),
    60_000,
    () => `${what}\n${stack.runnerOutput()}`,
  );

describe("undoing an approval", () => {
  it("takes a merge in the queue back to open, audited (its candidate built or not); refuses a viewer", async () => {
    await stack.caller.session.start({
      tasks: [
        { agent: "demo", taskId: "first", prompt: "lines=1" },
        { agent: "demo", taskId: "second", prompt: "lines=1" },
      ],
    });
    const open = (taskId: string) =>
      waitFor(
        () => stack.db.mergeRequest.findFirst({ where: { branch: `agent/demo/${taskId}`, state: "open" } }),
        60_000,
        () => `open request of ${taskId}\n${stack.runnerOutput()}`,
      );
    const [first, second] = [await open("first"), await open("second")];
    await writeFile(hold, "");
    await stack.caller.approval.approve({ id: first.id, sha: first.headSha });
    await until(first.id, "first merge testing", (mr) => mr.stage === "testing");
    await stack.caller.approval.approve({ id: second.id, sha: second.headSha });
    // The speculative queue may already build its candidate on the first one's: still in the queue, not landing.
    expect(await request(second.id)).toMatchObject({ state: "merging" });

    const viewer = stack.callerAs(await stack.addUser("viewer"));
    await expect(viewer.approval.undoApproval({ id: second.id })).rejects.toMatchObject({ code: "FORBIDDEN" });

    await stack.caller.approval.undoApproval({ id: second.id });
    expect(await request(second.id)).toMatchObject({ state: "open", stage: null, decidedBy: null, approvedSha: null });
    const audit = await stack.db.auditEvent.findFirst({ where: { action: "merge.approval_withdrawn", subject: second.id } });
    expect(audit).toMatchObject({ actorId: stack.admin.email, branch: "agent/demo/second" });
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({ approvedBy: stack.admin.email });
    await expect(stack.caller.approval.undoApproval({ id: second.id })).rejects.toThrow(/open/);

    await rm(hold);
    await until(first.id, "first merged", (mr) => mr.state === "merged");
    // The withdrawn merge's place in the queue came and went: it never landed, so nothing about it moved.
    const skipped = `merge ${second.id} of agent/demo/second: withdrawn before it landed; skipped`;
    await waitFor(
      () => stack.runnerOutput().includes(skipped),
      60_000,
      () => stack.runnerOutput(),
    );
    expect(await request(second.id)).toMatchObject({ state: "open", mergeSha: null });
    const main = await stack.repo.git(["log", "--format=%s", "main"]);
    expect(main).not.toContain("second");

    // Approved again, it lands as any approval does.
    await stack.caller.approval.approve({ id: second.id, sha: second.headSha });
    await until(second.id, "second merged", (mr) => mr.state === "merged");
  });
});
