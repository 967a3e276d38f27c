import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import { verifyAuditChain } from "./audit.ts";
import type { Db } from "./client.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

const APPENDER = fileURLToPath(new URL("./test-support/append-audit-events.ts", import.meta.url));
const PER_PROCESS = 150;

let db: Db;
let url: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, url, cleanup } = await makeTempDb());
});
afterAll(() => cleanup());

/** One appender process; resolves `ready` once it is connected and `done` when it exited after its appends. */
function startAppender(label: string) {
  const child = spawn(process.execPath, ["--import", "tsx", APPENDER, url, label, String(PER_PROCESS)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => lines.on("line", (line) => line === "ready" && resolve()));
  const done = new Promise<void>((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${label} exited ${code}: ${stderr}`)))),
  );
  return { ready, done, go: () => child.stdin.end("go\n") };
}

it("keeps one audit chain when two processes, each with its own client, append at the same time", async () => {
  const appenders = ["a", "b"].map(startAppender);
  await Promise.race([Promise.all(appenders.map((p) => p.ready)), Promise.all(appenders.map((p) => p.done))]);
  for (const appender of appenders) appender.go();
  await Promise.all(appenders.map((p) => p.done));

  expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 2 * PER_PROCESS });
  const subjects = (await db.auditEvent.findMany({ select: { subject: true } })).map((row) => row.subject);
  const expected = ["a", "b"].flatMap((label) => Array.from({ length: PER_PROCESS }, (_, i) => `${label}-${i}`));
  expect(subjects.sort()).toEqual(expected.sort());
});
