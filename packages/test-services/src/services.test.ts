import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startPostgres, type PostgresServer } from "./postgres-server.ts";
import { startRedis, type RedisServer } from "./redis-server.ts";

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
});

describe("startPostgres", () => {
  it("serves SQL on loopback, creates databases from a template, and stop() removes the server and its folder", async () => {
    const pg: PostgresServer = await startPostgres();
    started.push(pg);
    expect(await pg.sql("SELECT current_user || ' ' || current_setting('listen_addresses')")).toBe("postgres 127.0.0.1");
    const templateUrl = await pg.createDatabase({ name: "grove_template_test" });
    expect(templateUrl).toBe(`postgresql://postgres@127.0.0.1:${pg.port}/grove_template_test`);
    await pg.sql("CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)", "grove_template_test");
    const copyUrl = await pg.createDatabase({ template: "grove_template_test" });
    const copy = copyUrl.slice(copyUrl.lastIndexOf("/") + 1);
    expect(await pg.sql("SELECT id FROM kept", copy)).toBe("7");
    await expect(pg.createDatabase({ name: "x; DROP DATABASE postgres" })).rejects.toThrow(/plain database name/);

    await pg.stop();
    expect(await isListening(pg.port)).toBe(false);
    expect(existsSync(pg.dir)).toBe(false);
    await pg.stop();
  });
});

describe("startRedis", () => {
  it("answers PING on loopback and stop() ends it and removes its folder", async () => {
    const redis: RedisServer = await startRedis();
    started.push(redis);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redisCommand(redis.port, "PING")).toBe("+PONG");
    await redis.stop();
    expect(await isListening(redis.port)).toBe(false);
    expect(existsSync(redis.dir)).toBe(false);
  });
});

describe("a test process killed with SIGKILL", () => {
  it("leaves no server running and no folder behind", async () => {
    const script = [
      'import { startPostgres, startRedis } from "./src/index.ts";',
      "const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);",
      "console.log(JSON.stringify({ pg: [pg.port, pg.dir], redis: [redis.port, redis.dir] }));",
      "setInterval(() => undefined, 1000);",
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: new URL("..", import.meta.url),
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString("utf8")));
      child.once("exit", (code) => reject(new Error(`the test process exited early (${code})`)));
    });
    const servers = JSON.parse(line) as { pg: [number, string]; redis: [number, string] };
    expect(await isListening(servers.pg[0])).toBe(true);
    expect(await isListening(servers.redis[0])).toBe(true);

    child.kill("SIGKILL");
    await waitUntil(async () => !(await isListening(servers.pg[0])) && !(await isListening(servers.redis[0])));
    await waitUntil(() => Promise.resolve(!existsSync(servers.pg[1]) && !existsSync(servers.redis[1])));
  });
});

describe("a test process killed while PostgreSQL starts", () => {
  it("leaves no server behind though its pid was not named yet: the guard reads the pid file in the folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "grove-guard-"));
    await mkdir(join(dir, "data"));
    // A server as pg_ctl leaves it: detached, its pid in data/postmaster.pid (PostgreSQL's first line).
    const server = spawn(process.execPath, ["-e", "setInterval(() => undefined, 1000)"], { detached: true, stdio: "ignore" });
    server.unref();
    const pid = server.pid ?? -1;
    await writeFile(join(dir, "data", "postmaster.pid"), `${pid}\n${dir}/data\n`);
    const script = [
      'import { startOrphanGuard } from "./src/orphan-guard.ts";',
      `startOrphanGuard().removeOnExit(${JSON.stringify(dir)});`,
      'console.log("guarded");',
      "setInterval(() => undefined, 1000);",
    ].join("\n");
    const owner = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: new URL("..", import.meta.url),
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      owner.stdout.once("data", () => resolve());
      owner.once("exit", (code) => reject(new Error(`the owner exited early (${code})`)));
    });
    owner.kill("SIGKILL");
    await waitUntil(() => Promise.resolve(!isAlive(pid) && !existsSync(dir)));
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`${command}\r\n`));
    socket.once("data", (chunk) => {
      socket.destroy();
      resolve(chunk.toString("utf8").trim());
    });
    socket.once("error", reject);
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the servers to stop");
    await new Promise((r) => setTimeout(r, 50));
  }
}
