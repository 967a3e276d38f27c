import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runnerLaunchArgs, runnerLaunchEnv } from "@grove/core/launch";
import { isPidAlive, readQueueFence, withRepoLock } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { acquireQueueLease, liveQueueLeases, releaseQueueLease } from "@grove/db";
import { RUNNER_BIN, waitFor } from "@grove/testing";
import { hashToken } from "./auth/secrets.ts";
import { startTestHub, type TestHub } from "./test-support/test-hub.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
// Short enough for a takeover within a test, long enough that a loaded machine still renews in time (every third of it).
const LEASE_MS = "3000";
// How long the hub waits for a runner's acknowledgement: short, for the hung owner's; long enough for a loaded machine.
const ACK_TIMEOUT_MS = 5_000;
type Runner = { id: string; token: string; dataDir: string; child: ChildProcess | null; output: string };

let hub: TestHub;
let repo: TempRepo;
let gateDir: string;
let hold: string;
const runners: Record<"a" | "b", Runner> = {} as Record<"a" | "b", Runner>;

function startRunner(r: Runner) {
  const child = spawn(
    process.execPath,
    runnerLaunchArgs([RUNNER_BIN], { hubUrl: hub.server.url, dataDir: r.dataDir, repos: [repo.dir] }),
    {
      cwd: repoRoot,
      env: runnerLaunchEnv({ ...process.env, GROVE_DEMO_DELAY_MS: "5", GROVE_QUEUE_LEASE_MS: LEASE_MS }, { token: r.token }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout.on("data", (chunk: Buffer) => (r.output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (r.output += chunk.toString()));
  r.child = child;
}
async function kill(r: Runner, signal: NodeJS.Signals) {
  const child = r.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}
const outputs = () => `runner a:\n${runners.a.output.slice(-3000)}\nrunner b:\n${runners.b.output.slice(-3000)}`;
const owner = async () => (await liveQueueLeases(hub.db)).find((l) => l.integration === "main") ?? null;
const main = () => repo.git(["rev-parse", "main"]);
const mergesOf = async (taskId: string) =>
  (await repo.git(["log", "--merges", "--format=%s", "main"])).split("\n").filter((s) => s.includes(`(${taskId})`)).length;

async function openRequest(on: Runner, taskId: string) {
  await hub.caller.session.start({ runnerId: on.id, repoPath: repo.dir, tasks: [{ agent: "demo", taskId, prompt: "lines=1" }] });
  return waitFor(
    () => hub.db.mergeRequest.findFirst({ where: { branch: `agent/demo/${taskId}`, state: "open" } }),
    60_000,
    () => `the merge request of ${taskId}\n${outputs()}`,
  );
}
const stateOf = (id: string, state: string, stage?: string) =>
  waitFor(
    async () => {
      const mr = await hub.db.mergeRequest.findUnique({ where: { id } });
      return mr?.state === state && (stage === undefined || mr.stage === stage) ? mr : null;
    },
    90_000,
    () => `merge request ${id} in state ${state}${stage ? `/${stage}` : ""}\n${outputs()}`,
  );
/** The merged-tree test has started (the runner claimed its tree) and waits on the hold file. */
const testStarted = async (after: number) =>
  waitFor(async () => (await readdir(gateDir)).filter((f) => f.startsWith("started-")).length > after, 60_000, outputs);
/** Online, and its hello (its repositories) stored. */
const helloOf = (r: Runner) =>
  waitFor(
    async () =>
      hub.server.hub.isRunnerOnline(r.id) && (await hub.db.runner.findUnique({ where: { id: r.id } }))?.repos.includes(repo.dir),
    60_000,
    () => `the hello of runner ${r.id}\n${outputs()}`,
  );
const startedCount = async () => (await readdir(gateDir)).filter((f) => f.startsWith("started-")).length;

beforeAll(async () => {
  gateDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-gate-")));
  hold = path.join(gateDir, "hold");
  const test = `"${process.execPath}" -e "const fs=require('fs');fs.writeFileSync('${gateDir}/started-'+process.pid,'');const t=setInterval(()=>{if(!fs.existsSync('${hold}'))clearInterval(t)},20)"`;
  hub = await startTestHub({ runnerAckTimeoutMs: ACK_TIMEOUT_MS });
  repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": JSON.stringify({ test }) } });
  for (const name of ["a", "b"] as const) {
    const token = `queue-lease-${name}-token-0123456789abcdef`;
    const { id } = await hub.db.runner.create({ data: { name: `runner-${name}`, tokenHash: hashToken(token) } });
    const dataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), `grove-runner-${name}-`)));
    runners[name] = { id, token, dataDir, child: null, output: "" };
  }
  // a first, so that a owns the queue of main; b stands by.
  startRunner(runners.a);
  await waitFor(
    async () => (await owner())?.runnerId === runners.a.id,
    60_000,
    () => `a's lease\n${outputs()}`,
  );
  startRunner(runners.b);
  await helloOf(runners.b);
});
afterAll(async () => {
  await rm(hold, { force: true });
  for (const r of Object.values(runners)) {
    if (r.child?.signalCode === null) r.child.kill("SIGCONT");
    await kill(r, "SIGKILL");
  }
  await hub.close();
  await repo.cleanup();
  for (const r of Object.values(runners)) await rm(r.dataDir, { recursive: true, force: true });
  await rm(gateDir, { recursive: true, force: true });
});

// Each test waits for events (sessions, merges, takeovers), never for time; on a loaded machine a few sessions
// and merges take minutes, so the cap is set above the file default.
describe("one owner per merge queue, however many runners serve the repository", { timeout: 300_000 }, () => {
  it("routes approvals to the owner; when it is killed (-9) another runner takes over and the queue goes on", async () => {
    // b ran the agent, but a owns the queue: a lands it.
    const first = await openRequest(runners.b, "t1");
    await hub.caller.merge.approve({ id: first.id, sha: first.headSha });
    await stateOf(first.id, "merged");
    const landed = await hub.db.auditEvent.findFirst({ where: { action: "merge.completed", branch: "agent/demo/t1" } });
    expect(landed?.actorId).toBe(runners.a.id);
    expect(await readQueueFence(repo.dir, "main")).toMatchObject({ epoch: 1 });

    // Undo of an approval reaches the owner, whose queue holds it (b, the session's runner, holds nothing):
    // its merged-tree test is stopped and it never lands.
    const undone = await openRequest(runners.b, "t1u");
    await writeFile(hold, "");
    const testsBefore = new Set((await readdir(gateDir)).filter((f) => f.startsWith("started-")));
    await hub.caller.merge.approve({ id: undone.id, sha: undone.headSha });
    await testStarted(testsBefore.size);
    const testPid = Number(
      (await readdir(gateDir)).find((f) => f.startsWith("started-") && !testsBefore.has(f))?.slice("started-".length),
    );
    await hub.caller.merge.undoApproval({ id: undone.id });
    expect((await hub.db.mergeRequest.findUnique({ where: { id: undone.id } }))?.state).toBe("open");
    await waitFor(
      () => !isPidAlive(testPid),
      30_000,
      () => `the owner's test of the withdrawn request (pid ${testPid}) still runs\n${outputs()}`,
    );
    await rm(hold);

    // The next one is under way on a (its merged-tree test waits) when a dies.
    // (After the run's own tests, which run the same command.)
    const second = await openRequest(runners.b, "t2");
    const third = await openRequest(runners.b, "t2b");
    await writeFile(hold, "");
    const started = await startedCount();
    await hub.caller.merge.approve({ id: second.id, sha: second.headSha });
    await testStarted(started);
    await kill(runners.a, "SIGKILL");
    // Approved once the hub saw the owner go, while its lease runs out (or just after the takeover): not lost either way.
    await waitFor(() => !hub.server.hub.isRunnerOnline(runners.a.id), 30_000, outputs);
    await hub.caller.merge.approve({ id: third.id, sha: third.headSha });
    const taken = await waitFor(async () => ((await owner())?.runnerId === runners.b.id ? owner() : null), 60_000, outputs);
    expect(taken.epoch).toBe(2);
    // The Queue tab's owners.
    expect(await hub.caller.queue.owners()).toEqual([
      expect.objectContaining({ integration: "main", runnerId: runners.b.id, runnerName: "runner-b", epoch: 2, isOnline: true }),
    ]);
    await waitFor(async () => (await readQueueFence(repo.dir, "main"))?.epoch === 2, 30_000, outputs);
    await rm(hold);
    const merged = await stateOf(second.id, "merged");
    expect(await repo.git(["rev-list", "--first-parent", "-1", "main"])).toBeTruthy();
    expect(merged.mergeSha).toBeTruthy();
    expect(await mergesOf("t1")).toBe(1);
    expect(await mergesOf("t2")).toBe(1);
    await stateOf(third.id, "merged");
    expect(await mergesOf("t2b")).toBe(1);
    const changes = await hub.db.auditEvent.findMany({ where: { action: "queue.owner_changed" }, orderBy: { id: "asc" } });
    const details = (e: { details: string }) => JSON.parse(e.details) as Record<string, unknown>;
    expect(changes.map((e) => [e.actorId, details(e).epoch])).toEqual([
      [runners.a.id, 1],
      [runners.b.id, 2],
    ]);
    expect(details(changes[1] ?? { details: "{}" })).toMatchObject({ previousRunnerId: runners.a.id, previousEpoch: 1 });
  });

  it("refuses, by the fence in git, the landing of an owner paused (SIGSTOP) past its lease", async () => {
    // a comes back as a new process: it stands by while b owns the queue.
    startRunner(runners.a);
    await helloOf(runners.a);
    const stale = runners.b;
    const epoch = (await owner())?.epoch ?? 0;
    const mr = await openRequest(runners.a, "t3");
    await writeFile(hold, "");
    const started = await startedCount();
    await hub.caller.merge.approve({ id: mr.id, sha: mr.headSha });
    await testStarted(started);
    const before = await main();

    // The test passes while this test holds the repository lock: b has decided to land and waits for the lock.
    let releaseLock = () => undefined as void;
    const locked = new Promise<void>((resolve) => (releaseLock = resolve));
    let isLockHeld = false;
    const holding = withRepoLock(repo.dir, async () => {
      isLockHeld = true;
      await locked;
    });
    await waitFor(() => isLockHeld, 30_000);
    await rm(hold);
    await stateOf(mr.id, "merging", "advancing");
    stale.child?.kill("SIGSTOP");
    // Paused past its lease: a takes the queue over and moves the fence; a's own test of t3 waits on the hold file.
    await writeFile(hold, "");
    await waitFor(async () => (await owner())?.runnerId === runners.a.id, 60_000, outputs);
    await waitFor(async () => (await readQueueFence(repo.dir, "main"))?.epoch === epoch + 1, 30_000, outputs);

    stale.child?.kill("SIGCONT");
    releaseLock();
    await holding;
    await waitFor(() => stale.output.includes("a landing was refused by the queue's lease fence"), 60_000, outputs);
    expect(await main()).toBe(before);
    expect(await mergesOf("t3")).toBe(0);

    // The new owner lands it, once.
    await rm(hold);
    await stateOf(mr.id, "merged");
    expect(await mergesOf("t3")).toBe(1);
    const landed = await hub.db.auditEvent.findMany({ where: { action: "merge.completed", branch: "agent/demo/t3" } });
    expect(landed.map((e) => e.actorId)).toEqual([runners.a.id]);
  });

  it("keeps an approval its hung owner (SIGSTOP) did not answer, and lands it once when another runner takes over", async () => {
    const lease = await owner();
    if (!lease) throw new Error(`no owner of the queue of main\n${outputs()}`);
    const hung = lease.runnerId === runners.a.id ? runners.a : runners.b;
    const other = hung === runners.a ? runners.b : runners.a;
    const mr = await openRequest(other, "t4");

    // Hung with its lease live: its socket stays up, so the hub thinks it online. Its lease is held live here
    // on its behalf while the test approves (the standby paused meanwhile, so it cannot take the queue first); a
    // renewal the hung runner sent just before it stopped cannot shorten that, whenever the hub gets to it.
    other.child?.kill("SIGSTOP");
    hung.child?.kill("SIGSTOP");
    const key = { repositoryId: lease.repositoryId, integration: "main" };
    const holder = { runnerId: lease.runnerId, instance: lease.instance };
    expect(await acquireQueueLease(hub.db, key, holder, 600_000)).toMatchObject({ kind: "held", epoch: lease.epoch });
    other.child?.kill("SIGCONT");
    expect(hub.server.hub.isRunnerOnline(hung.id)).toBe(true);

    // The dispatch times out; the request stays approved, saying what it waits for.
    await hub.caller.merge.approve({ id: mr.id, sha: mr.headSha });
    const waiting = await hub.db.mergeRequest.findUnique({ where: { id: mr.id } });
    expect(waiting).toMatchObject({ state: "approved", approvedSha: mr.headSha, approval: "user" });
    expect(waiting?.error).toContain(
      `Waiting for the merge queue's owner: runner runner-${hung === runners.a ? "a" : "b"} did not answer in time`,
    );
    expect(await mergesOf("t4")).toBe(0);

    // It dies; its lease ends (given up here on its behalf): the other runner takes the queue over.
    await kill(hung, "SIGKILL");
    expect(await releaseQueueLease(hub.db, key, holder)).toBe(true);
    await waitFor(async () => (await owner())?.runnerId === other.id, 60_000, outputs);
    const merged = await stateOf(mr.id, "merged");
    expect(merged.error).toBeNull();
    expect(await mergesOf("t4")).toBe(1);
    const landed = await hub.db.auditEvent.findMany({ where: { action: "merge.completed", branch: "agent/demo/t4" } });
    expect(landed.map((e) => e.actorId)).toEqual([other.id]);
    const approvals = await hub.db.auditEvent.findMany({ where: { action: "merge.approved", branch: "agent/demo/t4" } });
    expect(approvals).toHaveLength(1);
  });

  it("lands once an approval whose dispatch timed out when its hung owner (SIGSTOP) comes back within its lease", async () => {
    const lease = await owner();
    if (!lease) throw new Error(`no owner of the queue of main\n${outputs()}`);
    const owning = lease.runnerId === runners.a.id ? runners.a : runners.b;
    const standby = owning === runners.a ? runners.b : runners.a;
    startRunner(standby);
    await helloOf(standby);
    const mr = await openRequest(standby, "t5");

    // As above: hung, its lease held live on its behalf, so no one takes the queue over meanwhile.
    standby.child?.kill("SIGSTOP");
    owning.child?.kill("SIGSTOP");
    const key = { repositoryId: lease.repositoryId, integration: "main" };
    expect(await acquireQueueLease(hub.db, key, { runnerId: lease.runnerId, instance: lease.instance }, 600_000)).toMatchObject({
      kind: "held",
      epoch: lease.epoch,
    });
    standby.child?.kill("SIGCONT");
    await hub.caller.merge.approve({ id: mr.id, sha: mr.headSha });
    expect(await hub.db.mergeRequest.findUnique({ where: { id: mr.id } })).toMatchObject({ state: "approved" });

    // It wakes up: the request it was sent lands, once, by it; the hub takes its result although its ack came late.
    owning.child?.kill("SIGCONT");
    const merged = await stateOf(mr.id, "merged");
    expect(merged.error).toBeNull();
    expect(await mergesOf("t5")).toBe(1);
    const landed = await hub.db.auditEvent.findMany({ where: { action: "merge.completed", branch: "agent/demo/t5" } });
    expect(landed.map((e) => e.actorId)).toEqual([owning.id]);
    expect((await owner())?.epoch).toBe(lease.epoch);
  });
});
