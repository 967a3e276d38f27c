import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isTerminalRunState, type LogLine } from "@grove/core";
import { listLogLines, queryDirect, readLogWatermark, verifyAuditChain } from "@grove/db";
import { waitFor } from "@grove/testing";
import { floodAgentConfig, floodLineNumbers, stopFlood } from "./test-support/flood-agent.ts";
import { startTeamStack, type TeamStack } from "./test-support/team-stack.ts";

// A team's deployment, every part a real process: dashboard instances A and B on one database, three
// runners on three repositories — runners 0 and 1 on B, runner 2 on A, each knowing both URLs.
// The last test kills B; the others run before it.

const TESTED = { "README.md": "# app\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' };
const DEMO = { agent: "demo", profile: "demo", prompt: "lines=3 delay=0" };
let team: TeamStack;
let stopFile: string;

beforeAll(async () => {
  stopFile = path.join(process.env.TMPDIR ?? "/tmp", `grove-team-stop-${process.pid}`);
  team = await startTeamStack({
    repos: [{ "README.md": "# flood\n", "grove.yaml": floodAgentConfig(stopFile) }, TESTED, TESTED],
    runnerHome: ["b", "b", "a"],
  });
}, 300_000);
afterAll(async () => {
  await stopFlood(stopFile).catch(() => undefined);
  await team.close();
  await rm(stopFile, { force: true });
});

const runOf = (runId: string) => team.db.run.findUnique({ where: { id: runId } });
const ended = async (runIds: string[]) => {
  const runs = await team.db.run.findMany({ where: { id: { in: runIds } }, select: { state: true } });
  return runs.length === runIds.length && runs.every((run) => isTerminalRunState(run.state));
};

it("concurrent audit appends from both instances verify as one chain", { timeout: 240_000 }, async () => {
  const [, onB, onA] = team.runners as [unknown, TeamStack["runners"][number], TeamStack["runners"][number]];
  // Started one after the other; the runs then report, and their merge requests open, on both instances at once.
  const runIds: string[] = [];
  for (const [on, runner] of [
    ["b", onB],
    ["a", onA],
    ["b", onB],
    ["a", onA],
  ] as const)
    runIds.push(await team.startRun(on, runner, DEMO));
  await waitFor(
    () => ended(runIds),
    180_000,
    () => `the runs to end:\n${team.output()}`,
  );
  // Each report opens a merge request on the instance that received it, appending to the chain there.
  await waitFor(
    async () => (await team.db.mergeRequest.count({ where: { runId: { in: runIds } } })) === runIds.length,
    60_000,
    () => `a merge request per run:\n${team.output()}`,
  );
  const actors = await team.db.auditEvent.groupBy({ by: ["actorId"], where: { runId: { in: runIds } } });
  expect(actors.map((a) => a.actorId)).toEqual(expect.arrayContaining([onB.id, onA.id, "hub"]));
  expect(await verifyAuditChain(team.db)).toMatchObject({ ok: true });
  // And as the dashboard's "verify" reports it, on each instance.
  for (const on of ["a", "b"] as const) expect(await team.query(on, "audit.verify")).toMatchObject({ ok: true });
});

it("a browser on A sees, live and in order, the log of a run whose runner is on B", { timeout: 120_000 }, async () => {
  const onB = team.runners[1];
  if (!onB) throw new Error("no runner 1");
  const browser = await team.browser("a");
  const received: LogLine[] = [];
  browser.on("run:log", ({ lines }) => received.push(...lines));
  const runId = await team.startRun("b", onB, { agent: "demo", profile: "demo", prompt: "lines=200 delay=5" });
  await browser.timeout(60_000).emitWithAck("run:subscribe", { runId, since: 0 });
  await waitFor(
    () => received.some((line) => /step 200\/200/.test(line.text)),
    60_000,
    () => `the live lines on A`,
  );
  const seqs = [...new Set(received.map((line) => line.seq))];
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
});

it("an approval on A is merged by the runner on B", { timeout: 180_000 }, async () => {
  const onB = team.runners[1];
  if (!onB) throw new Error("no runner 1");
  const runId = await team.startRun("b", onB, DEMO);
  const mr = await waitFor(
    () => team.db.mergeRequest.findFirst({ where: { runId } }),
    120_000,
    () => team.output(),
  );
  await team.mutate("a", "merge.approve", { id: mr.id, sha: mr.headSha });
  await waitFor(
    async () => (await team.db.mergeRequest.findUnique({ where: { id: mr.id } }))?.state === "merged",
    120_000,
    () => `the merge on B's runner:\n${team.output()}`,
  );
  const git = (...args: string[]) => execFileSync("git", args, { cwd: onB.repo.dir, encoding: "utf8" }).trim();
  expect(git("merge-base", "--is-ancestor", mr.headSha, "main")).toBe("");
  // A merge commit on the integration branch has the approved head as a parent.
  const mergeParents = git("log", "--merges", "--format=%P", "main").split(/\s+/);
  expect(mergeParents).toContain(mr.headSha);
});

it(
  "kill -9 of instance B mid-flood: its runners move to A, and every line of the flood is stored once, in order",
  { timeout: 240_000 },
  async () => {
    const [flooding, alsoOnB] = team.runners as [TeamStack["runners"][number], TeamStack["runners"][number]];
    const { a, b } = team.instances;
    const runId = await team.startRun("b", flooding, { agent: "flood", profile: "flood", prompt: "flood" });
    await waitFor(
      async () => (await readLogWatermark(team.db, runId)) >= 2_000,
      90_000,
      () => `lines through B:\n${team.output()}`,
    );
    await b.kill("SIGKILL");
    const atKill = await readLogWatermark(team.db, runId);
    await waitFor(
      async () => (await readLogWatermark(team.db, runId)) >= atKill + 2_000,
      90_000,
      () => `lines through A after B died:\n${team.output()}`,
    );
    await stopFlood(stopFile);
    await waitFor(
      async () => (await runOf(runId))?.exitCode === 0,
      90_000,
      () => `the flood to end:\n${team.output()}`,
    );
    const lines = await waitFor(
      async () => {
        const stored = await listLogLines(team.db, runId, 0, 1_000_000);
        return stored.some((line) => line.text.endsWith(" last")) ? stored : null;
      },
      60_000,
      () => `the flood's last line:\n${team.output()}`,
    );
    const overlaps = await queryDirect<{ n: unknown }>(
      team.db,
      `SELECT COUNT(*) AS "n" FROM "LogChunk" x JOIN "LogChunk" y ON x."runId" = y."runId" AND x."firstSeq" < y."firstSeq" AND x."lastSeq" >= y."firstSeq" WHERE x."runId" = ?1`,
      [runId],
    );
    expect(Number(overlaps[0]?.n)).toBe(0);
    expect(lines.map((line) => line.seq)).toEqual(Array.from({ length: lines.length }, (_, i) => i + 1));
    const numbers = floodLineNumbers(lines.map((line) => line.text));
    expect(numbers.length).toBeGreaterThan(atKill);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));

    // The other runner B served is on A too: A starts its next run.
    expect(alsoOnB.process.output()).toContain(`trying the hub at ${a.url}`);
    const next = await team.startRun("a", alsoOnB, DEMO);
    await waitFor(
      () => ended([next]),
      120_000,
      () => `a run through A:\n${team.output()}`,
    );
    expect((await runOf(next))?.state).toBe("succeeded");
  },
);
