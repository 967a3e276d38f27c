import { mkdir, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { TESTED_AGENT_CLIS, type TestedAgentCli } from "@grove/core/launch";

const require = createRequire(import.meta.url);

/** The CLIs grove's built-in profiles run, as this package installs them (pinned devDependencies). */
export const REAL_AGENT_CLIS = TESTED_AGENT_CLIS;

export type RealAgentCli = TestedAgentCli;

/** The installed executable of a CLI: the file its package.json names as its bin. */
export function realCliPath(cli: RealAgentCli): string {
  const { packageName, bin } = REAL_AGENT_CLIS[cli];
  const manifestPath = require.resolve(`${packageName}/package.json`);
  const manifest = require(manifestPath) as { bin: Record<string, string> };
  const file = manifest.bin[bin];
  if (!file) throw new Error(`${packageName} has no "${bin}" bin`);
  return join(dirname(manifestPath), file);
}

/**
 * A folder outside grove's node_modules with `claude` and `codex` in it, as a user's PATH would have
 * them (grove strips its own node_modules from an agent's PATH), and node for codex's launcher.
 */
export async function agentPath(binDir: string): Promise<string> {
  await mkdir(binDir, { recursive: true });
  for (const cli of Object.keys(REAL_AGENT_CLIS) as RealAgentCli[]) await symlink(realCliPath(cli), join(binDir, cli));
  return [binDir, dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(delimiter);
}

/**
 * The environment that points each real CLI at its model double and keeps it off the network: a home of
 * its own (their settings, sessions and caches go there), no telemetry, no update checks. Codex gets its
 * provider from `$HOME/.codex/config.toml`, as a user configures one.
 */
export async function agentEnv(o: {
  home: string;
  binDir: string;
  anthropicUrl?: string;
  openAiUrl?: string;
}): Promise<Record<string, string>> {
  await mkdir(join(o.home, ".codex"), { recursive: true });
  const codexConfig = [
    'model = "grove-double"',
    'model_provider = "grove-double"',
    "check_for_update_on_startup = false",
    "[analytics]",
    "enabled = false",
    "[model_providers.grove-double]",
    'name = "grove model double"',
    `base_url = "${o.openAiUrl ?? "http://127.0.0.1:9"}/v1"`,
    'wire_api = "responses"',
    "request_max_retries = 0",
    "stream_max_retries = 0",
  ];
  await writeFile(join(o.home, ".codex", "config.toml"), `${codexConfig.join("\n")}\n`);
  return {
    HOME: o.home,
    PATH: await agentPath(o.binDir),
    ANTHROPIC_BASE_URL: o.anthropicUrl ?? "http://127.0.0.1:9",
    ANTHROPIC_API_KEY: "grove-test-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_ERROR_REPORTING: "1",
  };
}
