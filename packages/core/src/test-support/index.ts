export * from "./temp-repo.ts";
export * from "./spawn-tsx.ts";
export * from "./merge-fixtures.ts";
export * from "./fuzz.ts";
export * from "./claude-stream-arbitrary.ts";
export * from "./scratch-dir.ts";
export * from "./broken-checkout.ts";
