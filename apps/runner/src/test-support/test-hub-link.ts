import { RUNNER_NAMESPACE, RUNNER_TOKEN_HEADER } from "@grove/core";
import { io } from "socket.io-client";
import { createHubLink, type HubLink } from "../hub/hub-socket.ts";

/** A runner's link to a test hub, on a socket of its own; `cleanups` gets its disconnect. */
export function testHubLink(hubUrl: string, token: string, cleanups: (() => Promise<unknown>)[]): HubLink {
  const socket = io(`${hubUrl}${RUNNER_NAMESPACE}`, { auth: { token }, extraHeaders: { [RUNNER_TOKEN_HEADER]: token } });
  cleanups.push(() => Promise.resolve(void socket.disconnect()));
  return createHubLink(
    socket,
    () => ({ host: "test", version: "0", repos: [] }),
    () => undefined,
  );
}
