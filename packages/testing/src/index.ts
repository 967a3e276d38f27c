// Test support that crosses packages: what the web app's tests, the runner's tests, the bench (scripts/bench)
// and e2e share. Test-only: production code never imports it (eslint.config.mjs). Core's and db's own
// helpers stay in @grove/core/test-support and @grove/db/test-support: this package depends on both.
export * from "./free-port.ts";
export {
  startPostgres,
  startRedis,
  type PostgresServer,
  type RedisServer,
  type StartPostgresOptions,
} from "@grove/test-services";
export * from "./grove-entries.ts";
export * from "./model-doubles/anthropic-double.ts";
export * from "./model-doubles/loopback-server.ts";
export * from "./model-doubles/model-script.ts";
export * from "./model-doubles/openai-double.ts";
export * from "./model-doubles/real-agent-clis.ts";
export * from "./overload.ts";
export * from "./production-stack.ts";
export * from "./production-web.ts";
export * from "./raw-http.ts";
export * from "./raw-websocket.ts";
export * from "./sign-in-over-http.ts";
export * from "./stuck-viewer.ts";
export * from "./wait-for.ts";
