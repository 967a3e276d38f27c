import { agentBranch, formatSessionId, type SessionBudget } from "@grove/core";
import type { openRepo } from "@grove/core/node";
import { checkAgentLaunch, findProfile } from "../launch/agent-profiles.ts";
import { assertSessionAgentsReady } from "../launch/check-agents.ts";
import { agentCliName } from "../log/agent-output.ts";
import { assertSafeRunId } from "../run/run-paths.ts";
import type { Plan } from "./plan-file.ts";

type Repo = Awaited<ReturnType<typeof openRepo>>;

const runIdOf = (session: string, t: { agent: string; task: string }) => assertSafeRunId(`${session}-${t.agent}-${t.task}`);

/**
 * Everything a plan can get wrong, checked before anything is created (a bad task never leaves a worktree
 * behind): names, profiles, each task's CLI on the agents' PATH, and a budget its agents can be held to.
 */
export function checkPlan(plan: Plan, repo: Repo, dataDir: string, budget: SessionBudget | undefined): void {
  const tentative = plan.session ?? formatSessionId(new Date());
  for (const t of plan.tasks) {
    agentBranch(t.agent, t.task);
    checkAgentLaunch({ ...t, profile: t.profile ?? t.agent, runId: runIdOf(tentative, t) }, repo.config, dataDir);
  }
  assertSessionAgentsReady(
    plan.tasks.map((t) => t.profile ?? t.agent),
    repo,
    budget,
  );
}

/** The plan's tasks as run specs of the session id it claimed. */
export function taskSpecsOf(plan: Plan, repo: Repo, sessionId: string) {
  return plan.tasks.map((t) => {
    const profile = t.profile ?? t.agent;
    return { ...t, profile, runId: runIdOf(sessionId, t), cli: agentCliName(profile, findProfile(profile, repo.config).command) };
  });
}
