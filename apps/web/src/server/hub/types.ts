import type { Namespace, Server, Socket } from "socket.io";
import type { BrowserToHubEvents, HubToBrowserEvents, HubToRunnerEvents, RunnerToHubEvents } from "@grove/core";
import type { SessionUser } from "../auth/sessions.ts";

// One server carries both namespaces, so its event maps are the union of the runner's and the browsers' (no name is shared).
export type ListenEvents = RunnerToHubEvents & BrowserToHubEvents;
export type EmitEvents = HubToRunnerEvents & HubToBrowserEvents;
export type SocketData = { runnerId?: string; user?: SessionUser };
export type GroveServerIo = Server<ListenEvents, EmitEvents, Record<string, never>, SocketData>;
export type GroveNamespace = Namespace<ListenEvents, EmitEvents, Record<string, never>, SocketData>;
export type GroveSocket = Socket<ListenEvents, EmitEvents, Record<string, never>, SocketData>;

export const DASHBOARD_ROOM = "dashboard";
export const userRoom = (userId: string) => `user:${userId}`;
