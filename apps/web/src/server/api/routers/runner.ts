import { TRPCError } from "@trpc/server";
import { appendAuditEvent } from "@grove/db";
import { IdSchema } from "@grove/core";
import { z } from "zod";
import { hashToken, newToken } from "../../auth/secrets.ts";
import { parseRunnerRepos } from "../../services/runners.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

const id = IdSchema;

export const runnerRouter = router({
  list: protectedProcedure
    .input(z.object({ includeRevoked: z.boolean().default(false) }).optional())
    .query(async ({ ctx, input }) => {
      const runners = await ctx.db.runner.findMany({
        where: input?.includeRevoked ? undefined : { revokedAt: null },
        orderBy: { createdAt: "asc" },
      });
      return runners.map((r) => ({
        id: r.id,
        name: r.name,
        host: r.host,
        version: r.version,
        repos: parseRunnerRepos(r.repos),
        lastSeenAt: r.lastSeenAt,
        createdAt: r.createdAt,
        revokedAt: r.revokedAt,
        online: ctx.hub.isRunnerOnline(r.id),
      }));
    }),

  /** One runner with what its repositories offer right now (profiles for the start form), asked live. */
  byId: protectedProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const runner = await ctx.db.runner.findUnique({ where: { id: input.id } });
    if (!runner) throw new TRPCError({ code: "NOT_FOUND", message: "That runner does not exist." });
    const online = ctx.hub.isRunnerOnline(runner.id);
    const repos = await Promise.all(
      parseRunnerRepos(runner.repos).map(async (repo) => ({
        ...repo,
        info: online ? await ctx.hub.ask(runner.id, "repo:info", { repoPath: repo.path }).catch(() => null) : null,
      })),
    );
    return {
      id: runner.id,
      name: runner.name,
      host: runner.host,
      version: runner.version,
      lastSeenAt: runner.lastSeenAt,
      online,
      repos,
    };
  }),

  /** A new runner token, shown once; only its hash is kept. */
  create: roleProcedure("admin")
    .input(z.object({ name: z.string().trim().min(1).max(100) }))
    .mutation(async ({ ctx, input }) => {
      const token = newToken();
      const runner = await ctx.db.runner.create({ data: { name: input.name, tokenHash: hashToken(token) } });
      await appendAuditEvent(ctx.db, {
        actorType: "user",
        actorId: ctx.user.email,
        action: "runner.registered",
        subject: runner.name,
        details: { runnerId: runner.id },
      });
      ctx.hub.broadcastChanged({ scope: "runners", id: runner.id });
      return { id: runner.id, name: runner.name, token };
    }),

  /** Revoking refuses the token from now on and drops the runner's live connection. */
  revoke: roleProcedure("admin")
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      const runner = await ctx.db.runner.findUnique({ where: { id: input.id } });
      if (!runner) throw new TRPCError({ code: "NOT_FOUND", message: "That runner does not exist." });
      if (!runner.revokedAt) {
        await ctx.db.runner.update({ where: { id: runner.id }, data: { revokedAt: new Date() } });
        await appendAuditEvent(ctx.db, {
          actorType: "user",
          actorId: ctx.user.email,
          action: "runner.revoked",
          subject: runner.name,
          details: { runnerId: runner.id },
        });
      }
      ctx.hub.disconnectRunner(runner.id);
      ctx.hub.broadcastChanged({ scope: "runners", id: runner.id });
      return { ok: true };
    }),
});
