import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, it } from "vitest";
import { nextRestart, stopInOrder, superviseProcess, type SupervisedExit, type SupervisedProcess } from "./supervise-process.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Counts its starts in a file; crashes (exit 3) on the first CRASHES starts, then stays up until killed.
// SIGINT (a terminal's Ctrl-C) ends it with code 0 as the web process does, or is ignored with IGNORE_INT=1.
const WORKER = `
const fs = require("node:fs");
const file = process.env.COUNT_FILE;
const n = (fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : 0) + 1;
fs.writeFileSync(file, String(n));
if (n <= Number(process.env.CRASHES)) process.exit(3);
process.on("SIGTERM", () => { if (process.env.IGNORE_TERM !== "1") process.exit(0); });
process.on("SIGINT", () => { if (process.env.IGNORE_INT !== "1") process.exit(0); });
console.log("up " + n + " " + process.env.WORKER_SETTING);
setInterval(() => {}, 1000);
`;

type WorkerOptions = {
  crashes: number;
  ignoreTerm?: boolean;
  ignoreInt?: boolean;
  policy?: { initialMs: number; maxMs: number; stableMs: number };
  stopGraceMs?: number;
  isFatal?: (exit: SupervisedExit) => boolean;
  onGiveUp?: (exit: SupervisedExit) => void;
};

function startWorker(opts: WorkerOptions) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "grove-supervise-")));
  const countFile = join(dir, "count");
  const logs: string[] = [];
  let output = "";
  const worker: SupervisedProcess = superviseProcess({
    name: "worker",
    command: process.execPath,
    args: ["-e", WORKER],
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      COUNT_FILE: countFile,
      CRASHES: String(opts.crashes),
      IGNORE_TERM: opts.ignoreTerm ? "1" : "0",
      IGNORE_INT: opts.ignoreInt ? "1" : "0",
      WORKER_SETTING: "as given",
    },
    log: (line) => logs.push(line),
    onOutput: (text) => (output += text),
    policy: opts.policy ?? { initialMs: 20, maxMs: 50, stableMs: 60_000 },
    stopGraceMs: opts.stopGraceMs ?? 200,
    isFatal: opts.isFatal,
    onGiveUp: opts.onGiveUp,
  });
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => worker.stop(),
  );
  return { worker, logs, output: () => output, starts: () => Number(readFileSync(countFile, "utf8")) };
}

async function waitFor<T>(check: () => T, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function isAlive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

it("backs off exponentially up to the cap, and resets once a start stayed up", () => {
  const policy = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 };
  let crashes = 0;
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    const next = nextRestart(policy, crashes, { upMs: 50 });
    crashes = next.crashes;
    delays.push(next.delayMs);
  }
  expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  expect(nextRestart(policy, crashes, { upMs: 60_000 })).toEqual({ delayMs: 1_000, crashes: 1 });
});

it("restarts a process killed with SIGKILL, says so, and gives every start the same environment", async () => {
  const { worker, logs, output } = startWorker({ crashes: 0 });
  await waitFor(() => output().includes("up 1 as given"), "the first start");
  const first = worker.pid() ?? -1;
  process.kill(first, "SIGKILL");

  await waitFor(() => output().includes("up 2 as given"), "the restart");
  expect(worker.restarts()).toBe(1);
  expect(worker.pid()).not.toBe(first);
  expect(logs[0]).toMatch(/^worker was killed by SIGKILL after \d+ (ms|s); restarting it in 20 ms \(restart 1\)$/);
  expect(logs[1]).toBe(`worker restarted (pid ${worker.pid() ?? "?"})`);
});

it("doubles the delay after each quick crash up to its cap, and starts from the first delay after a start that stayed up", async () => {
  // A crash counts as quick when the process ends within stableMs of its spawn, and each crash here is a node
  // start: on a loaded machine that alone has taken over a second (300 ms made this test fail under CI's load).
  const policy = { initialMs: 20, maxMs: 50, stableMs: 8_000 };
  const { worker, logs, output } = startWorker({ crashes: 3, policy });
  await waitFor(() => output().includes("up 4"), "the fourth start, which stays up");
  expect(
    logs.filter((line) => line.includes("exited with code 3")).map((line) => /restarting it in (\d+) ms/.exec(line)?.[1]),
  ).toEqual(["20", "40", "50"]);

  const upSince = Date.now();
  await waitFor(() => Date.now() - upSince > policy.stableMs, "the start to count as stable");
  process.kill(worker.pid() ?? -1, "SIGKILL");
  await waitFor(() => output().includes("up 5"), "the restart after the stable start");
  expect(logs.find((line) => line.includes("SIGKILL"))).toMatch(/restarting it in 20 ms \(restart 4\)$/);
});

it("stop() ends the process for good: SIGTERM, SIGKILL after the grace period, no restart", async () => {
  const { worker, output, starts } = startWorker({ crashes: 0, ignoreTerm: true });
  await waitFor(() => output().includes("up 1"), "the start");
  const pid = worker.pid() ?? -1;
  await worker.stop();
  expect(isAlive(pid)).toBe(false);
  expect(worker.pid()).toBeNull();
  expect(worker.restarts()).toBe(0);
  expect(starts()).toBe(1);
});

it("stop() during the wait before a restart cancels the restart", async () => {
  const { worker, logs, starts } = startWorker({ crashes: 1, policy: { initialMs: 60_000, maxMs: 60_000, stableMs: 60_000 } });
  await waitFor(() => logs.some((line) => line.includes("restarting it in 60 s")), "the crash");
  await worker.stop();
  expect(worker.restarts()).toBe(0);
  expect(starts()).toBe(1);
});

it("a process that cannot be started is tried again with back-off, and stop() still ends it", async () => {
  const logs: string[] = [];
  const missing = join(tmpdir(), "grove-supervise-missing-folder");
  const worker = superviseProcess({
    name: "worker",
    command: process.execPath,
    args: ["-e", ""],
    cwd: missing,
    env: {},
    log: (line) => logs.push(line),
    policy: { initialMs: 20, maxMs: 40, stableMs: 60_000 },
  });
  cleanups.push(() => worker.stop());
  await waitFor(() => logs.filter((line) => line.includes("could not be started")).length >= 2, "two failed starts");
  expect(logs).toContainEqual(expect.stringMatching(/^worker did not start; restarting it in 20 ms \(restart 1\)$/));
  await worker.stop();
  expect(worker.pid()).toBeNull();
});

it("a fatal end (isFatal) is not restarted: onGiveUp hears of it, and the log says so", async () => {
  const givenUp: SupervisedExit[] = [];
  const { worker, logs, starts } = startWorker({
    crashes: 1,
    isFatal: (exit) => exit.code === 3,
    onGiveUp: (exit) => givenUp.push(exit),
  });
  await waitFor(() => givenUp.length > 0, "the fatal end");
  expect(givenUp).toEqual([expect.objectContaining({ code: 3, signal: null })]);
  expect(logs).toEqual([
    expect.stringMatching(/^worker exited with code 3 after \d+ (ms|s); not restarting it \(a restart would end the same way\)$/),
  ]);
  // A restart would have been scheduled in the same turn as the log line above.
  expect(worker.pid()).toBeNull();
  expect(worker.restarts()).toBe(0);
  expect(starts()).toBe(1);
  await worker.stop();
});

it("an end that is not fatal is restarted as before", async () => {
  const givenUp: SupervisedExit[] = [];
  const { worker, output } = startWorker({
    crashes: 1,
    isFatal: (exit) => exit.code === 2,
    onGiveUp: (exit) => givenUp.push(exit),
  });
  await waitFor(() => output().includes("up 2"), "the restart");
  expect(worker.restarts()).toBe(1);
  expect(givenUp).toEqual([]);
});

it("Ctrl-C reaches both processes: stopInOrder restarts neither, though the second ends while the first is still stopping", async () => {
  // The runner's part: ignores SIGINT and SIGTERM, so stopping it takes its whole grace period; the web's
  // part ends with code 0 on SIGINT right away, while the runner is still being stopped.
  const runner = startWorker({ crashes: 0, ignoreTerm: true, ignoreInt: true, stopGraceMs: 1_500 });
  const web = startWorker({ crashes: 0 });
  await waitFor(() => runner.output().includes("up 1") && web.output().includes("up 1"), "both starts");
  const runnerPid = runner.worker.pid() ?? -1;
  const webPid = web.worker.pid() ?? -1;

  // What a terminal does on Ctrl-C: the signal goes to every process of the group.
  process.kill(webPid, "SIGINT");
  process.kill(runnerPid, "SIGINT");
  await stopInOrder([runner.worker, web.worker]);

  expect(isAlive(runnerPid)).toBe(false);
  expect(isAlive(webPid)).toBe(false);
  expect(web.logs).toEqual([]);
  expect(web.worker.restarts()).toBe(0);
  expect(web.starts()).toBe(1);
  expect(runner.worker.restarts()).toBe(0);
});
