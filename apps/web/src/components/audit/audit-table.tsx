"use client";
import { Fragment, useState, type ReactNode } from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";

type Event = RouterOutputs["audit"]["list"]["events"][number];

const COLUMNS = ["When", "Actor", "Action", "Branch", "SHA", "Chain"] as const;

/**
 * One cell. Below md each row is a card and every cell a line headed by its column's name, so Action,
 * Branch, SHA and Chain stay on a phone's screen; the name is hidden from assistive tech (the column
 * header says it) and an empty cell is left out of the card.
 */
function Cell({
  column,
  className = "",
  children,
}: {
  column: (typeof COLUMNS)[number];
  className?: string;
  children: ReactNode;
}) {
  const isEmpty = children === "" || children === null || children === undefined;
  return (
    <td
      role="cell"
      data-label={column}
      className={`py-1.5 pr-3 max-md:flex max-md:gap-3 max-md:py-0.5 max-md:pr-0 ${isEmpty ? "max-md:hidden" : ""} ${className}`}
    >
      <span aria-hidden="true" className="w-14 shrink-0 font-sans text-stone-500 md:hidden">
        {column}
      </span>
      <span className="min-w-0">{children}</span>
    </td>
  );
}

/**
 * Events newest first; each row's link to the one before it in the chain (prevHash) is shown. The roles
 * are explicit because a browser drops a table's semantics once CSS changes its display (the phone cards).
 */
export function AuditTable({ events }: { events: Event[] }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<number | null>(null);
  const runners = useQuery(trpc.runner.list.queryOptions({ includeRevoked: true }));
  const runnerName = new Map((runners.data ?? []).map((r) => [r.id, r.name]));
  return (
    <div className="overflow-x-auto">
      <table role="table" className="w-full text-left text-xs max-md:block">
        <thead role="rowgroup" className="text-stone-500 max-md:sr-only">
          <tr role="row">
            <th role="columnheader" className="py-1 pr-3">
              <span className="sr-only">Details</span>#
            </th>
            {COLUMNS.map((column) => (
              <th key={column} role="columnheader" className="py-1 pr-3">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody
          role="rowgroup"
          className="divide-y divide-stone-200 max-md:block max-md:space-y-2 max-md:divide-y-0 dark:divide-stone-800"
        >
          {events.map((e, index) => {
            const older = events[index + 1];
            const isLinked = older === undefined || older.id !== e.id - 1 || older.hash === e.prevHash;
            return (
              <Fragment key={e.id}>
                <tr
                  role="row"
                  className="max-md:block max-md:rounded-xl max-md:border max-md:border-stone-200 max-md:p-2 max-md:dark:border-stone-800"
                >
                  <td role="cell" className="py-1.5 pr-3 max-md:block">
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
                  <Cell column="When" className="whitespace-nowrap">
                    {new Date(e.ts).toLocaleString()}
                  </Cell>
                  <Cell column="Actor" className="break-all">
                    {`${e.actorType}:${e.actorType === "runner" ? (runnerName.get(e.actorId) ?? e.actorId) : e.actorId}`}
                  </Cell>
                  <Cell column="Action" className="font-medium">
                    {e.action}
                  </Cell>
                  <Cell column="Branch" className="font-mono max-md:break-all">
                    {e.runId && e.branch ? (
                      <Link href={`/runs/${e.runId}`} className="text-emerald-700 hover:underline dark:text-emerald-400">
                        {e.branch}
                      </Link>
                    ) : (
                      (e.branch ?? "")
                    )}
                  </Cell>
                  <Cell column="SHA" className="font-mono">
                    {e.sha?.slice(0, 10) ?? ""}
                  </Cell>
                  <Cell column="Chain" className="whitespace-nowrap font-mono">
                    <span title={`prev ${e.prevHash}\nhash ${e.hash}`}>
                      <span
                        className={isLinked ? "text-emerald-700 dark:text-emerald-400" : "text-red-700"}
                        aria-label={isLinked ? "linked" : "not linked"}
                      >
                        {isLinked ? "✓" : "✗"}
                      </span>{" "}
                      {e.prevHash.slice(0, 6)}→{e.hash.slice(0, 6)}
                    </span>
                  </Cell>
                </tr>
                {open === e.id && (
                  <tr role="row" className="max-md:block">
                    <td role="cell" colSpan={7} className="pb-2 max-md:block">
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
