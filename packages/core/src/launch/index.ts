// How a launcher (`pnpm start`, the tests, the bench) starts grove's processes and reads why they stopped.
export * from "./exit-codes.ts";
export * from "./launch-env.ts";
export * from "./process-options.ts";
export * from "./tested-agent-clis.ts";
