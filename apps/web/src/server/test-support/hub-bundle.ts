import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
// @ts-expect-error -- plain JavaScript with no types: the runner's bin/ uses it before any TypeScript loader.
import { freshBundle } from "@grove/core/fresh-bundle";

// The hub process (hub-process.ts) bundled, as `pnpm start` runs the web server bundled (scripts/build-server.mjs:
// the workspace packages in, this app's dependencies imported at run time): a test that starts it as a process
// then spends no seconds of CPU transpiling the server's TypeScript at each start, as `node --import tsx` does.
// Built once per test run, when a source changed since the last build (hub-bundle-setup.ts).

const WEB_DIR = fileURLToPath(new URL("../../..", import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(WEB_DIR, "package.json"), "utf8")) as { dependencies: object };

type Bundle = { outfile: string; isFresh(): boolean; build(): Promise<void> };

const HUB = (freshBundle as (o: object) => Bundle)({
  dir: WEB_DIR,
  outfile: path.join(WEB_DIR, "dist", "hub-process.mjs"),
  manifest: path.join(WEB_DIR, "dist", "hub-process.manifest.json"),
  options: {
    entryPoints: ["src/server/test-support/hub-process.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    external: Object.keys(manifest.dependencies)
      .filter((name) => !name.startsWith("@grove/"))
      .flatMap((name) => [name, `${name}/*`]),
    banner: {
      js: "import { createRequire as __groveRequire } from 'node:module'; const require = __groveRequire(import.meta.url);",
    },
  },
  esbuild: () => import("esbuild"),
  buildInputs: [
    "src/server/test-support/hub-bundle.ts",
    "package.json",
    "tsconfig.json",
    "../../tsconfig.base.json",
    "../../pnpm-lock.yaml",
  ],
});

/** `node <HUB_PROCESS_BUNDLE>` starts the hub process (with the web's environment, env.ts). */
export const HUB_PROCESS_BUNDLE = HUB.outfile;

/** Builds the hub process's bundle unless it is what its sources make now. */
export async function ensureHubBundle(): Promise<void> {
  if (!HUB.isFresh()) await HUB.build();
}
