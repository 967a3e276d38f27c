import { DomainError } from "../errors/domain-error.ts";
import { validateRefName } from "../naming/agent-branch.ts";
import { runGit } from "./run-git.ts";

/**
 * The git side of a merge queue's lease: `refs/grove/queue-lease/<branch>` names a blob that records the epoch
 * of the lease its holder got from the hub. The owner moves it forward when it takes the queue over; its landing
 * verifies it in the same ref transaction that moves the integration branch, so an owner that lost its lease
 * (paused past its expiry, say) cannot land: the new owner's fence is there, and the transaction fails whole.
 */
export type QueueFence = { ref: string; sha: string; epoch: number };

export type FenceClaim = { kind: "claimed"; fence: QueueFence } | { kind: "stale"; epoch: number };

const HOLDER = /^[\w.:@-]{1,200}$/;
const CLAIM_ATTEMPTS = 20;

export function queueFenceRef(integration: string): string {
  validateRefName(integration);
  return `refs/grove/queue-lease/${integration}`;
}

/** The fence of a queue as git has it now, or null when no owner ever claimed one. */
export async function readQueueFence(repo: string, integration: string): Promise<QueueFence | null> {
  const ref = queueFenceRef(integration);
  const found = await runGit(["rev-parse", "--verify", "--quiet", ref], { cwd: repo, okExitCodes: [0, 1] });
  if (found.exitCode !== 0) return null;
  const sha = found.stdout.trim();
  const { stdout } = await runGit(["cat-file", "blob", sha], { cwd: repo });
  const epoch = /^epoch (\d{1,15})$/m.exec(stdout)?.[1];
  if (epoch === undefined) throw new DomainError("INVALID_INPUT", `${ref} in ${repo} does not record a lease epoch.`);
  return { ref, sha, epoch: Number(epoch) };
}

/**
 * Moves the fence to `epoch` (compare-and-swap, retried when another owner moved it meanwhile). "stale": git
 * already has a later epoch, so the caller's lease is no longer the newest and it must not land anything.
 */
export async function claimQueueFence(
  repo: string,
  input: { integration: string; epoch: number; holder: string },
): Promise<FenceClaim> {
  if (!Number.isSafeInteger(input.epoch) || input.epoch < 1)
    throw new DomainError("INVALID_INPUT", "A lease epoch is a positive integer.");
  if (!HOLDER.test(input.holder)) throw new DomainError("INVALID_INPUT", "A lease holder is 1 to 200 of [A-Za-z0-9_.:@-].");
  const ref = queueFenceRef(input.integration);
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const current = await readQueueFence(repo, input.integration);
    if (current && current.epoch > input.epoch) return { kind: "stale", epoch: current.epoch };
    if (current && current.epoch === input.epoch) return { kind: "claimed", fence: current };
    const { stdout } = await runGit(["hash-object", "-w", "--stdin"], {
      cwd: repo,
      input: `grove queue lease\nbranch ${input.integration}\nepoch ${input.epoch}\nholder ${input.holder}\n`,
    });
    const sha = stdout.trim();
    const command = current ? `update ${ref} ${sha} ${current.sha}\n` : `create ${ref} ${sha}\n`;
    const moved = await runGit(["update-ref", "-m", `grove: queue lease epoch ${input.epoch}`, "--stdin"], {
      cwd: repo,
      input: command,
      okExitCodes: [0, 128],
    });
    if (moved.exitCode === 0) return { kind: "claimed", fence: { ref, sha, epoch: input.epoch } };
  }
  throw new DomainError("GIT_FAILED", `${ref} in ${repo} kept moving; the queue lease was not claimed.`);
}
