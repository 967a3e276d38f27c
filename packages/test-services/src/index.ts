// Real PostgreSQL and Redis servers for tests and benchmarks: a temporary folder, a free loopback port, a
// stop() that really stops them, and a guard process that stops them if the test process dies first.
// No workspace dependencies, so that packages below @grove/testing (db) can use it too.
export * from "./free-port.ts";
export * from "./postgres-server.ts";
export * from "./redis-server.ts";
export { postgresBinDir, redisServerPath } from "./service-binaries.ts";
