import { addUsage, budgetExceeded, EMPTY_TOTALS, type SessionBudget, type UsageTotals } from "@grove/core";
import { listRunRecords, type RecordedUsage } from "./run-record.ts";

/** Sessions whose spend a runner keeps in memory; past this, one with no live run is forgotten (its records stay). */
const MAX_SESSIONS = 500;

export type RunSpend = {
  /** What the session's earlier attempts of this run id used (their record): the run's own counts start there. */
  readonly before: RecordedUsage;
  /**
   * What the run used so far, as its CLI reported it (this attempt only). Returns the reason when this
   * update is the one that took the session over its budget (then every live run of it is being stopped).
   */
  update(usage: RecordedUsage): string | null;
  /** The run's agent is done: the session's budget no longer stops it (what it used stays counted). */
  leave(): void;
  /** Why the session may run no further (its budget is spent); null while it is within budget. */
  exceeded(): string | null;
  /** What the session's runs used, those of earlier runners included. */
  totals(): UsageTotals;
};

export type SessionSpend = {
  /**
   * A run of the session is about to wait for its place: from now until `leave`, the session going over
   * its budget calls `onStop` with the reason. The first run of a session seen by this runner reads what
   * the session's runs used from their records in the data dir, so a restart forgets nothing.
   */
  join(o: {
    sessionId: string;
    runId: string;
    budget: SessionBudget | undefined;
    onStop: (reason: string) => void;
  }): Promise<RunSpend>;
  /** What the session's runs used so far (those this runner knows of). */
  totals(sessionId: string): UsageTotals;
};

type Session = {
  used: Map<string, RecordedUsage>;
  live: Map<string, (reason: string) => void>;
  budget: SessionBudget | undefined;
  stopped: string | null;
};

/**
 * What each session's runs used, live: every run's usage is replaced as its CLI reports more (turn by turn),
 * and the first update that takes the session over its budget stops every run of it that is queued or whose
 * agent is running. What was in flight then still lands in the sums: a budget is exceeded by at most that.
 */
export function createSessionSpend(dataDir: string): SessionSpend {
  const sessions = new Map<string, Promise<Session>>();
  const known = new Map<string, Session>();

  const load = async (sessionId: string): Promise<Session> => {
    const used = new Map<string, RecordedUsage>();
    for (const record of await listRunRecords(dataDir)) {
      if (record.sessionId === sessionId && record.usage) used.set(record.runId, record.usage);
    }
    const session: Session = { used, live: new Map(), budget: undefined, stopped: null };
    known.set(sessionId, session);
    return session;
  };
  const forgetIdle = () => {
    if (known.size <= MAX_SESSIONS) return;
    for (const [id, session] of known) {
      if (session.live.size > 0) continue;
      known.delete(id);
      sessions.delete(id);
      return;
    }
  };
  const sum = (session: Session) => [...session.used.values()].reduce(addRecorded, EMPTY_TOTALS);
  const check = (session: Session) => {
    session.stopped ??= budgetExceeded(session.budget, sum(session));
    return session.stopped;
  };

  return {
    async join({ sessionId, runId, budget, onStop }) {
      let loading = sessions.get(sessionId);
      if (!loading) {
        loading = load(sessionId);
        sessions.set(sessionId, loading);
      }
      const session = await loading;
      // A later start of the session may bring another budget: the sums are checked against that one.
      session.budget = budget;
      session.stopped = budgetExceeded(budget, sum(session));
      session.live.set(runId, onStop);
      forgetIdle();
      const before = session.used.get(runId) ?? ZERO;
      return {
        before,
        update(usage) {
          session.used.set(runId, addTo(before, usage));
          if (session.stopped !== null) return null;
          const reason = check(session);
          if (reason === null) return null;
          for (const stop of session.live.values()) stop(reason);
          return reason;
        },
        leave: () => void session.live.delete(runId),
        exceeded: () => check(session),
        totals: () => sum(session),
      };
    },
    totals: (sessionId) => {
      const session = known.get(sessionId);
      return session ? sum(session) : EMPTY_TOTALS;
    },
  };
}

const ZERO: RecordedUsage = { tokensIn: 0, tokensOut: 0, costUsd: null };

/** Two usages as one: a cost is known when either states one. */
export function addTo(a: RecordedUsage, b: RecordedUsage): RecordedUsage {
  const costUsd = a.costUsd === null && b.costUsd === null ? null : (a.costUsd ?? 0) + (b.costUsd ?? 0);
  return { tokensIn: a.tokensIn + b.tokensIn, tokensOut: a.tokensOut + b.tokensOut, costUsd };
}

function addRecorded(totals: UsageTotals, usage: RecordedUsage): UsageTotals {
  return addUsage(totals, { ...usage, turns: null, durationMs: null });
}
