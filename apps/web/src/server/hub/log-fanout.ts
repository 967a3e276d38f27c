import type { Ack, LogLine } from "@grove/core";
import { listLogLines, type Db } from "@grove/db";
import { watchPressure, type ConnectionPressure } from "./connection-pressure.ts";
import type { GroveNamespace, GroveSocket } from "./types.ts";

/** A browser holding more than this is behind: it gets no live lines and catches up from the database. */
export const BEHIND_BYTES = 1024 * 1024;
/** Catch-up pages go out only while the browser holds less than this. */
export const RESUME_BYTES = 256 * 1024;
const PAGE_LINES = 1000;
const CHUNK_CHARS = 256 * 1024;
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
};

/**
 * Each browser's subscription to a run is live or catching up. Live lines go only to browsers the
 * hub holds less than BEHIND_BYTES for; one that is further behind catches up from the database,
 * a page at a time as its connection drains, and goes live again when a read comes back short with
 * nothing published meanwhile. A line is published only after it is stored, so every line after
 * `since` is sent at least once and, for batches published in seq order, in order; the browser
 * dedupes by seq.
 */
export function createLogFanout(deps: { db: Db; browsers: GroveNamespace }): LogFanout {
  const byRun = new Map<string, Set<Subscription>>();
  const bySocket = new Map<string, Browser>();

  const close = (sub: Subscription) => {
    sub.isClosed = true;
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
      await untilBelow(sub, RESUME_BYTES);
      if (isGone(sub)) break;
      const from = Math.min(sub.cursor, sub.floor);
      sub.floor = Infinity;
      sub.hasPublishSinceRead = false;
      const page = await listLogLines(deps.db, sub.runId, from, PAGE_LINES);
      for (const chunk of chunksOf(page)) {
        await untilBelow(sub, RESUME_BYTES);
        if (isGone(sub)) return false;
        sub.socket.emit("run:log", { runId: sub.runId, lines: chunk });
      }
      sub.cursor = page.at(-1)?.seq ?? from;
      // Short page: everything stored before the read was sent; anything stored since was published since.
      if (page.length < PAGE_LINES && !sub.hasPublishSinceRead) sub.isLive = true;
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
    socket.once("disconnect", () => {
      for (const sub of [...browser.subscriptions.values()]) close(sub);
      bySocket.delete(socket.id);
    });
    return browser;
  };

  return {
    async subscribe(socket, runId, since) {
      if (socket.disconnected) return { ok: false, error: "disconnected" };
      const browser = browserOf(socket);
      const previous = browser.subscriptions.get(runId);
      if (previous) close(previous);
      else if (browser.subscriptions.size >= MAX_SUBSCRIPTIONS) return { ok: false, error: `at most ${MAX_SUBSCRIPTIONS} logs at once` };
      const sub: Subscription = { runId, socket, pressure: browser.pressure, isLive: false, isClosed: false, cursor: since, floor: Infinity, hasPublishSinceRead: false };
      browser.subscriptions.set(runId, sub);
      byRun.set(runId, (byRun.get(runId) ?? new Set()).add(sub));
      try {
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
      if (!subs || lines.length === 0) return;
      const lowestSeq = lines.reduce((lowest, l) => Math.min(lowest, l.seq), Infinity);
      const ready: string[] = [];
      for (const sub of subs) {
        if (!sub.isLive) {
          sub.floor = Math.min(sub.floor, lowestSeq - 1);
          sub.hasPublishSinceRead = true;
        } else if (sub.pressure.bytes() < BEHIND_BYTES) ready.push(sub.socket.id);
        else fallBehind(sub, lowestSeq);
      }
      // One broadcast to every ready browser: socket.io encodes the batch once.
      if (ready.length > 0) deps.browsers.to(ready).emit("run:log", { runId, lines });
    },
  };
}

function chunksOf(lines: LogLine[]): LogLine[][] {
  const chunks: LogLine[][] = [];
  let chunk: LogLine[] = [];
  let chars = 0;
  for (const line of lines) {
    if (chunk.length > 0 && chars + line.text.length > CHUNK_CHARS) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(line);
    chars += line.text.length + 64;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
