import { RunCancelSchema } from "@grove/core";
import { z } from "zod";
import type { RunnerSocket } from "../hub/hub-socket.ts";
import type { TaskRun } from "./task-runs.ts";

/** The hub's `run:cancel`: a person stopped a run this runner is running (its work is kept, state cancelled). */
export function registerRunCancel(socket: RunnerSocket, runs: ReadonlyMap<string, TaskRun>): void {
  socket.on("run:cancel", (payload, ack) => {
    const reply = typeof ack === "function" ? ack : () => undefined;
    const parsed = RunCancelSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: `invalid run:cancel:\n${z.prettifyError(parsed.error)}` });
    const run = runs.get(parsed.data.runId);
    if (!run) return reply({ ok: false, error: `run ${parsed.data.runId} is not running on this runner` });
    run.abort.abort("cancelled");
    reply({ ok: true });
  });
}
