import { startRunnerDaemon } from "../daemon.ts";

// A runner daemon in its own process, so tests can kill -9 it for real.
// Usage: node --import tsx daemon-process.ts <hubUrl> <token> <dataDir> <repo>
const [hubUrl, token, dataDir, repo] = process.argv.slice(2);
if (!hubUrl || !token || !dataDir || !repo) throw new Error("usage: daemon-process.ts <hubUrl> <token> <dataDir> <repo>");
await startRunnerDaemon({ hubUrl, token, dataDir, repos: [repo], onLog: (line) => console.error(`runner: ${line}`) });
console.log("runner started");
