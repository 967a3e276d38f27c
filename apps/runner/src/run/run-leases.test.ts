import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRunLeases, PORTS_PER_RUN } from "./run-leases.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function occupy(port: number): Promise<void> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve) => server.listen(port, resolve));
}

/** A base below Linux's ephemeral range, so the sockets of tests running alongside do not land in it. */
function freeBase(): number {
  return 20_000 + Math.floor(Math.random() * 1000) * 10;
}
// Port checks are covered by their own test; elsewhere the machine's other programs must not matter.
const allFree = { isPortFree: () => Promise.resolve(true) };

const never = new AbortController().signal;

describe("run leases", () => {
  it("gives live runs distinct slots and port blocks, and reuses them once released", async () => {
    const base = freeBase();
    const range = { from: base, to: base + 4 * PORTS_PER_RUN - 1 };
    const leases = createRunLeases({ maxRuns: 3, ...allFree });
    const a = await leases.acquire(range, never);
    const b = await leases.acquire(range, never);
    expect([a?.slot, b?.slot]).toEqual([1, 2]);
    expect(a?.ports).toEqual({ from: base, to: base + PORTS_PER_RUN - 1 });
    expect(b?.ports.from).toBe(base + PORTS_PER_RUN);
    a?.release();
    const c = await leases.acquire(range, never);
    expect(c?.slot).toBe(1);
    expect(c?.ports.from).toBe(base);
  });

  it("skips a port block another program is listening in (checked, not hashed)", async () => {
    const base = freeBase();
    await occupy(base + 3);
    const leases = createRunLeases({ maxRuns: 2 });
    const lease = await leases.acquire({ from: base, to: base + 5 * PORTS_PER_RUN - 1 }, never);
    expect(lease?.ports.from).toBeGreaterThanOrEqual(base + PORTS_PER_RUN);
  });

  it("fails clearly when the range has no free block left", async () => {
    const base = freeBase();
    const leases = createRunLeases({ maxRuns: 5, ...allFree });
    const range = { from: base, to: base + PORTS_PER_RUN - 1 };
    await leases.acquire(range, never);
    await expect(leases.acquire(range, never)).rejects.toThrow(/No free block/);
    expect(leases.isFull()).toBe(false);
  });

  it("queues runs beyond the cap in order, and drops a queued run that is cancelled", async () => {
    const base = freeBase();
    const range = { from: base, to: base + 5 * PORTS_PER_RUN - 1 };
    const leases = createRunLeases({ maxRuns: 1, ...allFree });
    const first = await leases.acquire(range, never);
    expect(leases.isFull()).toBe(true);
    const order: string[] = [];
    const cancel = new AbortController();
    const second = leases.acquire(range, cancel.signal).then((l) => (order.push("second"), l));
    const third = leases.acquire(range, never).then((l) => (order.push("third"), l));
    cancel.abort("cancelled");
    expect(await second).toBeNull();
    first?.release();
    expect((await third)?.slot).toBe(1);
    expect(order).toEqual(["second", "third"]);
  });
});
