import { DEFAULT_ADMISSION, type AdmissionConfig } from "@grove/core";
import { afterEach, describe, expect, it } from "vitest";
import { startMemoryHog, type MemoryHog } from "../test-support/memory-hog.ts";
import { createAdmissionGate, type AdmissionAsk } from "./admission-gate.ts";
import { createMemoryPeaks } from "./memory-peaks.ts";
import { availableMemoryMb, createResourceProbe } from "./resource-probe.ts";

const HOG_MB = 400;
/** The machine is shared: thresholds sit this far from what it has, either way, so others' noise does not decide. */
const MARGIN_MB = 200;
// The load rule has its own tests (admission-decision.test.ts): here only memory decides.
const memoryOnly = (minFreeMemoryMb: number): AdmissionConfig => ({
  ...DEFAULT_ADMISSION,
  minFreeMemoryMb,
  maxLoadPerCore: 1000,
});
const never = new AbortController().signal;

const hogs: MemoryHog[] = [];
afterEach(async () => {
  for (const hog of hogs.splice(0)) await hog.exit();
});

function waitingFor(ask: Omit<AdmissionAsk, "onWait">): { reasons: string[]; firstWait: Promise<string>; ask: AdmissionAsk } {
  const reasons: string[] = [];
  let told: (reason: string) => void = () => undefined;
  const firstWait = new Promise<string>((resolve) => (told = resolve));
  return {
    reasons,
    firstWait,
    ask: {
      ...ask,
      onWait: (reason) => {
        reasons.push(reason);
        told(reason);
      },
    },
  };
}

describe("admission by free memory (real processes, real /proc)", () => {
  it("keeps an ask waiting while another command holds the memory it needs, and starts it once that exits", async () => {
    const peaks = createMemoryPeaks();
    const gate = createAdmissionGate({ probe: createResourceProbe(), peaks });
    // Something small stays admitted throughout, so it is memory that decides, not "nothing else is running".
    const idle = await gate.admit({ key: "idle", fallbackMb: 1, thresholds: memoryOnly(0), signal: never });
    const hogTicket = await gate.admit({ key: "hog", fallbackMb: 1, thresholds: memoryOnly(0), signal: never });
    expect(hogTicket).not.toBeNull();
    const hog = await startMemoryHog(HOG_MB);
    hogs.push(hog);
    hogTicket?.watch(hog.pgid);

    // Needs MARGIN_MB more than is free with the hog alive, and gets it (HOG_MB − MARGIN_MB to spare) once it is gone.
    const expectedMb = 300;
    const minFree = (await availableMemoryMb()) - 1 - expectedMb + MARGIN_MB;
    const big = waitingFor({ key: "big", fallbackMb: expectedMb, thresholds: memoryOnly(minFree), signal: never });
    let isBigAdmitted = false;
    const bigTicket = gate.admit(big.ask).then((ticket) => {
      isBigAdmitted = true;
      return ticket;
    });
    expect(await big.firstWait).toMatch(
      /^waiting for memory: .* free, .* wanted \(300 MB expected \+ .* kept free; 1 MB more is set aside for commands still growing\)$/,
    );

    // Behind it, a small ask that would fit waits its turn; a cancelled one leaves the line.
    const small = waitingFor({ key: "small", fallbackMb: 1, thresholds: memoryOnly(0), signal: never });
    const smallTicket = gate.admit(small.ask).then((ticket) => ({ ticket, isBigAdmitted }));
    const cancel = new AbortController();
    const cancelled = gate.admit({ key: "gone", fallbackMb: 1, thresholds: memoryOnly(0), signal: cancel.signal });
    expect(await small.firstWait).toMatch(/^waiting in line: 1 ahead; the first is waiting for memory/);
    cancel.abort();
    expect(await cancelled).toBeNull();
    expect(isBigAdmitted).toBe(false);

    // The hog's process ends while its ticket is still held: the freed memory alone lets the big ask in.
    await hog.exit();
    expect(await bigTicket).not.toBeNull();
    const afterBig = await smallTicket;
    expect(afterBig.ticket).not.toBeNull();
    expect(afterBig.isBigAdmitted).toBe(true);

    // What the hog's group held at its peak is what the next ask of its kind is expected to take.
    hogTicket?.release();
    expect(peaks.expectedMb("hog")).toBeGreaterThanOrEqual(HOG_MB);
    idle?.release();
  });

  it("starts an ask whatever the machine says when nothing else it admitted is running, and says so", async () => {
    const gate = createAdmissionGate({ probe: createResourceProbe(), peaks: createMemoryPeaks() });
    const notes: string[] = [];
    const absurd = memoryOnly(1024 * 1024 * 1024);
    const ticket = await gate.admit({
      key: "alone",
      fallbackMb: 1,
      thresholds: absurd,
      signal: never,
      onNote: (n) => notes.push(n),
    });
    expect(ticket).not.toBeNull();
    expect(notes[0]).toMatch(/^short of memory: .* free, .* wanted .*; not waiting: nothing else grove started is running$/);
    // The next one does wait: the first is still running.
    const second = waitingFor({ key: "alone", fallbackMb: 1, thresholds: absurd, signal: never });
    const admitted = gate.admit(second.ask);
    expect(await second.firstWait).toMatch(/^waiting for memory/);
    ticket?.release();
    expect(await admitted).not.toBeNull();
  });
});
