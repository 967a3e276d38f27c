/**
 * The program of grove's process spawner (process-spawner.ts), run as `node -e`: a source string rather than a file,
 * so that the runner's and the hub's bundles start it as the sources do, with nothing to find on disk.
 *
 * It starts each process it is asked for with exactly the argv, folder and environment it is sent, passes on
 * stdin, every chunk of output and how the process ended, and kills a process on request. It ignores SIGINT and
 * SIGTERM, which a terminal's Ctrl-C or a supervisor sends the whole process group: the grove process that
 * started it decides when to stop, and may still need git then. It exits when that process is gone (the IPC
 * channel closed); processes it started run on to their end, as they would have as grove's own children.
 */
export const SPAWNER_SOURCE = String.raw`"use strict";
const { spawn } = require("node:child_process");
const running = new Map();
// A failed send means the grove process is gone (EPIPE): "disconnect" follows and ends this one, quietly.
const send = (message) => {
  if (process.connected) process.send(message, () => undefined);
};
const start = (request) => {
  const { id } = request;
  let child;
  try {
    child = spawn(request.file, request.args, { cwd: request.cwd, env: request.env, stdio: "pipe" });
  } catch (error) {
    send({ id, type: "unstartable", reason: String(error && error.message) });
    return;
  }
  running.set(id, child);
  let isEnded = false;
  const end = (message) => {
    if (isEnded) return;
    isEnded = true;
    running.delete(id);
    send(message);
  };
  // Also emitted when a kill fails; only an error before the process had a pid means it never started.
  child.on("error", (error) => {
    if (child.pid === undefined) end({ id, type: "unstartable", reason: error.message });
  });
  child.stdout.on("data", (data) => send({ id, type: "stdout", data }));
  child.stderr.on("data", (data) => send({ id, type: "stderr", data }));
  child.stdin.on("error", () => undefined);
  child.stdin.end(request.input);
  child.on("close", (code, signal) => end({ id, type: "closed", code, signal }));
};
process.on("message", (message) => {
  if (message.type === "kill") running.get(message.id)?.kill(message.signal);
  else start(message);
});
process.on("disconnect", () => process.exit(0));
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => undefined);
send({ type: "ready" });
`;
