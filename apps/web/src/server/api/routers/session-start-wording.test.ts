import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHub, type TestHub } from "../../test-support/test-hub.ts";

// What the dashboard's "Start a session" form shows is the message of tRPC's answer, as the browser gets it.
let hub: TestHub;
let cookie = "";

beforeAll(async () => {
  hub = await startTestHub();
  cookie = await hub.signIn();
});
afterAll(() => hub.close());

async function refusal(input: unknown): Promise<string> {
  const response = await fetch(`${hub.server.url}/api/trpc/session.start`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: hub.server.url },
    body: JSON.stringify(superjson.serialize(input)),
  });
  expect(response.status).toBe(400);
  const body = (await response.json()) as { error: { json: { message: string } } };
  return body.error.json.message;
}

const task = { agent: "demo", prompt: "write notes" };

describe("starting a session refuses bad input in plain words", () => {
  it.each([
    [
      "a task id over 64 characters",
      { tasks: [{ ...task, taskId: "a".repeat(65) }] },
      /^Task 1: Invalid task id "a{65}": it is longer than 64 characters\.$/,
    ],
    [
      "a task id git would refuse",
      { tasks: [task, { ...task, taskId: "-x" }] },
      /^Task 2: Invalid task id "-x": it starts with "-"/,
    ],
    [
      "an agent name over 64 characters",
      { tasks: [{ ...task, agent: "b".repeat(65) }] },
      /^Task 1: Invalid agent "b{65}": it is longer than 64 characters\.$/,
    ],
    ["a negative USD budget", { tasks: [task], budget: { usd: -1 } }, /^Budget \(USD\): must be more than 0\.$/],
    ["a USD budget that is not a number", { tasks: [task], budget: { usd: Number.NaN } }, /^Budget \(USD\): must be a number/],
    ["a fractional token budget", { tasks: [task], budget: { tokens: 1.5 } }, /^Budget \(tokens\): must be a whole number\.$/],
    ["a negative token budget", { tasks: [task], budget: { tokens: -5 } }, /^Budget \(tokens\): must be more than 0\.$/],
    ["an empty plan", { tasks: [] }, /^Tasks: add at least one task\.$/],
  ])("words %s for the user, with nothing created", async (_name, input, expected) => {
    const message = await refusal(input);
    expect(message).toMatch(expected);
    expect(message).not.toMatch(/✖|→|Too (big|small)|expected (string|number|array)/);
    expect(await hub.db.agentSession.count()).toBe(0);
    expect(await hub.db.run.count()).toBe(0);
  });

  it("names every problem, one line each", async () => {
    const message = await refusal({ tasks: [{ ...task, taskId: "c".repeat(70) }], budget: { usd: -2 } });
    expect(message.split("\n")).toEqual([
      `Task 1: Invalid task id "${"c".repeat(70)}": it is longer than 64 characters.`,
      "Budget (USD): must be more than 0.",
    ]);
  });
});
