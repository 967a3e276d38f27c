import { DomainError } from "../errors/domain-error.ts";
import { branchSha } from "./refs.ts";
import { runGit } from "./run-git.ts";

/**
 * Refuses a session (before anything is created) whose integration branch does not exist, naming the branches
 * the repository has: many repositories still work on `master`, and grove's default is `main`.
 */
export async function assertIntegrationBranch(repo: string, integration: string): Promise<void> {
  if ((await branchSha(repo, integration)) !== null) return;
  const listed = await runGit(["for-each-ref", "--format=%(refname:short)", "refs/heads/"], { cwd: repo });
  // Agents' branches are never an integration branch: the others are named first, however many agents ran.
  const all = listed.stdout.split("\n").filter(Boolean);
  const branches = [...all.filter((b) => !b.startsWith("agent/")), ...all.filter((b) => b.startsWith("agent/"))];
  const current = (
    await runGit(["symbolic-ref", "--quiet", "--short", "HEAD"], { cwd: repo, okExitCodes: [0, 1, 128] })
  ).stdout.trim();
  const where = `the integration branch "${integration}" does not exist in ${repo}`;
  // The way out is in the message itself: the dashboard shows a runner's refusal without the CLI's hints.
  if (branches.length === 0)
    throw new DomainError("NOT_FOUND", `${where}: it has no commits yet; commit something on ${integration} first`, {
      hint: null,
    });
  const suggested = branches.includes(current) && !current.startsWith("agent/") ? current : (branches[0] ?? integration);
  const named = `${branches.slice(0, 5).join(", ")}${branches.length > 5 ? ", …" : ""}`;
  throw new DomainError(
    "NOT_FOUND",
    `${where} (its branches: ${named}): set \`integration: ${suggested}\` in grove.yaml, or in the session plan that named it`,
    { hint: null },
  );
}
