import type { RunState } from "@grove/core";
import type { AdmissionTicket } from "../admission/admission-gate.ts";
import type { RunScope } from "./run-scope.ts";

/**
 * Waits for the machine to have room for a run's next step: `run` (its setup and agent, expected to take what
 * earlier runs of its profile took) or `test` (its test command, as the repository's earlier tests took). Why
 * it waits is in its log and in its state's `waiting`, shown on the run page and the session list.
 */
export async function admitRunStep(
  scope: RunScope,
  step: "run" | "test",
  state: RunState,
  signal: AbortSignal,
): Promise<AdmissionTicket | null> {
  const { admission } = scope.req.repo.config;
  let waited = false;
  const ticket = await scope.deps.leases.admission.admit({
    key: step === "run" ? `run:${scope.req.task.profile}` : `test:${scope.req.repo.repo}`,
    fallbackMb: step === "run" ? admission.runMemoryMb : admission.testMemoryMb,
    thresholds: admission,
    signal,
    onWait(reason) {
      waited = true;
      scope.system(`${step === "run" ? "not started yet" : "tests not started yet"}: ${reason}`);
      scope.setState(state, { waiting: reason });
    },
    onNote: (note) => scope.system(note),
  });
  // The state again without `waiting`: the page stops showing the reason once the step has started.
  if (ticket && waited) scope.setState(state);
  return ticket;
}
