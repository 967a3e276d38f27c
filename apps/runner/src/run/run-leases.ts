import { DomainError } from "@grove/core";
import { createServer } from "node:net";
import { createAdmissionGate, type AdmissionGate } from "../admission/admission-gate.ts";
import { createMemoryPeaks } from "../admission/memory-peaks.ts";
import { createResourceProbe } from "../admission/resource-probe.ts";

export const PORTS_PER_RUN = 10;

/** What a live run holds: a slot number and a block of ports no other live run of this runner holds. */
export type RunLease = { slot: number; ports: { from: number; to: number }; release(): void };

export type RunLeases = {
  /** True when a run asking now would have to wait for a free place. */
  isFull(): boolean;
  /**
   * Waits (FIFO) for a place under the concurrency cap, then leases the smallest free slot and the
   * first port block in `range` that no live run holds and that is actually free on this machine.
   * Null when `signal` aborts while waiting.
   */
  acquire(range: { from: number; to: number }, signal: AbortSignal): Promise<RunLease | null>;
  /**
   * A slot and a port block from the same pool, without a place under the concurrency cap: for the
   * merged-tree test, which runs a repository's commands beside the runs but is not one of them.
   */
  reserve(range: { from: number; to: number }): Promise<RunLease>;
  /** Beside the count: runs, setups and test commands wait here for free memory and CPU (admission-gate.ts). */
  admission: AdmissionGate;
};

/** What the agent and the repository's commands see of a lease. */
export function leaseEnv(lease: RunLease): Record<string, string> {
  return { PORT: String(lease.ports.from), GROVE_PORTS: `${lease.ports.from}-${lease.ports.to}`, GROVE_SLOT: String(lease.slot) };
}

export function createRunLeases(opts: {
  maxRuns: number;
  isPortFree?: (port: number) => Promise<boolean>;
  /** Where the peaks of earlier commands are kept across restarts (none: this process only). */
  peaksFile?: string;
  admission?: AdmissionGate;
}): RunLeases {
  const isPortFree = opts.isPortFree ?? canListen;
  const admission =
    opts.admission ?? createAdmissionGate({ probe: createResourceProbe(), peaks: createMemoryPeaks(opts.peaksFile) });
  const slots = new Set<number>();
  const heldPorts = new Set<number>();
  const waiting: (() => void)[] = [];
  let running = 0;

  const admit = (): Promise<boolean> | null => {
    if (running < opts.maxRuns && waiting.length === 0) {
      running++;
      return Promise.resolve(true);
    }
    return null;
  };
  const leave = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  async function findPorts(range: { from: number; to: number }): Promise<{ from: number; to: number }> {
    for (let from = range.from; from + PORTS_PER_RUN - 1 <= range.to; from += PORTS_PER_RUN) {
      const block = Array.from({ length: PORTS_PER_RUN }, (_, i) => from + i);
      if (block.some((port) => heldPorts.has(port))) continue;
      // Claimed before the (async) check so two runs starting together never get the same block.
      for (const port of block) heldPorts.add(port);
      if ((await Promise.all(block.map(isPortFree))).every(Boolean)) return { from, to: from + PORTS_PER_RUN - 1 };
      for (const port of block) heldPorts.delete(port);
    }
    throw new DomainError(
      "INVALID_CONFIG",
      `No free block of ${PORTS_PER_RUN} ports left in ${range.from}-${range.to}; widen \`ports\` in grove.yaml or stop other runs.`,
    );
  }

  /** The smallest free slot and a free port block; `onRelease` runs once, when the lease is released. */
  async function take(range: { from: number; to: number }, onRelease: () => void): Promise<RunLease> {
    let slot = 1;
    while (slots.has(slot)) slot++;
    slots.add(slot);
    try {
      const ports = await findPorts(range);
      let released = false;
      return {
        slot,
        ports,
        release() {
          if (released) return;
          released = true;
          slots.delete(slot);
          for (let port = ports.from; port <= ports.to; port++) heldPorts.delete(port);
          onRelease();
        },
      };
    } catch (error) {
      slots.delete(slot);
      onRelease();
      throw error;
    }
  }

  return {
    isFull: () => running >= opts.maxRuns || waiting.length > 0,
    async acquire(range, signal) {
      const admitted =
        admit() ??
        new Promise<boolean>((resolve) => {
          const wake = () => {
            signal.removeEventListener("abort", onAbort);
            resolve(true);
          };
          const onAbort = () => {
            const at = waiting.indexOf(wake);
            if (at !== -1) waiting.splice(at, 1);
            resolve(false);
          };
          waiting.push(wake);
          signal.addEventListener("abort", onAbort, { once: true });
        });
      if (!(await admitted)) return null;
      return take(range, leave);
    },
    reserve: (range) => take(range, () => undefined),
    admission,
  };
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
