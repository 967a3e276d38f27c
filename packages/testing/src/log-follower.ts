import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, HubToBrowserEvents } from "@grove/core";

type Browser = Socket<HubToBrowserEvents, BrowserToHubEvents>;

/** A viewer that keeps reading from seq 0: every seq it got, and any that came before the one just under it. */
export async function followLog(url: string, cookie: string, runId: string) {
  const browser: Browser = io(url, {
    path: "/socket.io/",
    extraHeaders: { cookie },
    transports: ["websocket"],
    reconnection: false,
  });
  const seen = new Set<number>();
  const gaps: string[] = [];
  let highest = 0;
  browser.on("run:log", (payload) => {
    for (const line of payload.lines) {
      if (line.seq > highest + 1) gaps.push(`${line.seq} after ${highest}`);
      highest = Math.max(highest, line.seq);
      seen.add(line.seq);
    }
  });
  await new Promise<void>((resolve, reject) => {
    browser.once("connect", resolve);
    browser.once("connect_error", reject);
  });
  browser.emit("run:subscribe", { runId, since: 0 }, () => undefined);
  return { seen, gaps, close: () => browser.disconnect() };
}
