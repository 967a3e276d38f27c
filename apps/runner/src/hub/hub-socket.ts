import { describeError, HelloAckSchema, type HubToRunnerEvents, type RunnerToHubEvents } from "@grove/core";
import pRetry, { AbortError, type Options as RetryOptions } from "p-retry";
import type { Socket } from "socket.io-client";
import type { Logger } from "../logger.ts";

export type RunnerSocket = Socket<HubToRunnerEvents, RunnerToHubEvents>;
type HelloPayload = Parameters<RunnerToHubEvents["runner:hello"]>[0];

/** How long the hub gets to acknowledge one event before it is sent again. */
export const ACK_TIMEOUT_MS = 15_000;
export const RETRY_DELAY_MS = 500;
/** The longest wait between two tries of something the hub refused, doubling from RETRY_DELAY_MS. */
export const MAX_BACKOFF_MS = 30_000;

/** runner:hello is sent again every RETRY_DELAY_MS until the hub answers, for as long as the connection lasts. */
const HELLO_RETRY = { retries: Number.POSITIVE_INFINITY, minTimeout: RETRY_DELAY_MS, factor: 1 } satisfies RetryOptions;

/**
 * The runner's view of its hub connection: "ready" means connected AND the hub acknowledged this
 * connection's runner:hello, so nothing (not even a retried event) reaches the hub before hello.
 */
export type HubLink = {
  readonly socket: RunnerSocket;
  isReady(): boolean;
  /** Resolves true once ready (at once if it is), false if `signal` aborts first. */
  whenReady(signal: AbortSignal): Promise<boolean>;
  /** Called on every transition to ready (after each reconnect). */
  onReady(listener: () => void): void;
};

export function createHubLink(socket: RunnerSocket, hello: () => HelloPayload, log: Logger): HubLink {
  let ready = false;
  let connection = 0;
  let waiters: (() => void)[] = [];
  const listeners: (() => void)[] = [];

  socket.on("connect", () => {
    const mine = ++connection;
    const sayHello = async () => {
      // This connection dropped, or a newer one says hello itself.
      if (!socket.connected || mine !== connection) throw new AbortError("superseded");
      const ack = HelloAckSchema.parse(await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("runner:hello", hello()));
      if (mine !== connection) return;
      if (!ack.ok) {
        log(`hub refused runner:hello: ${ack.error}`);
        return;
      }
      ready = true;
      log(`connected to hub${ack.runnerId ? ` as runner ${ack.runnerId}` : ""}`);
      for (const wake of waiters.splice(0)) wake();
      for (const listener of listeners) listener();
    };
    const onFailedAttempt = ({ error }: { error: Error }) =>
      log(`runner:hello not acknowledged (${describeError(error)}); retrying`);
    pRetry(sayHello, { ...HELLO_RETRY, onFailedAttempt }).catch(() => undefined);
  });
  socket.on("disconnect", (reason) => {
    connection++;
    if (ready) log(`disconnected from hub (${reason})`);
    ready = false;
  });

  return {
    socket,
    isReady: () => ready && socket.connected,
    whenReady(signal) {
      if (ready && socket.connected) return Promise.resolve(true);
      if (signal.aborted) return Promise.resolve(false);
      return new Promise((resolve) => {
        const wake = () => {
          signal.removeEventListener("abort", onAbort);
          resolve(true);
        };
        const onAbort = () => {
          waiters = waiters.filter((w) => w !== wake);
          resolve(false);
        };
        waiters.push(wake);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    },
    onReady(listener) {
      listeners.push(listener);
    },
  };
}

/**
 * Why the hub could not be reached: a namespace's refusal carries its message; a handshake the hub refused (an
 * unknown or revoked token) arrives as a polling error whose description is the HTTP status 403.
 */
export function describeConnectError(error: Error): string {
  const status: unknown = (error as Error & { description?: unknown }).description;
  return status === 403 ? TOKEN_REFUSED : error.message;
}

/** describeConnectError's words for a token the hub does not know (or an admin revoked). */
export const TOKEN_REFUSED = "the hub refused this runner's token (unknown or revoked)";
