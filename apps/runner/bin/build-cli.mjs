// Builds dist/grove.mjs with its manifest: `pnpm --filter @grove/runner build` (turbo), and the root postinstall
// (`--if-stale --no-fail`): there a failed build must not fail the install; the first `pnpm grove` tries again.
import { buildBundle, isBundleFresh } from "./cli-bundle.mjs";

const ifStale = process.argv.includes("--if-stale");
const noFail = process.argv.includes("--no-fail");

if (!ifStale || !isBundleFresh()) {
  try {
    await buildBundle();
  } catch (error) {
    if (!noFail) throw error;
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    process.stderr.write(`grove: the CLI bundle was not built (${reason}); \`pnpm grove\` builds it on first use.\n`);
  }
}
