import type { Ack, LogLine, RunProgress } from "@grove/core";
import { listLogPage, type Db } from "@grove/db";
import { watchPressure, type ConnectionPressure } from "./connection-pressure.ts";
import { createFanoutBudget, FANOUT_LIMITS, type FanoutLimits } from "./fanout-budget.ts";
import { partsOf } from "./log-parts.ts";
import type { RunLogBus } from "./run-log-bus.ts";
import type { GroveNamespace, GroveSocket } from "./types.ts";

const PAGE_LINES = 1000;
const MAX_SUBSCRIPTIONS = 64;

type Subscription = {
  runId: string;
  socket: GroveSocket;
  pressure: ConnectionPressure;
  isLive: boolean;
  isClosed: boolean;
  /** While catching up, every line after this seq is read from the database. */
  cursor: number;
  /** The lowest seq - 1 of lines published while catching up: the next read starts no later. */
  floor: number;
  hasPublishSinceRead: boolean;
};

type Browser = { pressure: ConnectionPressure; subscriptions: Map<string, Subscription> };

export type LogFanout = {
  /** Sends the lines after `since` from the database, then live lines; resolves once live. */
  subscribe(socket: GroveSocket, runId: string, since: number): Promise<Ack>;
  unsubscribe(socket: GroveSocket, runId: string): void;
  /** Fans out lines already persisted (catching up reads them again from the database). */
  publish(runId: string, lines: LogLine[]): void;
  /** Passes a run's progress (a few small events per step) to the browsers subscribed to its log. */
  publishProgress(progress: RunProgress): void;
  /** Bytes of log messages the hub holds for all subscribed browsers and has not yet handed to the kernel. */
  heldBytes(): number;
};

/**
 * Each browser's subscription to a run is live or catching up. Live lines go only to browsers the
 * hub holds less than `behindBytes` for (and, while all browsers together hold half of `totalBytes`,
 * less than `resumeBytes`); one that is further behind catches up from the database, a page of at
 * most `pageBytes` at a time as its connection drains, and goes live again when a page is the last
 * one stored with nothing published meanwhile. A page is sent as soon as it is read: what the hub holds for
 * a browser is what its connection has not taken. A line is published only after it is stored, so
 * every line after `since` is sent at least once and, for batches published in seq order, in order;
 * the browser dedupes by seq.
 */
export function createLogFanout(deps: {
  db: Db;
  browsers: GroveNamespace;
  limits?: Partial<FanoutLimits>;
  /** The other instances' lines of the runs this one's browsers follow (run-log-bus.ts); none without a bus. */
  peers?: Pick<RunLogBus, "watch" | "unwatch">;
}): LogFanout {
  const limits: FanoutLimits = { ...FANOUT_LIMITS, ...deps.limits };
  const budget = createFanoutBudget(limits);
  const byRun = new Map<string, Set<Subscription>>();
  const bySocket = new Map<string, Browser>();

  const close = (sub: Subscription) => {
    if (sub.isClosed) return;
    sub.isClosed = true;
    deps.peers?.unwatch(sub.runId);
    const subs = byRun.get(sub.runId);
    subs?.delete(sub);
    if (subs?.size === 0) byRun.delete(sub.runId);
    const browser = bySocket.get(sub.socket.id);
    if (browser?.subscriptions.get(sub.runId) === sub) browser.subscriptions.delete(sub.runId);
  };

  const isGone = (sub: Subscription) => sub.isClosed || sub.pressure.isClosed();

  async function untilBelow(sub: Subscription, bytes: number): Promise<void> {
    while (!isGone(sub) && sub.pressure.bytes() >= bytes) await sub.pressure.drain();
  }

  /** Resolves true once the subscription is live, false if it ended first. */
  async function catchUp(sub: Subscription): Promise<boolean> {
    while (!isGone(sub) && !sub.isLive) {
      await untilBelow(sub, limits.resumeBytes);
      if (isGone(sub)) break;
      const from = Math.min(sub.cursor, sub.floor);
      sub.floor = Infinity;
      sub.hasPublishSinceRead = false;
      const page = await budget.read(() =>
        listLogPage(deps.db, sub.runId, from, { limit: PAGE_LINES, maxBytes: limits.pageBytes }),
      );
      if (isGone(sub)) break;
      if (page.lines.length > 0) {
        sub.socket.emit("run:log", { runId: sub.runId, lines: page.lines });
        budget.enforce();
      }
      sub.cursor = page.lines.at(-1)?.seq ?? from;
      // Nothing followed the page when it was read, and nothing stored since was published since.
      if (page.nextAfterSeq === null && !sub.hasPublishSinceRead) sub.isLive = true;
    }
    return sub.isLive && !isGone(sub);
  }

  const fallBehind = (sub: Subscription, lowestSeq: number) => {
    sub.isLive = false;
    sub.cursor = lowestSeq - 1;
    sub.floor = Infinity;
    catchUp(sub).catch((error: unknown) => {
      if (!isGone(sub)) console.error(`log catch-up of run ${sub.runId} failed:`, error);
      close(sub);
    });
  };

  const browserOf = (socket: GroveSocket): Browser => {
    const known = bySocket.get(socket.id);
    if (known) return known;
    const browser: Browser = { pressure: watchPressure(socket.conn), subscriptions: new Map() };
    bySocket.set(socket.id, browser);
    budget.track(browser.pressure);
    socket.once("disconnect", () => {
      for (const sub of [...browser.subscriptions.values()]) close(sub);
      bySocket.delete(socket.id);
      budget.untrack(browser.pressure);
    });
    return browser;
  };

  return {
    async subscribe(socket, runId, since) {
      if (socket.disconnected) return { ok: false, error: "disconnected" };
      const browser = browserOf(socket);
      const previous = browser.subscriptions.get(runId);
      if (previous) close(previous);
      else if (browser.subscriptions.size >= MAX_SUBSCRIPTIONS)
        return { ok: false, error: `at most ${MAX_SUBSCRIPTIONS} logs at once` };
      const sub: Subscription = {
        runId,
        socket,
        pressure: browser.pressure,
        isLive: false,
        isClosed: false,
        cursor: since,
        floor: Infinity,
        hasPublishSinceRead: false,
      };
      browser.subscriptions.set(runId, sub);
      byRun.set(runId, (byRun.get(runId) ?? new Set()).add(sub));
      try {
        // Before the first read: a line another instance stores after it is read then reaches this one live.
        await deps.peers?.watch(runId).catch((error: unknown) => {
          // As when the bus drops a message: this browser gets the lines stored from now on when it reads again.
          console.error(`following run ${runId} on the bus failed:`, error);
        });
        return (await catchUp(sub)) ? { ok: true } : { ok: false, error: "unsubscribed" };
      } catch (error) {
        close(sub);
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },

    unsubscribe(socket, runId) {
      const sub = bySocket.get(socket.id)?.subscriptions.get(runId);
      if (sub) close(sub);
    },

    publish(runId, lines) {
      const subs = byRun.get(runId);
      if (!subs) return;
      for (const part of partsOf(lines, limits.pageBytes)) {
        const lowestSeq = part.reduce((lowest, l) => Math.min(lowest, l.seq), Infinity);
        const isCrowded = budget.held() >= limits.totalBytes / 2;
        const ready: string[] = [];
        for (const sub of subs) {
          const held = sub.isLive ? sub.pressure.bytes() : 0;
          if (!sub.isLive) {
            sub.floor = Math.min(sub.floor, lowestSeq - 1);
            sub.hasPublishSinceRead = true;
          } else if (held < limits.behindBytes && (held < limits.resumeBytes || !isCrowded)) ready.push(sub.socket.id);
          else fallBehind(sub, lowestSeq);
        }
        // One broadcast to every ready browser: socket.io encodes the part once. Local: these are this
        // instance's connections, and a broadcast through the bus's adapter would also go, encoded, to every other instance.
        if (ready.length > 0) deps.browsers.local.to(ready).emit("run:log", { runId, lines: part });
      }
      budget.enforce();
    },

    publishProgress(progress) {
      const subs = byRun.get(progress.runId);
      if (subs) deps.browsers.local.to([...subs].map((sub) => sub.socket.id)).emit("run:progress", progress);
    },

    heldBytes: () => budget.held(),
  };
}
