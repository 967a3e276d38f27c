import type { IncomingMessage } from "node:http";
import { RUNNER_TOKEN_HEADER } from "@grove/core";
import type { Db } from "@grove/db";
import type { GroveAuth } from "../auth/auth-instance.ts";
import { userFromHeaders } from "../auth/sessions.ts";
import type { Peer, PeerLimits } from "./peer-limits.ts";
import { findLiveRunner } from "./runner-namespace.ts";

type AllowRequest = (req: IncomingMessage, callback: (error: string | null | undefined, isAllowed: boolean) => void) => void;

/**
 * engine.io asks this once per new connection, at its handshake (a polling GET or a websocket upgrade without
 * a session id), before it reads any message: only a signed-in browser (its session cookie) or a runner (its
 * token in RUNNER_TOKEN_HEADER) gets a connection. Anyone else is answered 403 and can make the hub hold no
 * more than its request's headers. The namespaces check again which of the two a socket is.
 */
export function allowKnownPeers(deps: { db: Db; auth: GroveAuth; limits: PeerLimits }): AllowRequest {
  return (req, callback) => {
    knownPeer(deps, req).then(
      (peer) => {
        if (!peer) return callback("unauthorized: sign in, or connect with a runner token", false);
        if (!deps.limits.admit(req, peer)) return callback("too many connections: close some dashboard tabs", false);
        callback(null, true);
      },
      () => callback("unauthorized", false),
    );
  };
}

async function knownPeer(deps: { db: Db; auth: GroveAuth }, req: IncomingMessage): Promise<Peer | null> {
  const token = req.headers[RUNNER_TOKEN_HEADER];
  if (typeof token === "string") {
    const runner = await findLiveRunner(deps.db, token);
    return runner && { kind: "runner", id: runner.id };
  }
  if (!req.headers.cookie) return null;
  const user = await userFromHeaders(deps.auth, req.headers);
  return user && { kind: "browser", id: user.id };
}
