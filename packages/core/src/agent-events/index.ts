// What agent CLIs print, parsed: one module per CLI (Claude Code's stream-json, Codex's --json), and what a run
// used as they report it. Node-free: the browser imports it.
export * from "./claude-stream.ts";
export * from "./agent-log-rows.ts";
export * from "./codex-json.ts";
export * from "./agent-usage.ts";
export * from "./usage-meter.ts";
export * from "./session-budget.ts";
