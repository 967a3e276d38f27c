import { parseRunnerRepos } from "../../services/runners.ts";
import { protectedProcedure, router } from "../trpc.ts";

export const runnerRouter = router({
  list: protectedProcedure.query(async ({ ctx }) => {
    const runners = await ctx.db.runner.findMany({ where: { revokedAt: null }, orderBy: { createdAt: "asc" } });
    return runners.map((r) => ({
      id: r.id,
      name: r.name,
      host: r.host,
      version: r.version,
      repos: parseRunnerRepos(r.repos),
      lastSeenAt: r.lastSeenAt,
      online: ctx.hub.isRunnerOnline(r.id),
    }));
  }),
});
