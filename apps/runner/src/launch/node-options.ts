/**
 * How the runner process is started, by `pnpm start`, the tests and the bench. Its memory is bounded by
 * design (the log pipeline's shared budgets in log/log-shipper.ts and log/spool.ts), so V8 is told to collect
 * garbage rather than grow its heap far past what is live, and glibc to keep few malloc arenas for the
 * threads that do file work.
 */
export const RUNNER_NODE_ARGS: readonly string[] = ["--max-old-space-size=80", "--max-semi-space-size=8"];
export const RUNNER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
