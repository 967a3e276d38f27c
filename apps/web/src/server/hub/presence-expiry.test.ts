import { afterAll, beforeAll, expect, it } from "vitest";
import { waitFor } from "@grove/testing";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { startHubChild } from "../test-support/hub-child.ts";
import { startHubPair, type HubPair } from "../test-support/hub-pair.ts";
import { connectTestRunner } from "../test-support/test-runner-socket.ts";

const TOKEN = "runner-token-for-presence-expiry-0123";

let pair: HubPair;
beforeAll(async () => {
  pair = await startHubPair();
});
afterAll(async () => {
  await pair.close();
});

it("drops the runners of an instance killed without a word from the others' list once its announcements expire", async () => {
  const runnerId = await ensureLocalRunner(pair.a.db, TOKEN);
  const third = await startHubChild({ dataDir: pair.dataDir, databaseUrl: pair.databaseUrl, redisUrl: pair.redis.url });
  try {
    const runner = await connectTestRunner({ server: { url: third.url } }, TOKEN);
    runner.io.opts.reconnection = false;
    await waitFor(
      () => pair.a.server.hub.isRunnerOnline(runnerId),
      60_000,
      () => "the runner online on A",
    );
    expect(pair.b.server.hub.onlineRunnerIds()).toEqual([runnerId]);
    await third.kill("SIGKILL");
    await waitFor(
      () => !pair.a.server.hub.isRunnerOnline(runnerId),
      30_000,
      () => "the dead instance's runner gone on A",
    );
    expect(pair.b.server.hub.onlineRunnerIds()).toEqual([]);
    runner.disconnect();
  } finally {
    await third.kill();
  }
});
