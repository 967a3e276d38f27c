export * from "./client.ts";
export * from "./migrate.ts";
export * from "./audit.ts";
export * from "./audit-query.ts";
export * from "./log-lines.ts";
export * from "./settings.ts";
export * from "./private-database.ts";
export * from "./run-usage.ts";
