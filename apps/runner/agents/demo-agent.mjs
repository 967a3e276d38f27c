#!/usr/bin/env node
// The bundled scripted demo agent: deterministic, no dependencies, behaves like a real agent CLI.
// Usage: node demo-agent.mjs [--] "<prompt>"  (run in its worktree; env GROVE_TASK, GROVE_RESULT, ...)
// Prompt directives (space-separated words; anything else is prompt text):
//   lines=N delay=MS fail hang flood=N brain no-commit no-result conflict hostile keep-conflicts (demo-round.mjs)
//   (hostile: prints an unterminated OSC 8 link and a cut-off CSI, as a careless or hostile agent might)
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { workOnRound } from "./demo-round.mjs";

// Like any CLI, "--" ends the options: what follows is the prompt, even when it begins with "-".
const args = process.argv.slice(2);
const prompt = (args[0] === "--" ? args[1] : args[0]) ?? "";
const task = process.env.GROVE_TASK ?? "demo-task";
const agent = process.env.GROVE_AGENT ?? "demo";
const brainDir = process.env.GROVE_BRAIN ?? "project-brain";
const opts = parseDirectives(prompt);

const c = {
  dim: "\u001b[2m",
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  cyan: "\u001b[36m",
  bold: "\u001b[1m",
  reset: "\u001b[0m",
};
const say = async (text) => {
  await write(`${text}\n`);
  if (opts.delay > 0) await sleep(opts.delay);
};

process.on("SIGTERM", () => {
  process.stdout.write(`${c.yellow}received SIGTERM, stopping${c.reset}\n`);
  process.exit(143);
});

await main();

async function main() {
  await say(`${c.bold}${c.cyan}demo-agent${c.reset} ${agent} starting task ${c.bold}${task}${c.reset}`);
  await say(`${c.dim}prompt:${c.reset} ${oneLine(opts.text) || "(empty)"}`);
  const pack = process.env.GROVE_CONTEXT_PACK;
  if (pack && existsSync(pack)) await say(`${c.dim}read context pack (${readFileSync(pack, "utf8").length} chars)${c.reset}`);
  await say(`${c.dim}on branch${c.reset} ${git(["rev-parse", "--abbrev-ref", "HEAD"]).trim()}`);

  const steps = ["reading the code", "planning the change", "editing files", "running a quick check", "reviewing the diff"];
  for (let i = 0; i < opts.lines; i++) {
    await say(`${c.green}●${c.reset} step ${i + 1}/${opts.lines}: ${steps[i % steps.length]}`);
    if (i === 1) process.stderr.write(`${c.yellow}warning:${c.reset} demo agents cannot really think\n`);
  }

  if (opts.flood > 0) {
    for (let i = 1; i <= opts.flood; i++) await write(`flood line ${i} of ${opts.flood} ${"·".repeat(i % 40)}\n`);
  }

  if (opts.hostile) {
    await write("\u001b]8;;https://example.invalid/never-closed\n");
    await write("progress 99%\u001b[3\n");
    await say("after the hostile escapes");
  }

  if (opts.hang) {
    await say(`${c.yellow}waiting for something that never happens…${c.reset}`);
    setInterval(() => undefined, 60_000);
    return;
  }

  const files = [...workOnRound({ task, prompt, keepConflicts: opts.keepConflicts, say }), ...editFiles()];
  await say(`${c.green}✔${c.reset} edited ${files.join(", ")}`);

  if (!opts.noCommit) {
    git(["add", "--", ...files]);
    git([
      "-c",
      "user.name=grove demo agent",
      "-c",
      "user.email=demo-agent@grove.invalid",
      "-c",
      "commit.gpgsign=false",
      "commit",
      "--quiet",
      "--no-verify",
      "-m",
      `demo(${task}): ${oneLine(opts.text).slice(0, 60) || "scripted change"}`,
    ]);
    await say(`${c.green}✔${c.reset} committed ${git(["rev-parse", "--short", "HEAD"]).trim()}`);
  }

  if (!opts.noResult && process.env.GROVE_RESULT) {
    writeResult(process.env.GROVE_RESULT, files);
    await say(`${c.dim}wrote RESULT to ${process.env.GROVE_RESULT}${c.reset}`);
  }

  if (opts.fail) {
    process.stderr.write(`${c.yellow}error:${c.reset} task failed as instructed (fail directive)\n`);
    process.exitCode = 1;
    return;
  }
  await say(`${c.bold}${c.green}done${c.reset}`);
}

function parseDirectives(text) {
  const o = {
    lines: 6,
    delay: numberOr(process.env.GROVE_DEMO_DELAY_MS, 300),
    flood: 0,
    fail: false,
    hang: false,
    brain: false,
    hostile: false,
    noCommit: false,
    noResult: false,
    conflict: false,
    keepConflicts: false,
    text: "",
  };
  const words = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const [key, value] = word.split("=", 2);
    if (key === "lines" && value !== undefined) o.lines = numberOr(value, o.lines);
    else if (key === "delay" && value !== undefined) o.delay = numberOr(value, o.delay);
    else if (key === "flood" && value !== undefined) o.flood = numberOr(value, 0);
    else if (word === "fail") o.fail = true;
    else if (word === "hang") o.hang = true;
    else if (word === "brain") o.brain = true;
    else if (word === "hostile") o.hostile = true;
    else if (word === "no-commit") o.noCommit = true;
    else if (word === "no-result") o.noResult = true;
    else if (word === "conflict") o.conflict = true;
    else if (word === "keep-conflicts") o.keepConflicts = true;
    else words.push(word);
  }
  o.text = words.join(" ");
  return o;
}

function editFiles() {
  const files = [];
  const put = (path, text, append = false) => {
    mkdirSync(dirname(path), { recursive: true });
    if (append) appendFileSync(path, text);
    else writeFileSync(path, text);
    files.push(path);
  };
  // hostile: a line that, once a diff puts "+" in front of it, reads like a file header ("+++ ").
  const trap = opts.hostile ? "++ not a file header\n" : "";
  put(
    join("notes", `${task}.md`),
    `# ${task}\n\nWritten by the grove demo agent (${agent}).\n\n> ${oneLine(opts.text)}\n${trap}`,
  );
  put(join("demo", `${task}.txt`), `${agent} worked on ${task}\n`, true);
  // Round 1 only: a later round's prompt quotes the first task, and rewriting the line again would undo the
  // conflict the round just resolved keeping both sides.
  if (opts.conflict && !(Number(process.env.GROVE_ROUND ?? "1") >= 2)) put("shared.txt", `shared line rewritten by ${task}\n`);
  if (opts.brain) put(join(brainDir, `LEARN-demo-${task}.md`), `# Learned by ${task}\n\nAgents should not write here.\n`);
  return files;
}

function writeResult(path, files) {
  const result = {
    status: opts.fail ? "failed" : "done",
    summary: `Demo agent ${agent} completed ${task}: ${oneLine(opts.text).slice(0, 200) || "scripted change"}.`,
    learnings: [
      {
        title: `How ${task} was done`,
        body: `The demo agent edited ${files.length} file(s) in its own worktree.`,
        tags: ["demo"],
      },
      ...(opts.conflict
        ? [{ title: "shared.txt is contended", body: "Several tasks rewrite shared.txt; expect a merge conflict." }]
        : []),
    ],
    files,
    followUps: opts.fail ? ["Retry the task without the fail directive."] : [],
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}

function git(args) {
  return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

function write(text) {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once("drain", resolve);
  });
}

function numberOr(value, fallback) {
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

function oneLine(text) {
  return text.replace(/\s+/g, " ").trim();
}
