"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../lib/trpc.ts";
import { Card } from "../../../components/card.tsx";
import { ErrorText, Loading, PageHeader } from "../../../components/ui/feedback.tsx";

function BrainFile() {
  const params = useSearchParams();
  const trpc = useTRPC();
  const input = { runnerId: params.get("runner") ?? "", repoPath: params.get("repo") ?? "", path: params.get("path") ?? "" };
  const file = useQuery({
    ...trpc.brain.byId.queryOptions(input),
    enabled: Boolean(input.runnerId && input.repoPath && input.path),
  });
  return (
    <div className="space-y-4">
      <PageHeader
        title={input.path}
        description={
          <Link href="/brain" className="text-emerald-700 hover:underline dark:text-emerald-400">
            Back to the brain
          </Link>
        }
      />
      {file.isPending && <Loading label="Asking the runner…" />}
      <ErrorText error={file.error} />
      {file.data && (
        <>
          <Card title="Content">
            <pre className="max-h-[60vh] overflow-auto whitespace-pre-wrap break-words text-sm">{file.data.content}</pre>
            {file.data.isTruncated && <p className="mt-2 text-xs text-stone-500">Cut off at 200 000 characters.</p>}
          </Card>
          <Card title="History">
            <ol className="space-y-3">
              {file.data.history.map((c) => (
                <li key={c.sha} className="text-sm">
                  <div className="flex flex-wrap items-baseline gap-2">
                    <code className="text-xs">{c.sha.slice(0, 10)}</code>
                    <span className="font-medium">{c.subject}</span>
                  </div>
                  <div className="text-xs text-stone-500">
                    {c.author} · {new Date(c.ts).toLocaleString()}
                    {c.run ? (
                      <>
                        {" "}
                        · source run{" "}
                        <Link href={`/runs/${c.run.id}`} className="text-emerald-700 hover:underline dark:text-emerald-400">
                          {c.run.branch}
                        </Link>
                      </>
                    ) : null}
                  </div>
                </li>
              ))}
            </ol>
          </Card>
        </>
      )}
    </div>
  );
}

export default function BrainFilePage() {
  return (
    <Suspense fallback={<Loading />}>
      <BrainFile />
    </Suspense>
  );
}
