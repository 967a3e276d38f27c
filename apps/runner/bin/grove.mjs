#!/usr/bin/env node
// `grove` / `pnpm grove …`: the bundled CLI, started in this same process (arguments, stdio, exit code and
// signals are its own). Rebuilt first when any of its sources changed since it was built, so a `git pull` or an
// edit never runs old code; the check is a stat of each input.
import { pathToFileURL } from "node:url";
import { BUNDLE, ensureFreshBundle } from "./cli-bundle.mjs";

const say = process.stderr.isTTY ? (text) => process.stderr.write(`${text}\n`) : undefined;
if (await ensureFreshBundle(say)) await import(pathToFileURL(BUNDLE).href);
else process.exitCode = 1;
