"use client";
import { Fragment, useState } from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";

type Event = RouterOutputs["audit"]["list"]["events"][number];

/** Events newest first; each row's link to the one before it in the chain (prevHash) is shown. */
export function AuditTable({ events }: { events: Event[] }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<number | null>(null);
  const runners = useQuery(trpc.runner.list.queryOptions({ includeRevoked: true }));
  const runnerName = new Map((runners.data ?? []).map((r) => [r.id, r.name]));
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs">
        <thead className="text-stone-500">
          <tr>
            <th className="py-1 pr-3">
              <span className="sr-only">Details</span>#
            </th>
            <th className="py-1 pr-3">When</th>
            <th className="py-1 pr-3">Actor</th>
            <th className="py-1 pr-3">Action</th>
            <th className="py-1 pr-3">Branch</th>
            <th className="py-1 pr-3">SHA</th>
            <th className="py-1">Chain</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-200 dark:divide-stone-800">
          {events.map((e, index) => {
            const older = events[index + 1];
            const isLinked = older === undefined || older.id !== e.id - 1 || older.hash === e.prevHash;
            return (
              <Fragment key={e.id}>
                <tr>
                  <td className="py-1.5 pr-3">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-expanded={open === e.id}
                      aria-label={`Details of event ${e.id}`}
                      onClick={() => setOpen(open === e.id ? null : e.id)}
                    >
                      {open === e.id ? "−" : "+"} {e.id}
                    </Button>
                  </td>
                  <td className="whitespace-nowrap py-1.5 pr-3">{new Date(e.ts).toLocaleString()}</td>
                  <td className="py-1.5 pr-3">
                    {e.actorType}:{e.actorType === "runner" ? (runnerName.get(e.actorId) ?? e.actorId) : e.actorId}
                  </td>
                  <td className="py-1.5 pr-3 font-medium">{e.action}</td>
                  <td className="py-1.5 pr-3 font-mono">
                    {e.runId && e.branch ? (
                      <Link href={`/runs/${e.runId}`} className="text-emerald-700 hover:underline dark:text-emerald-400">
                        {e.branch}
                      </Link>
                    ) : (
                      (e.branch ?? "")
                    )}
                  </td>
                  <td className="py-1.5 pr-3 font-mono">{e.sha?.slice(0, 10) ?? ""}</td>
                  <td className="whitespace-nowrap py-1.5 font-mono" title={`prev ${e.prevHash}\nhash ${e.hash}`}>
                    <span
                      className={isLinked ? "text-emerald-700 dark:text-emerald-400" : "text-red-700"}
                      aria-label={isLinked ? "linked" : "not linked"}
                    >
                      {isLinked ? "✓" : "✗"}
                    </span>{" "}
                    {e.prevHash.slice(0, 6)}→{e.hash.slice(0, 6)}
                  </td>
                </tr>
                {open === e.id && (
                  <tr>
                    <td colSpan={7} className="pb-2">
                      <pre className="overflow-x-auto rounded-lg bg-stone-100 p-2 dark:bg-stone-950">
                        {JSON.stringify(
                          {
                            subject: e.subject,
                            sessionId: e.sessionId,
                            runId: e.runId,
                            sha: e.sha,
                            details: e.details,
                            prevHash: e.prevHash,
                            hash: e.hash,
                          },
                          null,
                          2,
                        )}
                      </pre>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
