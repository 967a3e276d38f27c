import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./test-support/stack.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

// Session ids are by the minute: starts in the same minute (from two browsers, or two instances) race for one id.
it("starts sessions begun at the same moment, each under its own id", { timeout: 60_000 }, async () => {
  const start = (taskId: string) => stack.caller.session.start({ tasks: [{ agent: "demo", taskId, prompt: "lines=1" }] });
  const started = await Promise.all(["race-1", "race-2", "race-3", "race-4"].map(start));
  expect(new Set(started.map((s) => s.id)).size).toBe(4);
  expect(await stack.db.agentSession.count({ where: { id: { in: started.map((s) => s.id) } } })).toBe(4);
});
