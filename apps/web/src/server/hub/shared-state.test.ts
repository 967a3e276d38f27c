import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, databaseUrlFor, disconnectDb } from "@grove/db";
import { startGroveServer } from "../grove-server.ts";
import { ADMIN } from "../test-support/test-hub.ts";
import { startHubChild } from "../test-support/hub-child.ts";
import { startHubPair, type HubPair } from "../test-support/hub-pair.ts";
import { startReceiver } from "../test-support/receiver.ts";

const adminEnv = { GROVE_ADMIN_EMAIL: ADMIN.email, GROVE_ADMIN_PASSWORD: ADMIN.password };
let pair: HubPair;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  pair = await startHubPair({ signInLimit: 4, webhookUrl: `${receiver.url}/hook`, allowLoopbackWebhook: true });
});
afterAll(async () => {
  await pair.close();
  await receiver.close();
});

const signInStatus = async (url: string, password: string) =>
  (
    await fetch(`${url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ email: ADMIN.email, password }),
    })
  ).status;

it("counts sign-in attempts from one address across instances, not per process", async () => {
  // The other instance in its own process (nothing a library keeps in module memory is shared with this one),
  // started first: it migrates the database this process then opens, as a deployment's instances share one.
  const dataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-rate-")));
  const other = await startHubChild({ dataDir, redisUrl: pair.redis.url, env: { GROVE_SIGNIN_LIMIT: "4", ...adminEnv } });
  const db = await createDb(databaseUrlFor(dataDir));
  const here = await startGroveServer({ db, port: 0, host: "127.0.0.1", busUrl: pair.redis.url, signInLimit: 4 });
  try {
    // Four attempts are allowed per five minutes, wherever they land.
    const statuses = [
      await signInStatus(here.url, "wrong-password-1"),
      await signInStatus(other.url, "wrong-password-2"),
      await signInStatus(here.url, "wrong-password-3"),
      await signInStatus(other.url, "wrong-password-4"),
      await signInStatus(here.url, ADMIN.password),
      await signInStatus(other.url, ADMIN.password),
    ];
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  } finally {
    await other.kill();
    await here.close();
    await disconnectDb(db);
    await rm(dataDir, { recursive: true, force: true });
  }
});

it("sends an approval's notification once, however many instances hear of it", async () => {
  const runner = await pair.a.db.runner.create({ data: { name: "r-notice", tokenHash: "hash-notice" } });
  await pair.a.db.agentSession.create({
    data: { id: "session-n", runnerId: runner.id, repoPath: "/repo", integration: "main", createdBy: pair.admin.id },
  });
  const run = await pair.a.db.run.create({
    data: {
      sessionId: "session-n",
      agent: "demo",
      taskId: "n",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/n",
      state: "succeeded",
    },
  });
  await pair.a.db.mergeRequest.create({
    data: { runId: run.id, branch: run.branch, integration: "main", headSha: "c".repeat(40), state: "open" },
  });
  // Each instance hears of the change (from its own runner or browser), at once and again later.
  await Promise.all([pair.a.server.deps.notifier.approvalsChanged(), pair.b.server.deps.notifier.approvalsChanged()]);
  await pair.b.server.deps.notifier.approvalsChanged();
  await pair.a.server.deps.notifier.approvalsChanged();
  expect(receiver.received.filter((r) => r.path === "/hook")).toHaveLength(1);
});
