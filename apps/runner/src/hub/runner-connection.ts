import { RUNNER_NAMESPACE, RUNNER_TOKEN_HEADER } from "@grove/core";
import { io } from "socket.io-client";
import type { Logger } from "../logger.ts";
import { describeConnectError, type RunnerSocket } from "./hub-socket.ts";

const MANUAL_RECONNECT_MS = 5_000;

/** The runner's socket to the hub's /runner namespace, not yet connected: the caller registers its handlers first. */
export function createRunnerSocket(hubUrl: string, token: string): RunnerSocket {
  return io(`${hubUrl.replace(/\/+$/, "")}${RUNNER_NAMESPACE}`, {
    auth: { token },
    // The hub checks the token at the engine.io handshake too, before it reads any message (polling and websocket).
    extraHeaders: { [RUNNER_TOKEN_HEADER]: token },
    autoConnect: false,
    reconnection: true,
    reconnectionDelay: 250,
    reconnectionDelayMax: 5_000,
  });
}

/**
 * socket.io retries on its own when the hub refused the engine.io handshake (a bad token: a transport
 * error), but not after the /runner namespace refused it or the hub dropped this connection on purpose
 * (another connection with the same token); then try again, slowly, until the runner stops.
 */
export function reconnectAfterRefusal(socket: RunnerSocket, o: { hubUrl: string; log: Logger; isStopping: () => boolean }): void {
  const reconnectLater = () => setTimeout(() => o.isStopping() || socket.active || socket.connect(), MANUAL_RECONNECT_MS).unref();
  socket.on("connect_error", (error) => {
    o.log(`cannot connect to the hub at ${o.hubUrl}: ${describeConnectError(error)}`);
    if (!socket.active) reconnectLater();
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect" && !o.isStopping()) reconnectLater();
  });
}
