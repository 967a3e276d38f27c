// The bench's subscribed client, in its own process as a browser would be: it follows runs' logs
// over socket.io, counts every seq once, and measures paced lines' latency from their write time.
import { io } from "socket.io-client";

type Subscribe = { type: "subscribe"; runs: { runId: string; maxSeq: number }[] };
type Command = { type: "connect"; url: string; cookie: string } | Subscribe | { type: "stats" } | { type: "close" };
type LogBatch = { runId: string; lines: { seq: number; text: string }[] };

const seen = new Map<string, Uint8Array>();
const latencies: number[] = [];
let received = 0;
let repeats = 0;
let socket: ReturnType<typeof io> | undefined;

const reply = (message: object) => process.send?.(message);

function onBatch({ runId, lines }: LogBatch) {
  const now = Date.now();
  const marks = seen.get(runId);
  if (!marks) return;
  for (const line of lines) {
    if (line.seq >= marks.length) continue;
    if (marks[line.seq]) {
      repeats++;
      continue;
    }
    marks[line.seq] = 1;
    received++;
    const paced = /^t=(\d+) paced/.exec(line.text);
    if (paced) latencies.push(now - Number(paced[1]));
  }
}

process.on("message", (command: Command) => {
  if (command.type === "connect") {
    const client = io(command.url, { path: "/socket.io/", extraHeaders: { cookie: command.cookie }, transports: ["websocket"] });
    socket = client;
    client.on("run:log", onBatch);
    client.once("connect", () => reply({ type: "connected" }));
    client.once("connect_error", (error) => reply({ type: "error", message: error.message }));
  } else if (command.type === "subscribe") {
    for (const { runId, maxSeq } of command.runs) {
      seen.set(runId, new Uint8Array(maxSeq + 1));
      socket?.emit("run:subscribe", { runId, since: 0 }, () => undefined);
    }
    reply({ type: "subscribed" });
  } else if (command.type === "stats") {
    reply({ type: "stats", received, repeats, latencies });
  } else {
    socket?.disconnect();
    process.exit(0);
  }
});
