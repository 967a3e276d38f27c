import type { IncomingMessage, ServerResponse } from "node:http";
import { once } from "node:events";
import { z } from "zod";
import { createHttpContext, type AppDeps } from "./api/context.ts";
import { AuditFilterSchema } from "./api/routers/audit.ts";
import { hashToken } from "./auth/secrets.ts";
import { exportAudit } from "./services/audit-export.ts";

export const AUDIT_EXPORT_PATH = "/api/audit/export";

const QuerySchema = AuditFilterSchema.extend({
  format: z.enum(["jsonl", "csv"]).default("jsonl"),
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
});

/**
 * GET /api/audit/export?format=jsonl|csv&branch=…&agent=…&since=… streams the filtered ledger as a
 * download, any size. For a signed-in user, or a runner token (`Authorization: Bearer …`) so that
 * `grove audit verify --hub` can check the chain on the runner's machine.
 */
export async function serveAuditExport(deps: AppDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET") return void res.writeHead(405, { allow: "GET" }).end("Use GET.");
  if (!(await isAuthorized(deps, req, res))) {
    return void res
      .writeHead(401, { "content-type": "text/plain" })
      .end("Sign in, or send a runner token as Authorization: Bearer <token>.");
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  const parsed = QuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    return void res.writeHead(400, { "content-type": "text/plain" }).end(`Bad query:\n${z.prettifyError(parsed.error)}`);
  }
  const { format, ...filter } = parsed.data;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  res.writeHead(200, {
    "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    "content-disposition": `attachment; filename="grove-audit-${stamp}.${format}"`,
    "cache-control": "no-store",
  });
  await exportAudit(deps.db, format, filter, async (chunk) => {
    if (!res.write(chunk)) await once(res, "drain");
  });
  res.end();
}

async function isAuthorized(deps: AppDeps, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const bearer = /^Bearer (\S{20,})$/.exec(req.headers.authorization ?? "")?.[1];
  if (bearer) {
    const runner = await deps.db.runner.findUnique({ where: { tokenHash: hashToken(bearer) }, select: { revokedAt: true } });
    return runner !== null && runner.revokedAt === null;
  }
  return (await createHttpContext(deps, req, res)).user !== null;
}

/** A handler that failed mid-way: a 500 if nothing was sent yet, else the stream is cut (the client sees it broken). */
export function failRequest(res: ServerResponse, error: unknown, what = "audit export"): void {
  console.error(`${what} failed:`, error);
  if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("Internal error");
  else res.destroy();
}
