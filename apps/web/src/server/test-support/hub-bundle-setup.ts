import { ensureHubBundle } from "./hub-bundle.ts";

/** Builds the hub process's bundle once, if stale, before any test starts a hub process: none of them race to build it. */
export default async function setup(): Promise<void> {
  await ensureHubBundle();
}
