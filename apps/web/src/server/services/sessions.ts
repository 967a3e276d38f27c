import { agentBranch, DomainError, formatSessionId, validateNamePart, type SessionBudget } from "@grove/core";
import { appendAuditEvent, queuedRunsData, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import { RUNNER_UNREACHABLE, type Hub } from "../hub/create-hub.ts";
import { parseRunnerRepos } from "./runners.ts";

export type StartSessionInput = {
  runnerId?: string;
  repoPath?: string;
  tasks: { agent: string; taskId?: string; profile?: string; prompt: string }[];
  /** The session's own budget; the runner stops its further runs once it is spent (grove.yaml's applies without one). */
  budget?: SessionBudget;
};

/** Creates the session and its runs, then hands them to the runner; nothing is stored if the runner cannot take them. */
export async function startSession(deps: { db: Db; hub: Hub }, user: SessionUser, input: StartSessionInput) {
  const { db, hub } = deps;
  // The input first: a bad name is refused as such, whatever the runners are doing.
  const stamp = Date.now().toString(36);
  const tasks = input.tasks.map((task, index) =>
    inTask(index, () => {
      const agent = validateNamePart("agent", task.agent.trim());
      const taskId = validateNamePart("task id", task.taskId?.trim() || `task-${stamp}-${index + 1}`);
      const profile = validateNamePart("agent", (task.profile ?? task.agent).trim());
      return { agent, taskId, profile, prompt: task.prompt, branch: agentBranch(agent, taskId) };
    }),
  );
  const branches = new Set(tasks.map((t) => t.branch));
  if (branches.size !== tasks.length)
    throw new DomainError("INVALID_INPUT", "Two tasks would share one branch; give each a different task id.");
  const runnerId = input.runnerId ?? hub.onlineRunnerIds()[0];
  if (!runnerId || !hub.isRunnerOnline(runnerId)) {
    // Runners connected to another instance are known only through the bus: while it is down, none of them is.
    if (!hub.isBusUp())
      throw new DomainError(
        "RUNNER_OFFLINE",
        "No runner is online on this instance, and those connected to other instances cannot be reached: the bus between them (GROVE_REDIS_URL) is unreachable. Try again once it is back.",
      );
    throw new DomainError("RUNNER_OFFLINE", "No runner is online. Start one with `pnpm grove runner`.");
  }
  const runner = await db.runner.findUniqueOrThrow({ where: { id: runnerId } });
  const repos = parseRunnerRepos(runner.repos);
  const repo = input.repoPath ? repos.find((r) => r.path === input.repoPath) : repos[0];
  if (!repo) throw new DomainError("NOT_FOUND", "That runner does not serve the requested repository.");

  const taken = await db.run.findFirst({ where: { branch: { in: [...branches] }, session: { repoPath: repo.path } } });
  if (taken)
    throw new DomainError("ALREADY_EXISTS", `Branch ${taken.branch} already belongs to run ${taken.id}; pick another task id.`);

  const session = await createWithFreeId(db, (id) =>
    db.agentSession.create({
      data: {
        id,
        runnerId,
        repoPath: repo.path,
        integration: repo.integration,
        createdBy: user.id,
        budgetUsd: input.budget?.usd ?? null,
        budgetTokens: input.budget?.tokens ?? null,
        runs: { create: queuedRunsData(tasks) },
      },
      include: { runs: true },
    }),
  );
  const sessionId = session.id;
  const ack = await hub.startSession(runnerId, {
    sessionId,
    repoPath: repo.path,
    integration: repo.integration,
    tasks: session.runs.map((r) => ({ runId: r.id, agent: r.agent, taskId: r.taskId, profile: r.profile, prompt: r.prompt })),
    ...(input.budget ? { budget: input.budget } : {}),
  });
  if (!ack.ok) {
    await db.run.deleteMany({ where: { sessionId } });
    await db.agentSession.delete({ where: { id: sessionId } });
    const unreachable = ack.error === RUNNER_UNREACHABLE.offline || ack.error === RUNNER_UNREACHABLE.timedOut;
    // A runner that answered and said no refused the input (an unknown profile, a prompt it would misread): not an outage.
    if (unreachable) throw new DomainError("RUNNER_OFFLINE", `The session was not started: ${ack.error}.`);
    throw new DomainError("INVALID_INPUT", `The runner refused the session: ${ack.error}`);
  }
  await appendAuditEvent(db, {
    actorType: "user",
    actorId: user.email,
    action: "session.started",
    subject: sessionId,
    sessionId,
    details: { repo: repo.path, tasks: tasks.map((t) => t.branch), ...(input.budget ? { budget: input.budget } : {}) },
  });
  hub.broadcastChanged({ scope: "sessions", id: sessionId });
  return session;
}

/** Runs `check` for the form's task `index`; a refusal names the task as the form does ("Task 2: …"). */
function inTask<T>(index: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    throw new DomainError(error.code, `Task ${index + 1}: ${error.message}`, { cause: error });
  }
}

const MAX_ID_CLAIMS = 20;

/**
 * Creates the session under the minute's id (`-2`, `-3`… when taken). The insert claims the id: another
 * start in the same minute, in this process or on another instance, that picked the same one loses
 * with a unique violation (P2002) and tries the next.
 */
async function createWithFreeId<T>(db: Db, create: (id: string) => Promise<T>): Promise<T> {
  const now = new Date();
  for (let claim = 1; ; claim += 1) {
    const id = await freeSessionId(db, now);
    try {
      return await create(id);
    } catch (error) {
      const isTaken = error instanceof Error && (error as Error & { code?: unknown }).code === "P2002";
      if (!isTaken || claim >= MAX_ID_CLAIMS) throw error;
    }
  }
}

async function freeSessionId(db: Db, now: Date): Promise<string> {
  const base = formatSessionId(now);
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await db.agentSession.findUnique({ where: { id: candidate }, select: { id: true } }))) return candidate;
  }
}
