import { afterAll, beforeAll, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { RUNNER_NAMESPACE, RUNNER_TOKEN_HEADER, type Ack, type HubToRunnerEvents, type RunnerToHubEvents } from "@grove/core";
import { createDb, verifyAuditChain, type Db } from "@grove/db";
import { makeTempDb } from "@grove/db/test-support";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { startGroveServer } from "../grove-server.ts";

// Two instances on one database, each with its own connection to it. A runner that sent an audit record to one,
// and got no answer (the instance died after storing it), sends it again to the other: it is stored once.

type Runner = Socket<HubToRunnerEvents, RunnerToHubEvents>;
const TOKEN = "runner-token-for-audit-resend-tests-01";
const branch = "agent/demo/resend";
let temp: Awaited<ReturnType<typeof makeTempDb>>;
let secondDb: Db;
let servers: Awaited<ReturnType<typeof startGroveServer>>[];
const sockets: Runner[] = [];
let runId: string;

async function connect(url: string): Promise<Runner> {
  const socket: Runner = io(`${url}${RUNNER_NAMESPACE}`, {
    auth: { token: TOKEN },
    extraHeaders: { [RUNNER_TOKEN_HEADER]: TOKEN },
    transports: ["websocket"],
  });
  sockets.push(socket);
  expect(await socket.timeout(60_000).emitWithAck("runner:hello", { host: "test", version: "0", repos: [] })).toMatchObject({
    ok: true,
  });
  return socket;
}

const send = (socket: Runner, receiptKey: string): Promise<Ack> =>
  socket.timeout(60_000).emitWithAck("audit:record", {
    receiptKey,
    action: "tests.ran",
    subject: branch,
    runId,
    branch,
    details: { status: "passed" },
  });

beforeAll(async () => {
  temp = await makeTempDb();
  secondDb = await createDb(temp.url);
  servers = [
    await startGroveServer({ db: temp.db, port: 0, host: "127.0.0.1" }),
    await startGroveServer({ db: secondDb, port: 0, host: "127.0.0.1" }),
  ];
  const runnerId = await ensureLocalRunner(temp.db, TOKEN);
  const session = await temp.db.agentSession.create({
    data: { id: "session-resend", runnerId, repoPath: "/repo", integration: "main", createdBy: "nobody" },
  });
  runId = (
    await temp.db.run.create({
      data: { sessionId: session.id, agent: "demo", taskId: "resend", profile: "demo", prompt: "", branch, state: "running" },
    })
  ).id;
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  for (const server of servers) await server.close();
  await secondDb.$disconnect();
  await temp.cleanup();
});

it("stores an audit record resent to another instance once, and one with a new key again", async () => {
  const [a, b] = [await connect(servers[0]?.url ?? ""), await connect(servers[1]?.url ?? "")];
  expect(await send(a, "key-first-record-0001")).toEqual({ ok: true });
  expect(await send(b, "key-first-record-0001")).toEqual({ ok: true });
  expect(await temp.db.auditEvent.count({ where: { action: "tests.ran" } })).toBe(1);

  // Both instances at once, as when the first is slow rather than dead.
  const racing = await Promise.all([send(a, "key-second-record-02"), send(b, "key-second-record-02")]);
  expect(racing).toEqual([{ ok: true }, { ok: true }]);
  expect(await temp.db.auditEvent.count({ where: { action: "tests.ran" } })).toBe(2);
  expect(await send(b, "key-third-record-003")).toEqual({ ok: true });
  expect(await temp.db.auditEvent.count({ where: { action: "tests.ran" } })).toBe(3);
  expect(await verifyAuditChain(temp.db)).toMatchObject({ ok: true });
});
