import { DomainError, verifyAuditExport, type ExportVerdict } from "@grove/core";
import { sha256Hex } from "@grove/core/node";
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { CliContext } from "./cli-context.ts";
import { parseFlags } from "./parse-flags.ts";

const USAGE = `grove audit verify <export.jsonl | -> [--anchor HASH] [--json]
       grove audit verify --hub URL --token TOKEN [--anchor HASH] [--json]

  Recomputes the audit ledger's hash chain here, on this machine: from a JSONL export (the dashboard's
  Audit page, or GET /api/audit/export), a headless session's <data-dir>/audit/<session>.jsonl, or
  downloaded from the hub with this runner's token. An edited,
  deleted, inserted or reordered event breaks the chain. --anchor HASH (a head printed by an earlier run)
  also catches events cut off the end. Flags fall back to GROVE_HUB_URL and GROVE_RUNNER_TOKEN.`;

/** `grove audit verify`: exit 0 when the chain holds, 1 when it is broken. */
export async function auditCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    ctx.out(`usage: ${USAGE}`);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== "verify") throw new DomainError("INVALID_INPUT", `unknown audit command "${sub}"\nusage: ${USAGE}`);
  const { values, positionals } = parseFlags(USAGE, rest, {
    hub: { type: "string" },
    token: { type: "string" },
    anchor: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) {
    ctx.out(`usage: ${USAGE}`);
    return 0;
  }
  if (positionals.length > 1)
    throw new DomainError("INVALID_INPUT", `unexpected argument "${positionals[1] ?? ""}"\nusage: ${USAGE}`);
  const file = positionals[0];
  const hub = values.hub ?? (file === undefined ? ctx.env.GROVE_HUB_URL : undefined);
  if (file === undefined && hub === undefined)
    throw new DomainError("INVALID_INPUT", `give an export file, or --hub URL\nusage: ${USAGE}`);

  const lines =
    file !== undefined
      ? linesOfFile(file === "-" ? "-" : resolve(ctx.cwd, file))
      : await linesFromHub(hub ?? "", values.token ?? ctx.env.GROVE_RUNNER_TOKEN);
  const verdict = await verifyAuditExport(lines, sha256Hex, values.anchor);
  // Bad input, not tampering: `audit verify /etc/passwd` must not say a chain broke.
  if (!verdict.ok && "notAnExport" in verdict)
    throw new DomainError("INVALID_INPUT", `not a grove audit export: ${verdict.reason}`);
  if (values.json) ctx.out(JSON.stringify(verdict));
  else report(verdict, values.anchor, ctx);
  return verdict.ok && verdict.anchorFound !== false ? 0 : 1;
}

function report(verdict: ExportVerdict, anchor: string | undefined, ctx: CliContext): void {
  if (!verdict.ok) {
    ctx.err(
      `Audit chain BROKEN${verdict.brokenAtId === null ? "" : ` at event ${verdict.brokenAtId}`}: ${verdict.reason} (${verdict.count} event(s) before it verified).`,
    );
    return;
  }
  if (verdict.anchorFound === false) {
    ctx.err(
      `Audit chain verified (${verdict.count} events), but the anchor ${anchor ?? ""} is not in it: events were cut off the end, or the anchor is from another ledger.`,
    );
    return;
  }
  ctx.out(
    `Audit chain verified: ${verdict.count} events, head ${verdict.headHash}${verdict.anchorFound ? " (anchor found)" : ""}.`,
  );
  ctx.out("Keep the head; pass it as --anchor next time to catch events cut off the end.");
}

function linesOfFile(path: string): AsyncIterable<string> {
  const input = path === "-" ? process.stdin : createReadStream(path);
  input.on("error", () => undefined);
  return readLines(input, path);
}

async function* readLines(input: NodeJS.ReadableStream, what: string): AsyncIterable<string> {
  try {
    yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  } catch (error) {
    throw new DomainError("NOT_FOUND", `cannot read ${what}: ${whyUnreadable(error)}`, { cause: error });
  }
}

const UNREADABLE: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  ENOTDIR: "a part of the path is not a directory",
};

function whyUnreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (code && UNREADABLE[code]) ?? (error instanceof Error ? error.message : String(error));
}

async function linesFromHub(hub: string, token: string | undefined): Promise<AsyncIterable<string>> {
  if (!token) throw new DomainError("INVALID_INPUT", "no runner token: pass --token or set GROVE_RUNNER_TOKEN");
  const url = `${hub.replace(/\/+$/, "")}/api/audit/export?format=jsonl`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).catch((error: unknown) => {
    throw new DomainError(
      "RUNNER_OFFLINE",
      `cannot reach the hub at ${hub}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  });
  if (response.status === 401) throw new DomainError("UNAUTHORIZED", "the hub refused this runner token (unknown or revoked)");
  if (!response.ok || !response.body) throw new DomainError("RUNNER_OFFLINE", `the hub answered ${response.status} for ${url}`);
  return readLines(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), url);
}
