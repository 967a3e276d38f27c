import { afterEach, expect, it } from "vitest";
import {
  FLOOD_RUN_ID,
  firstSpooledSeq,
  floodLines,
  lastSpooledSeq,
  readSpooledLines,
  startFloodRun,
  storedWatermark,
  type FloodRun,
} from "./test-support/flood-run.ts";
import { waitFor } from "./test-support/test-hub.ts";

// A runner killed with SIGKILL while its agent floods, after its spool was trimmed, then started again: the
// hub must end up with the run's log as the agent printed it.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(isAcking: () => boolean): Promise<FloodRun> {
  const run = await startFloodRun({ isAcking });
  cleanups.push(run.cleanup);
  // A trim rewrote the spool without the lines the hub acknowledged: it no longer starts at seq 1.
  await waitFor(async () => ((await firstSpooledSeq(run.spoolPath)) ?? 0) > 1, "the spool to be trimmed", 60_000);
  return run;
}

const storedLines = (run: FloodRun) => [...(run.store.lines.get(FLOOD_RUN_ID)?.values() ?? [])].sort((a, b) => a.seq - b.seq);

it("after kill -9, a restarted runner ships the lines of a trimmed spool, from where the hub's log ends", { timeout: 120_000 }, async () => {
  let isAcking = true;
  const run = await start(() => isAcking);
  // The hub keeps storing batches but acks none: lines pile up in the spool after its trimmed part.
  isAcking = false;
  await waitFor(async () => (await lastSpooledSeq(run.spoolPath)) > storedWatermark(run.store) + 2000, "unacked lines in the spool");
  await run.killRunner();
  const spooled = await readSpooledLines(run.spoolPath);
  expect(spooled[0]?.seq).toBeGreaterThan(1);
  await run.stopFlood();

  isAcking = true;
  await run.restartRunner();
  const note = await waitFor(
    () => storedLines(run).find((line) => line.stream === "system" && /outlived the runner/.test(line.text)),
    "the restart's note to be stored",
    60_000,
  );
  await waitFor(() => storedWatermark(run.store) >= note.seq, "every line up to the note");

  const stored = storedLines(run);
  expect(stored.map((line) => line.seq)).toEqual(stored.map((_, i) => i + 1));
  for (const line of spooled) expect(stored[line.seq - 1]).toEqual(line);
  // What the agent printed arrived in order, none twice, none missing before the last one that arrived.
  const printed = stored.filter((line) => line.stream === "stdout").map((line) => line.text);
  expect(printed.length).toBeGreaterThanOrEqual(spooled.filter((line) => line.stream === "stdout").length);
  const ending = printed.at(-1)?.endsWith(" stopped") ? ["last", "stopped"] : [];
  expect(printed).toEqual(floodLines(printed.length, ending));
});
