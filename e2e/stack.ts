import os from "node:os";
import path from "node:path";

/** One fixed place per port, so the config, the server script and the specs agree without sharing state. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3917);
export const E2E_DATA_DIR = path.join(os.tmpdir(), `grove-e2e-${E2E_PORT}`);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
/** The first admin, created through the first-run setup page by the setup project. */
export const E2E_ADMIN = { name: "Ada Admin", email: "admin@e2e.test", password: "e2e-password-1234" };
export const SETUP_TOKEN_FILE = path.join(E2E_DATA_DIR, "setup-token");
export const DEMO_REPO = path.join(E2E_DATA_DIR, "demo-repo");
/** Screenshots of the main pages, per project, kept after the run (gitignored). */
export const ARTIFACTS_DIR = path.join(import.meta.dirname, "artifacts");
