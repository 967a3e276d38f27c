"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { brainFileHref } from "../../lib/links.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../../components/card.tsx";
import { Empty, Loading, PageHeader } from "../../components/ui/feedback.tsx";
import { RelativeTime } from "../../components/ui/time.tsx";

/** Each repository's brain folder on its integration branch: what grove learned, and from which run. */
export default function BrainPage() {
  const trpc = useTRPC();
  const repos = useQuery(trpc.brain.list.queryOptions());
  return (
    <div className="space-y-4">
      <PageHeader
        title="Brain"
        description="Only grove writes here: learnings from agents' RESULTs, deposited after their merge."
      />
      {repos.isPending && <Loading label="Asking the runners…" />}
      {repos.data?.length === 0 && <Empty>No runner has reported a repository yet.</Empty>}
      {repos.data?.map((repo) => (
        <Card key={`${repo.runnerId}:${repo.path}`} title={`${repo.name} · ${repo.brain?.folder ?? "brain"}/`}>
          {repo.error && <p className="text-sm text-stone-500">{repo.error}</p>}
          {repo.brain?.files.length === 0 && <Empty>The brain folder is empty on {repo.brain.ref}.</Empty>}
          <ul className="divide-y divide-stone-200 dark:divide-stone-800">
            {repo.brain?.files.map((file) => (
              <li key={file.path} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 py-2 text-sm">
                <Link
                  href={brainFileHref(repo.runnerId, repo.path, file.path)}
                  className="min-w-0 break-all font-mono text-emerald-700 hover:underline dark:text-emerald-400"
                >
                  {file.path}
                </Link>
                <span className="text-xs text-stone-500">{file.size.toLocaleString()} bytes</span>
                <span className="ml-auto text-xs text-stone-500">
                  {file.lastCommit ? <RelativeTime date={file.lastCommit.ts} /> : null}
                  {file.run ? (
                    <>
                      {" "}
                      from{" "}
                      <Link href={`/runs/${file.run.id}`} className="text-emerald-700 hover:underline dark:text-emerald-400">
                        {file.run.branch}
                      </Link>
                    </>
                  ) : null}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      ))}
    </div>
  );
}
