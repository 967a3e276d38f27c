import { decideAdmission, DEFAULT_ADMISSION, type AdmissionConfig } from "@grove/core";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { createResourceProbe } from "./resource-probe.ts";

// The 1-minute load average cannot be driven deterministically by a test: the rule is checked on this
// machine's real reading, with the threshold set either side of it; what grove's own commands use is
// measured from a real process (the wait/release mechanism is shared with memory, admission-gate.test.ts).
const loadOnly = (maxLoadPerCore: number): AdmissionConfig => ({ ...DEFAULT_ADMISSION, minFreeMemoryMb: 0, maxLoadPerCore });
const running = (admittedAt: number, busyCores: number | null) => [{ unrealizedMb: 0, admittedAt, busyCores }];
const longAgo = () => Date.now() - 3_600_000;

describe("admission by CPU load (real readings)", () => {
  it("waits above the per-core threshold while grove's own commands are busy, and admits below it", async () => {
    const reading = await createResourceProbe().read();
    expect(reading.cores).toBeGreaterThan(0);
    const perCore = reading.load1 / reading.cores;
    const above = decideAdmission(
      reading,
      running(longAgo(), 1),
      { expectedMb: 0, thresholds: loadOnly(perCore + 0.5) },
      Date.now(),
    );
    expect(above).toEqual({ kind: "admit", note: null });
    if (perCore <= 0.01) return;
    const thresholds = loadOnly(Math.max(0.01, perCore - 0.01));
    expect(decideAdmission(reading, running(longAgo(), 1), { expectedMb: 0, thresholds }, Date.now())).toMatchObject({
      kind: "wait",
      reason: expect.stringMatching(
        /^waiting for CPU: load [\d.]+ per core on \d+ cores, at most .* \(grove's commands use 1\.0 cores\)$/,
      ) as unknown,
    });
    // The same load with grove's commands idle (agents waiting on their model) is other programs': waiting would not end it.
    expect(decideAdmission(reading, running(longAgo(), 0), { expectedMb: 0, thresholds }, Date.now())).toMatchObject({
      kind: "admit",
      note: expect.stringMatching(
        /^short of CPU: load [\d.]+ per core.*; not waiting: grove's own commands are idle$/,
      ) as unknown,
    });
  });

  it("counts a command measured busy, admitted a moment ago, as a core the load average has not shown yet", async () => {
    const reading = await createResourceProbe().read();
    const now = Date.now();
    // Room for half a core more than the machine shows: one command just started takes a whole one.
    const thresholds = loadOnly((reading.load1 + 0.5) / reading.cores);
    expect(decideAdmission(reading, running(now, 1), { expectedMb: 0, thresholds }, now)).toMatchObject({
      kind: "wait",
      reason: expect.stringContaining("1.0 of it counted for commands just started") as unknown,
    });
    // Ten minutes on, the load average itself shows whatever that command does.
    expect(decideAdmission(reading, running(now - 600_000, 1), { expectedMb: 0, thresholds }, now)).toEqual({
      kind: "admit",
      note: null,
    });
    // One not measured yet is not counted: it may be an agent about to wait on its model.
    expect(decideAdmission(reading, running(now, null), { expectedMb: 0, thresholds }, now)).toEqual({
      kind: "admit",
      note: null,
    });
  });

  it("measures the CPU a process group spends: a busy loop's grows, an idle process's does not", async () => {
    const probe = createResourceProbe();
    const spin = spawn(process.execPath, ["-e", "for(;;){}"], {
      detached: true,
      stdio: ["pipe", "ignore", "inherit"],
    });
    // It says when it is ready: node's own start spends CPU (more of it on a loaded machine), its wait does not.
    const idle = spawn(process.execPath, ["-e", "process.stdin.on('data',()=>process.exit(0)); process.stdout.write('ready')"], {
      detached: true,
      stdio: ["pipe", "pipe", "inherit"],
    });
    try {
      await Promise.all([once(spin, "spawn"), once(idle.stdout, "data")]);
      const pgids = [spin.pid ?? -1, idle.pid ?? -1];
      const ticksOf = async (pgid: number) => (await probe.groupUsage(pgids))?.get(pgid)?.cpuTicks ?? 0;
      const idleStart = await ticksOf(idle.pid ?? -1);
      const spinStart = await ticksOf(spin.pid ?? -1);
      // Wait for the busy loop to have spent half a second of CPU (a condition, not a clock).
      while ((await ticksOf(spin.pid ?? -1)) - spinStart < 50) await new Promise((resolve) => setImmediate(resolve));
      expect((await ticksOf(idle.pid ?? -1)) - idleStart).toBeLessThan(10);
    } finally {
      // The busy loop never reads its stdin: it is killed.
      spin.kill("SIGKILL");
      idle.stdin.end("x");
      await Promise.all([once(spin, "exit"), once(idle, "exit")]);
    }
  });
});
