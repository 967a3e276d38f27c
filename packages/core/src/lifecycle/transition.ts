/**
 * What a lifecycle's transition function answers: the new state and the audit events the step implies
 * (in order), or why the step is refused in the current state. Pure: the caller applies it.
 */
export type Transition<S extends string, A extends string> =
  { ok: true; state: S; audit: readonly A[] } | { ok: false; code: TransitionRefusalCode; reason: string };

/** FORBIDDEN: a policy forbids the step; INVALID_STATE: the step makes no sense in this state. */
export type TransitionRefusalCode = "FORBIDDEN" | "INVALID_STATE";
