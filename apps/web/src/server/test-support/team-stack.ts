import { randomBytes } from "node:crypto";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, HubToBrowserEvents } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { createDb, migrateDatabase, type Db } from "@grove/db";
import { signInOverHttp, startPostgres, startRedis, waitFor } from "@grove/testing";
import { hashToken } from "../auth/secrets.ts";
import { INSTANCE_ADMIN, startHubInstance, startRunnerProcess, type ChildHandle } from "./hub-instances.ts";

export type TeamRunner = { id: string; token: string; repo: TempRepo; process: ChildHandle; hubUrls: string[] };
export type TeamStack = Awaited<ReturnType<typeof startTeamStack>>;
type BrowserSocket = Socket<HubToBrowserEvents, BrowserToHubEvents>;

/**
 * A team's deployment for real: dashboard instances A and B (separate processes) on one PostgreSQL database
 * and one Redis bus, with one secret, and one runner process per repository, each given every instance's URL,
 * `runnerHome[i]` ("a" or "b") first. Each instance has its own data dir, as on two machines: nothing but the
 * database, the bus and the settings is shared. `env` reaches every instance.
 */
export async function startTeamStack(o: {
  repos: Record<string, string>[];
  runnerHome: ("a" | "b")[];
  env?: Record<string, string>;
}) {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-team-")));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(root, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const postgres = await startPostgres();
    cleanups.push(() => postgres.stop());
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const databaseUrl = await postgres.createDatabase();
    // Migrated once here: the instances' own migrate at start then finds nothing to do.
    await migrateDatabase(databaseUrl);
    const env = {
      DATABASE_URL: databaseUrl,
      GROVE_REDIS_URL: redis.url,
      GROVE_AUTH_SECRET: randomBytes(32).toString("base64url"),
      ...o.env,
    };
    const a = await startHubInstance(path.join(root, "data-a"), env);
    cleanups.push(() => a.kill());
    const b = await startHubInstance(path.join(root, "data-b"), env);
    cleanups.push(() => b.kill());
    const db: Db = await createDb(databaseUrl);
    cleanups.push(() => db.$disconnect());
    const instances = { a, b };

    const runners: TeamRunner[] = [];
    for (const [i, files] of o.repos.entries()) {
      const repo = await makeTempRepo({ files });
      cleanups.push(repo.cleanup);
      const token = randomBytes(24).toString("base64url");
      const { id } = await db.runner.create({ data: { name: `runner-${i}`, tokenHash: hashToken(token) } });
      const home = o.runnerHome[i] ?? "a";
      const hubUrls = home === "a" ? [a.url, b.url] : [b.url, a.url];
      const child = startRunnerProcess({ hubUrls, token, dataDir: path.join(root, `runner-${i}`), repos: [repo.dir] });
      cleanups.push(() => child.kill("SIGTERM"));
      runners.push({ id, token, repo, process: child, hubUrls });
    }
    for (const runner of runners)
      await waitFor(
        async () => (await db.runner.findUnique({ where: { id: runner.id } }))?.repos.includes(runner.repo.dir),
        90_000,
        () => `runner ${runner.id}'s hello:\n${runner.process.output()}`,
      );
    const cookies = { a: await signInOverHttp(a.url, INSTANCE_ADMIN), b: await signInOverHttp(b.url, INSTANCE_ADMIN) };

    /** A tRPC mutation over HTTP on one instance, as the dashboard calls it. */
    async function mutate<T>(on: "a" | "b", procedure: string, input: unknown): Promise<T> {
      const url = instances[on].url;
      const response = await fetch(`${url}/api/trpc/${procedure}`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: cookies[on], origin: url },
        body: JSON.stringify({ json: input }),
      });
      const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
      if (!body.result)
        throw new Error(`${procedure} on ${on} failed: ${JSON.stringify(body.error)}\n${instances[on].output().slice(-4_000)}`);
      return body.result.data.json;
    }

    /** A tRPC query over HTTP on one instance. */
    async function query<T>(on: "a" | "b", procedure: string): Promise<T> {
      const response = await fetch(`${instances[on].url}/api/trpc/${procedure}`, { headers: { cookie: cookies[on] } });
      const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
      if (!body.result) throw new Error(`${procedure} on ${on} failed: ${JSON.stringify(body.error)}`);
      return body.result.data.json;
    }

    return {
      root,
      query,
      db,
      instances,
      runners,
      mutate,
      /** Starts one task on `runner` through instance `on`; its run's id. */
      async startRun(on: "a" | "b", runner: TeamRunner, task: { agent: string; profile: string; prompt: string }) {
        const taskId = `t${randomBytes(4).toString("hex")}`;
        const started = await mutate<{ runIds: string[] }>(on, "session.start", {
          runnerId: runner.id,
          repoPath: runner.repo.dir,
          tasks: [{ ...task, taskId }],
        });
        return started.runIds[0] ?? "";
      },
      /** A signed-in browser's socket on instance `on`. */
      async browser(on: "a" | "b"): Promise<BrowserSocket> {
        const socket: BrowserSocket = io(instances[on].url, {
          path: "/socket.io/",
          extraHeaders: { cookie: cookies[on] },
          transports: ["websocket"],
        });
        cleanups.push(() => Promise.resolve(socket.disconnect()));
        await new Promise<void>((resolve, reject) => {
          socket.once("connect", () => resolve());
          socket.once("connect_error", reject);
        });
        return socket;
      },
      output: () =>
        [`A:\n${a.output()}`, `B:\n${b.output()}`, ...runners.map((r, i) => `runner ${i}:\n${r.process.output()}`)].join("\n"),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
