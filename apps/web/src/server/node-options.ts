/**
 * How the web process (Next.js and the grove server with its hub) is started by `pnpm start` and the bench.
 * At 100k log lines/s its young generation churns through short-lived batch objects: small semi-spaces
 * make V8 collect them early instead of growing its heap far past what is live.
 */
export const WEB_NODE_ARGS: readonly string[] = ["--max-semi-space-size=8", "--max-old-space-size=128"];
