// The bundled CLI, dist/grove.mjs, and how a start tells that it is still what the sources make. Plain JavaScript:
// it runs before any TypeScript loader, and its quick path loads nothing but node:fs.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const RUNNER_DIR = fileURLToPath(new URL("..", import.meta.url));
export const BUNDLE = path.join(RUNNER_DIR, "dist", "grove.mjs");
const MANIFEST = path.join(RUNNER_DIR, "dist", "grove.manifest.json");

// What a bundle depends on besides the files esbuild read: how it is built, and which dependencies are installed.
const BUILD_INPUTS = ["bin/cli-bundle.mjs", "package.json", "tsconfig.json", "../../tsconfig.base.json", "../../pnpm-lock.yaml"];

// A file system keeps times coarser than the clock (down to whole seconds): a file written this recently may be
// written again with the same times. Such a file is recorded with a hash of its content too, as git's index does.
const RACY_MS = 1_000;
const CHANGED_WHILE_BUILDING = "changed while building";

const OPTIONS = {
  entryPoints: ["src/cli.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  external: ["bufferutil", "utf-8-validate"],
  banner: {
    js: "import { createRequire as __groveRequire } from 'node:module'; const require = __groveRequire(import.meta.url);",
  },
};
const LOADERS = { ".ts": "ts", ".mts": "ts", ".js": "js", ".mjs": "js", ".json": "json" };

/**
 * True when dist/grove.mjs was built from the files as they are now: each input's size, times and inode are
 * the ones recorded when it was built (and its content, for one written just before). Stats only, a few ms.
 */
export function isBundleFresh() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
  } catch {
    return false;
  }
  if (typeof manifest?.files !== "object" || manifest.files === null) return false;
  if (manifest.bundle !== fingerprint(BUNDLE)?.id) return false;
  const files = Object.entries(manifest.files);
  return files.length > 0 && files.every(([file, entry]) => isUnchanged(path.resolve(RUNNER_DIR, file), entry));
}

/** Builds dist/grove.mjs and its manifest; each is written whole (renamed into place), so a concurrent start never reads half. */
export async function buildBundle() {
  const { build } = await import("esbuild");
  const startedAt = Date.now();
  const sources = new Map();
  const entry = (info, content) =>
    Date.now() - changedAt(info) < RACY_MS ? { id: idOf(info), sha: sha256(content) } : { id: idOf(info) };
  // The sources are read here, their times taken before reading: what is recorded is what esbuild compiled.
  const recordSources = {
    name: "record-sources",
    setup(on) {
      on.onLoad({ filter: /\.(m?ts|m?js|json)$/ }, (args) => {
        if (isInstalled(args.path)) return undefined;
        const info = statSync(args.path);
        const contents = readFileSync(args.path);
        sources.set(args.path, entry(info, contents));
        return { contents, loader: LOADERS[path.extname(args.path)] };
      });
    },
  };
  mkdirSync(path.dirname(BUNDLE), { recursive: true });
  const scratch = `${BUNDLE}.${process.pid}.tmp`;
  const result = await build({
    ...OPTIONS,
    absWorkingDir: RUNNER_DIR,
    outfile: scratch,
    metafile: true,
    plugins: [recordSources],
  });
  renameSync(scratch, BUNDLE);
  const files = {};
  for (const file of [...Object.keys(result.metafile.inputs), ...BUILD_INPUTS]) {
    const absolute = path.resolve(RUNNER_DIR, file);
    const info = statSync(absolute, { throwIfNoEntry: false });
    if (sources.has(absolute)) files[file] = sources.get(absolute);
    else if (!info) files[file] = { id: "missing" };
    // An installed package changing under a build is no everyday edit: rebuilt at the next start.
    else if (isInstalled(absolute))
      files[file] = changedAt(info) >= startedAt - RACY_MS ? CHANGED_WHILE_BUILDING : { id: idOf(info) };
    else files[file] = entry(info, readFileSync(absolute));
  }
  writeFileSync(`${MANIFEST}.${process.pid}.tmp`, JSON.stringify({ bundle: fingerprint(BUNDLE)?.id, files }));
  renameSync(`${MANIFEST}.${process.pid}.tmp`, MANIFEST);
}

/** Rebuilds the bundle unless it is fresh. False (with esbuild's errors already printed) when it cannot be built. */
export async function ensureFreshBundle(say) {
  if (isBundleFresh()) return true;
  say?.("grove: building the CLI (its sources changed since the last build)…");
  try {
    await buildBundle();
    return true;
  } catch (error) {
    // esbuild has printed the compile errors themselves; anything else (esbuild not installed) is said here.
    const reason = error instanceof Error && !("errors" in error) ? `: ${error.message}` : "";
    process.stderr.write(`grove: could not build the CLI bundle from apps/runner/src${reason}\n`);
    return false;
  }
}

function isUnchanged(file, entry) {
  if (typeof entry !== "object" || entry === null) return false;
  const now = fingerprint(file);
  if ((now?.id ?? "missing") !== entry.id) return false;
  if (entry.sha === undefined) return true;
  return sha256(readFileSync(file)) === entry.sha;
}

// Loaded only when a file needs it: most starts hash nothing.
function sha256(content) {
  return process.getBuiltinModule("node:crypto").createHash("sha256").update(content).digest("hex");
}

function fingerprint(file) {
  const info = statSync(file, { throwIfNoEntry: false });
  return info ? { id: idOf(info) } : undefined;
}

// pnpm hard-links installed packages from its store: linking them into another project changes their ctime
// (the link count), not their content; a reinstall writes a new inode. Any other write changes the ctime.
function idOf(info) {
  return `${info.size}:${info.mtimeMs}:${info.ino}:${info.nlink > 1 ? "" : info.ctimeMs}`;
}

function changedAt(info) {
  return Math.max(info.mtimeMs, info.nlink > 1 ? 0 : info.ctimeMs);
}

function isInstalled(file) {
  return file.includes(`${path.sep}node_modules${path.sep}`);
}
