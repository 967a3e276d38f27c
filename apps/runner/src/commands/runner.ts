import { DomainError, QUEUE_LEASE_MS } from "@grove/core";
import { resolve } from "node:path";
import { LAUNCH_RECORD_VAR, readLaunchRecord } from "@grove/core/launch";
import { useProcessSpawner } from "@grove/core/node";
import type { CliContext } from "./cli-context.ts";
import { parseFlags } from "./parse-flags.ts";
import { runnerDataDir } from "./runner-data-dir.ts";
import { parseHubUrls } from "../hub/hub-urls.ts";

const USAGE = `grove runner --hub URL [--hub URL]... --token TOKEN [--data-dir DIR] [--repo PATH]... [--max-runs N]

  Connects this machine to the grove hub and runs the agents it is asked to run, at most N at once
  (default 8; more wait in a queue). Several --hub URLs (or GROVE_HUB_URLS=URL,URL) name dashboard
  instances sharing one database: when one dies or refuses, the runner moves to the next and resends
  what it had not delivered. Flags fall back to GROVE_HUB_URL, GROVE_RUNNER_TOKEN,
  GROVE_DATA_DIR, GROVE_REPOS (colon separated) and GROVE_MAX_RUNS;
  the repository defaults to the current folder, the data dir to .grove-data/runner at the root of
  its main checkout (the same folder from a subfolder or a linked worktree).
  One token is one runner, and one data dir serves one runner: a second live process with either is
  refused (exit 2) and names the one that has it.`;

export async function runnerCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, args, {
    hub: { type: "string", multiple: true },
    token: { type: "string" },
    "data-dir": { type: "string" },
    repo: { type: "string", multiple: true },
    "max-runs": { type: "string" },
  });
  if (values.help) {
    ctx.out(`usage: ${USAGE}`);
    return 0;
  }
  if (positionals.length > 0)
    throw new DomainError("INVALID_INPUT", `unexpected argument "${positionals[0] ?? ""}"\nusage: ${USAGE}`);
  const hubUrls = parseHubUrls(values.hub, ctx.env);
  const hubUrl = hubUrls[0];
  const token = values.token ?? ctx.env.GROVE_RUNNER_TOKEN;
  if (!hubUrl)
    throw new DomainError(
      "INVALID_INPUT",
      `no hub URL: pass --hub URL or set GROVE_HUB_URL (or GROVE_HUB_URLS)\nusage: ${USAGE}`,
    );
  if (!token)
    throw new DomainError(
      "INVALID_INPUT",
      `no runner token: pass --token or set GROVE_RUNNER_TOKEN (the dashboard shows it when you add a runner)`,
    );
  // Without its record, the agents would get the launcher's settings instead of the user's values.
  if (readLaunchRecord(ctx.env) === null)
    throw new DomainError(
      "INVALID_INPUT",
      `${LAUNCH_RECORD_VAR} is set but is not the launch record grove writes (JSON of names and values); unset it`,
    );
  const dataDir = runnerDataDir(values["data-dir"], ctx);
  const repoArgs = values.repo ?? ctx.env.GROVE_REPOS?.split(":").filter((p) => p !== "") ?? [ctx.cwd];
  const repos = repoArgs.map((repo) => resolve(ctx.cwd, repo));
  const maxRunsText = values["max-runs"] ?? ctx.env.GROVE_MAX_RUNS;
  const maxConcurrentRuns = maxRunsText === undefined ? undefined : Number(maxRunsText);
  if (
    maxConcurrentRuns !== undefined &&
    (!Number.isInteger(maxConcurrentRuns) || maxConcurrentRuns < 1 || maxConcurrentRuns > 256)
  ) {
    throw new DomainError("INVALID_INPUT", `--max-runs must be a whole number from 1 to 256, not "${maxRunsText ?? ""}"`);
  }

  const leaseText = ctx.env.GROVE_QUEUE_LEASE_MS;
  const queueLeaseMs = leaseText === undefined || leaseText === "" ? undefined : Number(leaseText);
  if (
    queueLeaseMs !== undefined &&
    (!Number.isInteger(queueLeaseMs) || queueLeaseMs < QUEUE_LEASE_MS.min || queueLeaseMs > QUEUE_LEASE_MS.max)
  )
    throw new DomainError(
      "INVALID_INPUT",
      `GROVE_QUEUE_LEASE_MS must be a whole number of ms from ${QUEUE_LEASE_MS.min} to ${QUEUE_LEASE_MS.max}, not "${leaseText ?? ""}"`,
    );

  // Loaded here so that the other commands do not load socket.io.
  const { startRunnerDaemon } = await import("../daemon.ts");
  // A runner starts git hundreds of times a minute while it streams logs: forked from a small process instead.
  useProcessSpawner();
  const daemon = await startRunnerDaemon({
    hubUrl,
    hubUrls,
    token,
    dataDir,
    repos,
    maxConcurrentRuns,
    queueLeaseMs,
    onLog: (line) => ctx.err(`runner: ${line}`),
  });
  ctx.err(`runner: serving ${repos.join(", ")} for ${hubUrls.join(", ")} (Ctrl-C to stop)`);
  const ended = await Promise.race([
    ctx.waitForStop(() => stillDoing(daemon.activity())).then((signal) => ({ signal })),
    daemon.refused.then((refusal) => ({ refusal })),
  ]);
  if ("refusal" in ended) {
    ctx.err(`runner: refused by the hub, stopping: ${ended.refusal}`);
    await daemon.stop();
    return 2;
  }
  ctx.err(`runner: ${ended.signal}, stopping…`);
  await daemon.stop();
  return 0;
}

/** What a stopping runner still waits for: only what is true now. */
export function stillDoing({ runs, merges }: { runs: number; merges: number }): string {
  const waits = [
    ...(merges > 0 ? [merges === 1 ? "a merge in progress finishes first" : `${merges} merges in progress finish first`] : []),
    ...(runs > 0 ? [`${runs} interrupted run(s) saving their records`] : []),
  ];
  return waits.length > 0 ? waits.join("; ") : "no merge or run left; sending what is left to the hub";
}
