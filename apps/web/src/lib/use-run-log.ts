"use client";
import { useEffect, useState } from "react";
import type { LogLine } from "@grove/core";
import { useSocket } from "./socket.tsx";

const MAX_LINES = 5000;

/** Live lines of one run: backlog from the hub, then live; deduped by seq; resumes `since` after reconnects. */
export function useRunLog(runId: string): { lines: LogLine[]; truncated: boolean } {
  const socket = useSocket();
  const [state, setState] = useState<{ lines: LogLine[]; truncated: boolean }>({ lines: [], truncated: false });

  useEffect(() => {
    if (!socket) return;
    let lastSeq = 0;
    const onLog = (payload: { runId: string; lines: LogLine[] }) => {
      if (payload.runId !== runId) return;
      const fresh = payload.lines.filter((l) => l.seq > lastSeq).sort((a, b) => a.seq - b.seq);
      if (fresh.length === 0) return;
      lastSeq = fresh[fresh.length - 1]?.seq ?? lastSeq;
      setState((prev) => {
        const merged = [...prev.lines, ...fresh];
        return merged.length > MAX_LINES
          ? { lines: merged.slice(merged.length - MAX_LINES), truncated: true }
          : { lines: merged, truncated: prev.truncated };
      });
    };
    const subscribe = () => socket.emit("run:subscribe", { runId, since: lastSeq }, () => undefined);
    socket.on("run:log", onLog);
    socket.on("connect", subscribe);
    if (socket.connected) subscribe();
    return () => {
      socket.off("run:log", onLog);
      socket.off("connect", subscribe);
      socket.emit("run:unsubscribe", { runId });
    };
  }, [socket, runId]);

  return state;
}
