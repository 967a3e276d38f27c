import { AckSchema, fitsSocketMessage, type Ack, type RunnerToHubEvents, describeError } from "@grove/core";
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import pRetry, { AbortError, type Options as RetryOptions } from "p-retry";
import { z } from "zod";
import { ACK_TIMEOUT_MS, RETRY_DELAY_MS, type HubLink } from "./hub-socket.ts";
import type { Logger } from "../logger.ts";
import type { OutboxJournal } from "./outbox-journal.ts";

export type OutboxEvent = "run:state" | "run:report" | "audit:record" | "merge:result";
type Payload<E extends OutboxEvent> = Parameters<RunnerToHubEvents[E]>[0];

/** An event the hub did not acknowledge is sent again every RETRY_DELAY_MS until it does, or the outbox closes. */
const UNACKED_RETRY = { retries: Number.POSITIVE_INFINITY, minTimeout: RETRY_DELAY_MS, factor: 1 } satisfies RetryOptions;

type Entry = { event: OutboxEvent; emit: () => Promise<unknown>; settle: (delivered: boolean) => void; journaled?: string };

export type HubOutbox = {
  /**
   * Queues an event for the hub; events go out one at a time, in order, each retried (after a
   * timeout or a reconnect) until the hub acknowledges it. Resolves true when the hub accepted it,
   * false when the hub refused it or the outbox was closed first.
   */
  send<E extends OutboxEvent>(event: E, payload: Payload<E>): Promise<boolean>;
  /** Waits until everything queued so far was acknowledged, or `timeoutMs` passed. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Queues, ahead of anything sent since, what an earlier runner's journal holds unacknowledged. */
  restore(): Promise<number>;
  close(): void;
};

/** `journal`: every event is on disk until the hub answers it, for the next runner to send if this one dies first. */
export function createHubOutbox(link: HubLink, log: Logger, journal?: OutboxJournal): HubOutbox {
  const { socket } = link;
  const queue: Entry[] = [];
  const closed = new AbortController();
  let pumping = false;
  let idle: (() => void)[] = [];

  // Typed per event so every payload is checked against the protocol map at the call site.
  const emitters: { [E in OutboxEvent]: (payload: Payload<E>) => Promise<Ack> } = {
    "run:state": (p) => socket.timeout(ACK_TIMEOUT_MS).emitWithAck("run:state", p),
    "run:report": (p) => socket.timeout(ACK_TIMEOUT_MS).emitWithAck("run:report", p),
    "audit:record": (p) => socket.timeout(ACK_TIMEOUT_MS).emitWithAck("audit:record", p),
    "merge:result": (p) => socket.timeout(ACK_TIMEOUT_MS).emitWithAck("merge:result", p),
  };

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const head = queue[0];
        if (!head || closed.signal.aborted) break;
        const send = async () => {
          if (!(await link.whenReady(closed.signal))) throw new AbortError("closed");
          return head.emit();
        };
        // Timed out or disconnected: it stays first in line and is sent again.
        const onFailedAttempt = ({ error }: { error: Error }) =>
          log(`${head.event} not acknowledged (${describeError(error)}); retrying`);
        const answer = await pRetry(send, { ...UNACKED_RETRY, signal: closed.signal, onFailedAttempt }).then(
          (value) => ({ value }),
          (error: unknown) => {
            if (!closed.signal.aborted) log(`${head.event} not sent: ${describeError(error)}`);
            return null;
          },
        );
        if (answer === null) break;
        const ack = AckSchema.safeParse(answer.value);
        queue.shift();
        // Answered, accepted or refused: sending it again would get the same answer.
        if (head.journaled) journal?.remove(head.journaled);
        if (!ack.success) log(`hub answered ${head.event} with a malformed ack:\n${z.prettifyError(ack.error)}`);
        else if (!ack.data.ok) log(`hub refused ${head.event}: ${ack.data.error}`);
        head.settle(ack.success && ack.data.ok);
      }
    } finally {
      pumping = false;
      if (queue.length === 0) for (const wake of idle.splice(0)) wake();
    }
  }

  return {
    send(event, payload) {
      if (closed.signal.aborted) return Promise.resolve(false);
      // The hub closes a connection that sends more than it reads; retried, it would cut every reconnect short.
      if (!fitsSocketMessage([payload])) {
        log(`${event} is larger than the hub accepts in one message; not sent`);
        return Promise.resolve(false);
      }
      // One key per record, kept across its resends: the hub stores it once, whichever instance gets it.
      const sent = event === "audit:record" ? { ...payload, receiptKey: randomUUID() } : payload;
      const emit = () => emitters[event](sent);
      const journaled = journal?.add(event, sent);
      return new Promise<boolean>((resolve) => {
        queue.push({ event, emit, settle: resolve, ...(journaled ? { journaled } : {}) });
        void pump();
      });
    },
    async restore() {
      const left = (await journal?.pending()) ?? [];
      const entries = left.map(({ path, entry }): Entry => {
        const event = entry.event as OutboxEvent;
        const emit = () => (emitters[event] as (payload: unknown) => Promise<Ack>)(entry.payload);
        return { event, emit, settle: () => undefined, journaled: path };
      });
      if (entries.length > 0) log(`sending the hub ${entries.length} event(s) an earlier runner left unacknowledged`);
      queue.unshift(...entries);
      void pump();
      return entries.length;
    },
    async drain(timeoutMs) {
      if (queue.length === 0) return true;
      const drained = new Promise<true>((resolve) => idle.push(() => resolve(true)));
      return Promise.race([drained, delay(timeoutMs, false)]);
    },
    close() {
      closed.abort();
      for (const entry of queue.splice(0)) entry.settle(false);
      for (const wake of idle.splice(0)) wake();
      idle = [];
    },
  };
}
