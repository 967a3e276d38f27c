// What agent CLIs print, parsed: one module per CLI (Claude Code's stream-json today). Node-free: the browser imports it.
export * from "./claude-stream.ts";
