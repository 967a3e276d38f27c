"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../../components/card.tsx";

export default function AuditPage() {
  const trpc = useTRPC();
  const [branch, setBranch] = useState("");
  const events = useQuery(trpc.audit.list.queryOptions(branch ? { branch } : undefined));
  const verdict = useQuery(trpc.audit.verify.queryOptions());

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">Audit</h1>
        {verdict.data && (
          <span
            role="status"
            className={`rounded-full px-3 py-1 text-xs font-medium ${verdict.data.ok ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" : "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300"}`}
          >
            {verdict.data.ok
              ? `Chain verified: ${verdict.data.count} events`
              : `Chain broken at event ${verdict.data.brokenAtId}: ${verdict.data.reason}`}
          </span>
        )}
      </div>
      <Card title="Events">
        <label className="mb-3 block text-xs">
          Filter by branch
          <input
            value={branch}
            onChange={(e) => setBranch(e.target.value.trim())}
            placeholder="agent/demo/task-1"
            className="mt-1 w-full rounded border border-stone-300 bg-transparent px-2 py-1.5 text-sm sm:w-80 dark:border-stone-700"
          />
        </label>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-xs">
            <thead className="text-stone-500">
              <tr>
                <th className="py-1 pr-3">When</th>
                <th className="py-1 pr-3">Actor</th>
                <th className="py-1 pr-3">Action</th>
                <th className="py-1 pr-3">Branch</th>
                <th className="py-1 pr-3">SHA</th>
                <th className="py-1">Subject</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-200 dark:divide-stone-800">
              {events.data?.map((e) => (
                <tr key={e.id}>
                  <td className="py-1 pr-3 whitespace-nowrap">{new Date(e.ts).toLocaleString()}</td>
                  <td className="py-1 pr-3">
                    {e.actorType}:{e.actorId}
                  </td>
                  <td className="py-1 pr-3 font-medium">{e.action}</td>
                  <td className="py-1 pr-3 font-mono">{e.branch ?? ""}</td>
                  <td className="py-1 pr-3 font-mono">{e.sha?.slice(0, 10) ?? ""}</td>
                  <td className="py-1">{e.subject}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
