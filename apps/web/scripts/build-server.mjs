// Bundles server.ts (the grove server: tRPC, auth, socket.io hub, log ingestion) into dist/server.mjs,
// so `pnpm start` runs it without a TypeScript loader in the process. The workspace packages are bundled
// in; this app's own dependencies (Next.js, Prisma's adapter, socket.io, …) stay imports, resolved from
// its node_modules at run time.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, "..");
const manifest = JSON.parse(await readFile(path.join(app, "package.json"), "utf8"));
const external = Object.keys(manifest.dependencies)
  .filter((name) => !name.startsWith("@grove/"))
  .flatMap((name) => [name, `${name}/*`]);

await build({
  entryPoints: [path.join(app, "server.ts")],
  outfile: path.join(app, "dist/server.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external,
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __groveRequire } from 'node:module'; const require = __groveRequire(import.meta.url);",
  },
});
