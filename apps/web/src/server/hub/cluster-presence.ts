import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { GroveServerIo, PresenceAnnouncement } from "./types.ts";

export type PresenceTiming = { announceMs: number; ttlMs: number };
/** An instance that died without saying so drops out of the list after `ttlMs` (three missed announcements). */
export const PRESENCE_TIMING: PresenceTiming = { announceMs: 5_000, ttlMs: 15_000 };

const AnnouncementSchema = z.object({
  instanceId: z.string().min(1).max(100),
  runnerIds: z.array(z.string().max(100)).max(100_000),
  ttlMs: z.number().int().positive().max(3_600_000),
});

export type ClusterPresence = {
  instanceId: string;
  /** Whether the runner is connected to any live instance (this one included). */
  isOnline(runnerId: string): boolean;
  onlineIds(): string[];
  /** Tells the other instances this one's runners now (after a runner came or went). */
  announce(): void;
  close(): void;
};

/**
 * Which runners are connected to which dashboard instance. Each instance announces its own over the bus on
 * every change and every `announceMs`; the others keep each announcement until it expires, so the list is
 * read synchronously and an instance killed without a word stops counting after `ttlMs`.
 */
export function watchClusterPresence(
  io: GroveServerIo,
  localIds: () => string[],
  timing: PresenceTiming = PRESENCE_TIMING,
): ClusterPresence {
  const instanceId = randomUUID();
  const peers = new Map<string, { runnerIds: Set<string>; expiresAt: number }>();

  const live = () => {
    const now = Date.now();
    for (const [id, peer] of peers) if (peer.expiresAt <= now) peers.delete(id);
    return [...peers.values()];
  };
  const announce = () => {
    const announcement: PresenceAnnouncement = { instanceId, runnerIds: localIds(), ttlMs: timing.ttlMs };
    io.serverSideEmit("peer:presence", announcement);
  };

  io.on("peer:presence", (payload) => {
    const parsed = AnnouncementSchema.safeParse(payload);
    if (!parsed.success || parsed.data.instanceId === instanceId) return;
    const { runnerIds, ttlMs } = parsed.data;
    peers.set(parsed.data.instanceId, { runnerIds: new Set(runnerIds), expiresAt: Date.now() + ttlMs });
  });
  io.on("peer:presence-ask", announce);
  const timer = setInterval(announce, timing.announceMs);
  timer.unref();
  io.serverSideEmit("peer:presence-ask");
  announce();

  return {
    instanceId,
    isOnline: (runnerId) => localIds().includes(runnerId) || live().some((peer) => peer.runnerIds.has(runnerId)),
    onlineIds: () => [...new Set([...localIds(), ...live().flatMap((peer) => [...peer.runnerIds])])],
    announce,
    close() {
      clearInterval(timer);
      // A shutdown says so: the others drop this instance's runners at once rather than at expiry.
      io.serverSideEmit("peer:presence", { instanceId, runnerIds: [], ttlMs: 1 });
    },
  };
}
