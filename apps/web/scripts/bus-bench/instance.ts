// One socket.io instance for bench.ts: the adapter named in argv, port 0, its port on stdout.
// "send" (from the parent over IPC) makes it pass log batches to its peers with serverSideEmit, as the hub
// does; a peer hands each batch to its own browsers in room "run", as the hub's log fan-out does.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { createAdapter as redisAdapter } from "@socket.io/redis-adapter";
import { createAdapter as streamsAdapter } from "@socket.io/redis-streams-adapter";
import { createAdapter as postgresAdapter } from "@socket.io/postgres-adapter";
import { Redis } from "ioredis";
import pg from "pg";

const [kind = "", url = ""] = process.argv.slice(2);

function adapterFor(): Parameters<Server["adapter"]>[0] {
  if (kind === "redis") {
    const pub = new Redis(url);
    return redisAdapter(pub, pub.duplicate());
  }
  if (kind === "redis-streams") return streamsAdapter(new Redis(url));
  if (kind === "postgres") {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    // Payloads over NOTIFY's 8000 bytes go through this table (the adapter's documented setup).
    void pool.query(
      "CREATE TABLE IF NOT EXISTS socket_io_attachments (id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)",
    );
    return postgresAdapter(pool);
  }
  throw new Error(`unknown adapter ${kind}`);
}

const server = http.createServer();
const io = new Server(server, { adapter: adapterFor(), maxHttpBufferSize: 8 * 1024 * 1024 });
io.on("connection", (socket) => void socket.join("run"));
io.on("bench:batch", (batch: unknown) => void io.local.to("run").emit("run:log", batch));

type Send = { batches: number; lines: number; lineBytes: number; spacedMs: number };

process.on("message", (message: { send?: Send }) => {
  if (message.send) void send(message.send);
});

async function send(o: Send): Promise<void> {
  const text = "x".repeat(o.lineBytes);
  for (let b = 0; b < o.batches; b += 1) {
    const lines = Array.from({ length: o.lines }, (_, i) => ({
      seq: b * o.lines + i + 1,
      stream: "stdout",
      text,
      ts: Date.now(),
    }));
    io.serverSideEmit("bench:batch", { sentAt: performance.timeOrigin + performance.now(), batch: b, lines });
    if (o.spacedMs > 0) await new Promise((resolve) => setTimeout(resolve, o.spacedMs));
    else if (b % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
  }
  process.send?.({ sent: o.batches });
}

server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
