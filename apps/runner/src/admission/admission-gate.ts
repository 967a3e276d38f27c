import { decideAdmission, type AdmissionConfig } from "@grove/core";
import type { MemoryPeaks } from "./memory-peaks.ts";
import { nextCpu, type Held } from "./admitted-command.ts";
import type { ResourceProbe } from "./resource-probe.ts";

/** A command admitted to run: its processes are measured while it holds the ticket; released once, at its end. */
export type AdmissionTicket = { watch(pgid: number): void; release(): void };

export type AdmissionAsk = {
  /** The kind of command, whose earlier peaks say what this one will take: `run:<profile>`, `test:<repo>`. */
  key: string;
  /** What it is expected to take (MB) before one of its kind has been measured. */
  fallbackMb: number;
  thresholds: AdmissionConfig;
  signal: AbortSignal;
  /** Why it waits, when that changes (and now and then while it does not). */
  onWait?: (reason: string) => void;
  /** Started although the machine says otherwise (nothing else was running): why. */
  onNote?: (note: string) => void;
};

export type AdmissionGate = {
  /** Waits in line for enough free memory and CPU; null when `signal` aborts first. */
  admit(ask: AdmissionAsk): Promise<AdmissionTicket | null>;
};

type Waiter = {
  ask: AdmissionAsk;
  expectedMb: number;
  grant: (ticket: AdmissionTicket | null) => void;
  told: string;
  toldAt: number;
};

const POLL_MS = 1_000;
/** A reason that keeps its words but not its numbers is told again after this long. */
const RETELL_MS = 30_000;

/**
 * One line of asks, served in order: the first waits until the machine has room for it, and nobody behind it
 * overtakes (a big run is never starved by small ones). Memory is re-read every second while someone waits.
 */
export function createAdmissionGate(deps: { probe: ResourceProbe; peaks: MemoryPeaks; now?: () => number }): AdmissionGate {
  const now = deps.now ?? Date.now;
  const held = new Set<Held>();
  const line: Waiter[] = [];
  let pumping = false;
  let again = false;
  let timer: NodeJS.Timeout | null = null;

  const expectedFor = (ask: AdmissionAsk): number => {
    const live = [...held].filter((h) => h.key === ask.key).map((h) => h.peakMb);
    return Math.max(deps.peaks.expectedMb(ask.key) ?? ask.fallbackMb, ...live);
  };

  async function measure(): Promise<void> {
    const pgids = [...held].flatMap((h) => [...h.pgids]);
    if (pgids.length === 0) return;
    const usage = await deps.probe.groupUsage(pgids);
    if (usage === null) return;
    const at = now();
    for (const h of held) {
      if (h.pgids.size === 0) continue;
      const groups = [...h.pgids].map((pgid) => usage.get(pgid));
      h.rssMb = groups.reduce((sum, g) => sum + (g?.rssMb ?? 0), 0);
      h.peakMb = Math.max(h.peakMb, h.rssMb);
      const ticks = groups.reduce((sum, g) => sum + (g?.cpuTicks ?? 0), 0);
      h.cpu = nextCpu(h.cpu, ticks, at);
    }
  }

  function ticketFor(h: Held): AdmissionTicket {
    let released = false;
    return {
      watch: (pgid) => void h.pgids.add(pgid),
      release() {
        if (released) return;
        released = true;
        held.delete(h);
        if (h.peakMb > 0) deps.peaks.record(h.key, h.peakMb);
        schedule(0);
      },
    };
  }

  function tell(waiter: Waiter, reason: string): void {
    const words = reason.replace(/[\d.]+/g, "#");
    if (words === waiter.told && now() - waiter.toldAt < RETELL_MS) return;
    waiter.told = words;
    waiter.toldAt = now();
    waiter.ask.onWait?.(reason);
  }

  async function serve(): Promise<void> {
    await measure();
    while (line.length > 0) {
      const head = line[0] as Waiter;
      const reading = await deps.probe.read();
      const shares = [...held].map((h) => ({
        unrealizedMb: h.expectedMb - h.rssMb,
        admittedAt: h.admittedAt,
        busyCores: h.cpu?.busyCores ?? null,
      }));
      // What it is expected to take is read again: a run of its kind may have ended (and been measured) meanwhile.
      head.expectedMb = expectedFor(head.ask);
      const decision = decideAdmission(reading, shares, { expectedMb: head.expectedMb, thresholds: head.ask.thresholds }, now());
      if (line[0] !== head) continue;
      if (decision.kind === "wait") {
        tell(head, decision.reason);
        line.slice(1).forEach((waiter, at) => tell(waiter, `waiting in line: ${at + 1} ahead; the first is ${decision.reason}`));
        return;
      }
      line.shift();
      if (decision.note) head.ask.onNote?.(decision.note);
      const h: Held = {
        key: head.ask.key,
        expectedMb: head.expectedMb,
        admittedAt: now(),
        pgids: new Set(),
        rssMb: 0,
        peakMb: 0,
        cpu: null,
      };
      held.add(h);
      head.grant(ticketFor(h));
    }
  }

  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        await serve();
      } while (again);
    } finally {
      pumping = false;
      const isWatching = [...held].some((h) => h.pgids.size > 0);
      if (line.length > 0 || isWatching) schedule(POLL_MS);
    }
  }

  function schedule(ms: number): void {
    if (timer !== null) {
      if (ms > 0) return;
      clearTimeout(timer);
    }
    timer = setTimeout(() => {
      timer = null;
      void pump();
    }, ms);
    timer.unref();
  }

  return {
    admit(ask) {
      if (ask.signal.aborted) return Promise.resolve(null);
      return new Promise<AdmissionTicket | null>((resolve) => {
        const waiter: Waiter = { ask, expectedMb: expectedFor(ask), grant: resolve, told: "", toldAt: 0 };
        const onAbort = () => {
          const at = line.indexOf(waiter);
          if (at === -1) return;
          line.splice(at, 1);
          resolve(null);
          schedule(0);
        };
        waiter.grant = (ticket) => {
          ask.signal.removeEventListener("abort", onAbort);
          resolve(ticket);
        };
        ask.signal.addEventListener("abort", onAbort, { once: true });
        line.push(waiter);
        void pump();
      });
    },
  };
}
