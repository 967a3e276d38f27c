import { createHmac, randomBytes } from "node:crypto";
import { chmod, copyFile, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { afterEach, expect, it } from "vitest";
import { makeTempRepo } from "@grove/core/test-support";
import { createDb, databaseUrlFor, listLogLines, queryDirect, writeSetting, type Db } from "@grove/db";
import { runnerLaunchArgs, runnerLaunchEnv } from "@grove/core/launch";
import { superviseProcess, type SupervisedProcess } from "@grove/core/node";
import { freePort, RUNNER_BIN, signInOverHttp, waitFor } from "@grove/testing";
import { HUB_PROCESS_BUNDLE } from "./test-support/hub-bundle.ts";
import { startTestHub } from "./test-support/test-hub.ts";
import { describeRefusal, HANDSHAKE_REFUSED } from "./test-support/socket-refusal.ts";

// The data dirs hold the database (live session tokens, password hashes), the cookie-signing secret and
// the runner's spools and run files: owner-only, and a copy of the database alone signs no one in.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const ADMIN = { email: "admin@test.local", password: "admin-password-1" };
const POLICY = { initialMs: 200, maxMs: 2_000, stableMs: 10 * 60_000 };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The web process (hub-process.ts: server.ts's start without Next's pages) on `dataDir`. */
async function startWeb(dataDir: string, extraEnv: Record<string, string> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const web: SupervisedProcess = superviseProcess({
    name: "web",
    command: process.execPath,
    args: [HUB_PROCESS_BUNDLE],
    cwd: path.join(repoRoot, "apps/web"),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      GROVE_DATA_DIR: dataDir,
      GROVE_ADMIN_EMAIL: ADMIN.email,
      GROVE_ADMIN_PASSWORD: ADMIN.password,
      ...extraEnv,
    },
    log: (line) => (output += `${line}\n`),
    onOutput: (text) => (output += text),
    policy: POLICY,
  });
  cleanups.push(() => web.stop());
  // Printed once the first admin exists too.
  await waitFor(
    () => output.includes("hub listening on"),
    60_000,
    () => `the web process to start:\n${output}`,
  );
  return { url, stop: () => web.stop(), output: () => output };
}

/** The mode bits of every folder and file under `dir` (itself included, as "."), by path relative to it. */
async function modesUnder(dir: string): Promise<Map<string, { mode: number; isDir: boolean }>> {
  const read = async (full: string) => {
    const info = await stat(full).catch(() => null); // a -shm or a spool may go while we look
    return info && { mode: info.mode & 0o777, isDir: info.isDirectory() };
  };
  const modes = new Map<string, { mode: number; isDir: boolean }>();
  for (const full of [
    dir,
    ...(await readdir(dir, { recursive: true, withFileTypes: true })).map((e) => path.join(e.parentPath, e.name)),
  ]) {
    const found = await read(full);
    if (found) modes.set(path.relative(dir, full) || ".", found);
  }
  return modes;
}

async function me(url: string, cookie: string): Promise<unknown> {
  const response = await fetch(`${url}/api/trpc/auth.me`, { headers: { cookie } });
  const body = (await response.json()) as { result?: { data: { json: unknown } } };
  return body.result?.data.json;
}

it(
  "a real start of the web process and the runner, and a run, leave owner-only folders (0700) and files (0600)",
  { timeout: 180_000 },
  async () => {
    const root = await tempDir("grove-private-");
    const dataDir = path.join(root, "data"); // created by the start
    const token = randomBytes(24).toString("base64url");
    const web = await startWeb(dataDir, { GROVE_RUNNER_TOKEN: token });
    const repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' } });
    cleanups.push(repo.cleanup);
    let runnerOutput = "";
    const runner = superviseProcess({
      name: "runner",
      command: process.execPath,
      args: runnerLaunchArgs([RUNNER_BIN], {
        hubUrl: web.url,
        dataDir: path.join(dataDir, "runner"),
        repos: [repo.dir],
      }),
      cwd: repoRoot,
      env: runnerLaunchEnv(process.env, { token }),
      log: (line) => (runnerOutput += `${line}\n`),
      onOutput: (text) => (runnerOutput += text),
      policy: POLICY,
    });
    cleanups.push(() => runner.stop());
    const db = await createDb(databaseUrlFor(dataDir));
    cleanups.push(() => db.$disconnect());
    const runnerRow = await waitFor(
      async () => (await db.runner.findMany()).find((r) => r.repos.includes(repo.dir)),
      60_000,
      () => `the runner's hello:\n${runnerOutput}`,
    );

    const cookie = await signInOverHttp(web.url, ADMIN);
    const started = await fetch(`${web.url}/api/trpc/session.start`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: web.url },
      body: JSON.stringify({
        json: {
          runnerId: runnerRow.id,
          repoPath: repo.dir,
          tasks: [{ agent: "demo", taskId: "modes", profile: "demo", prompt: "lines=3 delay=0" }],
        },
      }),
    });
    const runId =
      ((await started.json()) as { result?: { data: { json: { runIds: string[] } } } }).result?.data.json.runIds[0] ?? "";
    await waitFor(
      async () => (await db.run.findUnique({ where: { id: runId } }))?.state === "succeeded",
      60_000,
      () => `the run to succeed:\n${runnerOutput}`,
    );
    await waitFor(
      async () => (await listLogLines(db, runId, 0)).some((l) => /step 3\/3/.test(l.text)),
      30_000,
      () => "the run's lines",
    );

    const modes = await modesUnder(dataDir);
    // What grove wrote, among them: the database and its journal, the secret, the runner's run files.
    for (const name of [
      "grove.db",
      "grove.db-wal",
      "grove.db-shm",
      "auth-secret",
      path.join("runner", "runs", runId, "run.json"),
      path.join("runner", "runs", runId, "context-pack.md"),
    ]) {
      expect(modes.get(name)?.mode, name).toBe(0o600);
    }
    // The RESULT is the agent's: written with the user's umask, as a file this test writes gets (grove sets no
    // umask its children would inherit); its folder is private.
    const agentWritten = path.join("runner", "runs", runId, "result.json");
    const mine = path.join(root, "written-by-the-user");
    await writeFile(mine, "");
    expect(modes.get(agentWritten)?.mode).toBe((await stat(mine)).mode & 0o777);
    const wrong = [...modes]
      .filter(([name, { mode, isDir }]) => name !== agentWritten && mode !== (isDir ? 0o700 : 0o600))
      .map(([name, { mode }]) => `${name} ${mode.toString(8)}`);
    expect(wrong).toEqual([]);
  },
);

it(
  "repairs a too-open data dir an older grove left, moves its secret out of the database, and keeps its sign-ins working",
  { timeout: 120_000 },
  async () => {
    const root = await tempDir("grove-private-");
    const dataDir = path.join(root, "data");
    const first = await startWeb(dataDir);
    const cookie = await signInOverHttp(first.url, ADMIN);
    await first.stop();

    // As an older grove left it: folders 0755, files 0644, the signing secret in the database and in no file.
    const secret = (await readFile(path.join(dataDir, "auth-secret"), "utf8")).trim();
    await rm(path.join(dataDir, "auth-secret"));
    const legacy = await createDb(databaseUrlFor(dataDir));
    await writeSetting(legacy, "auth.secret", secret);
    await legacy.$disconnect();
    await chmod(dataDir, 0o755);
    for (const name of await readdir(dataDir)) await chmod(path.join(dataDir, name), 0o644);

    const second = await startWeb(dataDir);
    const modes = await modesUnder(dataDir);
    expect(modes.get(".")?.mode).toBe(0o700);
    for (const name of ["grove.db", "grove.db-wal", "grove.db-shm", "auth-secret"])
      expect(modes.get(name)?.mode, name).toBe(0o600);
    expect((await readFile(path.join(dataDir, "auth-secret"), "utf8")).trim()).toBe(secret);
    // The sign-in from before the move still works, and the secret is nowhere in the database's files.
    expect(await me(second.url, cookie)).toMatchObject({ email: ADMIN.email, role: "admin" });
    const db = await createDb(databaseUrlFor(dataDir));
    cleanups.push(() => db.$disconnect());
    expect(await db.setting.findUnique({ where: { key: "auth.secret" } })).toBeNull();
    for (const name of (await readdir(dataDir)).filter((n) => n.startsWith("grove.db"))) {
      expect((await readFile(path.join(dataDir, name))).includes(secret), name).toBe(false);
    }
  },
);

it("with only a copy of the database, no stored session token makes a cookie that tRPC, the socket or the audit export accept", async () => {
  const secretDir = await tempDir("grove-secret-");
  const hub = await startTestHub({ authSecretFile: path.join(secretDir, "auth-secret") });
  cleanups.push(() => hub.close());
  const cookie = await hub.signIn();
  expect(await me(hub.server.url, cookie)).toMatchObject({ email: ADMIN.email });

  // The copy: the database file and its write-ahead log, opened elsewhere.
  const [main] = await queryDirect<{ file: string }>(hub.db, "SELECT file FROM pragma_database_list WHERE name = 'main'", []);
  const copyDir = await tempDir("grove-db-copy-");
  for (const suffix of ["", "-wal"])
    await copyFile(`${main?.file ?? ""}${suffix}`, path.join(copyDir, `grove.db${suffix}`)).catch(() => undefined);
  const copy: Db = await createDb(databaseUrlFor(copyDir));
  cleanups.push(() => copy.$disconnect());
  const tokens = (await copy.authSession.findMany()).map((s) => s.token);
  expect(tokens.length).toBeGreaterThan(0);
  const candidates = (await copy.setting.findMany()).map((s) => s.value);

  // Every cookie an attacker can build from the copy: the raw token, and the token signed with any value stored there.
  const forged = tokens.flatMap((token) => [
    `grove.session_token=${token}`,
    ...candidates.map(
      (value) =>
        `grove.session_token=${encodeURIComponent(`${token}.${createHmac("sha256", value).update(token).digest("base64")}`)}`,
    ),
  ]);
  for (const attempt of forged) {
    expect(await me(hub.server.url, attempt), attempt).toBeNull();
    const list = await fetch(`${hub.server.url}/api/trpc/runner.list`, { headers: { cookie: attempt } });
    expect(list.status).toBe(401);
    const audit = await fetch(`${hub.server.url}/api/audit/export`, { headers: { cookie: attempt } });
    expect(audit.status).toBe(401);
    const socket = io(hub.server.url, {
      path: "/socket.io/",
      extraHeaders: { cookie: attempt },
      transports: ["websocket"],
      reconnection: false,
    });
    const refusal = await new Promise<string>((resolve) => {
      socket.once("connect", () => resolve("connected"));
      socket.once("connect_error", (error) => resolve(describeRefusal(error)));
    });
    socket.close();
    expect(refusal).toMatch(HANDSHAKE_REFUSED);
  }
  // The cookie the hub itself set still works.
  expect(await me(hub.server.url, cookie)).toMatchObject({ email: ADMIN.email });
});
