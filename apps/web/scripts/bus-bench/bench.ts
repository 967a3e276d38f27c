// Cross-instance broadcast latency (p50/p99) and throughput for log batches through each socket.io adapter:
// two real instances (child processes), a browser-like client on B, batches sent by A.
// Run: pnpm --filter @grove/web exec tsx scripts/bus-bench/bench.ts   (needs redis-server; PostgreSQL optional)
import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { io as connect, type Socket } from "socket.io-client";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "grove-bus-bench-")));
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<string> {
  const port = await freePort();
  const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""], {
    stdio: "ignore",
  });
  children.push(redis);
  for (;;) {
    if (
      spawnSync("redis-cli", ["-p", String(port), "ping"])
        .stdout.toString()
        .trim() === "PONG"
    )
      return `redis://127.0.0.1:${port}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startPostgres(port: number): string | null {
  const data = path.join(dir, "pg");
  const asPostgres = (args: string[]) => spawnSync("runuser", ["-u", "postgres", "--", ...args], { encoding: "utf8" });
  spawnSync("chown", ["postgres", dir]);
  if (asPostgres(["initdb", "-D", data, "-A", "trust"]).status !== 0) return null;
  const started = asPostgres([
    "pg_ctl",
    "-D",
    data,
    "-l",
    path.join(dir, "pg.log"),
    "-o",
    `-p ${port} -k ${data} -c listen_addresses=127.0.0.1`,
    "-w",
    "start",
  ]);
  if (started.status !== 0) return null;
  process.on("exit", () => asPostgres(["pg_ctl", "-D", data, "-m", "immediate", "stop"]));
  return `postgresql://postgres@127.0.0.1:${port}/postgres`;
}

function startInstance(kind: string, url: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(here, "instance.ts"), [kind, url], { execArgv: ["--import", "tsx"] });
  children.push(child);
  return new Promise((resolve) => child.once("message", (m: { port: number }) => resolve({ child, port: m.port })));
}

type Received = { sentAt: number; batch: number; lines: unknown[] };

async function measure(kind: string, url: string, o: { batches: number; lines: number; lineBytes: number; spacedMs: number }) {
  const a = await startInstance(kind, url);
  const b = await startInstance(kind, url);
  const client: Socket = connect(`http://127.0.0.1:${b.port}`, { transports: ["websocket"] });
  await new Promise((resolve) => client.once("connect", () => resolve(null)));
  await new Promise((resolve) => setTimeout(resolve, 300)); // the adapters' subscriptions settle
  const latencies: number[] = [];
  let lastBatch = -1;
  let isInOrder = true;
  const done = new Promise<void>((resolve) => {
    client.on("run:log", (m: Received) => {
      latencies.push(performance.timeOrigin + performance.now() - m.sentAt);
      if (m.batch !== lastBatch + 1) isInOrder = false;
      lastBatch = m.batch;
      if (latencies.length === o.batches) resolve();
    });
  });
  const start = performance.now();
  a.child.send({ send: o });
  // A bus that loses batches would never finish: what arrived within a minute is reported.
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  const seconds = (performance.now() - start) / 1000;
  client.close();
  a.child.kill();
  b.child.kill();
  latencies.sort((x, y) => x - y);
  const at = (q: number) => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN).toFixed(1);
  const received = latencies.length;
  return {
    p50: at(0.5),
    p99: at(0.99),
    linesPerSecond: Math.round((received * o.lines) / seconds),
    isInOrder,
    received: `${received}/${o.batches}`,
  };
}

const redisUrl = await startRedis();
const pgUrl = startPostgres(await freePort());
const only = process.argv[2];
const adapters = (
  [
    ["redis", redisUrl],
    ["redis-streams", redisUrl],
    ["postgres", pgUrl],
  ] as [string, string | null][]
).filter(([kind]) => !only || kind === only);
const shapes = [
  { name: "latency, 20 lines x 100 B, one batch / 20 ms", batches: 200, lines: 20, lineBytes: 100, spacedMs: 20 },
  { name: "flood, 500 lines x 100 B, back to back", batches: 400, lines: 500, lineBytes: 100, spacedMs: 0 },
];
try {
  for (const [kind, url] of adapters) {
    if (!url) {
      console.log(`${kind}: skipped (server not available)`);
      continue;
    }
    for (const shape of shapes)
      console.log(kind.padEnd(14), shape.name.padEnd(46), JSON.stringify(await measure(kind, url, shape)));
  }
} finally {
  for (const child of children) child.kill();
  rmSync(dir, { recursive: true, force: true });
}
