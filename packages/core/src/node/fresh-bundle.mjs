// An esbuild bundle with a manifest beside it of every file it was built from, and how a start tells that the bundle
// is still what those files make. Plain JavaScript: it runs before any TypeScript loader, and its quick path loads
// nothing but node:fs. The runner's CLI is one (apps/runner/bin/cli-bundle.mjs); the web's tests bundle their hub
// process with it. esbuild is the caller's (`esbuild: () => import("esbuild")`): core does not depend on it.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// A file system keeps times coarser than the clock (down to whole seconds): a file written this recently may be
// written again with the same times. Such a file is recorded with a hash of its content too, as git's index does.
const RACY_MS = 1_000;
const CHANGED_WHILE_BUILDING = "changed while building";

const LOADERS = { ".ts": "ts", ".mts": "ts", ".js": "js", ".mjs": "js", ".json": "json" };

/**
 * The bundle `outfile`, built by `esbuild()`'s build with `options` (entry points relative to `dir`), its manifest in
 * `manifest`.
 * `buildInputs` (relative to `dir`): what it depends on besides the files esbuild reads and this module, such as
 * how it is built and which dependencies are installed.
 */
export function freshBundle({ dir, outfile, manifest, options, buildInputs, esbuild }) {
  const bundle = { dir, outfile, manifest, options, buildInputs, esbuild };
  return { outfile, isFresh: () => isBundleFresh(bundle), build: () => buildBundle(bundle) };
}

/**
 * True when the bundle was built from the files as they are now: each input's size, times and inode are
 * the ones recorded when it was built (and its content, for one written just before). Stats only, a few ms.
 */
function isBundleFresh({ dir, outfile, manifest: manifestFile }) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  } catch {
    return false;
  }
  if (typeof manifest?.files !== "object" || manifest.files === null) return false;
  if (manifest.bundle !== fingerprint(outfile)?.id) return false;
  const files = Object.entries(manifest.files);
  return files.length > 0 && files.every(([file, entry]) => isUnchanged(path.resolve(dir, file), entry));
}

/** Builds the bundle and its manifest; each is written whole (renamed into place), so a concurrent start never reads half. */
async function buildBundle({ dir, outfile, manifest, options, buildInputs, esbuild }) {
  const { build } = await esbuild();
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
  mkdirSync(path.dirname(outfile), { recursive: true });
  const scratch = `${outfile}.${process.pid}.tmp`;
  const result = await build({
    ...options,
    absWorkingDir: dir,
    outfile: scratch,
    metafile: true,
    plugins: [recordSources],
  });
  renameSync(scratch, outfile);
  const files = {};
  // This file too: it decides what the manifest holds.
  for (const file of [...Object.keys(result.metafile.inputs), ...buildInputs, fileURLToPath(import.meta.url)]) {
    const absolute = path.resolve(dir, file);
    const info = statSync(absolute, { throwIfNoEntry: false });
    if (sources.has(absolute)) files[file] = sources.get(absolute);
    else if (!info) files[file] = { id: "missing" };
    // An installed package changing under a build is no everyday edit: rebuilt at the next start.
    else if (isInstalled(absolute))
      files[file] = changedAt(info) >= startedAt - RACY_MS ? CHANGED_WHILE_BUILDING : { id: idOf(info) };
    else files[file] = entry(info, readFileSync(absolute));
  }
  writeFileSync(`${manifest}.${process.pid}.tmp`, JSON.stringify({ bundle: fingerprint(outfile)?.id, files }));
  renameSync(`${manifest}.${process.pid}.tmp`, manifest);
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
