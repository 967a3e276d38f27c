import {
  AckSchema,
  cutToJsonBytes,
  fitsSocketMessage,
  MAX_DIFF_CHARS,
  type BranchDiff,
  type RadarSnapshot,
  describeError,
} from "@grove/core";
import { branchDiff, openRepo, scanAgentBranches, type PredictionCache } from "@grove/core/node";
import { ACK_TIMEOUT_MS, type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";

export const DEFAULT_RADAR_INTERVAL_MS = 2_000;
// Between two timed scans the radar rests at least this many times as long as the last scan took, so
// with many live branches, or a busy machine, it never takes more than about a twentieth of the runner:
// each git spawn blocks the runner's event loop for a few ms (longer when the CPUs are busy), and the
// log pipeline shares that loop. It is a background signal; the pipeline is not.
const REST_PER_SCAN = 19;
/** A branch diff's text in bytes on the wire (500,000 characters of CJK would be 1.5 MB). */
const MAX_DIFF_JSON_BYTES = 1_000_000;

export type OverlapRadar = {
  /** Scan now (soon), e.g. after a run ended or a merge landed. */
  poke(): void;
  stop(): Promise<void>;
};

type RepoState = { cache: PredictionCache; lastSent: string | null; diffsSent: Set<string> };

/**
 * The overlap radar: every few seconds, and whenever poked, scans each served repository's agent branches
 * (read-only) and sends the hub a snapshot when it changed — files changed, predicted conflicts against the
 * current integration head, brain-folder writes and overlaps with other live branches — plus, once per
 * finished branch head, its diff. After a reconnect everything is sent again.
 */
export function startOverlapRadar(deps: { link: HubLink; repos: string[]; log: Logger; intervalMs?: number }): OverlapRadar {
  const states = new Map<string, RepoState>(
    deps.repos.map((repo) => [repo, { cache: new Map(), lastSent: null, diffsSent: new Set() }]),
  );
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  /** True when the hub took it; a message larger than the hub reads counts as taken, or every scan would send it again. */
  const acknowledged = async (event: string, payload: unknown, send: () => Promise<unknown>): Promise<boolean> => {
    if (!fitsSocketMessage([payload])) {
      deps.log(`${event} is larger than the hub accepts in one message; not sent`);
      return true;
    }
    if (!deps.link.isReady()) return false;
    try {
      const ack = AckSchema.safeParse(await send());
      if (ack.success && !ack.data.ok) deps.log(`hub refused ${event}: ${ack.data.error}`);
      return ack.success && ack.data.ok;
    } catch (error) {
      deps.log(`${event} not acknowledged: ${describeError(error)}`);
      return false;
    }
  };
  const socket = () => deps.link.socket.timeout(ACK_TIMEOUT_MS);
  const sendSnapshot = (payload: RadarSnapshot) =>
    acknowledged("radar:snapshot", payload, () => socket().emitWithAck("radar:snapshot", payload));
  const sendDiff = (payload: BranchDiff) =>
    acknowledged("branch:diff", payload, () => socket().emitWithAck("branch:diff", payload));

  async function scanRepo(repoPath: string, state: RepoState): Promise<void> {
    const ctx = await openRepo(repoPath);
    const scan = await scanAgentBranches({
      repo: ctx.repo,
      integration: ctx.config.integration,
      brain: ctx.config.brain,
      cache: state.cache,
    });
    const body = {
      repoPath: ctx.repo,
      integration: ctx.config.integration,
      integrationSha: scan.integrationSha,
      brain: ctx.config.brain,
      branches: scan.branches,
    };
    const key = JSON.stringify(body);
    if (key !== state.lastSent && (await sendSnapshot({ ...body, at: Date.now() }))) state.lastSent = key;

    const present = new Set(scan.branches.map((b) => `${b.branch}@${b.headSha}`));
    for (const sent of state.diffsSent) if (!present.has(sent)) state.diffsSent.delete(sent);
    for (const branch of scan.branches) {
      const id = `${branch.branch}@${branch.headSha}`;
      // A live agent is still committing; its diff is sent once it stopped.
      if (branch.live || state.diffsSent.has(id)) continue;
      const full = await branchDiff(ctx.repo, branch.baseSha, branch.headSha, MAX_DIFF_CHARS);
      const { text: diff, isCut } = cutToJsonBytes(full.diff, MAX_DIFF_JSON_BYTES);
      const payload = {
        repoPath: ctx.repo,
        branch: branch.branch,
        headSha: branch.headSha,
        baseSha: branch.baseSha,
        diff,
        truncated: full.truncated || isCut,
      };
      if (await sendDiff(payload)) state.diffsSent.add(id);
    }
  }

  async function scanAll(): Promise<void> {
    for (const [repo, state] of states) {
      if (stopped) return;
      await scanRepo(repo, state).catch((error: unknown) => deps.log(`overlap radar: ${repo}: ${describeError(error)}`));
    }
  }

  const tick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    const started = Date.now();
    running = scanAll().finally(() => {
      running = null;
      if (stopped) return;
      if (again) {
        again = false;
        tick();
      } else
        timer = setTimeout(tick, Math.max(deps.intervalMs ?? DEFAULT_RADAR_INTERVAL_MS, (Date.now() - started) * REST_PER_SCAN));
    });
  };

  deps.link.onReady(() => {
    for (const state of states.values()) {
      state.lastSent = null;
      state.diffsSent.clear();
    }
    tick();
  });
  tick();

  return {
    poke: tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
