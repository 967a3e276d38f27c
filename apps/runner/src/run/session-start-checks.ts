import type { SessionStart } from "@grove/core";
import { assertIntegrationBranch, type RepoContext } from "@grove/core/node";
import { checkAgentLaunch } from "../launch/agent-profiles.ts";
import { assertSessionAgentsReady } from "../launch/check-agents.ts";

/**
 * What a hub's session must pass before any of its runs starts, so that a refusal creates nothing: its
 * integration branch exists, and every task's profile, prompt and CLI are fit to launch.
 */
export async function checkSessionStart(session: SessionStart, repo: RepoContext, dataDir: string): Promise<void> {
  await assertIntegrationBranch(repo.repo, session.integration);
  for (const task of session.tasks) checkAgentLaunch(task, repo.config, dataDir);
  const profiles = session.tasks.map((t) => t.profile);
  assertSessionAgentsReady(profiles, repo, session.budget ?? repo.config.budget);
}
