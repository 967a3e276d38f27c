"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../lib/trpc.ts";
import { Card } from "../../../components/card.tsx";
import { ErrorText, Loading, PageHeader } from "../../../components/ui/feedback.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { MarkdownView } from "../../../components/markdown/markdown-view.tsx";
import { relativeRepoPath } from "../../../lib/markdown/safe-url.ts";

const isMarkdown = (path: string) => /\.(md|markdown)$/i.test(path);

function BrainFile() {
  const params = useSearchParams();
  const trpc = useTRPC();
  const input = { runnerId: params.get("runner") ?? "", repoPath: params.get("repo") ?? "", path: params.get("path") ?? "" };
  const file = useQuery({
    ...trpc.brain.byId.queryOptions(input),
    enabled: Boolean(input.runnerId && input.repoPath && input.path),
  });
  const [showSource, setShowSource] = useState(false);
  const isRendered = isMarkdown(input.path) && !showSource;
  // A relative link between brain files opens the other file here, from the same runner and repository.
  const linkTo = (href: string) => {
    const path = relativeRepoPath(href, input.path);
    if (path === null) return href;
    return `/brain/file?${new URLSearchParams({ runner: input.runnerId, repo: input.repoPath, path }).toString()}`;
  };
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
          <Card
            title="Content"
            actions={
              isMarkdown(input.path) ? (
                <Button size="sm" variant="ghost" aria-pressed={showSource} onClick={() => setShowSource(!showSource)}>
                  Markdown source
                </Button>
              ) : undefined
            }
          >
            {isRendered ? (
              <MarkdownView source={file.data.content} linkTo={linkTo} />
            ) : (
              <pre className="max-h-[60vh] overflow-auto whitespace-pre-wrap break-words text-sm">{file.data.content}</pre>
            )}
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
