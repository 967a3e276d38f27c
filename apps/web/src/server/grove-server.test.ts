import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import type { LogLine } from "@grove/core";
import { countLogLines, verifyAuditChain } from "@grove/db";
import { waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "./test-support/stack.ts";
import { describeRefusal, HANDSHAKE_REFUSED } from "./test-support/socket-refusal.ts";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

describe("the slice: hub + runner + git + database", () => {
  it("runs two agents, streams their logs, and merges both after approval", async () => {
    const socket = await stack.browserSocket();
    const session = await stack.caller.session.start({
      tasks: [
        { agent: "demo", taskId: "alpha", prompt: "lines=20" },
        { agent: "demo", taskId: "beta", prompt: "lines=20" },
      ],
    });
    const received = new Map<number, LogLine>();
    const [firstRun] = session.runIds;
    socket.on("run:log", ({ runId, lines }) => {
      if (runId === firstRun) for (const line of lines) received.set(line.seq, line);
    });
    socket.emit("run:subscribe", { runId: firstRun ?? "", since: 0 }, () => undefined);

    const mrs = await waitFor(
      async () => {
        const open = await stack.db.mergeRequest.findMany({ where: { state: "open" } });
        return open.length === 2 ? open : null;
      },
      60_000,
      () => `two open merge requests\n${stack.runnerOutput()}`,
    );

    const runs = await stack.db.run.findMany({ where: { sessionId: session.id } });
    for (const run of runs) {
      expect(run.exitCode).toBe(0);
      expect(run.testStatus).toBe("passed");
      expect(run.resultError).toBeNull();
      expect(await stack.repo.git(["rev-parse", run.branch])).toBe(run.headSha);
    }

    for (const mr of mrs) await stack.caller.merge.approve({ id: mr.id, sha: mr.headSha });
    await waitFor(
      async () => (await stack.db.mergeRequest.count({ where: { state: "merged" } })) === 2,
      60_000,
      () => `merges\n${stack.runnerOutput()}`,
    );

    const merges = (await stack.repo.git(["log", "main", "--merges", "--format=%P"])).split("\n");
    expect(merges).toHaveLength(2);
    for (const parents of merges) expect(parents.split(" ")).toHaveLength(2);
    expect(await stack.repo.git(["branch", "--list", "agent/*"])).toBe("");
    expect(await stack.repo.git(["worktree", "list", "--porcelain"])).not.toContain("agent/demo");
    expect(await stack.repo.git(["status", "--porcelain"])).toBe("");

    // Every line the runner produced for the first run reached the browser, once, in order.
    const stored = await countLogLines(stack.db, [firstRun ?? ""]);
    await waitFor(
      () => received.size === stored,
      60_000,
      () => `browser lines ${received.size}/${stored}`,
    );
    expect([...received.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: stored }, (_, i) => i + 1));

    const audit = await stack.db.auditEvent.findMany({ where: { branch: "agent/demo/alpha" } });
    const actions = audit.map((e) => e.action);
    for (const action of ["worktree.created", "merge.opened", "merge.approved", "merge.completed"])
      expect(actions).toContain(action);
    expect(await verifyAuditChain(stack.db)).toMatchObject({ ok: true });
    socket.disconnect();
  });

  it("refuses an approval pinned to a stale SHA and invalid task names, changing nothing", async () => {
    await expect(stack.caller.session.start({ tasks: [{ agent: "demo", taskId: "../evil", prompt: "" }] })).rejects.toThrow(
      /Invalid task id/,
    );
    expect(await stack.db.agentSession.count({ where: { runs: { some: { taskId: "../evil" } } } })).toBe(0);
  });

  it("answers 401 to an unauthenticated tRPC call and refuses an unauthenticated socket", async () => {
    const response = await fetch(`${stack.server.url}/api/trpc/session.list`);
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(body).not.toMatch(/at .*\.ts:\d+/);
    const socket = io(stack.server.url, { path: "/socket.io/", transports: ["websocket"], reconnection: false });
    const error = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
    expect(describeRefusal(error)).toMatch(HANDSHAKE_REFUSED);
    socket.disconnect();
  });
});
