import { fileURLToPath } from "node:url";

// Paths found from this file's own place. It stays directly in src/: the bundle (dist/grove.mjs) is at the
// same depth, so the same relative URL holds whether the runner runs from source (tsx) or from the bundle.

/** grove's checkout: src/ and dist/ are both three levels below it. */
export const GROVE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The demo agent grove ships (apps/runner/agents). */
export const DEMO_AGENT_PATH = fileURLToPath(new URL("../agents/demo-agent.mjs", import.meta.url));
