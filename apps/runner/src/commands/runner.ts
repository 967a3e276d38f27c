import { DomainError } from "@grove/core";
import { resolve } from "node:path";
import { LAUNCH_RECORD_VAR, readLaunchRecord } from "@grove/core/launch";
import type { CliContext } from "./cli-context.ts";
import { parseFlags } from "./parse-flags.ts";

const USAGE = `grove runner --hub URL --token TOKEN [--data-dir DIR] [--repo PATH]... [--max-runs N]

  Connects this machine to the grove hub and runs the agents it is asked to run, at most N at once
  (default 8; more wait in a queue). Flags fall back to GROVE_HUB_URL, GROVE_RUNNER_TOKEN,
  GROVE_DATA_DIR, GROVE_REPOS (colon separated) and GROVE_MAX_RUNS;
  the repository defaults to the current folder, the data dir to ./.grove-data/runner.`;

export async function runnerCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, args, {
    hub: { type: "string" },
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
  const hubUrl = values.hub ?? ctx.env.GROVE_HUB_URL;
  const token = values.token ?? ctx.env.GROVE_RUNNER_TOKEN;
  if (!hubUrl) throw new DomainError("INVALID_INPUT", `no hub URL: pass --hub URL or set GROVE_HUB_URL\nusage: ${USAGE}`);
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
  const dataDir = resolve(ctx.cwd, values["data-dir"] ?? ctx.env.GROVE_DATA_DIR ?? ".grove-data/runner");
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

  // Loaded here so that the other commands do not load socket.io.
  const { startRunnerDaemon } = await import("../daemon.ts");
  const daemon = await startRunnerDaemon({
    hubUrl,
    token,
    dataDir,
    repos,
    maxConcurrentRuns,
    onLog: (line) => ctx.err(`runner: ${line}`),
  });
  ctx.err(`runner: serving ${repos.join(", ")} for ${hubUrl} (Ctrl-C to stop)`);
  const signal = await ctx.waitForStop();
  ctx.err(`runner: ${signal}, stopping…`);
  await daemon.stop();
  return 0;
}
