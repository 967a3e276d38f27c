import { RUNNER_IN_USE, RUNNER_NAMESPACE, RUNNER_TOKEN_HEADER, type RunnerProcess } from "@grove/core";
import { io } from "socket.io-client";
import type { Logger } from "../logger.ts";
import { describeConnectError, TOKEN_REFUSED, type RunnerSocket } from "./hub-socket.ts";

const MANUAL_RECONNECT_MS = 5_000;
/** How often a runner that served before retries while another live process holds its token's connection. */
const IN_USE_RETRY_MS = 30_000;

const runnerNamespaceUrl = (hubUrl: string) => `${hubUrl.replace(/\/+$/, "")}${RUNNER_NAMESPACE}`;

/**
 * The runner's socket to the hub's /runner namespace, not yet connected: the caller registers its handlers first.
 * It names this process at connect and answers the hub's `runner:ping` with it, so that the hub can refuse a
 * second live process with the same token instead of letting the two take the connection from each other.
 */
export function createRunnerSocket(hubUrl: string, token: string, me: RunnerProcess): RunnerSocket {
  const socket: RunnerSocket = io(runnerNamespaceUrl(hubUrl), {
    auth: { token, process: me },
    // The hub checks the token at the engine.io handshake too, before it reads any message (polling and websocket).
    extraHeaders: { [RUNNER_TOKEN_HEADER]: token },
    autoConnect: false,
    reconnection: true,
    reconnectionDelay: 250,
    reconnectionDelayMax: 5_000,
  });
  socket.on("runner:ping", (ack) => typeof ack === "function" && ack(me));
  return socket;
}

/**
 * socket.io retries on its own when the hub refused the engine.io handshake (a bad token: a transport
 * error), but not after the /runner namespace refused it or the hub dropped this connection on purpose
 * (another connection with the same token); then try again, slowly, until the runner stops. Resolves when the
 * hub refused this process before it was ever connected, because another live one uses the token (a second start
 * by mistake) or the hub does not know the token (a typo, a revoked one): the caller stops. One that served before
 * keeps trying, every 30 s while the token is in use.
 */
export function reconnectAfterRefusal(
  socket: RunnerSocket,
  o: { hubs: HubRotation; log: Logger; isStopping: () => boolean },
): Promise<string> {
  let onInUse = (_why: string): void => undefined;
  const inUse = new Promise<string>((resolve) => (onInUse = resolve));
  let wasConnected = false;
  socket.on("connect", () => (wasConnected = true));
  const reconnectLater = (delay: number) => setTimeout(() => o.isStopping() || socket.active || socket.connect(), delay).unref();
  socket.on("connect_error", (error) => {
    const why = describeConnectError(error);
    // A first connection refused as in use, or for its token, is said once, by the caller, as it stops.
    if (!socket.active && !wasConnected && why.startsWith(RUNNER_IN_USE)) return onInUse(why);
    if (!wasConnected && why === TOKEN_REFUSED) return onInUse(why);
    o.log(`cannot connect to the hub at ${o.hubs.current()}: ${why}`);
    if (socket.active) return;
    if (why.startsWith(RUNNER_IN_USE)) return reconnectLater(IN_USE_RETRY_MS);
    // Another instance may take this runner: it is tried at once, the same one again only after a pause.
    reconnectLater(o.hubs.moveOn() ? 0 : MANUAL_RECONNECT_MS);
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect" && !o.isStopping()) reconnectLater(o.hubs.moveOn() ? 0 : MANUAL_RECONNECT_MS);
  });
  return inUse;
}

export type HubRotation = {
  current(): string;
  /** Points the socket's next connection at the next instance; false when there is no other. */
  moveOn(): boolean;
};

/**
 * Several dashboard instances share one database, so any of them can take this runner: every reconnection
 * (the instance died, dropped the connection or refused it) goes to the next URL in turn. What was not
 * acknowledged is resent there from the spool and the outbox; the hub stores it once (by seq, by key).
 */
export function rotateHubUrls(socket: RunnerSocket, urls: readonly string[], log: Logger): HubRotation {
  let at = 0;
  // Not in socket.io's types (private there), but what Manager.open() hands the engine on every connection.
  const manager = socket.io as unknown as { uri: string };
  const rotation = {
    current: () => urls[at] ?? "",
    moveOn() {
      if (urls.length < 2) return false;
      at = (at + 1) % urls.length;
      // The manager opens each connection from `uri` (the engine takes its host, port and scheme from it).
      manager.uri = runnerNamespaceUrl(rotation.current());
      log(`trying the hub at ${rotation.current()}`);
      return true;
    },
  };
  socket.io.on("reconnect_attempt", () => void rotation.moveOn());
  return rotation;
}
