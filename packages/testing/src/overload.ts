import { readFile } from "node:fs/promises";
import type { ProductionWeb } from "./production-web.ts";
import { postHuge } from "./huge-post.ts";
import { followLog } from "./log-follower.ts";
import { sendStrangerMessage } from "./stranger-message.ts";
import { waitFor } from "./wait-for.ts";
import { connectStuckViewer, type StuckViewer } from "./stuck-viewer.ts";
import { connectRunner, LINES_PER_BATCH, sendBatch, type WideLineRunner } from "./wide-line-runner.ts";

// ~40 MB: more than one 2000-line page, and more than eight stuck viewers' kernel buffers take.
const LOG_LINES = 78 * LINES_PER_BATCH;
const LIVE_BATCHES = 3;
const STUCK_VIEWERS = 8;
// Twenty clients with no session and no runner token, each trying to make the hub hold an 8 MB socket message.
const STRANGERS = 20;
const ADMIN = { email: "overload@test.local", name: "Overload", password: "overload-password-1" };

export type OverloadReport = {
  /** What each 150 MB POST got: an HTTP status, or how the connection ended. */
  hugePosts: string[];
  /** How the hub answered each stranger's 8 MB socket message: its handshake refused, or what came after. */
  strangers: string[];
  /** Status and response size of each of the three parallel `run.log.list` with limit 2000. */
  logPages: { status: number; bytes: number }[];
  /** Lines the reading viewer got, of those stored, and any out of order or missing. */
  reader: { lines: number; expected: number; gaps: string[] };
  /** Status of each dashboard request made while the load was on. */
  dashboard: Record<string, number>;
  /** The web process's peak RSS (VmHWM, MB) after each step. */
  peakRssAfter: Record<string, number>;
  /** Why the scenario could not finish, if it could not. */
  failure: string | null;
  isAlive: boolean;
  peakRssMb: number;
};

export type OverloadSteps = { hugePosts: boolean; strangerSockets: boolean; logPages: boolean; stuckViewers: boolean };

/**
 * The overload the security probe found, against a web process started as `pnpm start` starts it:
 * (a) 150 MB POSTs to the setup and sign-in endpoints, (b) three parallel `run.log.list` with limit
 * 2000 over a run of 16 KiB lines, (c) eight viewers subscribing from seq 0 that never read — while a
 * viewer that reads follows the log and the dashboard is asked for its health, a query and a page.
 */
export async function runOverload(
  web: ProductionWeb,
  steps: OverloadSteps = { hugePosts: true, strangerSockets: true, logPages: true, stuckViewers: true },
): Promise<OverloadReport> {
  const report: OverloadReport = {
    hugePosts: [],
    strangers: [],
    logPages: [],
    reader: { lines: 0, expected: LOG_LINES + LIVE_BATCHES * LINES_PER_BATCH, gaps: [] },
    dashboard: {},
    peakRssAfter: {},
    failure: null,
    isAlive: true,
    peakRssMb: 0,
  };
  const ask = async (name: string, path: string, cookie = "") => {
    const response = await fetch(`${web.url}${path}`, { headers: { cookie } }).catch(() => null);
    report.dashboard[name] = response?.status ?? 0;
    await response?.arrayBuffer().catch(() => undefined);
  };
  const measure = (step: string) => (report.peakRssAfter[step] = Math.round(web.peakRssMb()));
  const stuck: StuckViewer[] = [];
  let runner: WideLineRunner | undefined;
  try {
    measure("start");
    // (a) While nobody is signed in, as the probe did; one body with a length, one chunked.
    if (steps.hugePosts) {
      const [a = "", b = ""] = await Promise.all([
        postHuge(`${web.url}/api/trpc/setup.createAdmin`, { declareLength: true }),
        postHuge(`${web.url}/api/auth/sign-in/email`, { declareLength: false }),
        ask("health during the huge posts", "/api/health"),
      ]);
      report.hugePosts = [a, b];
      measure("huge posts");
    }
    // (d) Half over long-polling (a handshake, then an 8 MB POST on its session), half as one websocket frame.
    if (steps.strangerSockets) {
      const [strangers] = await Promise.all([
        Promise.all(Array.from({ length: STRANGERS }, (_, i) => sendStrangerMessage(web.url, i % 2 ? "polling" : "websocket"))),
        ask("health during the stranger sockets", "/api/health"),
      ]);
      report.strangers = strangers;
      measure("stranger sockets");
    }

    const cookie = await createAdmin(web);
    runner = await connectRunner(web);
    const runId = await startRun(web.url, cookie);
    for (let first = 1; first <= LOG_LINES; first += LINES_PER_BATCH) await sendBatch(runner, runId, first, LINES_PER_BATCH);
    measure("seeding the log");

    // (c) Each takes the first lines of its catch-up, then never reads again.
    if (steps.stuckViewers) for (let i = 0; i < STUCK_VIEWERS; i++) stuck.push(await connectStuckViewer(web.url, cookie, runId));
    measure("stuck viewers");

    // (b) with a reading viewer, live lines and the dashboard, all at once while the stuck viewers hold.
    const reader = await followLog(web.url, cookie, runId);
    const live = runner;
    const [logPages] = await Promise.all([
      steps.logPages ? Promise.all(Array.from({ length: 3 }, () => listLogPage(web.url, cookie, runId))) : [],
      (async () => {
        for (let i = 0; i < LIVE_BATCHES; i++) await sendBatch(live, runId, LOG_LINES + 1 + i * LINES_PER_BATCH, LINES_PER_BATCH);
      })(),
      ask("health", "/api/health"),
      ask("run.byId", `/api/trpc/run.byId?input=${encodeURIComponent(JSON.stringify({ json: { id: runId } }))}`, cookie),
      ask("run page", `/runs/${runId}`, cookie),
    ]);
    report.logPages = logPages;
    await waitFor(
      () => reader.seen.size >= report.reader.expected || !web.isAlive(),
      120_000,
      () => `the reader has ${reader.seen.size}/${report.reader.expected} lines`,
    );
    report.reader = { ...report.reader, lines: reader.seen.size, gaps: reader.gaps };
    reader.close();
    measure("log pages, reader and live lines");
    await ask("health after", "/api/health");
  } catch (error) {
    report.failure = error instanceof Error ? error.message : String(error);
  } finally {
    for (const viewer of stuck) viewer.close();
    runner?.disconnect();
  }
  report.isAlive = web.isAlive();
  report.peakRssMb = web.peakRssMb();
  return report;
}

async function createAdmin(web: ProductionWeb): Promise<string> {
  const token = (await readFile(`${web.dataDir}/setup-token`, "utf8")).trim();
  const response = await fetch(`${web.url}/api/trpc/setup.createAdmin`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web.url },
    body: JSON.stringify({ json: { token, ...ADMIN } }),
  });
  if (!response.ok) throw new Error(`setup.createAdmin failed: ${response.status} ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

async function startRun(url: string, cookie: string): Promise<string> {
  const response = await fetch(`${url}/api/trpc/session.start`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: url },
    body: JSON.stringify({ json: { tasks: [{ agent: "flood", taskId: "wide", prompt: "print wide lines" }] } }),
  });
  const body = (await response.json()) as { result?: { data: { json: { runIds: string[] } } } };
  const runId = body.result?.data.json.runIds[0];
  if (!runId) throw new Error(`session.start failed (${response.status}): ${JSON.stringify(body)}`);
  return runId;
}

async function listLogPage(url: string, cookie: string, runId: string): Promise<{ status: number; bytes: number }> {
  const input = encodeURIComponent(JSON.stringify({ json: { runId, afterSeq: 0, limit: 2000 } }));
  const response = await fetch(`${url}/api/trpc/run.log.list?input=${input}`, { headers: { cookie } }).catch(() => null);
  const bytes = response ? (await response.arrayBuffer().catch(() => new ArrayBuffer(0))).byteLength : 0;
  return { status: response?.status ?? 0, bytes };
}
