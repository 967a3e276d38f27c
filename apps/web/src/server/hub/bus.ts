import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { createRunLogBus, type RunLogBus } from "./run-log-bus.ts";

/**
 * The live-event bus between dashboard instances (GROVE_REDIS_URL): socket.io's Redis adapter, chosen by
 * measurement (scripts/bus-bench): it kept log batches in order at the highest throughput of the three adapters.
 */
export type HubBus = {
  /** socket.io's adapter constructor for the hub's server. */
  adapter: ReturnType<typeof createAdapter>;
  /** A connection for what the instances keep in Redis besides events (the merge-queue snapshots). */
  commands: Redis;
  /** Stored log lines, to the instances whose browsers follow the run. */
  logs: RunLogBus;
  /** Whether Redis answers now (ioredis reconnects by itself after an outage). */
  isUp(): boolean;
  close(): Promise<void>;
};

/** Connects to Redis (a publisher, the adapter's subscriber and the run logs' one) and fails with a readable error when it cannot. */
export async function connectBus(url: string): Promise<HubBus> {
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const sub = pub.duplicate();
  const logSub = pub.duplicate();
  // ioredis reconnects by itself; while Redis is away, say so once rather than at every retry.
  let lastError = "";
  const report = (error: Error) => {
    if (error.message !== lastError) console.error(`grove bus (Redis): ${error.message}`);
    lastError = error.message;
  };
  pub.on("error", report).on("ready", () => (lastError = ""));
  sub.on("error", report);
  logSub.on("error", report);
  try {
    await Promise.all([pub.connect(), sub.connect(), logSub.connect()]);
  } catch (error) {
    for (const connection of [pub, sub, logSub]) connection.disconnect();
    throw new Error(`cannot reach the bus at GROVE_REDIS_URL: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const logs = createRunLogBus(pub, logSub);
  return {
    adapter: createAdapter(...handlingAdapterErrors(pub, sub, report), { key: "grove" }),
    // The publisher is never in subscriber mode, so it carries ordinary commands too.
    commands: pub,
    logs,
    isUp: () => pub.status === "ready",
    async close() {
      await Promise.allSettled([logs.close(), pub.quit(), sub.quit()]);
    },
  };
}

/**
 * socket.io's Redis adapter publishes, and unsubscribes when it closes, without waiting for the result, so while
 * Redis is away each of those would end in an unhandled rejection (one per event, with a stack trace in the log).
 * Each is handled here and said once with the bus's other errors; what could not be sent is lost to the other
 * instances, as any live event is while the bus is down (stored data is not: it is in the database).
 */
function handlingAdapterErrors(pub: Redis, sub: Redis, report: (error: Error) => void): [Redis, Redis] {
  const handled = <T>(sent: Promise<T>): Promise<T> => {
    sent.catch(report);
    return sent;
  };
  const publish = pub.publish.bind(pub);
  pub.publish = (...args: Parameters<typeof publish>) => handled(publish(...args));
  // Overloaded (patterns or a callback last): passed on as they come.
  const punsubscribe = sub.punsubscribe.bind(sub) as (...args: unknown[]) => Promise<unknown>;
  sub.punsubscribe = (...args: unknown[]) => handled(punsubscribe(...args));
  const unsubscribe = sub.unsubscribe.bind(sub) as (...args: unknown[]) => Promise<unknown>;
  sub.unsubscribe = (...args: unknown[]) => handled(unsubscribe(...args));
  return [pub, sub];
}
