/**
 * Which code may import what, enforced (README "How the parts fit"). Each zone below is one set of files
 * and the full list of imports refused there: ESLint keeps only the last `no-restricted-imports` setting
 * that matches a file, so the zones do not overlap and none relies on another. The exceptions are listed
 * where they are allowed, each with its reason; packages/testing/src/boundaries.test.ts proves every rule
 * still refuses what it names, and allows these:
 * - web server code imports @grove/core/private-files, the one node helper it needs (owner-only data files);
 *   the rest of @grove/core/node (git, agent processes) is refused there.
 * - web tests and test support import @grove/core/node: they build real repositories and supervise real
 *   processes, as `pnpm start` does.
 * - browser code imports the server's types (AppRouter, Role) with `import type`; never its values.
 * - core's own tests and test-support use node's modules (they run real git on real repositories).
 * - e2e/start-stack.ts imports scripts/start.ts: see the allow list at the end.
 */
import { builtinModules } from "node:module";
import { noCrossPackageImport } from "./no-cross-package-import.mjs";

const TESTS = ["**/*.test.ts", "**/*.test.tsx", "**/*.spec.ts", "**/test-support/**"];
const WEB_CLIENT = ["apps/web/src/app/**", "apps/web/src/components/**", "apps/web/src/lib/**"];

/** `node:fs`, and the bare names node also answers to (`fs`, `child_process`, `fs/promises`). */
const nodeBuiltins = (message) => ({
  paths: builtinModules.filter((name) => !name.startsWith("_")).map((name) => ({ name, message })),
  patterns: [{ group: ["node:*"], message }],
});
const forbid = (group, message, extra = {}) => ({ patterns: [{ group, message, ...extra }] });

const CORE_IO = "core domain code gets I/O through ports; put adapters in packages/core/src/node/";
const restrict = {
  coreIo: [nodeBuiltins(CORE_IO), forbid(["simple-git", "execa", "@prisma/*", "socket.io", "socket.io-client"], CORE_IO)],
  coreAdapters: forbid(
    ["**/node/*", "@grove/core/node", "@grove/core/private-files"],
    "core domain code may not import core's node adapters: they depend on it, not the other way round",
  ),
  runner: forbid(
    ["@grove/runner", "@grove/runner/*"],
    "only a launcher starts the runner, as a process (its launch contract is @grove/core/launch); no package imports the runner's code",
  ),
  web: forbid(
    ["@grove/web", "@grove/web/*"],
    "no package imports the web app's code; start it as a process (its launch contract is @grove/core/launch)",
  ),
  db: forbid(["@grove/db", "@grove/db/*"], "the runner has no database: it talks to the hub over its socket"),
  dbFromCore: forbid(["@grove/db", "@grove/db/*"], "db depends on core, not the other way round"),
  testing: forbid(["@grove/testing", "@grove/testing/*"], "production code never imports test support"),
  testSupport: forbid(
    ["@grove/core/test-support", "@grove/db/test-support", "@grove/test-services", "**/test-support/**"],
    "production code never imports test support",
  ),
  testingCycle: forbid(
    ["@grove/testing", "@grove/testing/*"],
    "@grove/testing depends on core and db: their own tests use @grove/core/test-support and @grove/db/test-support",
  ),
  testingBelowApps: forbid(
    ["@grove/runner", "@grove/runner/*", "@grove/web", "@grove/web/*"],
    "@grove/testing sits below the apps (their tests import it): it starts them as processes, by path",
  ),
  webCoreNode: forbid(
    ["@grove/core/node"],
    "the web server runs no git and no agents; its one node helper is @grove/core/private-files (owner-only data files)",
  ),
  browser: [
    nodeBuiltins("browser code cannot use node's modules"),
    forbid(
      ["@grove/core/node", "@grove/core/private-files", "@grove/db", "@grove/db/*"],
      "browser code gets data through tRPC and the socket, never from node adapters or the database",
    ),
  ],
  serverValues: forbid(
    ["**/server/**", "~/server/**"],
    "browser code may take the server's types (import type), never its values",
    { allowTypeImports: true },
  ),
};

/** One zone: its files and every restriction that applies to them, merged into one rule setting. */
function zone(name, files, ignores, restrictions) {
  const flat = restrictions.flat();
  const paths = flat.flatMap((r) => r.paths ?? []);
  const patterns = flat.flatMap((r) => r.patterns ?? []);
  return {
    name: `grove/boundaries/${name}`,
    files,
    ignores,
    rules: { "no-restricted-imports": ["error", { paths, patterns }] },
  };
}

export const boundaries = [
  zone(
    "core-domain",
    ["packages/core/src/**"],
    ["packages/core/src/node/**", ...TESTS],
    [
      restrict.coreIo,
      restrict.coreAdapters,
      restrict.dbFromCore,
      restrict.runner,
      restrict.web,
      restrict.testingCycle,
      restrict.testSupport,
    ],
  ),
  zone("core-node", ["packages/core/src/node/**", "packages/core/*.ts"], TESTS, [
    restrict.dbFromCore,
    restrict.runner,
    restrict.web,
    restrict.testingCycle,
    restrict.testSupport,
  ]),
  zone(
    "core-tests",
    TESTS.map((glob) => `packages/core/${glob}`),
    [],
    [restrict.dbFromCore, restrict.runner, restrict.web, restrict.testingCycle],
  ),
  zone("db", ["packages/db/**"], TESTS, [restrict.runner, restrict.web, restrict.testingCycle, restrict.testSupport]),
  zone(
    "db-tests",
    TESTS.map((glob) => `packages/db/${glob}`),
    [],
    [restrict.runner, restrict.web, restrict.testingCycle],
  ),
  zone("runner", ["apps/runner/**"], TESTS, [restrict.db, restrict.web, restrict.testing, restrict.testSupport]),
  zone(
    "runner-tests",
    TESTS.map((glob) => `apps/runner/${glob}`),
    [],
    [restrict.db, restrict.web],
  ),
  zone("web-browser", WEB_CLIENT, TESTS, [
    restrict.browser,
    restrict.serverValues,
    restrict.runner,
    restrict.testing,
    restrict.testSupport,
  ]),
  zone(
    "web-server",
    ["apps/web/**"],
    [...WEB_CLIENT, ...TESTS],
    [restrict.webCoreNode, restrict.runner, restrict.testing, restrict.testSupport],
  ),
  zone(
    "web-tests",
    TESTS.map((glob) => `apps/web/${glob}`),
    [],
    [restrict.runner],
  ),
  zone("testing", ["packages/testing/**"], [], [restrict.testingBelowApps]),
  // `pnpm start` and what it runs are production; the bench and the e2e stacks are test code and use @grove/testing.
  zone(
    "scripts",
    ["scripts/**", "*.ts", "*.mjs", "tooling/**", "prisma/**"],
    ["scripts/bench.ts", "scripts/bench/**", "scripts/e2e/**"],
    [restrict.runner, restrict.web, restrict.testing, restrict.testSupport],
  ),
  zone("bench", ["scripts/bench.ts", "scripts/bench/**", "scripts/e2e/**"], [], [restrict.runner, restrict.web]),
  zone("e2e", ["e2e/**"], [], [restrict.runner, restrict.web]),
  {
    name: "grove/boundaries/relative-imports",
    plugins: { grove: { rules: { "no-cross-package-import": noCrossPackageImport } } },
    rules: {
      "grove/no-cross-package-import": [
        "error",
        {
          allow: [
            {
              from: "e2e/start-stack.ts",
              to: "scripts/start.ts",
              reason:
                "Playwright's web server process sets the e2e environment, then runs `pnpm start`'s program in itself: an entry point started, none of its code used",
            },
            {
              from: "e2e/start-team-stack.ts",
              to: "scripts/e2e/team-stack.ts",
              reason:
                "the same for the two-instance stack, which needs the root's packages (core's launch arguments, the demo repository)",
            },
          ],
        },
      ],
    },
  },
];
