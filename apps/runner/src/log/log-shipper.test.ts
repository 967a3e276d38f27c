import { RUNNER_NAMESPACE, RUNNER_TOKEN_HEADER } from "@grove/core";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io } from "socket.io-client";
import { afterEach, expect, it } from "vitest";
import { createHubLink } from "../hub/hub-socket.ts";
import { createLogShipper } from "./log-shipper.ts";
import { openRunSpool } from "./spool.ts";
import { agentOutputFromStart, replayAgentOutput } from "./agent-output.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { testHubLink } from "../test-support/test-hub-link.ts";

const TOKEN = "runner-token-for-log-shipper-tests-01";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("sends a refused batch again with backoff, saying so once, until the hub takes every line", async () => {
  let refusals = 2;
  const hub: TestHub = await startTestHub({ token: TOKEN, refuseLog: () => (refusals-- > 0 ? "hub is busy" : null) });
  cleanups.push(() => hub.close());
  const socket = io(`${hub.url}${RUNNER_NAMESPACE}`, { auth: { token: TOKEN }, extraHeaders: { [RUNNER_TOKEN_HEADER]: TOKEN } });
  cleanups.push(() => Promise.resolve(void socket.disconnect()));
  const logged: string[] = [];
  const link = createHubLink(
    socket,
    () => ({ host: "test", version: "0", repos: [] }),
    (line) => logged.push(line),
  );
  const shipper = createLogShipper(link, (line) => logged.push(line));
  cleanups.push(() => shipper.stop());
  const dir = await mkdtemp(join(tmpdir(), "grove-shipper-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  const run = await shipper.open("run-refused", join(dir, "run-refused.spool"));
  for (let i = 1; i <= 30; i++) run.write("stdout", `line ${i}`);
  expect(await run.finish(60_000)).toBe(true);

  expect([...(hub.store.lines.get("run-refused")?.keys() ?? [])]).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  expect(refusals).toBeLessThan(0);
  expect(logged.filter((line) => line.startsWith("hub did not take log lines"))).toEqual([
    "hub did not take log lines of run-refused (hub is busy); retrying with backoff",
  ]);
});

/** A shipper whose hub refuses every batch, so that its runs' lines stay in their spools. */
async function refusingShipper() {
  const hub: TestHub = await startTestHub({ token: TOKEN, refuseLog: () => "hub is busy" });
  cleanups.push(() => hub.close());
  const link = testHubLink(hub.url, TOKEN, cleanups);
  const dir = await mkdtemp(join(tmpdir(), "grove-shipper-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return { shipper: createLogShipper(link, () => undefined), dir };
}

it("spools what a run wrote before the shipper stopped; what it writes after is not spooled, and its flush says so", async () => {
  const { shipper, dir } = await refusingShipper();
  const spoolPath = join(dir, "run-late.spool");
  const run = await shipper.open("run-late", spoolPath);
  for (let i = 1; i <= 5; i++) run.write("stdout", `line ${i}`);
  run.checkpoint({ offset: 5 });
  await shipper.stop();
  // As a log replay does when the runner stops in its middle: it goes on writing to the closed run.
  for (let i = 6; i <= 9; i++) run.write("stdout", `line ${i}`);
  run.checkpoint({ offset: 9 });
  await expect(run.flush()).rejects.toThrow(
    "the log of run-late was closed (the runner is stopping) before all its lines were spooled",
  );
  expect(await run.finish(0)).toBe(false);

  const spool = await openRunSpool(spoolPath);
  cleanups.push(() => spool.close());
  expect(spool.lastSeq()).toBe(5);
  expect(spool.checkpoint()).toEqual({ offset: 5 });
});

it("keeps an agent's output files when the runner stops in the middle of reading them back", async () => {
  const { shipper, dir } = await refusingShipper();
  const capture = join(dir, "capture");
  await mkdir(capture);
  const stdout = Array.from({ length: 50 }, (_, i) => `out ${i + 1}`).join("\n");
  await writeFile(join(capture, "stdout.log"), `${stdout}\n`);
  await writeFile(join(capture, "stderr.log"), "err 1\n");
  const run = await shipper.open("run-replayed", join(dir, "run-replayed.spool"));
  await shipper.stop();

  await expect(replayAgentOutput(run, agentOutputFromStart(capture))).rejects.toThrow(/was closed/);
  expect(await readFile(join(capture, "stdout.log"), "utf8")).toBe(`${stdout}\n`);
  expect(await readFile(join(capture, "stderr.log"), "utf8")).toBe("err 1\n");
});
