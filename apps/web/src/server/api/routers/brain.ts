import { z } from "zod";
import { linkCommitsToRuns } from "../../services/brain-links.ts";
import { servedRepos } from "../../services/runners.ts";
import { protectedProcedure, router } from "../trpc.ts";

const repoRef = z.object({ runnerId: z.string().min(1).max(200), repoPath: z.string().min(1).max(4096) });

/** The brain folder of each served repository, read from its integration branch by the runner. */
export const brainRouter = router({
  list: protectedProcedure.query(async ({ ctx }) => {
    const repos = await servedRepos(ctx);
    return Promise.all(
      repos.map(async (repo) => {
        if (!repo.online) return { ...repo, brain: null, error: "The runner is offline." };
        try {
          const brain = await ctx.hub.ask(repo.runnerId, "brain:list", { repoPath: repo.path });
          const links = await linkCommitsToRuns(
            ctx.db,
            brain.files.flatMap((f) => (f.lastCommit ? [f.lastCommit] : [])),
          );
          const files = brain.files.map((f) => ({ ...f, run: f.lastCommit ? (links.get(f.lastCommit.sha) ?? null) : null }));
          return { ...repo, brain: { ...brain, files }, error: null };
        } catch (error) {
          return { ...repo, brain: null, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
  }),

  /** One brain file with its history, each change linked to the run it came from. */
  byId: protectedProcedure.input(repoRef.extend({ path: z.string().min(1).max(1000) })).query(async ({ ctx, input }) => {
    const file = await ctx.hub.ask(input.runnerId, "brain:file", { repoPath: input.repoPath, path: input.path });
    const links = await linkCommitsToRuns(ctx.db, file.history);
    return { ...file, history: file.history.map((c) => ({ ...c, run: links.get(c.sha) ?? null })) };
  }),
});
