"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";

/** "Start a session", for approvers and admins; nothing for viewers. */
export function StartSessionLink() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  if (!me.data || me.data.role === "viewer") return null;
  return (
    <Link
      href="/sessions/new"
      className="rounded-lg bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800 dark:bg-emerald-600"
    >
      Start a session
    </Link>
  );
}
