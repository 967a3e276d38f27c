import type { Namespace, Server, Socket } from "socket.io";
import type {
  BrowserToHubEvents,
  HubToBrowserEvents,
  HubToRunnerEvents,
  RunnerProcess,
  RunnerToHubEvents,
  RunProgress,
} from "@grove/core";
import type { SessionUser } from "../auth/sessions.ts";

// One server carries both namespaces, so its event maps are the union of the runner's and the browsers' (no name is shared).
export type ListenEvents = RunnerToHubEvents & BrowserToHubEvents;
export type EmitEvents = HubToRunnerEvents & HubToBrowserEvents;
/** `process`: the runner process a runner connection named at connect (see runner-process-check.ts). */
export type SocketData = { runnerId?: string; process?: RunnerProcess; user?: SessionUser };
/**
 * What dashboard instances tell each other over the bus (socket.io's serverSideEmit; log lines go by run-log-bus.ts);
 * peers are trusted like the database.
 */
export type PeerEvents = {
  "peer:progress": (progress: RunProgress) => void;
  /** The runners connected to one instance, repeated while it lives (see cluster-presence.ts). */
  "peer:presence": (announcement: PresenceAnnouncement) => void;
  /** A new instance asks the others to announce their runners now. */
  "peer:presence-ask": () => void;
};
export type PresenceAnnouncement = { instanceId: string; runnerIds: string[]; ttlMs: number };
export type GroveServerIo = Server<ListenEvents, EmitEvents, PeerEvents, SocketData>;
export type GroveNamespace = Namespace<ListenEvents, EmitEvents, PeerEvents, SocketData>;
export type GroveSocket = Socket<ListenEvents, EmitEvents, PeerEvents, SocketData>;

export const DASHBOARD_ROOM = "dashboard";
export const userRoom = (userId: string) => `user:${userId}`;
/** Every connection of one runner, on whichever instance: commands for it are sent to this room. */
export const runnerRoom = (runnerId: string) => `runner:${runnerId}`;
