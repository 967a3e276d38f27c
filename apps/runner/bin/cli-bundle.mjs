// The bundled CLI, dist/grove.mjs, and how a start tells that it is still what the sources make (@grove/core's
// fresh-bundle.mjs).
// Plain JavaScript: it runs before any TypeScript loader, and its quick path loads nothing but node:fs.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freshBundle } from "@grove/core/fresh-bundle";

const RUNNER_DIR = fileURLToPath(new URL("..", import.meta.url));

const CLI = freshBundle({
  dir: RUNNER_DIR,
  outfile: path.join(RUNNER_DIR, "dist", "grove.mjs"),
  manifest: path.join(RUNNER_DIR, "dist", "grove.manifest.json"),
  options: {
    entryPoints: ["src/cli.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    external: ["bufferutil", "utf-8-validate"],
    banner: {
      js: "import { createRequire as __groveRequire } from 'node:module'; const require = __groveRequire(import.meta.url);",
    },
  },
  esbuild: () => import("esbuild"),
  // What the bundle depends on besides the files esbuild read: how it is built, and which dependencies are installed.
  buildInputs: ["bin/cli-bundle.mjs", "package.json", "tsconfig.json", "../../tsconfig.base.json", "../../pnpm-lock.yaml"],
});

export const BUNDLE = CLI.outfile;

/** True when dist/grove.mjs was built from the files as they are now. Stats only, a few ms. */
export const isBundleFresh = CLI.isFresh;

/** Builds dist/grove.mjs and its manifest; each is written whole, so a concurrent start never reads half. */
export const buildBundle = CLI.build;

/** Rebuilds the bundle unless it is fresh. False (with esbuild's errors already printed) when it cannot be built. */
export async function ensureFreshBundle(say) {
  if (isBundleFresh()) return true;
  say?.("grove: building the CLI (its sources changed since the last build)…");
  try {
    await buildBundle();
    return true;
  } catch (error) {
    // esbuild has printed the compile errors themselves; anything else (esbuild not installed) is said here.
    const reason = error instanceof Error && !("errors" in error) ? `: ${error.message}` : "";
    process.stderr.write(`grove: could not build the CLI bundle from apps/runner/src${reason}\n`);
    return false;
  }
}
