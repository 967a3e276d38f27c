"use client";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, HubToBrowserEvents } from "@grove/core";
import { isAffected } from "./live-invalidation.ts";

type BrowserSocket = Socket<HubToBrowserEvents, BrowserToHubEvents>;
const SocketContext = createContext<BrowserSocket | null>(null);

/** One socket per signed-in tab; a change the hub announces refreshes the queries it can affect. */
export function SocketProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [socket, setSocket] = useState<BrowserSocket | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const s: BrowserSocket = io({ path: "/socket.io/", withCredentials: true });
    s.on("grove:changed", (change) => void queryClient.invalidateQueries({ predicate: (query) => isAffected(query, change) }));
    s.on("connect", () => void queryClient.invalidateQueries());
    // The hub drops a user's sockets when their role changes or they are removed: re-read who we are, reconnect.
    s.on("disconnect", (reason) => {
      if (reason !== "io server disconnect") return;
      void queryClient.invalidateQueries();
      setTimeout(() => s.connect(), 500);
    });
    setSocket(s);
    return () => {
      s.disconnect();
      setSocket(null);
    };
  }, [enabled, queryClient]);

  return <SocketContext.Provider value={socket}>{children}</SocketContext.Provider>;
}

export function useSocket(): BrowserSocket | null {
  return useContext(SocketContext);
}
