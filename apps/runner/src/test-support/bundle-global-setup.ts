// @ts-expect-error -- plain JavaScript with no types: bin/ runs before any TypeScript loader.
import { ensureFreshBundle } from "../../bin/cli-bundle.mjs";

/** Builds the bundled CLI once, before any test runs `grove` as a user would (test-support/grove-process.ts). */
export default async function setup(): Promise<void> {
  if (!(await (ensureFreshBundle as (say?: (text: string) => void) => Promise<boolean>)())) {
    throw new Error("could not build apps/runner/dist/grove.mjs: see esbuild's errors above");
  }
}
