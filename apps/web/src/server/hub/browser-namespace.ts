import { RunSubscribeSchema } from "@grove/core";
import type { GroveAuth } from "../auth/auth-instance.ts";
import { userFromHeaders } from "../auth/sessions.ts";
import type { LogFanout } from "./log-fanout.ts";
import { DASHBOARD_ROOM, userRoom, type GroveNamespace } from "./types.ts";

/** Browsers: a socket needs a live better-auth session at connect; then it may follow runs' logs. */
export function serveBrowsers(browsers: GroveNamespace, deps: { auth: GroveAuth; logs: LogFanout }): void {
  browsers.use((socket, next) => {
    userFromHeaders(deps.auth, socket.handshake.headers)
      .then((user) => {
        if (!user) return next(new Error("unauthorized: sign in first"));
        socket.data.user = user;
        next();
      })
      .catch((error: unknown) => next(error instanceof Error ? error : new Error(String(error))));
  });

  browsers.on("connection", (socket) => {
    void socket.join(DASHBOARD_ROOM);
    if (socket.data.user) void socket.join(userRoom(socket.data.user.id));
    socket.on("run:subscribe", (payload, ack) => {
      const reply = typeof ack === "function" ? ack : () => undefined;
      const parsed = RunSubscribeSchema.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: "invalid subscription" });
      const { runId, since } = parsed.data;
      // The backlog from the database after `since`, paced by the connection, then live lines.
      deps.logs.subscribe(socket, runId, since).then(reply, (error: unknown) => reply({ ok: false, error: String(error) }));
    });
    socket.on("run:unsubscribe", (payload) => {
      if (typeof payload?.runId === "string") deps.logs.unsubscribe(socket, payload.runId);
    });
  });
}
