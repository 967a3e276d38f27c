import v8 from "node:v8";
import vm from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, HubToBrowserEvents, LogLine } from "@grove/core";
import { insertLogLines } from "@grove/db";
import { connectStuckPollingViewer, connectStuckViewer, waitFor } from "@grove/testing";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { bufferedBytes } from "./connection-pressure.ts";
import { FANOUT_LIMITS, type FanoutLimits } from "./fanout-budget.ts";

type Browser = Socket<HubToBrowserEvents, BrowserToHubEvents>;

const VIEWERS = 8;
// ~39 MB of the widest lines: more than the kernel buffers of eight stuck connections take.
const LINES = 2400;
const WIDTH = 16_384;
// The most one message carries past its limit: one line more, and JSON around 1,000 lines.
const MESSAGE_SLACK = WIDTH + 128 * 1024;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const hubs: TestHub[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  for (const hub of hubs.splice(0)) await hub.close();
});

async function startHub(limits: Partial<FanoutLimits> = {}) {
  const hub = await startTestHub({ logFanout: limits });
  hubs.push(hub);
  const runner = await hub.db.runner.create({ data: { name: "r", tokenHash: "hash" } });
  const session = await hub.db.agentSession.create({
    data: { id: "session-1", runnerId: runner.id, repoPath: "/repo", integration: "main", createdBy: hub.admin.id },
  });
  const run = await hub.db.run.create({
    data: {
      sessionId: session.id,
      agent: "demo",
      taskId: "t1",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/t1",
      state: "running",
    },
  });
  for (let first = 1; first <= LINES; first += 200)
    await insertLogLines(
      hub.db,
      run.id,
      Array.from({ length: 200 }, (_, i) => wide(first + i)),
    );
  return { hub, runId: run.id, cookie: await hub.signIn() };
}

const wide = (seq: number): LogLine => ({ seq, stream: "stdout", text: `${seq} `.padEnd(WIDTH, "x"), ts: seq });

/** The most the hub held for viewers, sampled after every packet it created for any of them. */
function trackHeld(hub: TestHub) {
  const peak = { bytes: 0 };
  const sample = () => queueMicrotask(() => (peak.bytes = Math.max(peak.bytes, hub.server.hub.logBytesHeld())));
  const watched = new Set<string>();
  const watchAll = () => {
    for (const socket of hub.server.hub.io.of("/").sockets.values()) {
      if (watched.has(socket.id)) continue;
      watched.add(socket.id);
      socket.conn.on("packetCreate", sample);
    }
  };
  hub.server.hub.io.of("/").on("connection", () => queueMicrotask(watchAll));
  return peak;
}

async function stuckViewers(url: string, cookie: string, runId: string): Promise<void> {
  const viewers = await Promise.all(Array.from({ length: VIEWERS }, () => connectStuckViewer(url, cookie, runId)));
  for (const viewer of viewers) closers.push(() => viewer.close());
}

/** A viewer that keeps reading: every seq it got, and any that came before the one just under it. */
async function reader(url: string, cookie: string, runId: string) {
  const browser: Browser = io(url, {
    path: "/socket.io/",
    extraHeaders: { cookie },
    transports: ["websocket"],
    reconnection: false,
  });
  closers.push(() => browser.disconnect());
  const seen = new Set<number>();
  const gaps: string[] = [];
  let highest = 0;
  browser.on("run:log", (payload) => {
    for (const l of payload.lines) {
      if (l.seq > highest + 1) gaps.push(`${l.seq} after ${highest}`);
      if (l.text !== wide(l.seq).text) gaps.push(`${l.seq} has other text`);
      highest = Math.max(highest, l.seq);
      seen.add(l.seq);
    }
  });
  expect(await browser.emitWithAck("run:subscribe", { runId, since: 0 })).toEqual({ ok: true });
  return { seen, gaps };
}

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

describe("log fan-out to viewers that stop reading", () => {
  it("holds a bounded number of bytes for each, not their pages, while a reading viewer gets every line in order", async () => {
    const { hub, runId, cookie } = await startHub();
    const held = trackHeld(hub);
    const heapBefore = heapMb();

    await stuckViewers(hub.server.url, cookie, runId);
    // Every stuck viewer's connection is full: the hub has sent it all it will until it reads.
    const full = () =>
      [...hub.server.hub.io.of("/").sockets.values()].filter((s) => bufferedBytes(s.conn) >= FANOUT_LIMITS.resumeBytes).length;
    await waitFor(
      () => full() === VIEWERS,
      60_000,
      () => `${full()}/${VIEWERS} viewers' connections full`,
    );
    // The old fan-out kept each one's 1,000-line page (16 MB here) in memory while it waited.
    expect(heapMb() - heapBefore).toBeLessThan(48);

    const got = await reader(hub.server.url, cookie, runId);
    expect(got.seen.size).toBe(LINES);
    const live = Array.from({ length: 3 }, (_, i) => Array.from({ length: 100 }, (_, j) => wide(LINES + 1 + i * 100 + j)));
    for (const batch of live) {
      await insertLogLines(hub.db, runId, batch);
      hub.server.hub.publishLogLines(runId, batch);
    }
    await waitFor(
      () => got.seen.size === LINES + 300,
      30_000,
      () => `reader has ${got.seen.size}/${LINES + 300} lines`,
    );
    expect(got.gaps).toEqual([]);
    // Each stuck viewer: what it held when the hub stopped, plus one page; the reader: live lines under its bound.
    expect(held.bytes).toBeLessThan(
      VIEWERS * (FANOUT_LIMITS.resumeBytes + FANOUT_LIMITS.pageBytes + MESSAGE_SLACK) + FANOUT_LIMITS.behindBytes + MESSAGE_SLACK,
    );
    expect(heapMb() - heapBefore).toBeLessThan(48);
  });

  it("past the total for all viewers, disconnects those holding most; a reading viewer still gets every line", async () => {
    const totalBytes = 2 * 1024 * 1024;
    const { hub, runId, cookie } = await startHub({ totalBytes });
    const held = trackHeld(hub);

    const dropped: string[] = [];
    hub.server.hub.io.of("/").on("connection", (socket) => socket.on("disconnect", (reason) => dropped.push(reason)));
    await stuckViewers(hub.server.url, cookie, runId);
    await waitFor(
      () => dropped.length > 0,
      60_000,
      () => "the hub to disconnect a stuck viewer",
    );
    expect(dropped[0]).toBe("forced close");
    const got = await reader(hub.server.url, cookie, runId);
    expect(got.seen.size).toBe(LINES);
    expect(got.gaps).toEqual([]);
    expect(held.bytes).toBeLessThan(totalBytes + FANOUT_LIMITS.pageBytes + MESSAGE_SLACK);
    expect(hub.server.hub.logBytesHeld()).toBeLessThan(totalBytes);
  });

  it("holds no more for a long-polling viewer that stops polling", async () => {
    const { hub, runId, cookie } = await startHub();
    await connectStuckPollingViewer(hub.server.url, cookie, runId);
    const server = [...hub.server.hub.io.of("/").sockets.values()].find((socket) => socket.conn.transport.name === "polling");
    if (!server) throw new Error("the hub has no socket for the polling viewer");
    await waitFor(
      () => bufferedBytes(server.conn) >= FANOUT_LIMITS.resumeBytes,
      30_000,
      () => "the hub to stop at the viewer's bound",
    );
    const live = Array.from({ length: 100 }, (_, i) => wide(LINES + 1 + i));
    await insertLogLines(hub.db, runId, live);
    hub.server.hub.publishLogLines(runId, live);
    // It is still catching up: the live lines wait in the database, not in its queue.
    expect(hub.server.hub.logBytesHeld()).toBeLessThan(FANOUT_LIMITS.resumeBytes + FANOUT_LIMITS.pageBytes + MESSAGE_SLACK);
  });
});
