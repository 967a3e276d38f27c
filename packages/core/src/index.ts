export * from "./errors/domain-error.ts";
export * from "./naming/agent-branch.ts";
export * from "./naming/session-id.ts";
export * from "./schemas/result.ts";
export * from "./schemas/config.ts";
export * from "./schemas/events.ts";
export * from "./schemas/runner-queries.ts";
