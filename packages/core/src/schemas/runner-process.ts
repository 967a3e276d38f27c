import { z } from "zod";

/**
 * One runner process, as it names itself to the hub at connect (socket.io `auth.process`) and in answer to
 * `runner:ping`: a runner token is one runner, and the hub lets only one live process use it at a time.
 */
export const RunnerProcessSchema = z.object({
  /** New for every process start: a restarted runner is a new instance (and a new queue-lease holder). */
  instance: z.string().regex(/^[\w.:@-]{1,200}$/),
  pid: z.number().int().positive(),
  host: z.string().min(1).max(255),
});
export type RunnerProcess = z.infer<typeof RunnerProcessSchema>;

/** Starts the hub's refusal of a second live process with one runner's token; the runner tells it apart by it. */
export const RUNNER_IN_USE = "runner token in use";

export function runnerInUseMessage(holder: RunnerProcess): string {
  return (
    `${RUNNER_IN_USE}: another runner process (pid ${holder.pid} on ${holder.host}) is connected with this token and ` +
    `answers. One token is one runner: stop that process first, or add another runner on the dashboard for this one.`
  );
}
