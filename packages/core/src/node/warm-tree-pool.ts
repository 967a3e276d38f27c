import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { validateRefName } from "../naming/agent-branch.ts";
import { isPidAlive } from "./lock-file.ts";
import type { RepoContext } from "./open-repo.ts";
import { isInside, listProcesses, type ProcessEntry } from "./process-table.ts";
import { withRepoLock } from "./repo-lock.ts";
import { sha256Hex } from "./sha256.ts";

/** Folder of every repository's warm merge trees, next to the repository (as agents' worktrees are by default). */
export const WARM_POOL_DIR = ".grove-warm";
export const WARM_TREE_OWNER_FILE = "owner.json";
const SLOT_FILE = "slot.json";

const OwnerSchema = z.object({ pid: z.number().int(), host: z.string(), token: z.string() });
const SlotSchema = z.object({ integration: z.string(), index: z.number().int().nonnegative() });

export type WarmSlot = {
  /** The slot's folder: its tree, its owner file, what its setup produced. */
  dir: string;
  /** The worktree itself: `<dir>/tree`. */
  path: string;
  integration: string;
  /** Whoever held it last died holding it (kill -9 mid-test): what it left is snapshotted before the reset. */
  wasAbandoned: boolean;
  release: () => Promise<void>;
};

export type WarmSlotInfo = {
  dir: string;
  path: string;
  integration: string;
  index: number;
  /** A live grove process (or one on another host, which this one cannot judge) holds it. */
  isInUse: boolean;
  ownerPid: number | null;
};

/** `<parent of repo>/.grove-warm/<repo>-<hash of its git dir>`: one pool per repository, never inside its checkout. */
export function warmPoolRoot(ctx: Pick<RepoContext, "repo" | "commonDir">): string {
  return join(dirname(ctx.repo), WARM_POOL_DIR, `${basename(ctx.repo)}-${sha256Hex(ctx.commonDir).slice(0, 10)}`);
}

/**
 * Takes a free warm tree of `integration` for the caller (one whose owner is gone counts as free), or a
 * new slot while fewer than `max` exist. Null when all `max` are in use. Chosen under the repository lock and
 * marked with an owner file, so concurrent callers (in this process or another) never get the same tree.
 */
export async function claimWarmTree(ctx: RepoContext, integration: string, max: number): Promise<WarmSlot | null> {
  validateRefName(integration);
  const root = warmPoolRoot(ctx);
  return withRepoLock(ctx.repo, async () => {
    const slots = (await listWarmSlots(root)).filter((slot) => slot.integration === integration);
    const free = slots.find((slot) => !slot.isInUse);
    if (free) return takeSlot(free);
    const used = new Set(slots.map((slot) => slot.index));
    for (let index = 0; index < max; index++) {
      const dir = join(root, slotName(integration, index));
      if (!used.has(index)) return takeSlot({ dir, path: join(dir, "tree"), integration, index, isInUse: false, ownerPid: null });
    }
    return null;
  });
}

/** Claims exactly the slot in `dir` (to remove it, say), or null when a live grove process holds it. */
export async function claimWarmSlot(ctx: RepoContext, dir: string): Promise<WarmSlot | null> {
  return withRepoLock(ctx.repo, async () => {
    const slot = (await listWarmSlots(dirname(dir))).find((entry) => entry.dir === dir);
    return slot === undefined || slot.isInUse ? null : takeSlot(slot);
  });
}

/** Under the repository lock: the slot gets this process as its owner. */
async function takeSlot(slot: WarmSlotInfo): Promise<WarmSlot> {
  const { dir, integration, index } = slot;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, SLOT_FILE), JSON.stringify({ integration, index }));
  await rm(join(dir, WARM_TREE_OWNER_FILE), { force: true });
  const token = randomUUID();
  const handle = await open(join(dir, WARM_TREE_OWNER_FILE), "wx");
  await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), token }));
  await handle.close();
  const wasAbandoned = slot.ownerPid !== null;
  return { dir, path: slot.path, integration, wasAbandoned, release: () => releaseSlot(dir, token) };
}

async function releaseSlot(dir: string, token: string): Promise<void> {
  const owner = await readOwner(dir);
  if (owner?.token === token) await rm(join(dir, WARM_TREE_OWNER_FILE), { force: true });
}

/** Every slot in the pool folder `root`, whether its tree exists or not, and who holds it. */
export async function listWarmSlots(root: string): Promise<WarmSlotInfo[]> {
  const names = await readdir(root).catch(() => []);
  const slots: WarmSlotInfo[] = [];
  let processes: ProcessEntry[] | null | undefined;
  for (const name of names.sort()) {
    const dir = join(root, name);
    const slot = await readJson(join(dir, SLOT_FILE), SlotSchema);
    if (slot === null) continue;
    const owner = await readOwner(dir);
    const path = join(dir, "tree");
    let isInUse = owner !== null && (owner.host !== hostname() || isPidAlive(owner.pid));
    // Its grove process died, but a test it started may run on (an orphan): the tree is not free while it does.
    if (owner !== null && !isInUse) {
      processes ??= await listProcesses();
      isInUse = processes?.some((p) => p.cwd !== null && isInside(p.cwd, path)) ?? false;
    }
    slots.push({ dir, path, ...slot, isInUse, ownerPid: owner?.pid ?? null });
  }
  return slots;
}

function slotName(integration: string, index: number): string {
  return `${integration.replace(/[^A-Za-z0-9._-]/g, "_")}-${sha256Hex(integration).slice(0, 8)}-${index}`;
}

function readOwner(dir: string): Promise<z.infer<typeof OwnerSchema> | null> {
  return readJson(join(dir, WARM_TREE_OWNER_FILE), OwnerSchema);
}

async function readJson<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T> | null> {
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    return schema.safeParse(JSON.parse(text)).data ?? null;
  } catch {
    return null;
  }
}
