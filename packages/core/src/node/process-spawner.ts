import { spawn, type ChildProcess } from "node:child_process";
import { spawnHere } from "./process-spawn-here.ts";
import { SPAWNER_SOURCE } from "./process-spawner-source.ts";

export type SpawnRequest = { file: string; args: string[]; cwd: string; env: Record<string, string>; input: Buffer };

/** How a process ended: it ran (exit code or signal), never started, or was lost with the spawner that ran it. */
export type SpawnEnd =
  | { kind: "closed"; code: number | null; signal: string | null }
  | { kind: "unstartable"; reason: string }
  | { kind: "lost"; reason: string };

export type SpawnHandlers = {
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
  /** Called once, after every chunk of output. */
  onEnd: (end: SpawnEnd) => void;
};

export type Spawned = { kill: (signal: NodeJS.Signals) => void };

/**
 * Starts a process with argv, folder and environment exactly as given (never a shell), stdin ended after `input`:
 * from grove's process spawner once useProcessSpawner() started it, else from this process.
 *
 * Why a spawner: Node starts a child by forking the whole parent, and the kernel's cost of that grows with the
 * parent's memory — measured on a 2-core machine, 2.4 ms of CPU per git from a 52 MB process, 9 ms from a 230 MB
 * one, most of it with the parent's event loop blocked. The runner starts git hundreds of times a minute while it
 * streams agents' logs; the spawner is a small Node process that does the forking for it.
 */
export function spawnProcess(request: SpawnRequest, handlers: SpawnHandlers): Spawned {
  if (current?.isDead === true) replaceDeadSpawner(current);
  const spawner = current !== null && current.isReady && !current.isDead ? current : null;
  return spawner === null ? spawnHere(request, handlers) : spawner.spawn(request, handlers);
}

let current: Spawner | null = null;

/**
 * A spawner that died after it was ready (killed, out of memory) is replaced, at most once a minute: the runner
 * lives for days, and without it every later git would be forked from the runner itself again. One that died
 * before it was ready is not: that is a Ctrl-C or a stop reaching the process group as it starts.
 */
function replaceDeadSpawner(dead: Spawner): void {
  if (!dead.isReady || Date.now() - lastReplacedAt < REPLACE_GAP_MS) return;
  lastReplacedAt = Date.now();
  current = new Spawner();
}

let lastReplacedAt = -Infinity;
const REPLACE_GAP_MS = 60_000;

/**
 * From now on, processes started through spawnProcess are started by the spawner (started here once). For long-lived
 * processes that start many (the runner, a headless session, test workers). Should the spawner die, what it was
 * running is reported lost, and later processes are started directly until its replacement is ready.
 */
export function useProcessSpawner(): void {
  if (current === null || current.isDead) current = new Spawner();
}

/** Back to starting processes directly; the spawner exits once the processes it runs have ended. */
export function stopProcessSpawner(): void {
  current?.stop();
  current = null;
}

/** The spawner's pid once it starts processes, undefined if none is in use or it died first (for tests that kill it). */
export async function processSpawnerReady(): Promise<number | undefined> {
  const spawner = current;
  return spawner !== null && (await spawner.ready) ? spawner.pid : undefined;
}

/** The spawner's pid while one is in use (for tests that kill it). */
export function processSpawnerPid(): number | undefined {
  return current?.isDead === false ? current.pid : undefined;
}

type SpawnerMessage =
  | { type: "ready" }
  | { id: number; type: "stdout" | "stderr"; data: Uint8Array }
  | { id: number; type: "closed"; code: number | null; signal: string | null }
  | { id: number; type: "unstartable"; reason: string };

class Spawner {
  isDead = false;
  /**
   * Until the spawner says it ignores SIGINT and SIGTERM (its first 100-300 ms, Node starting), processes start
   * here: a Ctrl-C or a supervisor's stop sent to the process group then ends the spawner, and the git it ran with it.
   */
  isReady = false;
  /** Settles true once ready, false if it died before. */
  readonly ready: Promise<boolean>;
  private settleReady: (isReady: boolean) => void = () => undefined;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, SpawnHandlers>();
  private nextId = 0;
  private isStopping = false;

  constructor() {
    this.ready = new Promise((resolve) => (this.settleReady = resolve));
    const spawnerEnv: Record<string, string> = { PATH: process.env.PATH ?? "" };
    this.child = spawn(process.execPath, ["-e", SPAWNER_SOURCE], {
      // Its own environment reaches no process it starts (each request carries one). As ProcessEnv: Next's types,
      // which the web app checks this module with, require NODE_ENV in it.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed under Next's types
      env: spawnerEnv as NodeJS.ProcessEnv,
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "advanced",
    });
    this.child.on("message", (message: SpawnerMessage) => this.receive(message));
    this.child.on("error", () => this.die("grove's process spawner failed"));
    this.child.on("exit", (code, signal) => this.die(`grove's process spawner exited (${signal ?? `code ${code}`})`));
    // Held until it is ready (idle() then): a caller awaiting processSpawnerReady() with nothing else to do must not
    // see this process exit with the wait unsettled.
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  spawn(request: SpawnRequest, handlers: SpawnHandlers): Spawned {
    const id = this.nextId++;
    this.pending.set(id, handlers);
    // Waiting for a process keeps this process alive, as a child of its own would; the spawner itself too, not just
    // its channel: should it die, its exit is what ends the wait (reported lost), and without a ref to wait for it
    // this process would run out of work and exit with the wait unsettled.
    if (this.pending.size === 1) {
      this.child.ref();
      this.child.channel?.ref();
    }
    this.child.send({ id, ...request });
    return { kill: (signal) => this.pending.has(id) && this.child.connected && this.child.send({ id, type: "kill", signal }) };
  }

  stop(): void {
    this.isStopping = true;
    if (this.pending.size === 0 && this.child.connected) this.child.disconnect();
  }

  private receive(message: SpawnerMessage): void {
    if (message.type === "ready") {
      this.isReady = true;
      this.settleReady(true);
      if (this.pending.size === 0) this.idle();
      return;
    }
    const handlers = this.pending.get(message.id);
    if (handlers === undefined) return;
    switch (message.type) {
      case "stdout":
        return handlers.onStdout(asBuffer(message.data));
      case "stderr":
        return handlers.onStderr(asBuffer(message.data));
      case "closed":
        this.settle(message.id);
        return handlers.onEnd({ kind: "closed", code: message.code, signal: message.signal });
      case "unstartable":
        this.settle(message.id);
        return handlers.onEnd({ kind: "unstartable", reason: message.reason });
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.idle();
  }

  private idle(): void {
    this.child.unref();
    this.child.channel?.unref();
    if (this.isStopping && this.child.connected) this.child.disconnect();
  }

  private die(reason: string): void {
    if (this.isDead) return;
    this.isDead = true;
    this.settleReady(false);
    const lost = [...this.pending.values()];
    this.pending.clear();
    // The process may have run, in part or whole: said as such, never as a failure to start.
    for (const handlers of lost) handlers.onEnd({ kind: "lost", reason: `${reason}; whether the process ran is unknown` });
  }
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
