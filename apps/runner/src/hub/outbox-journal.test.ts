import { RunStateEventSchema } from "@grove/core";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { createHubOutbox } from "./hub-outbox.ts";
import { createOutboxJournal } from "./outbox-journal.ts";
import { eventsOf, startTestHub, waitFor, type TestHub } from "../test-support/test-hub.ts";
import { testHubLink } from "../test-support/test-hub-link.ts";

const TOKEN = "runner-token-for-outbox-journal-tests-01";
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function outboxOn(hub: TestHub, dir: string, logged: string[]) {
  const link = testHubLink(hub.url, TOKEN, cleanups);
  return createHubOutbox(
    link,
    (line) => logged.push(line),
    createOutboxJournal(dir, (line) => logged.push(line)),
  );
}
const state = (runId: string, s: "running" | "succeeded") => ({ runId, state: s, at: Date.now() });

it("keeps what the hub did not answer on disk, and a new outbox sends it first, in order, then forgets it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "grove-outbox-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const deaf = await startTestHub({ token: TOKEN, ackEvents: () => false });
  cleanups.push(() => deaf.close());
  const logged: string[] = [];
  const first = outboxOn(deaf, dir, logged);
  for (const runId of ["run-1", "run-2", "run-3"]) void first.send("run:state", state(runId, "succeeded"));
  await waitFor(() => deaf.store.events.length > 0, "the deaf hub to get the first event");
  first.close();
  expect((await readdir(dir)).filter((name) => name.endsWith(".json"))).toHaveLength(3);
  // What a crash mid-write leaves, and a file that is no event: neither is sent.
  await writeFile(join(dir, "000000000000001-000000000-x.json.tmp"), '{"event":"run:st');
  await writeFile(join(dir, "000000000000002-000000000-y.json"), "not json");

  const hub = await startTestHub({ token: TOKEN });
  cleanups.push(() => hub.close());
  const second = outboxOn(hub, dir, logged);
  expect(await second.restore()).toBe(3);
  expect(await second.send("run:state", state("run-4", "running"))).toBe(true);
  expect(eventsOf(hub.store, "run:state", RunStateEventSchema).map((s) => s.runId)).toEqual(["run-1", "run-2", "run-3", "run-4"]);
  await waitFor(async () => (await readdir(dir)).length === 0, "the journal to empty");
  expect(logged).toContain(
    `outbox: ${join(dir, "000000000000002-000000000-y.json")} is no event an earlier runner left; removed`,
  );
  second.close();
});

it("still sends an event it cannot keep on disk, saying so", async () => {
  const parent = await mkdtemp(join(tmpdir(), "grove-outbox-"));
  cleanups.push(() => rm(parent, { recursive: true, force: true }));
  // The journal's folder cannot be made: a file is where it would go.
  const dir = join(parent, "outbox");
  await writeFile(dir, "a file, not a folder\n");
  const hub = await startTestHub({ token: TOKEN });
  cleanups.push(() => hub.close());
  const logged: string[] = [];
  const outbox = outboxOn(hub, dir, logged);
  expect(await outbox.send("run:state", state("run-1", "succeeded"))).toBe(true);
  expect(eventsOf(hub.store, "run:state", RunStateEventSchema).map((s) => s.runId)).toEqual(["run-1"]);
  expect(logged.some((line) => line.startsWith("outbox: cannot keep run:state on disk ("))).toBe(true);
  outbox.close();
});
