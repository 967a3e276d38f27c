import { QueueSnapshotSchema } from "@grove/core";
import type { Redis } from "ioredis";
import { QUEUE_STORE_LIMITS, type PutOutcome, type QueueStore, type QueueStoreLimits, type StoredQueue } from "./queue-store.ts";

const QUEUES_KEY = "grove:queues";

// Compare, bound and write in one step on the Redis server: two instances taking snapshots of one queue
// (or of two runners' queues against the bounds) at once cannot both pass a check the other invalidates.
const PUT_SCRIPT = `
local kept = redis.call('HGET', KEYS[1], ARGV[1])
if kept and tonumber(cjson.decode(kept).snapshot.at) > tonumber(ARGV[3]) then return 'stale' end
if ARGV[4] == '1' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 'kept'
end
if not kept then
  local mine = 0
  for _, value in ipairs(redis.call('HVALS', KEYS[1])) do
    if cjson.decode(value).runnerId == ARGV[5] then mine = mine + 1 end
  end
  if mine >= tonumber(ARGV[6]) then return 'runner-full' end
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[7]) then return 'full' end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 'kept'
`;

const DROP_SCRIPT = `
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if cjson.decode(all[i + 1]).runnerId == ARGV[1] then redis.call('HDEL', KEYS[1], all[i]) end
end
return 0
`;

const keyOf = (runnerId: string, s: { repoPath: string; integration: string }) =>
  JSON.stringify([runnerId, s.repoPath, s.integration]);

/**
 * The runners' merge queues in Redis, shared by every dashboard instance on the bus: a snapshot a runner
 * reported to B is listed by A. Same rules as the memory store (newest wins, empty forgotten, bounded).
 */
export function createRedisQueueStore(redis: Redis, limits: QueueStoreLimits = QUEUE_STORE_LIMITS): QueueStore {
  return {
    async put(runnerId, snapshot) {
      const stored: StoredQueue = { runnerId, snapshot };
      const isEmpty = snapshot.entries.length === 0 ? "1" : "0";
      const args = [keyOf(runnerId, snapshot), JSON.stringify(stored), String(snapshot.at), isEmpty, runnerId];
      const verdict = await redis.eval(PUT_SCRIPT, 1, QUEUES_KEY, ...args, String(limits.queuesPerRunner), String(limits.queues));
      return outcomeOf(verdict, limits);
    },
    async dropRunner(runnerId) {
      await redis.eval(DROP_SCRIPT, 1, QUEUES_KEY, runnerId);
    },
    async list() {
      const all = await redis.hgetall(QUEUES_KEY);
      return Object.entries(all)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .flatMap(([, value]) => parseStored(value));
    },
  };
}

function outcomeOf(verdict: unknown, limits: QueueStoreLimits): PutOutcome {
  if (verdict === "kept") return { kind: "kept" };
  if (verdict === "stale") return { kind: "stale" };
  if (verdict === "runner-full")
    return { kind: "refused", reason: `a runner reports at most ${limits.queuesPerRunner} merge queues` };
  return { kind: "refused", reason: `the hub holds at most ${limits.queues} merge queues` };
}

/** What another instance wrote is checked like a runner's report: a malformed entry is left out, not shown. */
function parseStored(value: string): StoredQueue[] {
  try {
    const raw = JSON.parse(value) as { runnerId?: unknown; snapshot?: unknown };
    const snapshot = QueueSnapshotSchema.safeParse(raw.snapshot);
    return typeof raw.runnerId === "string" && snapshot.success ? [{ runnerId: raw.runnerId, snapshot: snapshot.data }] : [];
  } catch {
    return [];
  }
}
