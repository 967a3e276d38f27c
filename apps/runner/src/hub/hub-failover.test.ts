import { afterEach, expect, it } from "vitest";
import { AuditRecordSchema } from "@grove/core";
import { createHubOutbox } from "./hub-outbox.ts";
import { createHubLink } from "./hub-socket.ts";
import { createRunnerSocket, rotateHubUrls } from "./runner-connection.ts";
import { thisRunnerProcess } from "./served-repositories.ts";
import { createHubStore, eventsOf, startTestHub, waitFor, type TestHub } from "../test-support/test-hub.ts";

const TOKEN = "runner-token-for-failover-tests-012345";
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("moves to the next hub URL when its instance goes, and resends what was not acknowledged there under the same key", async () => {
  const store = createHubStore();
  // The first instance stores the record and goes before it answers.
  const first: TestHub = await startTestHub({ token: TOKEN, store, ackEvents: () => false });
  const second: TestHub = await startTestHub({ token: TOKEN, store });
  cleanups.push(() => second.close());
  const logged: string[] = [];
  const log = (line: string) => logged.push(line);
  const socket = createRunnerSocket(first.url, TOKEN, thisRunnerProcess());
  cleanups.push(() => void socket.disconnect());
  rotateHubUrls(socket, [first.url, second.url], log);
  const link = createHubLink(socket, () => ({ host: "test", version: "0", repos: [] }), log);
  const outbox = createHubOutbox(link, log);
  cleanups.push(() => outbox.close());
  socket.connect();

  const sent = outbox.send("audit:record", { action: "tests.ran", subject: "agent/demo/x", runId: "run-x", details: {} });
  await waitFor(() => store.events.some((e) => e.event === "audit:record"), "the record on the first instance");
  await first.close();

  expect(await sent).toBe(true);
  expect(second.connections).toBe(1);
  expect(logged).toContain(`trying the hub at ${second.url}`);
  const records = eventsOf(store, "audit:record", AuditRecordSchema);
  expect(records).toHaveLength(2);
  expect(records[0]?.receiptKey).toMatch(/^[0-9a-f-]{36}$/);
  expect(records[1]?.receiptKey).toBe(records[0]?.receiptKey);
});
