/**
 * How grove's two processes are started, by `pnpm start`, the tests and the bench. The runner's memory is
 * bounded by design (the shared budgets of its log pipeline, apps/runner/src/log/log-shipper.ts and
 * log/spool-recent-lines.ts), so V8 is told to collect garbage rather than grow its heap far past what is live, and glibc
 * to keep few malloc arenas for the threads that do file work.
 */
export const RUNNER_NODE_ARGS: readonly string[] = ["--max-old-space-size=80", "--max-semi-space-size=8"];
export const RUNNER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };

/**
 * The web process (Next.js and the grove server with its hub). At 100k log lines/s its young generation
 * churns through short-lived batch objects: small semi-spaces make V8 collect them early instead of growing
 * its heap far past what is live.
 */
export const WEB_NODE_ARGS: readonly string[] = ["--max-semi-space-size=8", "--max-old-space-size=128"];
