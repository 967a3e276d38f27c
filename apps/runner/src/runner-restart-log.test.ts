import { afterEach, expect, it } from "vitest";
import { FLOOD_RUN_ID, floodLines, startFloodRun, storedWatermark, type FloodRun } from "./test-support/flood-run.ts";
import { firstSpooledSeq, lastSpooledSeq, readSpooledLines } from "./test-support/spool-files.ts";
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

it(
  "after kill -9, a restarted runner ships the lines of a trimmed spool, from where the hub's log ends",
  { timeout: 120_000 },
  async () => {
    let isAcking = true;
    const run = await start(() => isAcking);
    // The hub keeps storing batches but acks none: lines pile up in the spool after its trimmed part.
    isAcking = false;
    await waitFor(
      async () => (await lastSpooledSeq(run.spoolPath)) > storedWatermark(run.store) + 2000,
      "unacked lines in the spool",
    );
    await run.killRunner();
    const spooled = await readSpooledLines(run.spoolPath);
    expect(spooled[0]?.seq).toBeGreaterThan(1);
    await run.stopFlood();

    isAcking = true;
    await run.restartRunner();
    const stored = await logAfterRestart(run);
    for (const line of spooled) expect(stored[line.seq - 1]).toEqual(line);
    const printed = stored.filter((line) => line.stream === "stdout").map((line) => line.text);
    expect(printed).toEqual(floodLines(printed.length, ["last", "stopped"]));
  },
);

/** The run's log once the restarted runner wrote its note: seqs 1..n each once, and the note last. */
async function logAfterRestart(run: FloodRun) {
  const note = await waitFor(
    () => storedLines(run).find((line) => line.stream === "system" && /outlived the runner/.test(line.text)),
    "the restart's note to be stored",
    60_000,
  );
  await waitFor(() => storedWatermark(run.store) >= note.seq, "every line up to the note");
  const stored = storedLines(run);
  expect(stored.map((line) => line.seq)).toEqual(stored.map((_, i) => i + 1));
  expect(stored.at(-1)).toEqual(note);
  return stored;
}

it(
  "after kill -9 mid-flood, the restarted runner reads on from where its spool ends in the agent's output",
  { timeout: 120_000 },
  async () => {
    const run = await start(() => true);
    // Killed while the agent floods: lines it printed after the kill, or that the runner had read and not yet
    // spooled, are only in its output file.
    await run.killRunner();
    await run.stopFlood();
    await run.restartRunner();

    const stored = await logAfterRestart(run);
    const printed = stored.filter((line) => line.stream === "stdout").map((line) => line.text);
    expect(printed).toEqual(floodLines(printed.length, ["last", "stopped"]));
    expect(Number(/\((\d+) lines, above\)/.exec(stored.at(-1)?.text ?? "")?.[1])).toBeGreaterThan(1);
  },
);

it(
  "after kill -9 with every line acknowledged, the restarted runner continues the run's seq and logs what the agent printed since",
  { timeout: 120_000 },
  async () => {
    const run = await start(() => true);
    await run.stopFlood();
    // Everything the agent printed is stored and acknowledged: the spool holds no line the hub lacks.
    await waitFor(async () => {
      const stored = storedLines(run);
      const isLastStored = stored.some((line) => line.stream === "stdout" && line.text.endsWith(" last"));
      return (
        isLastStored && storedWatermark(run.store) === stored.length && (await lastSpooledSeq(run.spoolPath)) <= stored.length
      );
    }, "the hub to have every line");
    await run.killRunner();
    await run.restartRunner();

    // The agent printed its answer to the restart's SIGTERM into its output file, after the kill.
    const stored = await logAfterRestart(run);
    const printed = stored.filter((line) => line.stream === "stdout").map((line) => line.text);
    expect(printed).toEqual(floodLines(printed.length, ["last", "stopped"]));
    expect(stored.at(-1)?.text).toMatch(/\(1 line, above\)$/);
  },
);
