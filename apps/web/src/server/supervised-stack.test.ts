import { randomBytes } from "node:crypto";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isTerminalRunState } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { createDb, databaseUrlFor, listLogLines, type Db } from "@grove/db";
import { DOMAIN_ERROR_EXIT_CODE, LISTEN_FAILED_EXIT_CODE, runnerLaunchArgs, runnerLaunchEnv } from "@grove/core/launch";
import { answersAsInstance, superviseProcess, type SupervisedExit, type SupervisedProcess } from "@grove/core/node";
import { freePort, RUNNER_BIN, signInOverHttp, waitFor } from "@grove/testing";
import { HUB_PROCESS_BUNDLE } from "./test-support/hub-bundle.ts";

// `pnpm start`'s supervision (scripts/start.ts), with real processes: the web process (the grove server bundled,
// as `pnpm start` runs it, without Next's pages) and the runner CLI, each under superviseProcess, over a real SQLite file
// and a real repository.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const ADMIN = { email: "admin@test.local", password: "admin-password-1" };
const LINES = 150;
// Quick restarts, so the test does not wait out production's 1 s back-off; never reset within the test.
const POLICY = { initialMs: 200, maxMs: 2_000, stableMs: 10 * 60_000 };

let dataDir: string;
let repo: TempRepo;
let db: Db;
let url: string;
let token: string;
const INSTANCE_ID = randomBytes(16).toString("base64url");
let web: SupervisedProcess;
let runner: SupervisedProcess;
const supervisorLog: string[] = [];
let webOutput = "";
let runnerOutput = "";

beforeAll(async () => {
  dataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-supervised-")));
  repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' } });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  token = randomBytes(24).toString("base64url");
  const log = (line: string) => supervisorLog.push(line);
  web = superviseProcess({
    name: "web",
    command: process.execPath,
    args: [HUB_PROCESS_BUNDLE],
    cwd: path.join(repoRoot, "apps/web"),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      GROVE_DATA_DIR: dataDir,
      GROVE_RUNNER_TOKEN: token,
      GROVE_ADMIN_EMAIL: ADMIN.email,
      GROVE_ADMIN_PASSWORD: ADMIN.password,
      GROVE_INSTANCE_ID: INSTANCE_ID,
    },
    log,
    onOutput: (text) => (webOutput += text),
    policy: POLICY,
  });
  await waitFor(
    () => isHealthy(),
    60_000,
    () => `the web process to answer:\n${webOutput}`,
  );
  db = await createDb(databaseUrlFor(dataDir));
  runner = superviseProcess({
    name: "runner",
    command: process.execPath,
    args: runnerLaunchArgs([RUNNER_BIN], {
      hubUrl: url,
      dataDir: path.join(dataDir, "runner"),
      repos: [repo.dir],
    }),
    cwd: repoRoot,
    env: runnerLaunchEnv(process.env, { token }),
    log,
    onOutput: (text) => (runnerOutput += text),
    policy: POLICY,
  });
  await waitFor(
    async () => (await db.runner.findMany()).some((r) => r.repos.includes(repo.dir)),
    60_000,
    () => `the runner's hello:\n${runnerOutput}`,
  );
});

afterAll(async () => {
  await runner.stop();
  await web.stop();
  await db.$disconnect();
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const isHealthy = () =>
  fetch(`${url}/api/health`).then(
    (r) => r.ok,
    () => false,
  );

async function startDemoRun(prompt: string): Promise<string> {
  const cookie = await signInOverHttp(url, ADMIN);
  const runnerRow = await waitFor(async () => (await db.runner.findMany()).find((r) => r.repos.includes(repo.dir)));
  const response = await fetch(`${url}/api/trpc/session.start`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: url },
    body: JSON.stringify({
      json: {
        runnerId: runnerRow.id,
        repoPath: repo.dir,
        tasks: [{ agent: "demo", taskId: "numbered", profile: "demo", prompt }],
      },
    }),
  });
  const body = (await response.json()) as { result?: { data: { json: { runIds: string[] } } } };
  const runId = body.result?.data.json.runIds[0];
  if (!runId) throw new Error(`session.start failed (${response.status}): ${JSON.stringify(body)}`);
  return runId;
}

const stepLines = (lines: { text: string }[]) =>
  lines
    .map((l) => /step (\d+)\/\d+/.exec(l.text)?.[1])
    .filter((n) => n !== undefined)
    .map(Number);

it(
  "kill -9 of the web process mid-run: it is restarted, the runner is not, and every line of the run reaches the database in order",
  { timeout: 180_000 },
  async () => {
    const runnerPid = runner.pid();
    const runId = await startDemoRun(`lines=${LINES} delay=40 print numbered lines`);
    const storedAtKill = await waitFor(
      async () => {
        const count = stepLines(await listLogLines(db, runId, 0)).length;
        return count >= 10 ? count : null;
      },
      60_000,
      () => `the first lines in the database:\n${runnerOutput}`,
    );
    process.kill(web.pid() ?? -1, "SIGKILL");
    expect(storedAtKill).toBeLessThan(LINES);
    await waitFor(
      () => web.restarts() === 1 && isHealthy(),
      60_000,
      () => `the web process to come back:\n${webOutput}`,
    );
    expect(supervisorLog).toContainEqual(
      expect.stringMatching(/^web was killed by SIGKILL after \d+ (ms|s|min); restarting it in 200 ms \(restart 1\)$/),
    );

    const finished = await waitFor(
      async () => {
        const run = await db.run.findUnique({ where: { id: runId } });
        return run && isTerminalRunState(run.state) ? run : null;
      },
      120_000,
      () => `the run to finish:\n${runnerOutput}`,
    );
    expect(finished.state).toBe("succeeded");
    const lines = await waitFor(
      async () => {
        const stored = await listLogLines(db, runId, 0);
        return stepLines(stored).length === LINES ? stored : null;
      },
      60_000,
      () => "every line in the database",
    );
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(stepLines(lines)).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    // The runner (and so its agent) lived through the outage.
    expect(runner.restarts()).toBe(0);
    expect(runner.pid()).toBe(runnerPid);
    expect(runnerOutput).toMatch(/disconnected from hub/);
  },
);

it("kill -9 of the runner: it is restarted, says so, and connects again", { timeout: 120_000 }, async () => {
  const connections = () => runnerOutput.match(/connected to hub as runner/g)?.length ?? 0;
  const before = connections();
  process.kill(runner.pid() ?? -1, "SIGKILL");
  await waitFor(
    () => runner.restarts() === 1 && connections() > before,
    60_000,
    () => `the runner to connect again:\n${runnerOutput}`,
  );
  expect(supervisorLog).toContainEqual(
    expect.stringMatching(/^runner was killed by SIGKILL after \d+ (ms|s|min); restarting it in 200 ms \(restart 1\)$/),
  );
  expect(supervisorLog).toContainEqual(`runner restarted (pid ${runner.pid() ?? "?"})`);
  expect(web.restarts()).toBe(1);
});

it(
  "the port is taken by another program that answers /api/health: not taken for grove, and the web process exits once, with the listen failure's code",
  { timeout: 120_000 },
  async () => {
    const other = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true })),
    );
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const port = (other.address() as { port: number }).port;
    const otherUrl = `http://127.0.0.1:${port}/api/health`;
    const instanceId = randomBytes(16).toString("base64url");
    const givenUp: SupervisedExit[] = [];
    const logs: string[] = [];
    let output = "";
    const second = superviseProcess({
      name: "web",
      command: process.execPath,
      args: [HUB_PROCESS_BUNDLE],
      cwd: path.join(repoRoot, "apps/web"),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        GROVE_DATA_DIR: path.join(dataDir, "second"),
        GROVE_RUNNER_TOKEN: token,
        GROVE_INSTANCE_ID: instanceId,
      },
      log: (line) => logs.push(line),
      onOutput: (text) => (output += text),
      isFatal: (exit) => exit.code === LISTEN_FAILED_EXIT_CODE,
      onGiveUp: (exit) => givenUp.push(exit),
      policy: POLICY,
    });
    try {
      // The other program's 200 is not this web process's answer; grove's own is (started in beforeAll).
      expect(await answersAsInstance(otherUrl, instanceId)).toBe(false);
      expect(await answersAsInstance(`${url}/api/health`, INSTANCE_ID)).toBe(true);
      expect(await answersAsInstance(`${url}/api/health`, instanceId)).toBe(false);

      await waitFor(
        () => givenUp.length > 0,
        60_000,
        () => `the web process to give up:\n${output}`,
      );
      expect(givenUp[0]?.code).toBe(LISTEN_FAILED_EXIT_CODE);
      expect(output).toContain(`grove web cannot listen: port ${port} is in use by another program (EADDRINUSE)`);
      expect(output).not.toMatch(/\n\s+at /); // one line, no stack trace
      expect(logs).toEqual([expect.stringMatching(/^web exited with code 78 after .*; not restarting it/)]);
      expect(second.restarts()).toBe(0);
    } finally {
      await second.stop();
      await new Promise((resolve) => other.close(resolve));
    }
  },
);

it(
  "the runner refuses its configuration (a repository that does not exist): it exits with code 2 and is not restarted",
  { timeout: 120_000 },
  async () => {
    const missing = path.join(dataDir, "no-such-repo");
    const givenUp: SupervisedExit[] = [];
    let output = "";
    const refused = superviseProcess({
      name: "runner",
      command: process.execPath,
      args: runnerLaunchArgs([RUNNER_BIN], {
        hubUrl: url,
        dataDir: path.join(dataDir, "runner-refused"),
        repos: [missing],
      }),
      cwd: repoRoot,
      env: runnerLaunchEnv(process.env, { token }),
      log: () => undefined,
      onOutput: (text) => (output += text),
      isFatal: (exit) => exit.code === DOMAIN_ERROR_EXIT_CODE,
      onGiveUp: (exit) => givenUp.push(exit),
      policy: POLICY,
    });
    try {
      await waitFor(
        () => givenUp.length > 0,
        60_000,
        () => `the runner to give up:\n${output}`,
      );
      expect(output).toContain(`grove: ${missing} does not exist.`);
      expect(refused.restarts()).toBe(0);
      expect(refused.pid()).toBeNull();
    } finally {
      await refused.stop();
    }
  },
);
