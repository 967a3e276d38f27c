"use client";
import { Fragment, useState } from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";

type Event = RouterOutputs["audit"]["list"]["events"][number];

// Below md each row is a card: cells stack with their column's name (data-label) before them, so Action,
// Branch, SHA and Chain stay on a phone's screen. One markup: the table's roles hold at every width.
const CELL =
  "py-1.5 pr-3 max-md:flex max-md:gap-3 max-md:py-0.5 max-md:pr-0 max-md:before:w-14 max-md:before:shrink-0 max-md:before:text-stone-500 max-md:before:content-[attr(data-label)] max-md:empty:hidden";

/** Events newest first; each row's link to the one before it in the chain (prevHash) is shown. */
export function AuditTable({ events }: { events: Event[] }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<number | null>(null);
  const runners = useQuery(trpc.runner.list.queryOptions({ includeRevoked: true }));
  const runnerName = new Map((runners.data ?? []).map((r) => [r.id, r.name]));
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs max-md:block">
        <thead className="text-stone-500 max-md:sr-only">
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
        <tbody className="divide-y divide-stone-200 max-md:block max-md:space-y-2 max-md:divide-y-0 dark:divide-stone-800">
          {events.map((e, index) => {
            const older = events[index + 1];
            const isLinked = older === undefined || older.id !== e.id - 1 || older.hash === e.prevHash;
            return (
              <Fragment key={e.id}>
                <tr className="max-md:block max-md:rounded-xl max-md:border max-md:border-stone-200 max-md:p-2 max-md:dark:border-stone-800">
                  <td className="py-1.5 pr-3 max-md:block">
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
                  <td data-label="When" className={`whitespace-nowrap ${CELL}`}>
                    {new Date(e.ts).toLocaleString()}
                  </td>
                  <td data-label="Actor" className={`break-all ${CELL}`}>
                    {e.actorType}:{e.actorType === "runner" ? (runnerName.get(e.actorId) ?? e.actorId) : e.actorId}
                  </td>
                  <td data-label="Action" className={`font-medium ${CELL}`}>
                    {e.action}
                  </td>
                  <td data-label="Branch" className={`font-mono max-md:break-all ${CELL}`}>
                    {e.runId && e.branch ? (
                      <Link href={`/runs/${e.runId}`} className="text-emerald-700 hover:underline dark:text-emerald-400">
                        {e.branch}
                      </Link>
                    ) : (
                      (e.branch ?? "")
                    )}
                  </td>
                  <td data-label="SHA" className={`font-mono ${CELL}`}>
                    {e.sha?.slice(0, 10) ?? ""}
                  </td>
                  <td
                    data-label="Chain"
                    className={`whitespace-nowrap font-mono ${CELL}`}
                    title={`prev ${e.prevHash}\nhash ${e.hash}`}
                  >
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
                  <tr className="max-md:block">
                    <td colSpan={7} className="pb-2 max-md:block">
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
