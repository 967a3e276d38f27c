import { auditWhere, listAuditPage, verifyAuditChain } from "@grove/db";
import { ShaPrefixSchema } from "@grove/core";
import { z } from "zod";
import { commitProvenance } from "../../services/commit-provenance.ts";
import { exportAudit, MAX_TRPC_EXPORT_CHARS, MAX_TRPC_EXPORT_EVENTS } from "../../services/audit-export.ts";
import { protectedProcedure, router } from "../trpc.ts";

/** Query by session, run, agent, branch, actor, action (or a family like `merge.`), commit and time. */
export const AuditFilterSchema = z.object({
  sessionId: z.string().max(200).optional(),
  runId: z.string().max(200).optional(),
  branch: z.string().max(300).optional(),
  agent: z.string().max(64).optional(),
  actorId: z.string().max(200).optional(),
  actorType: z.enum(["user", "runner", "system"]).optional(),
  action: z.string().max(100).optional(),
  sha: ShaPrefixSchema.optional(),
  since: z.number().int().nonnegative().optional(),
  until: z.number().int().nonnegative().optional(),
});

/** JSON per page of the ledger (its first event always comes): details are written by runners and users. */
export const AUDIT_PAGE_BYTES = 1024 * 1024;

export const auditRouter = router({
  /** Newest first; a page may stop before `limit` at AUDIT_PAGE_BYTES, and `nextBeforeId` says where the next starts. */
  list: protectedProcedure
    .input(
      AuditFilterSchema.extend({
        beforeId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      }).optional(),
    )
    .query(({ ctx, input }) => listAuditPage(ctx.db, input ?? {}, AUDIT_PAGE_BYTES)),

  verify: protectedProcedure.query(({ ctx }) => verifyAuditChain(ctx.db)),

  /**
   * The filtered ledger as one JSONL or CSV text: at most 50 000 events and about 8 MiB (`isTruncated` says
   * it stopped early). GET /api/audit/export streams any size; the dashboard downloads from there.
   */
  export: protectedProcedure
    .input(z.object({ format: z.enum(["jsonl", "csv"]), filter: AuditFilterSchema.optional() }))
    .query(async ({ ctx, input }) => {
      const chunks: string[] = [];
      const filter = input.filter ?? {};
      const count = await exportAudit(
        ctx.db,
        input.format,
        filter,
        (chunk) => void chunks.push(chunk),
        MAX_TRPC_EXPORT_EVENTS,
        MAX_TRPC_EXPORT_CHARS,
      );
      const total = await ctx.db.auditEvent.count({ where: auditWhere(filter) });
      return { format: input.format, count, body: chunks.join(""), isTruncated: count < total };
    }),

  /** Which agent, which task, which tests, who approved, when — for a commit on the integration branch. */
  commit: protectedProcedure
    .input(z.object({ sha: z.string().trim().min(7).max(64) }))
    .query(({ ctx, input }) => commitProvenance(ctx.db, input.sha)),
});
