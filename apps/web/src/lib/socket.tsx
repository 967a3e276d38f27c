"use client";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, HubToBrowserEvents } from "@grove/core";

type BrowserSocket = Socket<HubToBrowserEvents, BrowserToHubEvents>;
const SocketContext = createContext<BrowserSocket | null>(null);

/** One socket per signed-in tab; any change the hub announces refreshes the queries on screen. */
export function SocketProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [socket, setSocket] = useState<BrowserSocket | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const s: BrowserSocket = io({ path: "/socket.io/", withCredentials: true });
    s.on("grove:changed", () => void queryClient.invalidateQueries());
    s.on("connect", () => void queryClient.invalidateQueries());
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
