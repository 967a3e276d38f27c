import { waitFor } from "@grove/testing";
import { afterEach, expect, it, vi } from "vitest";
import { startHubPair, type HubPair } from "../test-support/hub-pair.ts";

// Redis stopping under two running instances: what the bus cannot deliver is said once per instance, as the bus's
// own errors are, never as an unhandled rejection per message (the socket.io adapter publishes, and unsubscribes as it
// closes, without waiting).

let pair: HubPair | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await pair?.close();
  pair = undefined;
});

it("says once per instance that the bus lost what it published while Redis is away, with no unhandled rejection", async () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  const said: string[] = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void said.push(args.map(String).join(" ")));
  process.on("unhandledRejection", onRejection);
  try {
    pair = await startHubPair();
    await pair.redis.stop();
    // What each instance asks the others (as it does every few seconds) goes through the adapter's publisher.
    pair.a.server.hub.io.serverSideEmit("peer:presence-ask");
    pair.b.server.hub.io.serverSideEmit("peer:presence-ask");
    const lost = () => said.filter((line) => line.startsWith("grove bus (Redis): Reached the max retries per request limit"));
    await waitFor(
      () => lost().length >= 2,
      30_000,
      () => `each instance to say its publish failed:\n${said.join("\n")}`,
    );
    // Closing the instances unsubscribes their adapters from Redis, still away: failed commands too.
    await pair.close();
    pair = undefined;
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejections.map(String)).toEqual([]);
  } finally {
    process.off("unhandledRejection", onRejection);
  }
});

it("says a session cannot reach runners on other instances while the bus is down, not that none is running", async () => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  const started = await startHubPair();
  pair = started;
  const start = () => started.b.caller.session.start({ tasks: [{ agent: "demo", taskId: "t1", prompt: "lines=1" }] });
  await expect(start()).rejects.toThrow("No runner is online. Start one with `pnpm grove runner`.");
  await started.redis.stop();
  const refusal = () =>
    start().then(
      () => "started",
      (error: unknown) => String(error),
    );
  await waitFor(
    async () => (await refusal()).includes("the bus between them (GROVE_REDIS_URL) is unreachable"),
    30_000,
    () => "the bus to be seen down",
  );
});
