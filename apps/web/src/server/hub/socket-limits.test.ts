import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { rawExchange, sendRawWebsocketFrame, waitFor } from "@grove/testing";
import {
  cutToJsonBytes,
  MAX_LOG_LINE_CHARS,
  MAX_QUERY_DIFF_BYTES,
  RUNNER_NAMESPACE,
  RUNNER_TOKEN_HEADER,
  type BrowserToHubEvents,
  type HubToBrowserEvents,
  type HubToRunnerEvents,
  type LogLine,
  type RunnerToHubEvents,
} from "@grove/core";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { MAX_BROWSER_MESSAGE_BYTES, MAX_CONNECTIONS_PER_PEER } from "./peer-limits.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";

type Browser = Socket<HubToBrowserEvents, BrowserToHubEvents>;
type Runner = Socket<HubToRunnerEvents, RunnerToHubEvents>;
const TOKEN = "runner-token-for-socket-limit-tests-01";
const SEVEN_MB = 7_000_000;
const POLLING = "/socket.io/?EIO=4&transport=polling";
const WEBSOCKET = "/socket.io/?EIO=4&transport=websocket";

let hub: TestHub;
let cookie: string;
let runnerId: string;

beforeAll(async () => {
  hub = await startTestHub();
  cookie = await hub.signIn();
  runnerId = await ensureLocalRunner(hub.db, TOKEN);
});
afterAll(() => hub.close());

/** An engine.io handshake over long-polling, as any HTTP client can send it: its status, and its session id if it got one. */
async function pollingHandshake(headers: Record<string, string>): Promise<{ status: number; sid: string | null }> {
  const response = await fetch(`${hub.server.url}${POLLING}`, { headers });
  const text = await response.text();
  return { status: response.status, sid: /"sid":"([^"]+)"/.exec(text)?.[1] ?? null };
}

function untilConnected<T extends Socket>(socket: T): Promise<T> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

describe("who may open a socket (the engine.io handshake)", () => {
  it("refuses a handshake without a session or with an unknown runner token, over polling and websocket, and accepts both peers", async () => {
    const strangers: Record<string, string>[] = [
      {},
      { cookie: "grove.session_token=forged.value" },
      { [RUNNER_TOKEN_HEADER]: "not-a-token-of-any-runner-at-all" },
    ];
    for (const headers of strangers) {
      expect(await pollingHandshake(headers), JSON.stringify(headers)).toEqual({ status: 403, sid: null });
      // engine.io refuses every upgrade with 400, naming why.
      const upgrade = await sendRawWebsocketFrame(hub.server.url, { path: WEBSOCKET, headers, totalBytes: 1 });
      expect(upgrade.status).toBe(400);
      expect(upgrade.refusal).toContain("unauthorized");
    }
    expect((await pollingHandshake({ cookie })).status).toBe(200);
    expect((await pollingHandshake({ [RUNNER_TOKEN_HEADER]: TOKEN })).status).toBe(200);
  });

  it("holds no connection for twenty strangers, whichever transport they try", async () => {
    const before = hub.server.hub.io.engine.clientsCount;
    const refused = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 ? pollingHandshake({}) : sendRawWebsocketFrame(hub.server.url, { path: WEBSOCKET, totalBytes: 1 }),
      ),
    );
    expect(refused.map((r) => r.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? 403 : 400)));
    expect(hub.server.hub.io.engine.clientsCount).toBe(before);
  });

  it("lets one user hold at most sixteen connections, and frees a place when one closes", async () => {
    const viewer = await hub.addUser("viewer");
    const viewerCookie = await hub.signIn(viewer.email, "user-password-1");
    const sids: string[] = [];
    for (let i = 0; i < MAX_CONNECTIONS_PER_PEER; i++) {
      const { status, sid } = await pollingHandshake({ cookie: viewerCookie });
      expect(status).toBe(200);
      sids.push(sid ?? "");
    }
    expect(await pollingHandshake({ cookie: viewerCookie })).toEqual({ status: 403, sid: null });
    expect((await pollingHandshake({ cookie })).status).toBe(200);
    // An engine.io close packet ("1") on one of them.
    await fetch(`${hub.server.url}${POLLING}&sid=${sids[0] ?? ""}`, {
      method: "POST",
      headers: { cookie: viewerCookie, "content-type": "text/plain;charset=UTF-8" },
      body: "1",
    });
    await waitFor(async () => (await pollingHandshake({ cookie: viewerCookie })).status === 200);
  });
});

describe("how much one message may hold", () => {
  it("answers a 7 MB polling body from a signed-in browser with 413, and a 7 MB websocket frame with close 1009", async () => {
    const { sid } = await pollingHandshake({ cookie });
    expect(sid).not.toBeNull();
    const posted = await rawExchange(hub.server.url, {
      method: "POST",
      path: `${POLLING}&sid=${sid ?? ""}`,
      headers: { cookie, "content-type": "text/plain;charset=UTF-8" },
      chunked: { chunkBytes: 64 * 1024, totalBytes: SEVEN_MB },
    });
    expect(posted.status).toBe(413);

    const framed = await sendRawWebsocketFrame(hub.server.url, { path: WEBSOCKET, headers: { cookie }, totalBytes: SEVEN_MB });
    expect(framed.status).toBe(101);
    // 1009, "message too big": refused from the frame's announced length, before its payload was read.
    expect(framed.closeCode).toBe(1009);
  });

  it("disconnects a signed-in browser client that emits a 7 MB message, over either transport", async () => {
    for (const transport of ["polling", "websocket"] as const) {
      const browser: Browser = await untilConnected(
        io(hub.server.url, { path: "/socket.io/", extraHeaders: { cookie }, transports: [transport], reconnection: false }),
      );
      const outcome = await Promise.race([
        browser
          .timeout(60_000)
          .emitWithAck("run:subscribe", { runId: "x".repeat(SEVEN_MB), since: 0 })
          .then(
            () => "answered",
            () => "no answer",
          ),
        new Promise<string>((resolve) => browser.once("disconnect", (reason) => resolve(`disconnected: ${reason}`))),
      ]);
      expect(outcome, transport).toMatch(/^disconnected: transport (error|close)$/);
      browser.disconnect();
    }
  });
});

describe("what a signed-in browser may send", () => {
  it("disconnects a browser that sends more than a browser ever needs, over either transport, and serves one that does not", async () => {
    for (const transport of ["polling", "websocket"] as const) {
      const browser: Browser = await untilConnected(
        io(hub.server.url, { path: "/socket.io/", extraHeaders: { cookie }, transports: [transport], reconnection: false }),
      );
      expect(await browser.timeout(60_000).emitWithAck("run:subscribe", { runId: "x".repeat(1000), since: 0 })).toEqual({
        ok: false,
        error: "invalid subscription",
      });
      const outcome = await Promise.race([
        browser
          .timeout(60_000)
          .emitWithAck("run:subscribe", { runId: "x".repeat(MAX_BROWSER_MESSAGE_BYTES), since: 0 })
          .then(
            () => "answered",
            () => "no answer",
          ),
        new Promise<string>((resolve) => browser.once("disconnect", (reason) => resolve(`disconnected: ${reason}`))),
      ]);
      expect(outcome, transport).toMatch(/^disconnected: transport (error|close)$/);
      browser.disconnect();
    }
    const framed = await sendRawWebsocketFrame(hub.server.url, {
      path: WEBSOCKET,
      headers: { cookie },
      totalBytes: MAX_BROWSER_MESSAGE_BYTES + 1,
    });
    expect(framed.closeCode).toBe(1009);
  });

  it("keeps a browser's limit after it upgrades from polling to websocket", async () => {
    const browser: Browser = await untilConnected(
      io(hub.server.url, {
        path: "/socket.io/",
        extraHeaders: { cookie },
        transports: ["polling", "websocket"],
        reconnection: false,
      }),
    );
    await waitFor(() => browser.io.engine.transport.name === "websocket");
    const outcome = await Promise.race([
      browser
        .timeout(60_000)
        .emitWithAck("run:subscribe", { runId: "x".repeat(MAX_BROWSER_MESSAGE_BYTES), since: 0 })
        .then(
          () => "answered",
          () => "no answer",
        ),
      new Promise<string>((resolve) => browser.once("disconnect", (reason) => resolve(`disconnected: ${reason}`))),
    ]);
    expect(outcome).toMatch(/^disconnected: transport (error|close)$/);
  });
});

describe("what a runner sends still fits", () => {
  let runner: Runner;
  let runId: string;
  beforeAll(async () => {
    const session = await hub.db.agentSession.create({
      data: { id: "session-limits", runnerId, repoPath: "/repo", integration: "main", createdBy: hub.admin.id },
    });
    runId = (
      await hub.db.run.create({
        data: {
          sessionId: session.id,
          agent: "demo",
          taskId: "l",
          profile: "demo",
          prompt: "",
          branch: "agent/demo/l",
          state: "running",
        },
      })
    ).id;
    // Long-polling, where binary travels as base64: the transport the runner starts on, and the larger one.
    runner = io(`${hub.server.url}${RUNNER_NAMESPACE}`, {
      auth: { token: TOKEN },
      extraHeaders: { [RUNNER_TOKEN_HEADER]: TOKEN },
      transports: ["polling"],
    });
    expect(await runner.timeout(60_000).emitWithAck("runner:hello", { host: "test", version: "0", repos: [] })).toMatchObject({
      ok: true,
    });
  });
  afterAll(() => void runner.disconnect());

  it("takes the runner's largest log batch: 512 KiB of three-byte characters plus a whole line of escapes", async () => {
    const wide = "語".repeat(MAX_LOG_LINE_CHARS);
    const lines: LogLine[] = Array.from({ length: 12 }, (_, i) => ({
      seq: i + 1,
      stream: "stdout",
      text: i === 11 ? "\u0001".repeat(MAX_LOG_LINE_CHARS) : wide,
      ts: 1,
    }));
    const body = Buffer.from(`[${lines.map((l) => JSON.stringify([l.stream, l.text, l.ts])).join(",")}]`, "utf8");
    expect(body.byteLength).toBeGreaterThan(512 * 1024 + 90_000);
    expect(await runner.timeout(30_000).emitWithAck("run:log", { runId, firstSeq: 1, lines: body })).toEqual({
      ok: true,
      ackedSeq: 12,
    });
  });

  it("takes a diff answer of the most the runner sends, in three-byte characters", async () => {
    runner.on("repo:diff", (_payload, ack) => {
      const patch = cutToJsonBytes("語".repeat(MAX_QUERY_DIFF_BYTES), MAX_QUERY_DIFF_BYTES);
      ack({ ok: true, data: { stat: " a | 1 +\n", patch: patch.text, isTruncated: patch.isCut } });
    });
    await waitFor(() => hub.server.hub.isRunnerOnline(runnerId));
    const answer = await hub.server.hub.ask(runnerId, "repo:diff", {
      repoPath: "/repo",
      base: "a".repeat(40),
      head: "b".repeat(40),
    });
    expect(answer.isTruncated).toBe(true);
    expect(Buffer.byteLength(answer.patch)).toBeGreaterThan(MAX_QUERY_DIFF_BYTES - 10);
    expect(runner.connected).toBe(true);
  });
});
