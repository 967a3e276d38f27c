import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNNER_IN_USE } from "@grove/core";
import { runnerLaunchArgs, runnerLaunchEnv } from "@grove/core/launch";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { liveQueueLeases } from "@grove/db";
import { REPO_ROOT, RUNNER_BIN, waitFor } from "@grove/testing";
import { hashToken } from "../auth/secrets.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";

// One runner token, several processes: the hub lets one live process use it and refuses the others, instead of
// letting them take the connection (and the merge queue's lease, with a new epoch each time) from each other.
const TOKEN = "one-process-runner-token-0123456789abcdef";
const LEASE_MS = "3000";
type Started = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

let hub: TestHub;
let repo: TempRepo;
let runnerId: string;
const dataDirs: string[] = [];
const children: ChildProcess[] = [];

async function startRunner(): Promise<Started> {
  const dataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-one-process-")));
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, runnerLaunchArgs([RUNNER_BIN], { hubUrl: hub.server.url, dataDir, repos: [repo.dir] }), {
    cwd: REPO_ROOT,
    env: runnerLaunchEnv({ ...process.env, GROVE_QUEUE_LEASE_MS: LEASE_MS }, { token: TOKEN }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}
const lease = async () => (await liveQueueLeases(hub.db)).find((l) => l.integration === "main") ?? null;
const ownerChanges = () => hub.db.auditEvent.count({ where: { action: "queue.owner_changed" } });
const connections = (r: Started) => r.output().split("connected to hub").length - 1;

beforeAll(async () => {
  hub = await startTestHub();
  repo = await makeTempRepo({ files: { "README.md": "# app\n" } });
  ({ id: runnerId } = await hub.db.runner.create({ data: { name: "laptop", tokenHash: hashToken(TOKEN) } }));
});
afterAll(async () => {
  for (const child of children) {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  }
  await hub.close();
  await repo.cleanup();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

describe("one live process per runner token", () => {
  it("refuses a second process while the first answers; lets a newcomer in once the first is dead or hung", async () => {
    const first = await startRunner();
    const owned = await waitFor(lease, 60_000, first.output);
    expect(owned).toMatchObject({ runnerId, epoch: 1 });

    // A second start by mistake: refused with the holder named, exits 2; the first keeps its connection and lease.
    const second = await startRunner();
    expect(await second.exited).toBe(2);
    expect(second.output()).toContain(`${RUNNER_IN_USE}: another runner process (pid ${first.child.pid} on ${os.hostname()})`);
    expect(second.output().split(RUNNER_IN_USE)).toHaveLength(2);
    expect(second.output()).not.toContain("connected to hub as");
    expect(connections(first)).toBe(1);
    expect(first.output()).not.toContain("disconnected from hub");
    expect(hub.server.hub.isRunnerOnline(runnerId)).toBe(true);
    // Renewed since, by the same holder: no new epoch, one owner change in the audit.
    await waitFor(async () => ((await lease())?.expiresAtMs ?? 0) > owned.expiresAtMs, 30_000, first.output);
    expect(await lease()).toMatchObject({ runnerId, epoch: 1, instance: owned.instance });
    expect(await ownerChanges()).toBe(1);

    // Hung (SIGSTOP): it cannot answer, so a newcomer comes in and takes the queue once the lease runs out.
    first.child.kill("SIGSTOP");
    const third = await startRunner();
    await waitFor(() => third.output().includes("connected to hub as"), 60_000, third.output);
    await waitFor(async () => ((await lease())?.epoch ?? 0) === 2, 60_000, third.output);
    // The hung one wakes up: the newcomer answers for the token now, so it is refused and keeps out.
    first.child.kill("SIGCONT");
    await waitFor(() => first.output().includes(RUNNER_IN_USE), 60_000, first.output);
    expect(connections(third)).toBe(1);
    expect(third.output()).not.toContain("disconnected from hub");
    expect(await lease()).toMatchObject({ runnerId, epoch: 2 });

    // Killed (-9), then started again: in at once.
    third.child.kill("SIGKILL");
    first.child.kill("SIGKILL");
    await Promise.all([third.exited, first.exited]);
    const fourth = await startRunner();
    await waitFor(() => fourth.output().includes("connected to hub as"), 60_000, fourth.output);
    expect(fourth.output()).not.toContain(RUNNER_IN_USE);
  });
});
