import { MAX_LEFTOVERS } from "@grove/core";
import { appendAuditEvent } from "@grove/db";
import { cleanUpLeftovers } from "../../services/leftover-cleanup.ts";
import { z } from "zod";
import { runBranchesOf } from "../../services/leftover-runs.ts";
import { servedRepos } from "../../services/runners.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

const repoInput = z.object({ runnerId: z.string().min(1).max(200), repoPath: z.string().min(1).max(4096) });

/** `grove doctor` per served repository, run by its runner; admins may apply the fixes that cannot lose work. */
export const healthRouter = router({
  list: protectedProcedure.query(async ({ ctx }) => {
    const repos = await servedRepos(ctx);
    return Promise.all(
      repos.map(async (repo) => {
        if (!repo.online) return { ...repo, report: null, error: "The runner is offline." };
        try {
          return {
            ...repo,
            report: await ctx.hub.ask(repo.runnerId, "doctor:run", {
              repoPath: repo.path,
              fix: false,
              ...(await runBranchesOf(ctx.db, { runnerId: repo.runnerId, repoPath: repo.path })),
            }),
            error: null,
          };
        } catch (error) {
          return { ...repo, report: null, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
  }),

  /** `grove agents check` per served repository, as its runner sees it: each profile's CLI, its version, and whether grove's tests ran it. */
  agents: protectedProcedure.query(async ({ ctx }) => {
    const repos = await servedRepos(ctx);
    return Promise.all(
      repos.map(async (repo) => {
        if (!repo.online) return { ...repo, checks: null, error: "The runner is offline." };
        try {
          return {
            ...repo,
            checks: (await ctx.hub.ask(repo.runnerId, "agents:check", { repoPath: repo.path })).checks,
            error: null,
          };
        } catch (error) {
          return { ...repo, checks: null, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
  }),

  fix: roleProcedure("admin")
    .input(repoInput)
    .mutation(async ({ ctx, input }) => {
      const report = await ctx.hub.ask(input.runnerId, "doctor:run", {
        repoPath: input.repoPath,
        fix: true,
        ...(await runBranchesOf(ctx.db, input)),
      });
      await appendAuditEvent(ctx.db, {
        actorType: "user",
        actorId: ctx.user.email,
        action: "doctor.fixed",
        subject: report.repo,
        details: {
          fixed: report.fixed.map((f) => ({ kind: f.kind, path: f.path, branch: f.branch })),
          failed: report.failed.length,
        },
      });
      return report;
    }),

  /** `grove cleanup <branches>` on the runner: each ended run's leftover kept under refs/grove/archive/, then removed. */
  cleanup: roleProcedure("admin")
    .input(repoInput.extend({ branches: z.array(z.string().min(1).max(300)).min(1).max(MAX_LEFTOVERS) }))
    .mutation(({ ctx, input }) => cleanUpLeftovers(ctx, ctx.user, input)),
});
