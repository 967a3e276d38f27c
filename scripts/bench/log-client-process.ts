import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ProductionStack } from "@grove/testing";
import { peakRssMb } from "./process-usage.ts";

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), "log-client.ts");

export type ClientStats = { received: number; repeats: number; latencies: number[] };

/** The subscribed client runs in its own process, like a browser: its work and memory are not the hub's. */
export async function startLogClient(stack: Pick<ProductionStack, "url" | "signIn">) {
  const child: ChildProcess = fork(CLIENT, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const request = <T>(command: object, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string; message?: string }) => {
        if (message.type === "error") reject(new Error(message.message));
        else if (message.type !== answer) return;
        child.off("message", onMessage);
        resolve(message as T);
      };
      child.on("message", onMessage);
      child.send(command);
    });
  await request({ type: "connect", url: stack.url, cookie: await stack.signIn() }, "connected");
  return {
    subscribe: (runs: { runId: string; maxSeq: number }[]) => request({ type: "subscribe", runs }, "subscribed"),
    stats: () => request<ClientStats>({ type: "stats" }, "stats"),
    close: () =>
      new Promise<number>((resolve) => {
        const peak = child.pid ? peakRssMb(child.pid) : 0;
        child.once("exit", () => resolve(peak));
        child.send({ type: "close" });
      }),
  };
}
