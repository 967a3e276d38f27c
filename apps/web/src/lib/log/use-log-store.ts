"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { HubToBrowserEvents } from "@grove/core";
import { useSocket } from "../socket.tsx";
import { useTRPCClient } from "../trpc.ts";
import { loadPage, LogStore } from "./log-store.ts";

/**
 * One run's log for a virtual view: the live tail over the socket (from the last stored line on),
 * and any earlier page fetched over tRPC when it scrolls into view.
 */
export function useLogStore(runId: string, lastSeq: number | undefined) {
  const socket = useSocket();
  const client = useTRPCClient();
  const [store] = useState(() => new LogStore());
  const [version, setVersion] = useState(0);
  const visible = useRef({ from: 1, to: 1 });
  const frame = useRef<number | null>(null);

  // Floods arrive in many small batches; render at most once per frame.
  const bump = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      setVersion(store.version);
    });
  }, [store]);

  useEffect(() => {
    if (lastSeq === undefined) return;
    store.grow(lastSeq);
    bump();
  }, [store, lastSeq, bump]);

  const isLengthKnown = lastSeq !== undefined;
  // Subscribes once the stored length is known; later growth comes through the subscription itself.
  useEffect(() => {
    if (!socket || !isLengthKnown) return;
    const onLog: HubToBrowserEvents["run:log"] = (payload) => {
      if (payload.runId !== runId) return;
      store.put(payload.lines, visible.current);
      bump();
    };
    const subscribe = () => socket.emit("run:subscribe", { runId, since: store.total }, () => undefined);
    socket.on("run:log", onLog);
    socket.on("connect", subscribe);
    if (socket.connected) subscribe();
    return () => {
      socket.off("run:log", onLog);
      socket.off("connect", subscribe);
      socket.emit("run:unsubscribe", { runId });
    };
  }, [socket, runId, store, bump, isLengthKnown]);

  /** Called by the view with the rows on screen: fetches the pages it lacks. */
  const ensure = useCallback(
    (from: number, to: number) => {
      visible.current = { from, to };
      const fetchPage = (afterSeq: number, limit: number) => client.run.log.list.query({ runId, afterSeq, limit });
      for (const page of store.claimMissing(from, to)) {
        loadPage(fetchPage, page, (lines) => {
          store.put(lines, visible.current);
          bump();
        })
          .catch(() => undefined)
          .finally(() => {
            store.release(page);
            bump();
          });
      }
    },
    [client, runId, store, bump],
  );

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  return { store, version, ensure };
}
