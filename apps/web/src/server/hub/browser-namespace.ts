import { RunSubscribeSchema } from "@grove/core";
import { listLogLines, type Db } from "@grove/db";
import type { GroveAuth } from "../auth/auth-instance.ts";
import { userFromHeaders } from "../auth/sessions.ts";
import { DASHBOARD_ROOM, runRoom, userRoom, type GroveNamespace } from "./types.ts";

const BACKLOG_PAGE = 5000;

/** Browsers: a socket needs a live better-auth session at connect; then it may follow runs' logs. */
export function serveBrowsers(browsers: GroveNamespace, deps: { db: Db; auth: GroveAuth }): void {
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
      // Join first, then send the backlog: a line may arrive twice, never zero times; clients dedupe by seq.
      void socket.join(runRoom(runId));
      void (async () => {
        let cursor = since;
        for (;;) {
          const page = await listLogLines(deps.db, runId, cursor, BACKLOG_PAGE);
          if (page.length > 0) socket.emit("run:log", { runId, lines: page });
          const last = page.at(-1);
          if (!last || page.length < BACKLOG_PAGE) break;
          cursor = last.seq;
        }
      })().then(
        () => reply({ ok: true }),
        (error: unknown) => reply({ ok: false, error: String(error) }),
      );
    });
    socket.on("run:unsubscribe", (payload) => {
      if (typeof payload?.runId === "string") void socket.leave(runRoom(payload.runId));
    });
  });
}
