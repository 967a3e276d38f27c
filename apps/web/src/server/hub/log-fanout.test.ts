import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, HubToBrowserEvents, LogLine } from "@grove/core";
import { insertLogLines, listLogLines } from "@grove/db";
import { waitFor } from "@grove/testing";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { bufferedBytes } from "./connection-pressure.ts";
import { FANOUT_LIMITS } from "./fanout-budget.ts";
import type { GroveSocket } from "./types.ts";

type Browser = Socket<HubToBrowserEvents, BrowserToHubEvents>;

const BATCH = 500;
const WIDE = "x".repeat(1000);
// The largest single write the fan-out makes past its threshold: a published batch or a catch-up chunk.
const SLACK = 600 * 1024;
const { behindBytes: BEHIND_BYTES, resumeBytes: RESUME_BYTES } = FANOUT_LIMITS;

let hub: TestHub;
let relay: Relay;
let runCount = 0;
const opened: Browser[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  relay = await startRelay(new URL(hub.server.url));
});
afterEach(() => {
  relay.resume();
  for (const browser of opened.splice(0)) browser.disconnect();
});
afterAll(async () => {
  await relay.close();
  await hub.close();
});

async function createRun(): Promise<string> {
  runCount += 1;
  const runner = await hub.db.runner.create({ data: { name: `r${runCount}`, tokenHash: `hash-${runCount}` } });
  const session = await hub.db.agentSession.create({
    data: { id: `session-${runCount}`, runnerId: runner.id, repoPath: "/repo", integration: "main", createdBy: hub.admin.id },
  });
  const run = await hub.db.run.create({
    data: {
      sessionId: session.id,
      agent: "demo",
      taskId: `t${runCount}`,
      profile: "demo",
      prompt: "",
      branch: `agent/demo/t${runCount}`,
      state: "running",
    },
  });
  return run.id;
}

const line = (seq: number): LogLine => ({ seq, stream: "stdout", text: `\u001b[32m${seq}\u001b[0m ${WIDE}`, ts: seq });
const batchFrom = (first: number, size = BATCH) => Array.from({ length: size }, (_, i) => line(first + i));

/** What one browser received: every seq it saw, and any seq that arrived before the one just under it. */
function follow(browser: Browser, runId: string) {
  const seen = new Set<number>();
  const gaps: string[] = [];
  const texts = new Map<number, string>();
  let highest = 0;
  browser.on("run:log", (payload) => {
    if (payload.runId !== runId) return;
    for (const l of payload.lines) {
      if (l.seq > highest + 1) gaps.push(`${l.seq} after ${highest}`);
      highest = Math.max(highest, l.seq);
      seen.add(l.seq);
      if (l.seq % 1000 === 7) texts.set(l.seq, l.text);
    }
  });
  return { seen, gaps, texts, highest: () => highest };
}

/** run:log packets the hub created for one browser's connection (engine.io's public packetCreate event). */
function countLogPackets(socket: GroveSocket) {
  const counter = { bytes: 0 };
  socket.conn.on("packetCreate", (packet: { type: string; data?: unknown }) => {
    if (packet.type === "message" && typeof packet.data === "string" && packet.data.startsWith('2["run:log"'))
      counter.bytes += packet.data.length;
  });
  return counter;
}

/** The most the hub has held for one browser, sampled after each packet it created. */
function trackPeak(socket: GroveSocket) {
  const peak = { bytes: 0 };
  socket.conn.on("packetCreate", () => queueMicrotask(() => (peak.bytes = Math.max(peak.bytes, bufferedBytes(socket.conn)))));
  return peak;
}

async function connect(): Promise<{ browser: Browser; server: GroveSocket }> {
  const browser: Browser = io(relay.url, {
    path: "/socket.io/",
    extraHeaders: { cookie: await hub.signIn() },
    transports: ["websocket"],
    reconnection: false,
  });
  opened.push(browser);
  await new Promise<void>((resolve, reject) => {
    browser.once("connect", resolve);
    browser.once("connect_error", reject);
  });
  const server = hub.server.hub.io.of("/").sockets.get(browser.id ?? "");
  if (!server) throw new Error("the hub has no socket for the browser");
  return { browser, server };
}

describe("log fan-out to a browser that stops reading", () => {
  it("queues no live lines past the bound, then sends every missed line from the database, in order", async () => {
    const runId = await createRun();
    await insertLogLines(hub.db, runId, batchFrom(1));
    const { browser, server } = await connect();
    const got = follow(browser, runId);
    expect(await browser.emitWithAck("run:subscribe", { runId, since: 0 })).toEqual({ ok: true });
    expect(got.seen.size).toBe(BATCH);

    relay.stall();
    const created = countLogPackets(server);
    const peak = trackPeak(server);
    let next = BATCH + 1;
    const publish = async (size = BATCH) => {
      const lines = batchFrom(next, size);
      next += size;
      await insertLogLines(hub.db, runId, lines);
      hub.server.hub.publishLogLines(runId, lines);
    };
    const publishedBefore = next;
    // ~24 MB of lines: far more than the kernel's socket buffers take before the hub has to hold them.
    for (let i = 0; i < 48; i++) await publish();
    const publishedChars = (next - publishedBefore) * line(next).text.length;

    expect(peak.bytes).toBeLessThan(BEHIND_BYTES + SLACK);
    expect(created.bytes).toBeLessThan(publishedChars / 2);

    relay.resume();
    // Small batches keep coming while it catches up, many of them while it reads or sends a page:
    // they are caught up too, then it is live again.
    for (let i = 0; i < 200; i++) await publish(20);
    const last = next - 1;
    await waitFor(
      () => got.seen.size === last,
      60_000,
      () => `browser has ${got.seen.size}/${last} lines`,
    );
    expect(got.gaps).toEqual([]);
    expect(got.highest()).toBe(last);
    expect(got.texts.get(20_007)).toBe(line(20_007).text);
    expect(peak.bytes).toBeLessThan(BEHIND_BYTES + SLACK);

    await publish();
    await waitFor(
      () => got.seen.size === next - 1,
      60_000,
      () => "the next live batch",
    );
  });

  it("sends lines published while a catch-up waits for the connection, after what it read before", async () => {
    const runId = await createRun();
    // ~14 MB of the widest lines: the hub sends some pages of it, then waits for the connection.
    const wide = (seq: number): LogLine => ({ seq, stream: "stderr", text: `${seq} ${"y".repeat(15_000)}`, ts: seq });
    await insertLogLines(
      hub.db,
      runId,
      Array.from({ length: 900 }, (_, i) => wide(i + 1)),
    );
    const { browser, server } = await connect();
    relay.stall();
    const got = follow(browser, runId);
    const subscribed = browser.emitWithAck("run:subscribe", { runId, since: 0 });
    void subscribed.catch(() => undefined); // awaited below; this only keeps an early failure from being reported twice
    await waitFor(
      () => bufferedBytes(server.conn) >= RESUME_BYTES,
      30_000,
      () => "the hub to wait in the middle of the backlog",
    );

    const more = batchFrom(901, 100);
    await insertLogLines(hub.db, runId, more);
    hub.server.hub.publishLogLines(runId, more);
    relay.resume();

    expect(await subscribed).toEqual({ ok: true });
    expect(got.seen.size).toBe(1000);
    expect(got.gaps).toEqual([]);
  });

  it("sends a long run's backlog only as fast as the browser drains it", async () => {
    const runId = await createRun();
    const total = 60 * BATCH;
    for (let first = 1; first <= total; first += 5000) {
      await insertLogLines(
        hub.db,
        runId,
        Array.from({ length: 5000 }, (_, i) => line(first + i)),
      );
    }
    const { browser, server } = await connect();
    relay.stall();
    const created = countLogPackets(server);
    const peak = trackPeak(server);
    const got = follow(browser, runId);
    const subscribed = browser.emitWithAck("run:subscribe", { runId, since: 0 });
    void subscribed.catch(() => undefined); // awaited below; this only keeps an early failure from being reported twice

    // The hub fills its window and then waits: while it could have read five more pages, it sends nothing.
    await waitFor(
      async () => {
        const before = created.bytes;
        for (let i = 0; i < 5; i++) await listLogLines(hub.db, runId, i * 1000, 1000);
        return bufferedBytes(server.conn) >= RESUME_BYTES && created.bytes === before;
      },
      30_000,
      () => `the hub to stop at a full window (holds ${bufferedBytes(server.conn)} bytes, sent ${created.bytes})`,
    );
    expect(created.bytes).toBeLessThan((total * line(total).text.length) / 2);
    expect(peak.bytes).toBeLessThan(RESUME_BYTES + SLACK);

    relay.resume();
    expect(await subscribed).toEqual({ ok: true });
    expect(got.seen.size).toBe(total);
    expect(got.gaps).toEqual([]);
    expect(peak.bytes).toBeLessThan(RESUME_BYTES + SLACK);
  });
});

type Relay = { url: string; stall(): void; resume(): void; close(): Promise<void> };

/** A TCP relay to the hub whose hub-to-browser direction can stall, as on a phone's bad link. */
async function startRelay(target: URL): Promise<Relay> {
  const upstreams = new Set<net.Socket>();
  let isStalled = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    upstreams.add(upstream);
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      if (!client.write(chunk)) {
        upstream.pause();
        client.once("drain", () => isStalled || upstream.resume());
      }
    });
    upstream.on("end", () => client.end());
    const drop = () => {
      upstreams.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", drop).on("error", drop);
    upstream.on("close", drop).on("error", drop);
    if (isStalled) upstream.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("relay has no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    stall() {
      isStalled = true;
      for (const upstream of upstreams) upstream.pause();
    },
    resume() {
      isStalled = false;
      for (const upstream of upstreams) upstream.resume();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const upstream of upstreams) upstream.destroy();
        server.close(() => resolve());
      }),
  };
}
